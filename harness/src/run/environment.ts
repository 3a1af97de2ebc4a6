/** What results record about where and with what a run happened. */
import { existsSync, readFileSync } from 'node:fs';
import { hostname, platform, release } from 'node:os';
import { join } from 'node:path';
import type { KernelInfo } from '../kernel/types.js';
import type { RunPlan } from '../plan/types.js';
import { ROOT } from '../paths.js';
import type { RunEnvironment } from '../results/model.js';

export function hiltVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The commit of a git checkout, read from .git without running git. */
export function hiltCommit(root = ROOT): string | null {
  try {
    const head = readFileSync(join(root, '.git', 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    if (existsSync(join(root, '.git', ref))) return readFileSync(join(root, '.git', ref), 'utf8').trim();
    const packed = readFileSync(join(root, '.git', 'packed-refs'), 'utf8');
    return packed.split('\n').find((l) => l.endsWith(` ${ref}`))?.split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

export function runEnvironment(kernel: KernelInfo, machine: Record<string, string | number | boolean>, target: string, startedAt: string): RunEnvironment {
  return {
    kernel: { spec: kernel.spec, release: kernel.release, configSha256: kernel.configSha256, source: kernel.source },
    machine,
    target,
    hilt: { version: hiltVersion(), commit: hiltCommit() },
    host: { hostname: hostname(), platform: platform(), release: release() },
    startedAt,
    endedAt: null,
  };
}

/** What is known before the kernel is fetched: the spec, the machine asked for. The env entry replaces it. */
export function plannedEnvironment(plan: RunPlan, startedAt: string): RunEnvironment {
  const m = plan.machine;
  return {
    kernel: { spec: plan.kernel, release: '', configSha256: null, source: { type: 'unresolved' } },
    machine: { name: m.name, type: m.type, memoryMb: m.memoryMb, cpus: m.cpus, devices: m.devices.join(',') },
    target: m.type,
    hilt: { version: hiltVersion(), commit: hiltCommit() },
    host: { hostname: hostname(), platform: platform(), release: release() },
    startedAt,
    endedAt: null,
  };
}
