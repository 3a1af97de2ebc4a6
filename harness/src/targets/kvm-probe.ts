/**
 * Decides whether KVM really works here. /dev/kvm can exist and open, and a
 * guest still hang or die on its first instructions (nested virtualisation
 * that does not pass the CPU's features through), so the only proof is a
 * boot: the real kernel and initramfs, the agent in probe mode, a few
 * seconds. The verdict is cached per host boot, QEMU binary and kernel.
 */
import { constants, existsSync, readFileSync } from 'node:fs';
import { access, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FrameDecoder } from '../agent-protocol/frame.js';
import type { MachineProfile } from '../plan/types.js';
import { LineSplitter } from '../text/line-splitter.js';
import type { Log } from '../util/log.js';
import { QemuTarget } from './qemu.js';

const PROBE_TIMEOUT_MS = 8_000;

export interface KvmVerdict {
  usable: boolean;
  reason: string;
}

async function probeKey(machine: MachineProfile, kernelImage: string): Promise<string> {
  const bootId = existsSync('/proc/sys/kernel/random/boot_id') ? readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() : 'unknown';
  const k = await stat(kernelImage);
  return `${bootId} ${machine.qemu} ${kernelImage} ${k.size} ${k.mtimeMs}`;
}

async function bootProbe(machine: MachineProfile, kernelImage: string, initrd: string): Promise<KvmVerdict> {
  const target = new QemuTarget({ machine: { ...machine, devices: [] }, kernelImage, initrd, accel: 'kvm' });
  const m = await target.boot({ cmdline: ['hilt.mode=probe'] });
  const splitter = new LineSplitter({ encoding: 'latin1' });
  const decoder = new FrameDecoder();
  let hello = false;
  m.onConsole((chunk) => {
    for (const line of splitter.push(chunk)) for (const d of decoder.push(line)) if (d.type === 'record' && d.record.kind === 'hello') hello = true;
    if (hello) void m.kill();
  });
  const timer = setTimeout(() => void m.kill(), PROBE_TIMEOUT_MS);
  const exit = await m.exited;
  clearTimeout(timer);
  if (hello) return { usable: true, reason: 'a probe boot under KVM reached the agent' };
  const said = exit.stderr.trim().split('\n').find((l) => /kvm|KVM|error/i.test(l));
  return { usable: false, reason: `a probe boot under KVM did not reach the agent within ${PROBE_TIMEOUT_MS / 1000} s${said ? ` (${said.trim()})` : ''}` };
}

export async function kvmUsable(opts: { machine: MachineProfile; kernelImage: string; initrd: string; cacheDir: string; log: Log }): Promise<KvmVerdict> {
  try {
    await access('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return { usable: false, reason: '/dev/kvm is missing or not accessible' };
  }
  const file = join(opts.cacheDir, 'kvm-probe.json');
  const key = await probeKey(opts.machine, opts.kernelImage);
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as KvmVerdict & { key: string };
    if (saved.key === key) return { usable: saved.usable, reason: `${saved.reason} (cached for this host boot)` };
  } catch {
    // no verdict yet
  }
  opts.log.progress('probing whether KVM works here (once per host boot)');
  const verdict = await bootProbe(opts.machine, opts.kernelImage, opts.initrd);
  await mkdir(opts.cacheDir, { recursive: true });
  await writeFile(file, JSON.stringify({ ...verdict, key }));
  return verdict;
}
