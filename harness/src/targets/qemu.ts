/**
 * QemuTarget: boots the kernel and initramfs with -kernel/-initrd, console on
 * the first serial port read through a pipe, devices from the machine
 * profile. QEMU runs under `setpriv --pdeathsig KILL` and is registered for
 * killing at exit, so no QEMU outlives hilt, whatever happens to hilt.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { infraError } from '../errors.js';
import type { MachineProfile } from '../plan/types.js';
import { dieWithParent, track } from '../util/children.js';
import { type QemuArchProfile, X86_64 } from './qemu-profiles.js';
import { ptyMachine } from './pty.js';
import type { BootRequest, Machine, MachineExit, Target } from './target.js';

const STDERR_CAP = 16 * 1024;

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
    const args = qemuArgs(this.opts, request);
    const [cmd, argv] = dieWithParent(this.opts.machine.qemu, args);
    if (request.interactive) return ptyMachine(cmd, argv, request.interactive, [this.opts.machine.qemu, ...args]);
    const child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    track(child);
    const listeners: ((chunk: Buffer) => void)[] = [];
    const early: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (listeners.length) for (const l of listeners) l(chunk);
      else early.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < STDERR_CAP) stderr += chunk.toString('utf8').slice(0, STDERR_CAP - stderr.length);
    });
    child.stdin.on('error', () => {}); // QEMU gone: typing into it is moot
    const exited = new Promise<MachineExit>((resolve) => {
      child.once('close', (code, signal) => resolve({ code, signal, stderr }));
    });
    return new Promise((resolve, reject) => {
      child.once('error', (e: NodeJS.ErrnoException) => {
        reject(
          e.code === 'ENOENT'
            ? infraError(`${this.opts.machine.qemu} is not installed`, { hint: 'apt-get install qemu-system-x86 (./quickstart.sh installs it).' })
            : infraError(`cannot start ${this.opts.machine.qemu}: ${e.message}`),
        );
      });
      child.once('spawn', () => {
        resolve({
          commandLine: [this.opts.machine.qemu, ...args],
          exited,
          onConsole(cb) {
            listeners.push(cb);
            for (const chunk of early.splice(0)) cb(chunk);
          },
          write(data) {
            if (child.stdin.writable) child.stdin.write(data);
          },
          async kill() {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            return exited;
          },
        });
      });
    });
  }
}
