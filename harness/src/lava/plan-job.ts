/**
 * From a hilt run plan to the inputs of one LAVA job (pure): the kernel
 * command line, the QEMU options, the job's name and its timeouts, all
 * derived from the plan so that a job runs what `hilt run` would run on the
 * `qemu` target, watched by the same watchdog settings.
 */
import { usageError } from '../errors.js';
import type { MachineProfile, PlannedTest, RunPlan } from '../plan/types.js';
import type { LavaDeviceType } from './device-types.js';
import type { LavaArtifact, LavaJobInput, LavaTimeouts } from './job.js';

/** How long LAVA may take to fetch the kernel and initramfs when the lab profile does not say. */
export const DEFAULT_DEPLOY_S = 300;
/** Finalising (power-off, reading the rest of the console) and LAVA's own steps between actions. */
const JOB_MARGIN_S = 120;

/**
 * Kernel command line words for a LAVA boot. From the words the `qemu` target
 * uses: no `quiet` (LAVA waits for the kernel banner and reads the boot log for
 * oopses), `panic=0` instead of `panic=-1` (see job.ts: the kernel stops after
 * its report, LAVA sees the end of it and ends the job cleanly). On a board the
 * device dictionary sets the console, and the VM-only words stay out.
 */
export function lavaKernelWords(dt: LavaDeviceType, archWords: string[], machineWords: string[], bootWords: string[]): string[] {
  const board = dt.boot !== 'qemu';
  const base = board ? archWords.filter((w) => /^(panic|panic_print)=/.test(w)) : archWords;
  const words = base
    .filter((w) => w !== 'quiet')
    .filter((w) => !(w.startsWith('console=') && (board || dt.console)))
    .map((w) => (/^panic=/.test(w) ? 'panic=0' : w));
  if (!words.includes('panic=0')) words.unshift('panic=0');
  const console = !board && dt.console ? [`console=${dt.console},115200`] : [];
  return [...console, ...words, ...machineWords, ...bootWords];
}

/**
 * Options LAVA appends to the QEMU command of its device dictionary (which
 * has -nographic, a NIC, -m and -monitor none): the machine profile's CPUs
 * and devices, `-no-reboot` so that a reset ends QEMU instead of running the
 * agent again, `-vga none` so that the guest has the same DRM devices as
 * under the `qemu` target (-nodefaults there), the firmware when given, and,
 * on a worker known to have no KVM, TCG's threading as the machine profile
 * says (QEMU's own default, one thread per vCPU, oopses the guest now and then).
 */
export function lavaQemuOptions(machine: MachineProfile, firmware: string | null, tcg = false): string[] {
  const options = [`-smp ${machine.cpus}`, ...machine.devices.map((d) => `-device ${d}`), '-no-reboot', '-vga none'];
  if (firmware) options.push(`-bios ${firmware}`);
  if (tcg) options.push(`-accel tcg,thread=${machine.tcgThreads}`);
  for (const a of machine.extraArgs) {
    if (!/^[^\s"'\\]+$/.test(a)) throw usageError(`QEMU argument ${JSON.stringify(a)} has a space or a quote, which a LAVA job cannot carry`);
  }
  // LAVA joins its options with spaces, so an option and its value may be two items.
  return [...options, ...machine.extraArgs];
}

/**
 * LAVA timeouts from hilt's watchdogs: the boot timeout as it is (power-on
 * to agent); for the tests, every case's timeout plus the grace the host
 * gives the agent to stop it, plus one silence period for loading modules and
 * powering off; never more than the run timeout, when the plan has one.
 */
export function lavaTimeouts(timeouts: RunPlan['timeouts'], tests: PlannedTest[], deployS: number): LavaTimeouts {
  const s = (ms: number) => Math.ceil(ms / 1000);
  let test = tests.reduce((sum, t) => sum + s(t.timeoutMs + timeouts.caseGraceMs), 0) + s(timeouts.silenceMs);
  if (timeouts.runMs !== null) test = Math.min(test, s(timeouts.runMs));
  const boot = s(timeouts.bootMs);
  return { deploy: deployS, boot, test, job: deployS + boot + test + JOB_MARGIN_S };
}

export interface PlanJobOptions {
  plan: RunPlan;
  deviceType: LavaDeviceType;
  /** The kernel release, for the job's name. */
  release: string;
  kernel: LavaArtifact;
  ramdisk: LavaArtifact;
  dtb?: LavaArtifact | null;
  /** The words the `qemu` target puts first (its architecture profile's). */
  archWords: string[];
  /** The boot's own words: hilt.mode=run hilt.start=N [hilt.count=M]. */
  bootWords: string[];
  /** The first test of this boot and how many it runs. */
  start: number;
  count: number;
  tags?: string[];
  priority?: LavaJobInput['priority'];
  visibility?: LavaJobInput['visibility'];
  firmware?: string | null;
  /** The worker runs QEMU without KVM (a dispatcher on this host): TCG's threading from the machine profile. */
  tcg?: boolean;
  deployS?: number;
  context?: LavaJobInput['context'];
  metadata?: Record<string, string>;
}

export function planJobInput(o: PlanJobOptions): LavaJobInput {
  const { plan } = o;
  const tests = plan.tests.slice(o.start, o.start + o.count);
  const suites = [...new Set(tests.map((t) => t.suite))];
  const range =
    tests.length === plan.tests.length
      ? `${tests.length} test${tests.length === 1 ? '' : 's'}`
      : tests.length === 1
        ? `test ${o.start + 1} of ${plan.tests.length}`
        : `tests ${o.start + 1}-${o.start + tests.length} of ${plan.tests.length}`;
  return {
    name: `hilt ${suites.join(' ')} on ${o.release} (${range})`,
    deviceType: o.deviceType,
    tags: o.tags ?? [],
    priority: o.priority ?? 'medium',
    visibility: o.visibility ?? 'public',
    kernel: o.kernel,
    ramdisk: o.ramdisk,
    dtb: o.dtb ?? null,
    cmdline: lavaKernelWords(o.deviceType, o.archWords, plan.machine.cmdline, o.bootWords),
    qemu: o.deviceType.boot === 'qemu' ? { memoryMb: plan.machine.memoryMb, options: lavaQemuOptions(plan.machine, o.firmware ?? null, o.tcg ?? false) } : null,
    timeouts: lavaTimeouts(plan.timeouts, tests, o.deployS ?? DEFAULT_DEPLOY_S),
    context: o.context ?? {},
    metadata: { 'hilt.kernel': plan.kernel, 'hilt.release': o.release, 'hilt.tests': String(tests.length), ...(o.metadata ?? {}) },
  };
}
