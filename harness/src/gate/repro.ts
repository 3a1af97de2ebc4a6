/**
 * The one command line that reproduces a case: the same kernel (a Debian
 * package by its exact version, a built image by its sha256), the same
 * machine profile and plan settings, only that case. Printed as a
 * `hilt run ...` line a person pastes into a terminal; where the plan holds
 * what no flag can say (a machine file's devices, dmesg rules), the line is
 * `hilt repro RESULTS CASE`, which takes everything from the results file.
 * Pure: a recorded plan and environment in, argv out; shellQuote only shows it.
 */
import { DEFAULT_DMESG, DEFAULT_MACHINE, DEFAULT_TIMEOUTS } from '../plan/defaults.js';
import { unknownOptional } from '../plan/requirements.js';
import { DEFAULT_RETRIES } from '../plan/plan.js';
import type { PlannedTest, RunPlan } from '../plan/types.js';
import type { RunEnvironment } from '../results/model.js';
import type { SuiteInfo } from '../suites/catalog.js';

export interface Repro {
  argv: string[];
  /** False when the line could not say everything the run was given (then `why` says what). */
  exact: boolean;
  why: string[];
}

/** A recorded kernel as a spec that names exactly that build. */
export function exactKernelSpec(spec: string, kernel: RunEnvironment['kernel'] | undefined): { spec: string; exact: boolean } {
  const source = (kernel?.source ?? {}) as { type?: string; package?: string; version?: string; sha256?: string };
  if (source.type === 'debian' && source.package && source.version) return { spec: `debian:${source.package}=${source.version}`, exact: true };
  if (source.type === 'path' && spec.startsWith('path:')) {
    if (/(^|,)sha256=/.test(spec.slice(5))) return { spec, exact: true };
    return source.sha256 ? { spec: `${spec},sha256=${source.sha256}`, exact: true } : { spec, exact: false };
  }
  return { spec, exact: false };
}

/** Why the kernel of a reproduction may not be the run's: what a person must do to get the same one. */
function kernelUnpinned(spec: string, kernel: RunEnvironment['kernel'] | undefined): string {
  const source = (kernel?.source ?? {}) as { type?: string; commit?: string | null; machine?: string };
  if (source.type === 'tree') return source.commit ? `the kernel is built from the tree as it is then: check out ${source.commit} first` : `the tree ${spec.slice(5)} is not a git checkout, so the line cannot name the source that was built`;
  if (source.type === 'running') return `the kernel is whatever ${source.machine ?? 'the machine'} runs then`;
  return `the kernel ${spec} has no recorded version or image hash`;
}

const seconds = (ms: number) => String(ms / 1000);

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A plan's tests by suite, made once per plan: a big run asks for thousands of command lines. */
const bySuite = new WeakMap<readonly PlannedTest[], Map<string, PlannedTest[]>>();

function testsOf(plan: RunPlan, suite: string): PlannedTest[] {
  let m = bySuite.get(plan.tests);
  if (!m) {
    m = new Map();
    for (const t of plan.tests) {
      // --repeat N: a case is in the plan N times; it is reproduced once.
      if ((t.repeat ?? 1) !== 1) continue;
      const list = m.get(t.suite);
      if (list) list.push(t);
      else m.set(t.suite, [t]);
    }
    bySuite.set(plan.tests, m);
  }
  return m.get(suite) ?? [];
}

/** The tests of the plan that reproduce suite/caseName: the case, or all of the suite for what the suite as a whole did. */
export function reproTests(plan: RunPlan, suite: string, caseName: string): { info: SuiteInfo; tests: PlannedTest[] } | null {
  const info = plan.suites.find((s) => s.name === suite);
  if (!info) return null;
  const ofSuite = testsOf(plan, suite);
  if (!ofSuite.length) return null;
  if (info.mode === 'whole') return { info, tests: ofSuite };
  const one = ofSuite.filter((t) => t.case === caseName);
  // exit-status and the like belong to the suite's process, not to one case.
  return { info, tests: one.length ? one : ofSuite };
}

/**
 * The command line that reproduces suite/caseName of a run, or null when no
 * run of hilt can (a profile's requirement, a case the plan never had).
 * resultsPath is where the results file will be for the `hilt repro` form.
 */
export function reproCommand(plan: RunPlan, env: RunEnvironment | undefined, suite: string, caseName: string, resultsPath?: string): Repro | null {
  const picked = reproTests(plan, suite, caseName);
  if (!picked) return null;
  const why: string[] = [];
  const kernel = exactKernelSpec(plan.kernel, env?.kernel);
  if (!kernel.exact) why.push(kernelUnpinned(plan.kernel, env?.kernel));
  const argv = ['hilt', 'run', '--kernel', kernel.spec];
  const { info, tests } = picked;
  if (info.mode === 'whole') argv.push('--suite-bin', `${info.name}=${info.binary}`, '--case-timeout', seconds(tests[0]!.timeoutMs));
  else {
    argv.push('--suite', `${suite}:${tests.map((t) => t.case).join(',')}`);
    if (tests[0]!.timeoutMs !== info.timeoutMs) argv.push('--case-timeout', seconds(tests[0]!.timeoutMs));
  }
  const m = plan.machine;
  const d = DEFAULT_MACHINE;
  if (m.memoryMb !== d.memoryMb) argv.push('--memory', String(m.memoryMb));
  if (m.cpus !== d.cpus) argv.push('--cpus', String(m.cpus));
  if (m.accel !== d.accel) argv.push('--accel', m.accel);
  if (m.tcgThreads !== d.tcgThreads) argv.push('--tcg-threads', m.tcgThreads);
  const unsaid: string[] = [];
  if (m.name !== d.name || m.qemu !== d.qemu || !sameList(m.devices, d.devices) || !sameList(m.extraArgs, d.extraArgs) || !sameList(m.cmdline, d.cmdline)) unsaid.push(`the machine profile ${m.name}`);
  const dm = plan.dmesg;
  if (dm.level !== DEFAULT_DMESG.level || !sameList(dm.match, DEFAULT_DMESG.match) || !sameList(dm.ignore, DEFAULT_DMESG.ignore)) unsaid.push('the plan’s dmesg rules');
  const t = plan.timeouts;
  if (t.bootMs !== DEFAULT_TIMEOUTS.bootMs) argv.push('--boot-timeout', seconds(t.bootMs));
  if (t.silenceMs !== DEFAULT_TIMEOUTS.silenceMs) argv.push('--silence-timeout', seconds(t.silenceMs));
  if (t.runMs !== null && t.runMs !== DEFAULT_TIMEOUTS.runMs) argv.push('--run-timeout', seconds(t.runMs));
  // Retries as the run had them: a failure that passes on a retry is a flake, here as there.
  if (plan.retries !== DEFAULT_RETRIES) argv.push('--retries', String(plan.retries));
  for (const p of plan.profiles) argv.push('--profile', p);
  // What the run let the machine lack, as far as this suite requires it.
  const optional = plan.optional ?? [];
  const foreign = new Set(unknownOptional([info], optional));
  for (const o of optional) if (!foreign.has(o)) argv.push('--optional', o);
  if (plan.abortOn.length) argv.push('--abort-on', plan.abortOn.join(','));
  if (unsaid.length) {
    if (resultsPath) return { argv: ['hilt', 'repro', resultsPath, `${suite}/${caseName}`], exact: kernel.exact, why: [...why, `${unsaid.join(' and ')} cannot be said with flags: hilt repro takes them from the results`] };
    why.push(`${unsaid.join(' and ')} cannot be said with flags`);
  }
  return { argv, exact: why.length === 0, why };
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** argv as one line a POSIX shell reads back into the same argv. */
export function shellQuote(argv: string[]): string {
  return argv.map((a) => (a && SAFE.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** The recorded plan cut down to the tests that reproduce one case, on the exact kernel, into out. */
export function reproPlan(plan: RunPlan, env: RunEnvironment | undefined, suite: string, caseName: string, out: string): RunPlan | null {
  const picked = reproTests(plan, suite, caseName);
  if (!picked) return null;
  return {
    ...plan,
    kernel: exactKernelSpec(plan.kernel, env?.kernel).spec,
    suites: [picked.info],
    tests: picked.tests.map((t, index) => ({ ...t, index })),
    out,
    jobs: 1,
    repeat: 1,
  };
}
