/**
 * Builds a RunPlan from command line options and an optional YAML plan file.
 * Everything is checked here, before a kernel is fetched or a machine booted:
 * files against their schemas, suite and case names against the catalog.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { usageError } from '../errors.js';
import { DEFAULT_KERNEL, parseKernelSpec } from '../kernel/spec.js';
import type { SchemaRegistry } from '../schemas/registry.js';
import { type SuiteInfo, requireBuilt, suiteFromBinary } from '../suites/catalog.js';
import { DEFAULT_DMESG, DEFAULT_MACHINE, DEFAULT_TIMEOUTS } from './defaults.js';
import type { MachineProfile, PlannedTest, RunPlan } from './types.js';

export interface RunOptions {
  plan?: string;
  kernel?: string;
  machine?: string;
  /** NAME or NAME:CASE,CASE */
  suites?: string[];
  suiteBins?: string[];
  out?: string;
  memory?: number;
  cpus?: number;
  accel?: 'auto' | 'tcg' | 'kvm';
  bootTimeout?: number;
  silenceTimeout?: number;
  caseTimeout?: number;
  runTimeout?: number;
  profiles?: string[];
  retries?: number;
}

interface PlanFile {
  kernel?: string;
  machine?: string | MachineFile;
  suites?: (string | { name: string; cases?: string[]; timeout?: number })[];
  suiteBins?: string[];
  timeouts?: { boot?: number; silence?: number; case?: number; run?: number };
  dmesg?: { level?: number; match?: string[]; ignore?: string[] };
  profiles?: string[];
  retries?: number;
  out?: string;
}

interface MachineFile {
  name?: string;
  memory?: number;
  cpus?: number;
  accel?: 'auto' | 'tcg' | 'kvm';
  qemu?: string;
  devices?: string[];
  extraArgs?: string[];
  cmdline?: string[];
}

/** A YAML (or JSON) file; the YAML parser loads only when a run has such a file. */
async function readStructured(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw usageError(`${what} ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const { parse } = await import('yaml');
  try {
    return parse(text, { prettyErrors: true }) ?? {};
  } catch (e) {
    throw usageError(`${what} ${path} is not valid YAML/JSON: ${(e as Error).message}`);
  }
}

function machineFrom(file: MachineFile | undefined, base: MachineProfile): MachineProfile {
  if (!file) return base;
  return {
    ...base,
    name: file.name ?? base.name,
    memoryMb: file.memory ?? base.memoryMb,
    cpus: file.cpus ?? base.cpus,
    accel: file.accel ?? base.accel,
    qemu: file.qemu ?? base.qemu,
    devices: file.devices ?? base.devices,
    extraArgs: file.extraArgs ?? base.extraArgs,
    cmdline: file.cmdline ?? base.cmdline,
  };
}

async function loadMachineFile(path: string, registry: SchemaRegistry): Promise<MachineFile> {
  const data = await readStructured(path, 'machine profile');
  registry.check('machine.schema.json', data, path);
  return data as MachineFile;
}

/** "drm-core" or "drm-core:version,get-cap" */
export function parseSuiteSelector(text: string): { name: string; cases: string[] | null } {
  const colon = text.indexOf(':');
  if (colon < 0) return { name: text, cases: null };
  const cases = text.slice(colon + 1).split(',').filter(Boolean);
  if (!cases.length) throw usageError(`--suite ${text} names no case after the colon`, 'Use --suite NAME or --suite NAME:CASE[,CASE...].');
  return { name: text.slice(0, colon), cases };
}

function positive(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value <= 0) throw usageError(`${name} must be a positive number, not ${value}`);
  return value;
}

export async function buildRunPlan(opts: RunOptions, catalog: SuiteInfo[], registry: SchemaRegistry): Promise<RunPlan> {
  let file: PlanFile = {};
  let fileDir = process.cwd();
  if (opts.plan) {
    const data = await readStructured(opts.plan, 'plan');
    registry.check('plan.schema.json', data, opts.plan);
    file = data as PlanFile;
    fileDir = dirname(resolve(opts.plan));
  }

  const kernel = opts.kernel ?? file.kernel ?? DEFAULT_KERNEL;
  parseKernelSpec(kernel); // refuse a bad spec now, not after other work

  let machine = DEFAULT_MACHINE;
  if (typeof file.machine === 'string') machine = machineFrom(await loadMachineFile(resolve(fileDir, file.machine), registry), machine);
  else machine = machineFrom(file.machine, machine);
  if (opts.machine) machine = machineFrom(await loadMachineFile(opts.machine, registry), machine);
  machine = {
    ...machine,
    memoryMb: positive('--memory', opts.memory) ?? machine.memoryMb,
    cpus: positive('--cpus', opts.cpus) ?? machine.cpus,
    accel: opts.accel ?? machine.accel,
  };
  if (!['auto', 'tcg', 'kvm'].includes(machine.accel)) throw usageError(`--accel ${machine.accel}: use auto, tcg or kvm`);

  const caseTimeoutS = positive('--case-timeout', opts.caseTimeout) ?? file.timeouts?.case;
  const byName = new Map(catalog.map((s) => [s.name, s]));
  const selectors: { name: string; cases: string[] | null; timeout?: number }[] = opts.suites?.length
    ? opts.suites.map(parseSuiteSelector)
    : file.suites?.length
      ? file.suites.map((s) => (typeof s === 'string' ? { name: s, cases: null } : { name: s.name, cases: s.cases ?? null, timeout: s.timeout }))
      : (opts.suiteBins?.length || file.suiteBins?.length ? [] : catalog.filter((s) => s.default).map((s) => ({ name: s.name, cases: null })));

  const suites: SuiteInfo[] = [];
  const tests: PlannedTest[] = [];
  const add = (suite: SuiteInfo, cases: string[], timeoutMs: number) => {
    if (suites.some((s) => s.name === suite.name)) throw usageError(`suite ${suite.name} is selected twice`, 'Name each suite once; list its cases after a colon.');
    suites.push(suite);
    for (const c of cases) tests.push({ index: tests.length, suite: suite.name, case: c, timeoutMs });
  };
  for (const sel of selectors) {
    const suite = byName.get(sel.name);
    if (!suite) {
      throw usageError(`there is no suite '${sel.name}'`, `Known suites: ${catalog.map((s) => s.name).join(', ')}. \`hilt list\` shows them with their cases.`);
    }
    requireBuilt(suite);
    for (const c of sel.cases ?? []) {
      if (!suite.cases.includes(c)) {
        throw usageError(`suite ${suite.name} has no case '${c}'`, `Its cases: ${suite.cases.join(', ')}.`);
      }
    }
    const cases = sel.cases ? suite.cases.filter((c) => sel.cases!.includes(c)) : suite.cases;
    const timeoutMs = (sel.timeout ?? caseTimeoutS ?? suite.timeoutMs / 1000) * 1000;
    add(suite, cases, timeoutMs);
  }
  for (const bin of [...(file.suiteBins ?? []).map((b) => resolve(fileDir, b)), ...(opts.suiteBins ?? [])]) {
    const suite = await suiteFromBinary(bin, caseTimeoutS ? caseTimeoutS * 1000 : undefined);
    if (byName.has(suite.name)) throw usageError(`--suite-bin ${bin} is named ${suite.name}, like a hilt suite`, 'Rename the file.');
    add(suite, ['-'], suite.timeoutMs);
  }
  if (!tests.length) throw usageError('the plan selects no test', 'Name a suite with --suite or a program with --suite-bin.');

  const dmesg = { ...DEFAULT_DMESG, ...file.dmesg };
  for (const re of [...dmesg.match, ...dmesg.ignore]) {
    try {
      new RegExp(re);
    } catch (e) {
      throw usageError(`dmesg pattern /${re}/ is not a valid regular expression: ${(e as Error).message}`);
    }
  }
  const seconds = (v: number | undefined) => (v === undefined ? undefined : v * 1000);
  return {
    kernel,
    machine,
    suites,
    tests,
    out: resolve(opts.out ?? (file.out ? resolve(fileDir, file.out) : 'reports')),
    timeouts: {
      bootMs: seconds(positive('--boot-timeout', opts.bootTimeout) ?? file.timeouts?.boot) ?? DEFAULT_TIMEOUTS.bootMs,
      silenceMs: seconds(positive('--silence-timeout', opts.silenceTimeout) ?? file.timeouts?.silence) ?? DEFAULT_TIMEOUTS.silenceMs,
      caseGraceMs: DEFAULT_TIMEOUTS.caseGraceMs,
      runMs: seconds(positive('--run-timeout', opts.runTimeout) ?? file.timeouts?.run) ?? DEFAULT_TIMEOUTS.runMs,
    },
    dmesg,
    profiles: [...(file.profiles ?? []), ...(opts.profiles ?? [])],
    retries: opts.retries ?? file.retries ?? 0,
  };
}
