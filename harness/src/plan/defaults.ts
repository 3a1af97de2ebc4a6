import type { DmesgRules, MachineProfile } from './types.js';

export const DEFAULT_MACHINE: MachineProfile = {
  type: 'qemu',
  name: 'qemu-x86_64',
  memoryMb: 1024,
  cpus: 2,
  accel: 'auto',
  qemu: 'qemu-system-x86_64',
  devices: ['virtio-gpu-pci'],
  extraArgs: [],
  cmdline: [],
};

/**
 * Like IGT's defaults: a message at warning level or worse during a case
 * counts, and so does anything that reads like a kernel splat whatever its
 * level (lockdep and hung-task reports come at info and error levels).
 */
export const DEFAULT_DMESG: DmesgRules = {
  level: 4,
  match: [
    '^WARNING:',
    '^BUG:',
    '^Oops',
    'general protection fault',
    'possible circular locking dependency',
    'possible recursive locking',
    'INFO: task .* blocked for more than',
    'soft lockup',
    'hard LOCKUP',
    'rcu_.*detected stalls',
    'UBSAN:',
    'KASAN:',
    'kmemleak:',
    'refcount_t:',
    'list_(add|del) corruption',
  ],
  ignore: [],
};

export const DEFAULT_TIMEOUTS = {
  /** TCG on two slow cores boots in ~3 s; the margin covers a loaded CI host. */
  bootMs: 120_000,
  /** The agent sends a heartbeat every 2 s while a case runs, so silence means the machine is wedged. */
  silenceMs: 30_000,
  /** The agent enforces case timeouts itself; the host steps in this much later. */
  caseGraceMs: 15_000,
  runMs: null as number | null,
};
