import { AGENT_HEARTBEAT_MS } from '../agent-protocol/limits.js';
import type { DmesgRules, MachineProfile } from './types.js';

export const DEFAULT_MACHINE: MachineProfile = {
  type: 'qemu',
  name: 'qemu-x86_64',
  memoryMb: 1024,
  cpus: 2,
  accel: 'auto',
  tcgThreads: 'single',
  qemu: 'qemu-system-x86_64',
  devices: ['virtio-gpu-pci'],
  extraArgs: [],
  cmdline: [],
  accelerators: [],
  lab: null,
  ssh: null,
  lava: null,
};

/**
 * Like IGT's defaults: a message at warning level or worse during a case
 * counts; so does every report of kernel trouble whatever its level
 * (results/dmesg.ts asks console/kernel-events.ts). `match` adds patterns.
 */
export const DEFAULT_DMESG: DmesgRules = { level: 4, match: [], ignore: [] };

export const DEFAULT_TIMEOUTS = {
  /** TCG on two slow cores boots in ~3 s; the margin covers a loaded CI host. */
  bootMs: 120_000,
  /** Fifteen heartbeats missed (the agent beats while a case runs): the machine is wedged. */
  silenceMs: 15 * AGENT_HEARTBEAT_MS,
  /** The agent enforces case timeouts itself; the host steps in this much later. */
  caseGraceMs: 15_000,
  runMs: null as number | null,
};
