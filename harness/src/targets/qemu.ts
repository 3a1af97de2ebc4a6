/**
 * QemuTarget: boots the kernel and initramfs with -kernel/-initrd, console on
 * the first serial port read through a pipe, devices from the machine
 * profile. QEMU runs under `setpriv --pdeathsig KILL` and is registered for
 * killing at exit, so no QEMU outlives hilt, whatever happens to hilt.
 */
import { spawn } from 'node:child_process';
import { existsSync, utimesSync } from 'node:fs';
import { infraError } from '../errors.js';
import type { MachineProfile } from '../plan/types.js';
import { dieWithParent } from '../util/children.js';
import { childMachine } from './child-machine.js';
import { type QemuArchProfile, X86_64 } from './qemu-profiles.js';
import { ptyMachine } from './pty.js';
import type { BootRequest, Machine, Target } from './target.js';


export interface QemuTargetOptions {
  machine: MachineProfile;
  kernelImage: string;
  initrd: string;
  accel: 'tcg' | 'kvm';
  arch?: QemuArchProfile;
}

export function qemuArgs(o: QemuTargetOptions, request: BootRequest): string[] {
  const arch = o.arch ?? X86_64;
  const firmware = arch.firmware && existsSync(arch.firmware) ? ['-bios', arch.firmware] : [];
  return [
    '-nodefaults',
    '-no-user-config',
    ...(o.accel === 'kvm' ? arch.kvm : arch.tcg[o.machine.tcgThreads]),
    ...firmware,
    '-m', String(o.machine.memoryMb),
    '-smp', String(o.machine.cpus),
    '-display', 'none',
    '-monitor', 'none',
    '-serial', 'stdio',
    '-no-reboot',
    '-kernel', o.kernelImage,
    '-initrd', o.initrd,
    '-append', [...arch.cmdline, ...o.machine.cmdline, ...request.cmdline].join(' '),
    ...o.machine.devices.flatMap((d) => ['-device', d]),
    ...o.machine.extraArgs,
  ];
}

export class QemuTarget implements Target {
  readonly kind = 'qemu';

  constructor(private readonly opts: QemuTargetOptions) {}

  describe(): Record<string, string | number | boolean> {
    const m = this.opts.machine;
    return { name: m.name, type: 'qemu', arch: (this.opts.arch ?? X86_64).arch, accel: this.opts.accel, memoryMb: m.memoryMb, cpus: m.cpus, devices: m.devices.join(',') };
  }

  boot(request: BootRequest): Promise<Machine> {
    // The image is in use: the cache's pruning spares an image booted lately, and a run may boot for hours.
    const now = new Date();
    try {
      utimesSync(this.opts.initrd, now, now);
    } catch {
      // a read-only image: QEMU reads it all the same
    }
    const args = qemuArgs(this.opts, request);
    const [cmd, argv] = dieWithParent(this.opts.machine.qemu, args);
    if (request.interactive) return ptyMachine(cmd, argv, request.interactive, [this.opts.machine.qemu, ...args]);
    const qemu = this.opts.machine.qemu;
    return childMachine(spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'] }), {
      commandLine: [qemu, ...args],
      stop: { signal: 'kill' },
      input: true,
      startError: (e) =>
        e.code === 'ENOENT'
          ? infraError(`${qemu} is not installed`, { hint: 'apt-get install qemu-system-x86 (./quickstart.sh installs it).' })
          : infraError(`cannot start ${qemu}: ${e.message}`),
    });
  }
}
