/**
 * Builds a RunPlan from command line options and an optional YAML plan file.
 * Everything is checked here, before a kernel is fetched or a machine booted:
 * files against their schemas, suite and case names against the catalog.
 */
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { AGENT_LIMITS } from '../agent-protocol/limits.js';
import { usageError } from '../errors.js';
import { DEFAULT_KERNEL, parseKernelSpec } from '../kernel/spec.js';
import type { SchemaRegistry } from '../schemas/registry.js';
import { type SuiteInfo, requireBuilt, suiteFromBinary } from '../suites/catalog.js';
import { MiB, readInputText } from '../util/input-file.js';
import { DEFAULT_DMESG, DEFAULT_MACHINE, DEFAULT_TIMEOUTS } from './defaults.js';
import { optionalWords, unknownOptional } from './requirements.js';
import { IGT_TEST_TIMEOUT_MS, compileIgtFilters, igtPrograms, igtSuites, igtTestsDir, withIgtMachine } from './igt.js';
import {
  ABORT_CONDITIONS,
  type AbortCondition,
  type IgtPlan,
  type MachineProfile,
  type MachineType,
  type PlannedTest,
  type PowerSettings,
  type RunPlan,
  type SecretSource,
} from './types.js';

export interface RunOptions {
  plan?: string;
  kernel?: string;
  machine?: string;
  /** A LAVA lab profile: the run goes there (machine type lava). */
  lab?: string;
  /** NAME or NAME:CASE,CASE */
  suites?: string[];
  suiteBins?: string[];
  out?: string;
  memory?: number;
  cpus?: number;
  accel?: 'auto' | 'tcg' | 'kvm';
  tcgThreads?: 'single' | 'multi';
  bootTimeout?: number;
  silenceTimeout?: number;
  caseTimeout?: number;
  runTimeout?: number;
  profiles?: string[];
  /** What the machine may lack of what the suites require; repeatable. */
  optional?: string[];
  retries?: number;
  /** "taint", "lockdep", or both comma-separated; repeatable. */
  abortOn?: string[];
  /** IGT: a meson build dir or install prefix; -t/-x patterns; IGT_DEVICE; IGT_FORCE_DRIVER. */
  igt?: string;
  igtTests?: string[];
  igtExclude?: string[];
  igtDevice?: string;
  igtForceDriver?: string;
  /** Kernel modules an IGT run loads, instead of vgem (and bochs on QEMU). */
  igtModules?: string[];
  jobs?: number;
  repeat?: number;
}

interface PlanFile {
  kernel?: string;
  machine?: string | MachineFile;
  suites?: (string | { name: string; cases?: string[]; timeout?: number })[];
  suiteBins?: (string | { name?: string; path: string })[];
  timeouts?: { boot?: number; silence?: number; case?: number; run?: number };
  dmesg?: { level?: number; match?: string[]; ignore?: string[] };
  profiles?: string[];
  optional?: string[];
  retries?: number;
  abortOn?: AbortCondition[];
  jobs?: number;
  repeat?: number;
  out?: string;
  igt?: { dir: string; tests?: string[]; exclude?: string[]; device?: string; forceDriver?: string; modules?: string[] };
}

interface PowerFile {
  pdudaemon?: { url: string; hostname: string; port: number };
  on?: string[];
  off?: string[];
  timeout?: number;
  retries?: number;
  offTime?: number;
  secrets?: Record<string, SecretSource>;
}

/** A machine profile as written (schemas/machine.schema.json). */
export interface MachineFile {
  type?: MachineType;
  name?: string;
  arch?: string;
  accelerators?: { vendor?: string; device?: string; driver?: string; count?: number }[];
  profiles?: string[];
  optional?: string[];
  timeouts?: { boot?: number; silence?: number; case?: number; run?: number };
  memory?: number;
  cpus?: number;
  accel?: 'auto' | 'tcg' | 'kvm';
  tcgThreads?: 'single' | 'multi';
  qemu?: string;
  devices?: string[];
  extraArgs?: string[];
  cmdline?: string[];
  power?: PowerFile;
  console?: { tcp?: string; command?: string[]; kernel?: string };
  boot?: { method?: 'ipxe'; root: string; dir?: string; url: string; serve?: string };
  ssh?: { host: string; user?: string; port?: number; identity?: string; knownHosts?: string; workDir?: string };
  lab?: string;
}

const PLAN_FILE_MAX = 1 * MiB;

/** A YAML (or JSON) file; the YAML parser loads only when a run has such a file. */
async function readStructured(path: string, what: string): Promise<unknown> {
  // A plan is a few KB: a file far bigger is not one, and parsing it would cost seconds and gigabytes.
  const text = readInputText(path, what, PLAN_FILE_MAX);
  const { parse } = await import('yaml');
  try {
    return parse(text, { prettyErrors: true, maxAliasCount: 100 }) ?? {};
  } catch (e) {
    throw usageError(`${what} ${path} is not valid YAML/JSON: ${(e as Error).message}`);
  }
}

/** A path of a profile: ~ is the home folder, anything else relative to the file that holds it. */
export const profilePath = (p: string, baseDir: string) => (p === '~' || p.startsWith('~/') ? homedir() + p.slice(1) : resolve(baseDir, p));

/** HOST:PORT of a profile (the schema checked its shape). */
export function hostPort(text: string, what: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  const port = Number(text.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port > 65535) throw usageError(`${what} ${JSON.stringify(text)} is not HOST:PORT`, 'Write it as 127.0.0.1:4000.');
  return { host: text.slice(0, colon), port };
}

const hexId = (id: string | undefined) => (id === undefined ? null : id.replace(/^0x/i, '').toLowerCase());

function powerFrom(file: PowerFile, baseDir: string): PowerSettings {
  const secrets: Record<string, SecretSource> = {};
  for (const [name, source] of Object.entries(file.secrets ?? {})) secrets[name] = 'file' in source ? { file: profilePath(source.file, baseDir) } : source;
  return {
    pdudaemon: file.pdudaemon ? { url: file.pdudaemon.url.replace(/\/+$/, ''), hostname: file.pdudaemon.hostname, port: file.pdudaemon.port } : null,
    commands: file.on && file.off ? { on: file.on, off: file.off } : null,
    timeoutMs: (file.timeout ?? 60) * 1000,
    retries: file.retries ?? 1,
    offMs: (file.offTime ?? 1) * 1000,
    secrets,
  };
}

/** A machine without a name is named after its kind (and its host). */
function defaultName(file: MachineFile): string {
  const n = file.type === 'ssh' ? `ssh-${file.ssh?.host ?? 'host'}` : file.type === 'lab' ? 'lab-board' : (file.type ?? 'qemu');
  return n.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/**
 * The machine a profile file describes, over the one before it (the default,
 * or a plan's). Type-specific settings come whole from a file that names its
 * type; a file that names none changes only the settings it gives.
 */
function machineFrom(file: MachineFile | undefined, base: MachineProfile, baseDir: string): MachineProfile {
  if (!file) return base;
  const type = file.type ?? base.type;
  const name = file.name ?? (file.type && file.type !== base.type ? defaultName(file) : base.name);
  const sections: Pick<MachineProfile, 'lab' | 'ssh' | 'lava'> = file.type
    ? {
        lab:
          type === 'lab' && file.power && file.console && file.boot
            ? {
                power: powerFrom(file.power, baseDir),
                console: {
                  tcp: file.console.tcp ? hostPort(file.console.tcp, 'console.tcp') : null,
                  command: file.console.command ?? null,
                  kernel: file.console.kernel ?? 'ttyS0,115200',
                },
                boot: {
                  method: 'ipxe',
                  root: profilePath(file.boot.root, baseDir),
                  dir: file.boot.dir ?? name,
                  url: file.boot.url,
                  serve: file.boot.serve ? hostPort(file.boot.serve, 'boot.serve') : null,
                },
              }
            : null,
        ssh:
          type === 'ssh' && file.ssh
            ? {
                host: file.ssh.host,
                user: file.ssh.user ?? null,
                port: file.ssh.port ?? 22,
                identity: file.ssh.identity ? profilePath(file.ssh.identity, baseDir) : null,
                knownHosts: file.ssh.knownHosts ? profilePath(file.ssh.knownHosts, baseDir) : null,
                workDir: file.ssh.workDir ?? '/tmp',
                power: file.power ? powerFrom(file.power, baseDir) : null,
              }
            : null,
        lava: type === 'lava' ? { lab: file.lab ? profilePath(file.lab, baseDir) : null } : null,
      }
    : { lab: base.lab ?? null, ssh: base.ssh ?? null, lava: base.lava ?? null };
  return {
    ...base,
    type,
    name,
    memoryMb: file.memory ?? base.memoryMb,
    cpus: file.cpus ?? base.cpus,
    accel: file.accel ?? base.accel,
    tcgThreads: file.tcgThreads ?? base.tcgThreads,
    qemu: file.qemu ?? base.qemu,
    devices: file.devices ?? base.devices,
    extraArgs: file.extraArgs ?? base.extraArgs,
    cmdline: file.cmdline ?? base.cmdline,
    accelerators: file.accelerators
      ? file.accelerators.map((a) => ({ vendor: hexId(a.vendor), device: hexId(a.device), driver: a.driver ?? null, count: a.count ?? 1 }))
      : (base.accelerators ?? []),
    ...sections,
  };
}

async function loadMachineFile(path: string, registry: SchemaRegistry): Promise<MachineFile> {
  const data = await readStructured(path, 'machine profile');
  registry.check('machine.schema.json', data, path);
  return data as MachineFile;
}

/** --lab FILE: the run goes to that LAVA lab; the virtual machine's settings stay (for qemu device types). */
function withLab(machine: MachineProfile, lab: string | undefined): MachineProfile {
  if (!lab) return machine;
  if (machine.type !== 'qemu' && machine.type !== 'lava') {
    throw usageError(`--lab ${lab} sends the run to a LAVA lab, but the machine profile is a ${machine.type} machine (${machine.name})`, 'Drop --lab, or drop --machine.');
  }
  return { ...machine, type: 'lava', name: machine.type === 'lava' ? machine.name : 'lava', lava: { lab: resolve(lab) } };
}

/** The machine a --machine file (or none) and --lab give over the default: what `--resume` lets a journal start. */
export async function machineOf(path: string | undefined, registry: SchemaRegistry, o: { lab?: string } = {}): Promise<MachineProfile> {
  const machine = path ? machineFrom(await loadMachineFile(path, registry), DEFAULT_MACHINE, dirname(resolve(path))) : DEFAULT_MACHINE;
  return withLab(machine, o.lab);
}

/** "drm-core" or "drm-core:version,get-cap" */
export function parseSuiteSelector(text: string): { name: string; cases: string[] | null } {
  const colon = text.indexOf(':');
  if (colon < 0) return { name: text, cases: null };
  const cases = text.slice(colon + 1).split(',').filter(Boolean);
  if (!cases.length) throw usageError(`--suite ${text} names no case after the colon`, 'Use --suite NAME or --suite NAME:CASE[,CASE...].');
  return { name: text.slice(0, colon), cases };
}

/** A --suite-bin argument: PATH, or NAME=PATH to name the suite in the reports. */
export function parseSuiteBin(text: string): { name: string | null; path: string } {
  const m = /^([A-Za-z0-9][A-Za-z0-9_.-]*)=(.+)$/.exec(text);
  return m ? { name: m[1]!, path: m[2]! } : { name: null, path: text };
}

/**
 * The flags in the shape of a plan file, so one schema judges both: a flag
 * that breaks a rule is refused naming the flag. Pure.
 */
const FLAG_PATHS: [string, string][] = [
  ['/machine/memory', '--memory'],
  ['/machine/cpus', '--cpus'],
  ['/machine/accel', '--accel'],
  ['/machine/tcgThreads', '--tcg-threads'],
  ['/timeouts/boot', '--boot-timeout'],
  ['/timeouts/silence', '--silence-timeout'],
  ['/timeouts/case', '--case-timeout'],
  ['/timeouts/run', '--run-timeout'],
  ['/retries', '--retries'],
  ['/jobs', '--jobs'],
  ['/repeat', '--repeat'],
  ['/abortOn', '--abort-on'],
];

function checkFlags(opts: RunOptions, abortOn: string[] | undefined, registry: SchemaRegistry): void {
  const drop = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  // The kernel spec is judged by parseKernelSpec, whose message says more than the schema's pattern.
  const flags = drop({
    machine: Object.keys(drop({ memory: opts.memory, cpus: opts.cpus, accel: opts.accel, tcgThreads: opts.tcgThreads })).length
      ? drop({ memory: opts.memory, cpus: opts.cpus, accel: opts.accel, tcgThreads: opts.tcgThreads })
      : undefined,
    timeouts: Object.keys(drop({ boot: opts.bootTimeout, silence: opts.silenceTimeout, case: opts.caseTimeout, run: opts.runTimeout })).length
      ? drop({ boot: opts.bootTimeout, silence: opts.silenceTimeout, case: opts.caseTimeout, run: opts.runTimeout })
      : undefined,
    retries: opts.retries,
    jobs: opts.jobs,
    repeat: opts.repeat,
    abortOn,
  });
  const errors = registry.validate('plan.schema.json', flags);
  if (!errors.length) return;
  const e = errors[0]!;
  const flag = FLAG_PATHS.find(([path]) => e.path === path || e.path.startsWith(`${path}/`))?.[1] ?? e.path;
  const value = e.path.split('/').slice(1).reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], flags);
  throw usageError(`${flag} ${JSON.stringify(value)}: ${e.message}`, `The rule is ${e.rule} in ${registry.resolveId('plan.schema.json')}; \`hilt run --help\` lists the flags.`);
}

function abortConditions(words: string[] | undefined): string[] | undefined {
  if (!words?.length) return undefined;
  const list = words.flatMap((w) => w.split(',')).map((w) => w.trim()).filter(Boolean);
  for (const w of list) {
    if (!(ABORT_CONDITIONS as readonly string[]).includes(w)) throw usageError(`--abort-on ${w}: not a condition hilt watches`, `Use ${ABORT_CONDITIONS.join(', ')} (comma-separated or repeated).`);
  }
  return [...new Set(list)];
}

/**
 * A failing case is run once more by default, in a fresh boot when it
 * crashed or hung: a failure that passes then is a flake, reported as one,
 * and a gate does not block on it.
 */
export const DEFAULT_RETRIES = 1;

/** Cases that may leave the machine unusable (unbinding a device) go after every other test; each runs alone in a fresh boot. */
function lastOfAll(tests: PlannedTest[]): PlannedTest[] {
  const ordered = [...tests.filter((t) => !t.alone), ...tests.filter((t) => t.alone)];
  return ordered.map((t, index) => ({ ...t, index }));
}

/** The plan's tests N times over (--repeat), each run of them after the one before, each test its own index. */
function repeatTests(tests: PlannedTest[], n: number): PlannedTest[] {
  const out: PlannedTest[] = [];
  for (let r = 1; r <= n; r++) for (const t of tests) out.push({ ...t, index: out.length, repeat: r });
  return out;
}

/** Everything the agent must hold (suites/agent/limits.h), checked before anything boots. */
export function checkAgentLimits(suites: SuiteInfo[], tests: PlannedTest[]): void {
  const L = AGENT_LIMITS;
  const bytes = (s: string) => Buffer.byteLength(s);
  if (tests.length > L.maxTests) throw usageError(`the plan has ${tests.length} tests; the agent runs at most ${L.maxTests} in one run`, 'Split it: run fewer suites or cases at a time.');
  if (suites.length > L.maxSuites) throw usageError(`the plan has ${suites.length} suites; the agent runs at most ${L.maxSuites}`, 'Split the run.');
  const modules = new Set(suites.flatMap((s) => s.modules));
  if (modules.size > L.maxModules) throw usageError(`the suites need ${modules.size} kernel modules; the agent loads at most ${L.maxModules}`);
  for (const s of suites) {
    if (bytes(s.name) > L.maxSuiteName) {
      throw usageError(`suite name '${s.name.slice(0, 40)}…' is ${bytes(s.name)} bytes; the agent holds at most ${L.maxSuiteName}`, 'Name it shorter: --suite-bin NAME=PATH.');
    }
    if (/\s/.test(s.name)) throw usageError(`suite name '${s.name}' has white space, which the agent's plan cannot hold`);
  }
  for (const t of tests) {
    if (bytes(t.case) > L.maxCaseName || /\s/.test(t.case)) throw usageError(`case name '${t.case.slice(0, 40)}' of suite ${t.suite} is longer than ${L.maxCaseName} bytes or has white space`);
  }
}

export async function buildRunPlan(opts: RunOptions, catalog: SuiteInfo[], registry: SchemaRegistry): Promise<RunPlan> {
  const abortOnFlags = abortConditions(opts.abortOn);
  checkFlags(opts, abortOnFlags, registry);
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
  /** What the machine profiles say about timeouts and profiles; the plan file and the flags override them. */
  const machineFiles: MachineFile[] = [];
  const machineFile = (f: MachineFile | undefined) => {
    if (f) machineFiles.push(f);
    return f;
  };
  if (typeof file.machine === 'string') {
    const path = resolve(fileDir, file.machine);
    machine = machineFrom(machineFile(await loadMachineFile(path, registry)), machine, dirname(path));
  } else machine = machineFrom(machineFile(file.machine), machine, fileDir);
  if (opts.machine) machine = machineFrom(machineFile(await loadMachineFile(opts.machine, registry)), machine, dirname(resolve(opts.machine)));
  machine = withLab(machine, opts.lab);
  machine = {
    ...machine,
    memoryMb: opts.memory ?? machine.memoryMb,
    cpus: opts.cpus ?? machine.cpus,
    accel: opts.accel ?? machine.accel,
    tcgThreads: opts.tcgThreads ?? machine.tcgThreads,
  };
  const machineTimeouts = Object.assign({}, ...machineFiles.map((f) => f.timeouts ?? {})) as NonNullable<MachineFile['timeouts']>;
  const machineProfiles = machineFiles.flatMap((f) => f.profiles ?? []);

  const caseTimeoutS = opts.caseTimeout ?? file.timeouts?.case ?? machineTimeouts.case;
  const byName = new Map(catalog.map((s) => [s.name, s]));
  const selectors: { name: string; cases: string[] | null; timeout?: number }[] = opts.suites?.length
    ? opts.suites.map(parseSuiteSelector)
    : file.suites?.length
      ? file.suites.map((s) => (typeof s === 'string' ? { name: s, cases: null } : { name: s.name, cases: s.cases ?? null, timeout: s.timeout }))
      : opts.suiteBins?.length || file.suiteBins?.length || opts.igt || file.igt
        ? []
        : catalog.filter((s) => s.default).map((s) => ({ name: s.name, cases: null }));

  const suites: SuiteInfo[] = [];
  const tests: PlannedTest[] = [];
  const add = (suite: SuiteInfo, cases: string[], timeoutMs: (c: string) => number, named = false) => {
    if (suites.some((s) => s.name === suite.name)) throw usageError(`suite ${suite.name} is selected twice`, 'Name each suite once; list its cases after a colon.');
    suites.push(suite);
    for (const c of cases) tests.push({ index: tests.length, suite: suite.name, case: c, timeoutMs: timeoutMs(c), ...(suite.caseInfo?.[c]?.last ? { alone: true } : {}), ...(named ? { named: true } : {}) });
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
    const override = sel.timeout ?? caseTimeoutS;
    add(suite, cases, (c) => (override !== undefined ? override * 1000 : (suite.caseInfo?.[c]?.timeoutMs ?? suite.timeoutMs)), Boolean(sel.cases));
  }
  const bins = [
    ...(file.suiteBins ?? []).map((b) => {
      const { name, path } = typeof b === 'string' ? parseSuiteBin(b) : { name: b.name ?? null, path: b.path };
      return { name, path: resolve(fileDir, path) };
    }),
    ...(opts.suiteBins ?? []).map(parseSuiteBin),
  ];
  for (const bin of bins) {
    const suite = await suiteFromBinary(bin.path, caseTimeoutS ? caseTimeoutS * 1000 : undefined, bin.name ?? undefined);
    if (byName.has(suite.name) || suites.some((s) => s.name === suite.name)) {
      throw usageError(
        `--suite-bin ${bin.path} would be named ${suite.name}, like ${byName.has(suite.name) ? 'a hilt suite' : 'another suite of this run'}`,
        `Name it for the reports: --suite-bin ${bin.name ? `${bin.name}-2` : `kselftest-${suite.name}`}=${bin.path} (or { name, path } in a plan file).`,
      );
    }
    add(suite, ['-'], () => suite.timeoutMs);
  }
  checkAgentLimits(suites, tests);
  // IGT's programs come as suites without tests: a boot lists their subtests before the run (plan/igt.ts).
  const igt = await igtPart(opts, file.igt, fileDir);
  if (igt) {
    machine = withIgtMachine(machine);
    suites.push(...igtSuites(igt.programs, igt.plan, machine, caseTimeoutS ? caseTimeoutS * 1000 : IGT_TEST_TIMEOUT_MS, opts.igtModules?.length ? opts.igtModules : file.igt?.modules));
  }
  if (!tests.length && !igt) throw usageError('the plan selects no test', 'Name a suite with --suite, a program with --suite-bin, or an IGT build with --igt.');
  const repeat = opts.repeat ?? file.repeat ?? 1;
  const planned = lastOfAll(repeat > 1 ? repeatTests(tests, repeat) : tests);
  checkAgentLimits(suites, planned);

  const dmesg = { ...DEFAULT_DMESG, ...file.dmesg };
  for (const re of [...dmesg.match, ...dmesg.ignore]) {
    try {
      new RegExp(re);
    } catch (e) {
      throw usageError(`dmesg pattern /${re}/ is not a valid regular expression: ${(e as Error).message}`);
    }
  }
  const jobs = opts.jobs ?? file.jobs ?? 1;
  // QEMU machines are made per boot and a LAVA lab schedules its jobs on its devices; a board or a host is one machine.
  if (jobs > 1 && machine.type !== 'qemu' && machine.type !== 'lava') {
    throw usageError(`--jobs ${jobs} needs QEMU machines or a LAVA lab; machine ${machine.name} is a ${machine.type} machine, of which there is one`, 'Run with --jobs 1 (the default), or shard the plan across machines with one run each (--shard K/N, then hilt merge).');
  }
  const optional = [...new Set([...machineFiles.flatMap((f) => f.optional ?? []), ...(file.optional ?? []), ...(opts.optional ?? [])])];
  const unknown = unknownOptional(suites, optional);
  if (unknown.length) {
    const words = optionalWords(suites);
    throw usageError(
      `optional ${unknown.map((u) => `'${u}'`).join(', ')}: no selected suite requires ${unknown.length === 1 ? 'it' : 'them'}`,
      words.length ? `What the selected suites require: ${words.join(', ')} (or all).` : 'The selected suites require nothing a machine could lack.',
    );
  }
  const seconds = (v: number | undefined) => (v === undefined ? undefined : v * 1000);
  return {
    kernel,
    machine,
    suites,
    tests: planned,
    out: resolve(opts.out ?? (file.out ? resolve(fileDir, file.out) : 'reports')),
    timeouts: {
      bootMs: seconds(opts.bootTimeout ?? file.timeouts?.boot ?? machineTimeouts.boot) ?? DEFAULT_TIMEOUTS.bootMs,
      silenceMs: seconds(opts.silenceTimeout ?? file.timeouts?.silence ?? machineTimeouts.silence) ?? DEFAULT_TIMEOUTS.silenceMs,
      caseGraceMs: DEFAULT_TIMEOUTS.caseGraceMs,
      runMs: seconds(opts.runTimeout ?? file.timeouts?.run ?? machineTimeouts.run) ?? DEFAULT_TIMEOUTS.runMs,
    },
    dmesg,
    profiles: [...new Set([...machineProfiles, ...(file.profiles ?? []), ...(opts.profiles ?? [])])],
    optional,
    retries: opts.retries ?? file.retries ?? DEFAULT_RETRIES,
    abortOn: (abortOnFlags ?? file.abortOn ?? []) as AbortCondition[],
    jobs,
    repeat,
    ...(igt ? { igt: igt.plan } : {}),
  };
}

/**
 * The IGT part of a run from --igt and its flags (which win) or the plan
 * file's igt entry: the test programs found, less those an exclude pattern
 * names whole (igt_runner lists no subtests of those either).
 */
async function igtPart(opts: RunOptions, file: PlanFile['igt'], fileDir: string): Promise<{ plan: IgtPlan; programs: string[] } | null> {
  const dir = opts.igt ?? (file ? resolve(fileDir, file.dir) : undefined);
  if (!dir) {
    const flags = { igtTests: '--igt-test', igtExclude: '--igt-exclude', igtDevice: '--igt-device', igtForceDriver: '--igt-force-driver', igtModules: '--igt-module' } as const;
    const stray = (Object.keys(flags) as (keyof typeof flags)[]).find((k) => opts[k] !== undefined && !(Array.isArray(opts[k]) && !opts[k].length));
    if (stray) throw usageError(`${flags[stray]} needs --igt DIR (or igt: in the plan file)`);
    return null;
  }
  const testsDir = igtTestsDir(dir);
  const plan: IgtPlan = {
    dir: resolve(dir),
    testsDir,
    tests: opts.igtTests?.length ? opts.igtTests : (file?.tests ?? []),
    exclude: opts.igtExclude?.length ? opts.igtExclude : (file?.exclude ?? []),
    device: opts.igtDevice ?? file?.device ?? null,
    forceDriver: opts.igtForceDriver ?? file?.forceDriver ?? null,
  };
  const filters = compileIgtFilters(plan);
  const found = await igtPrograms(testsDir);
  const programs = found.names.filter((p) => !filters.exclude.some((re) => re.test(p)));
  if (!found.names.length) throw usageError(`--igt ${dir}: no IGT test programs in ${testsDir}`, 'Build IGT\'s tests first (meson compile -C BUILD, or ninja -C BUILD tests/NAME).');
  if (!programs.length) throw usageError(`--igt-exclude leaves none of the ${found.names.length} IGT test programs in ${testsDir}`);
  return { plan, programs };
}
