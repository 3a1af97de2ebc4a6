/**
 * Everything a machine needs before it boots, shared by `hilt run` and
 * `hilt boot`: the kernel from its provider, the initramfs for the plan, the
 * accelerator QEMU may use, and the target that boots them.
 */
import { join } from 'node:path';
import { AGENT_HEARTBEAT_MS } from '../agent-protocol/limits.js';
import { infraError } from '../errors.js';
import { type BuiltImage, DEFAULT_BUSYBOX, buildInitramfs } from '../image/build.js';
import { resolveKernel } from '../kernel/index.js';
import type { KernelInfo } from '../kernel/types.js';
import { SUITES_BUILD_DIR } from '../paths.js';
import { RunRequirements } from '../plan/requirements.js';
import type { RunPlan } from '../plan/types.js';
import { buildHostedTree } from '../image/hosted-tree.js';
import { schemas } from '../schemas/registry.js';
import { type MachineTarget, createTarget, isHosted } from '../targets/index.js';
import { kvmUsable } from '../targets/kvm-probe.js';
import type { Log } from '../util/log.js';

export interface PreparedMachine {
  kernel: KernelInfo;
  /** The initramfs; null for a machine that is already up (ssh, local), which gets the hosted tree instead. */
  image: BuiltImage | null;
  /** How QEMU runs the machine; none for a machine hilt does not emulate. */
  accel: 'tcg' | 'kvm' | 'none';
  target: MachineTarget;
  /** Where boots run, for the progress line: "under TCG", "on lab board b1", "on ssh root@gpu-box". */
  where: string;
}

/**
 * consoleLevel: the kernel's console log level while tests run (1 keeps printk
 * off the console, where it would cut into frames); 0 leaves the kernel's,
 * for a person at the shell.
 *
 * A machine hilt boots gets the kernel from its provider and the initramfs;
 * only QEMU gets a KVM probe. A machine that is already up (ssh, local) gets
 * the hosted tree, and its running kernel is the run's.
 */
export async function prepareMachine(plan: RunPlan, o: { cacheDir: string; log: Log; consoleLevel: number; signal?: AbortSignal }): Promise<PreparedMachine> {
  const m = plan.machine;
  if (isHosted(m)) {
    const tree = await abortable(
      buildHostedTree({ suites: plan.suites, agentBinary: join(SUITES_BUILD_DIR, 'agent'), agent: { tests: plan.tests, ...agentSettings(plan, o.consoleLevel) }, cacheDir: o.cacheDir }),
      o.signal,
      'putting the agent and the suites together',
    );
    const target = createTarget(m, { kernelImage: '', initrd: '', accel: 'tcg', tree, log: o.log, bootTimeoutMs: plan.timeouts.bootMs });
    try {
      const kernel = await abortable(Promise.resolve(target.kernel?.() ?? Promise.reject(new Error(`${m.type} target without a kernel`))), o.signal, `asking ${m.name} for its kernel`);
      return { kernel, image: null, accel: 'none', target, where: m.type === 'local' ? 'on this host' : `on ${m.name} over SSH` };
    } catch (e) {
      await target.close();
      throw e;
    }
  }
  const kernel = await abortable(resolveKernel(plan.kernel, { cacheDir: o.cacheDir, log: o.log, suites: plan.suites.map((s) => s.name) }), o.signal, 'fetching the kernel');
  const image = await abortable(buildRunImage(plan, kernel, o), o.signal, 'building the initramfs');
  const accel = m.type === 'qemu' ? await abortable(decideAccel(plan, kernel, image.path, o), o.signal, 'probing whether KVM works') : 'none';
  const target = createTarget(m, {
    kernelImage: kernel.image,
    initrd: image.path,
    accel: accel === 'none' ? 'tcg' : accel,
    workDir: plan.out,
    log: o.log,
    plan,
    release: kernel.release,
    cacheDir: o.cacheDir,
    registry: schemas(),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const where = m.type === 'qemu' ? `under ${accel.toUpperCase()}` : m.type === 'lab' ? `on lab board ${m.name}` : `in LAVA (${String(target.describe().name ?? 'lab')})`;
  return { kernel, image, accel, target, where };
}

/** The agent's settings for a plan: heartbeat, kernel log levels, the console level, the nodes it reports on. */
function agentSettings(plan: RunPlan, consoleLevel: number) {
  const paths = [...new Set(plan.suites.flatMap((s) => s.requires?.nodes ?? []))];
  return { heartbeatMs: AGENT_HEARTBEAT_MS, kmsgLevel: 7, bootKmsgLevel: 4, consoleLevel, ...(paths.length ? { paths } : {}) };
}

/**
 * Ctrl-C or SIGTERM while a step runs: stop waiting for it at once (what it
 * started, an apt-get or a probe QEMU, is killed when hilt exits) and say
 * which step was cut short.
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return work;
  const interrupted = () => infraError(`interrupted while ${what}`, { hint: 'Nothing ran; start the run again when you are ready.' });
  if (signal.aborted) return Promise.reject(interrupted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(interrupted());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * The initramfs for a plan: its suites, their modules, the agent's plan. A
 * console level of 1 keeps printk off the console while tests run; 0 leaves
 * the kernel's (for a person at the shell).
 */
export async function buildRunImage(plan: RunPlan, kernel: KernelInfo, o: { cacheDir: string; log: Log; consoleLevel: number }): Promise<BuiltImage> {
  o.log.progress(`building the initramfs for ${kernel.release}`);
  const image = await buildInitramfs({
    kernel,
    suites: plan.suites,
    agentBinary: join(SUITES_BUILD_DIR, 'agent'),
    busybox: process.env.HILT_BUSYBOX ?? DEFAULT_BUSYBOX,
    agent: { tests: plan.tests, ...agentSettings(plan, o.consoleLevel) },
    cacheDir: o.cacheDir,
    log: o.log,
  });
  o.log.info(`initramfs ${image.cached ? 'unchanged, from the cache' : `built (${(image.bytes / 1048576).toFixed(1)} MiB)`}: ${image.path}`);
  // A required module the kernel lacks ends a run (run/executor.ts); the cases needing an optional one skip.
  if (image.missing.length) {
    const requirements = RunRequirements.of(plan);
    const skipping = image.missing.filter((m) => requirements.isOptional('module', m));
    o.log.warn(`kernel ${kernel.release} has no module ${image.missing.join(', ')}${skipping.length ? ` (optional in this plan: ${skipping.join(', ')}; the cases needing it will skip)` : ''}`);
  }
  return image;
}

/** TCG, or KVM where a probe boot proves it works; --accel kvm on a host where it does not is an error. */
export async function decideAccel(plan: RunPlan, kernel: KernelInfo, initrd: string, o: { cacheDir: string; log: Log }): Promise<'tcg' | 'kvm'> {
  if (plan.machine.accel === 'tcg') return 'tcg';
  const verdict = await kvmUsable({ machine: plan.machine, kernelImage: kernel.image, initrd, cacheDir: o.cacheDir, log: o.log });
  if (plan.machine.accel === 'kvm' && !verdict.usable) {
    throw infraError(`--accel kvm asked for, but KVM is not usable here: ${verdict.reason}`, { hint: 'Use --accel tcg or auto.' });
  }
  if (!verdict.usable) o.log.info(`using TCG: ${verdict.reason}`);
  return verdict.usable ? 'kvm' : 'tcg';
}

