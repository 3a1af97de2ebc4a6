/**
 * IGT GPU Tools in a run plan (`--igt DIR`, or `igt:` in a plan file).
 *
 * Planning takes two steps, because only the guest can say which subtests
 * an IGT program has (it may be built for another machine):
 *
 *  1. buildRunPlan finds the test programs in DIR and makes each one a suite
 *     `igt@<program>` of mode 'igt', with no tests yet (igtSuites);
 *  2. one boot lists every program's subtests (run/igt-listing.ts), and
 *     expandIgtPlan applies --igt-test/--igt-exclude as igt_runner's -t/-x do
 *     and plans one test per selected subtest, in the programs' order. The
 *     journal starts with that plan, so a resumed run goes on at the next
 *     subtest, as igt_runner's does.
 *
 * The QEMU machine of an IGT run gets QEMU's bochs display unless the plan
 * names its own devices: IGT's "any driver" tests open only drivers it
 * knows, and it knows bochs-drm, not virtio-gpu or vgem.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { usageError } from '../errors.js';
import { type IgtFilters, type SubtestListing, compileFilters, selectJobs } from '../igt/select.js';
import type { SuiteInfo } from '../suites/catalog.js';
import { inspectProgram } from '../suites/elf.js';
import { readHead } from '../util/read-head.js';
import { DEFAULT_MACHINE } from './defaults.js';
import type { IgtPlan, MachineProfile, PlannedTest, RunPlan } from './types.js';

export type { IgtPlan } from './types.js';

export const IGT_SUITE_PREFIX = 'igt@';
/** igt_runner has no per-test timeout by default; hilt needs one. */
export const IGT_TEST_TIMEOUT_MS = 300_000;
/** The display device added to a QEMU machine for IGT, and its kernel module. */
export const IGT_QEMU_DISPLAY = 'bochs-display';
const IGT_QEMU_MODULES = ['bochs', 'vgem'];

/** Where the test programs of an IGT build or install are; a usage error naming both layouts otherwise. */
export function igtTestsDir(dir: string): string {
  const full = resolve(dir);
  if (!existsSync(full) || !statSync(full).isDirectory()) throw usageError(`--igt ${dir}: no such folder`, 'Give an IGT meson build folder (with tests/ and lib/) or an install prefix (with libexec/igt-gpu-tools/).');
  for (const sub of ['tests', join('libexec', 'igt-gpu-tools')]) {
    const d = join(full, sub);
    if (existsSync(d) && statSync(d).isDirectory()) return d;
  }
  throw usageError(`--igt ${dir} is neither an IGT meson build folder (no tests/) nor an install prefix (no libexec/igt-gpu-tools/)`, 'Point --igt at the folder meson built IGT in, or at the prefix it was installed to.');
}

/**
 * The test programs, in igt_runner's order: those test-list.txt names (the
 * list meson writes and installs) that are there, else every ELF program in
 * the folder, sorted. A build of a few tests has no test-list.txt.
 */
export async function igtPrograms(testsDir: string): Promise<{ names: string[]; missing: string[] }> {
  const list = join(testsDir, 'test-list.txt');
  let candidates: string[];
  let fromList = false;
  if (existsSync(list)) {
    candidates = readFileSync(list, 'utf8').split(/\s+/).filter((w) => w && w !== 'TESTLIST' && w !== 'END');
    fromList = true;
  } else {
    candidates = readdirSync(testsDir).sort();
  }
  const names: string[] = [];
  const missing: string[] = [];
  for (const name of candidates) {
    const path = join(testsDir, name);
    let st;
    try {
      st = statSync(path);
    } catch {
      if (fromList) missing.push(name);
      continue;
    }
    if (!st.isFile() || !(st.mode & 0o111)) continue;
    const kind = inspectProgram(await readHead(path, 64 * 1024));
    if (kind.kind === 'elf-dynamic' || kind.kind === 'elf-static') names.push(name);
  }
  return { names, missing };
}

/** The environment of every IGT process: stderr cut per subtest, and the person's device choice. */
export function igtEnv(igt: Pick<IgtPlan, 'device' | 'forceDriver'>): string[] {
  const env = ['IGT_SENTINEL_ON_STDERR=1'];
  if (igt.forceDriver) env.push(`IGT_FORCE_DRIVER=${igt.forceDriver}`);
  if (igt.device) env.push(`IGT_DEVICE=${igt.device}`);
  for (const e of env) {
    if (/\s/.test(e) || Buffer.byteLength(e) > 255) throw usageError(`${e.split('=')[0]} '${e.slice(e.indexOf('=') + 1)}' has white space or is longer than the agent takes`, 'IGT device filters and driver names are one word, e.g. --igt-device sys:/sys/devices/pci0000:00/0000:00:02.0');
  }
  return env;
}

/** The kernel modules an IGT run loads: vgem (IGT's vgem and prime tests), and bochs where the machine has its display. */
export function igtModules(machine: MachineProfile): string[] {
  return machine.devices.some((d) => d.split(',')[0] === IGT_QEMU_DISPLAY) ? IGT_QEMU_MODULES : ['vgem'];
}

/** One suite per test program, its subtests not yet known; modules: what to load instead of igtModules(machine). */
export function igtSuites(programs: readonly string[], igt: IgtPlan, machine: MachineProfile, timeoutMs: number, modules?: readonly string[]): SuiteInfo[] {
  const env = igtEnv(igt);
  return programs.map((name) => ({
    name: `${IGT_SUITE_PREFIX}${name}`,
    description: `IGT test ${join(igt.testsDir, name)}`,
    modules: modules?.length ? [...modules] : igtModules(machine),
    timeoutMs,
    default: false,
    binary: join(igt.testsDir, name),
    mode: 'igt',
    cases: [],
    env,
  }));
}

/**
 * The machine of an IGT run: QEMU's bochs display added, unless the plan's
 * machine names devices of its own (anything but the default set).
 */
export function withIgtMachine(machine: MachineProfile): MachineProfile {
  if (machine.type !== 'qemu') return machine;
  const own = JSON.stringify(machine.devices) !== JSON.stringify(DEFAULT_MACHINE.devices);
  if (own || machine.devices.includes(IGT_QEMU_DISPLAY)) return machine;
  return { ...machine, devices: [...machine.devices, IGT_QEMU_DISPLAY] };
}

export const isIgtSuite = (s: Pick<SuiteInfo, 'mode'>) => s.mode === 'igt';

/** Whether the plan still needs its IGT subtests listed (a plan from a journal has them). */
export function needsIgtListing(plan: RunPlan): boolean {
  return plan.suites.some((s) => isIgtSuite(s) && !plan.tests.some((t) => t.suite === s.name));
}

export interface IgtExpansion {
  plan: RunPlan;
  /** Programs whose subtests could not be listed: left out of the run. */
  unlisted: { program: string; reason: string }[];
  /** Programs left out because nothing of them was selected. */
  unselected: string[];
}

/**
 * The plan with one test per selected subtest ('-' for a program without
 * subtests) after the tests the plan had, each IGT suite holding the
 * subtests it listed; suites with nothing selected are dropped. Pure.
 */
export function expandIgtPlan(plan: RunPlan, listings: ReadonlyMap<string, SubtestListing>, filters: IgtFilters = compileIgtFilters(plan.igt)): IgtExpansion {
  const igtSuites = plan.suites.filter(isIgtSuite);
  const program = (s: SuiteInfo) => s.name.slice(IGT_SUITE_PREFIX.length);
  const selection = selectJobs(
    igtSuites.map((s) => ({ binary: program(s), listing: listings.get(s.name) ?? { kind: 'error', reason: 'the guest did not list it' } })),
    filters,
  );
  const tests: PlannedTest[] = plan.tests.filter((t) => !igtSuites.some((s) => s.name === t.suite));
  const chosen = new Set<string>();
  for (const job of selection.jobs) {
    const suite = igtSuites.find((s) => program(s) === job.binary)!;
    chosen.add(suite.name);
    tests.push({ index: tests.length, suite: suite.name, case: job.subtest ?? '-', timeoutMs: suite.timeoutMs });
  }
  const suites = plan.suites
    .filter((s) => !isIgtSuite(s) || chosen.has(s.name))
    .map((s) => {
      const l = listings.get(s.name);
      return isIgtSuite(s) && l?.kind === 'subtests' ? { ...s, cases: l.names } : s;
    });
  const unlisted = selection.unlisted.map((u) => ({ program: u.binary, reason: u.reason }));
  const unselected = igtSuites.filter((s) => !chosen.has(s.name) && !unlisted.some((u) => u.program === program(s))).map(program);
  return { plan: { ...plan, suites, tests }, unlisted, unselected };
}

export function compileIgtFilters(igt: IgtPlan | undefined): IgtFilters {
  return compileFilters(igt?.tests ?? [], igt?.exclude ?? []);
}
