/**
 * The result model: what results.json holds and every report is built from.
 * Plain data; statuses follow IGT's vocabulary.
 *
 * `warn` is IGT's: a subtest that passed while IGT itself wrote warnings on
 * its stderr. Only IGT tests get it, so an IGT subtest's hilt status is
 * igt_runner's result word for word (notrun aside, which is hilt's abort)
 * and IGT's expectation lists compare with hilt's results directly. It is
 * not a clean pass: it fails the run like dmesg-warn.
 */
import type { Inventory } from './inventory.js';
import type { SchemaViolation } from '../schemas/registry.js';

export type Status = 'pass' | 'fail' | 'skip' | 'timeout' | 'crash' | 'incomplete' | 'warn' | 'dmesg-warn' | 'dmesg-fail' | 'abort';

export const STATUSES: readonly Status[] = ['pass', 'fail', 'skip', 'timeout', 'crash', 'incomplete', 'warn', 'dmesg-warn', 'dmesg-fail', 'abort'];

/** Statuses that do not make a run fail. */
export const OK_STATUSES: ReadonlySet<Status> = new Set(['pass', 'skip']);

export type Counts = Record<Status, number> & { total: number };

export function emptyCounts(): Counts {
  return { pass: 0, fail: 0, skip: 0, timeout: 0, crash: 0, incomplete: 0, warn: 0, 'dmesg-warn': 0, 'dmesg-fail': 0, abort: 0, total: 0 };
}

export interface Verdict {
  /** $id of the schema (or profile rule) that judged the observation. */
  schema: string;
  ok: boolean;
  violations: SchemaViolation[];
}

export interface Observation {
  type: string;
  data: unknown;
  verdicts: Verdict[];
}

export interface KernelMessage {
  level: number;
  /** Kernel timestamp in microseconds since boot. */
  tsUs: number;
  text: string;
  /** Whether the plan's dmesg rules count it against the case. */
  counted: boolean;
}

export interface CaseResult {
  name: string;
  status: Status;
  /** Why it is not a plain pass, in words a person can act on; '' for a pass. */
  message: string;
  durationMs: number | null;
  /** Console lines of this case: its KTAP output, stderr, kernel lines; capped. */
  console: string[];
  kernelLog: KernelMessage[];
  observations: Observation[];
  /** Nested KTAP subtests (one per device in hilt's suites). */
  subtests: CaseResult[];
  /** How many times it ran (more than 1 only with retries). */
  attempts: number;
  /** Taint bits the kernel gained while it ran (beyond the boot's own). */
  taint?: { mask: number; letters: string; description: string };
  /** What the agent found of the stuck tasks before it killed the case: state, wchan and kernel stack per task. */
  stacks?: string[];
  /** Lockdep switched itself off (debug_locks=0) while it ran. */
  lockdepOff?: boolean;
  /** What its earlier runs said, oldest first, when it ran more than once (retries): a failure that later passed is a flake. */
  previous?: { status: Status; message: string }[];
  /** How it came out against the baseline (gate/classify.ts); absent: a pass or skip that no baseline entry names. */
  gate?: CaseGate;
}

/**
 * The verdict of a case against the baseline, the one a merge gate acts on.
 * new-failure blocks; expected-failure and flake do not; unexpected-pass
 * blocks only when the baseline says so.
 */
export type GateClass = 'new-failure' | 'expected-failure' | 'unexpected-pass' | 'flake' | 'pass' | 'skip';

export const GATE_CLASSES: readonly GateClass[] = ['new-failure', 'expected-failure', 'unexpected-pass', 'flake', 'pass', 'skip'];

/** One run of a case: a retry, or one round of --repeat. */
export interface CaseOutcome {
  status: Status;
  message: string;
}

export interface CaseGate {
  class: GateClass;
  /** Whether this case makes the run fail. */
  blocks: boolean;
  /** Why, in words: the baseline entry's reason, or what is new. */
  reason: string;
  /** The baseline entry that matched: where it is written and how it names the case. */
  entry?: { source: string; match: string; reference?: string };
  /** Every run of the case in order, when it ran more than once (retries, --repeat). */
  outcomes?: CaseOutcome[];
  /** The one command line that reproduces this case (argv; shown shell-quoted). */
  repro?: string[];
}

export type GateCounts = Record<GateClass, number>;

/** A change between two runs' cases (hilt compare, hilt run --compare). */
export interface CaseChange {
  /** suite/case */
  case: string;
  old: Status | null;
  new: Status | null;
}

/** One observed value that differs between two runs of the same case. */
export interface ObservationChange {
  /** suite/case[/subtest...] where it was observed. */
  case: string;
  type: string;
  /** Which observation of that type in that place: its position and the fields that name it. */
  which: string;
  /** JSON Pointer into the observation's data; '' when the observation as a whole appeared or vanished. */
  path: string;
  old: unknown;
  new: unknown;
  /** The baseline entry that acknowledges it, if one does. */
  acknowledged?: string;
}

export interface Comparison {
  /** The earlier run: its id, kernel and where it was read from. */
  against: { id: string; kernel: string; source: string };
  fixed: CaseChange[];
  regressed: CaseChange[];
  /** Cases only the new run has, and only the old one had. */
  added: CaseChange[];
  vanished: CaseChange[];
  /** Any other change of status (a failure that became a crash, a pass that became a skip). */
  changed: CaseChange[];
  observations: ObservationChange[];
  /** The baseline's rule for observation changes, and whether this comparison breaks it. */
  uapiRule: 'report' | 'acknowledged' | 'empty';
  uapiBlocks: boolean;
}

/** The run against its baseline: what the exit status and every report's gate section come from. */
export interface RunGate {
  /** Where the expectations came from: baseline files and driver profiles. */
  sources: string[];
  counts: GateCounts;
  /** Cases that make the run fail. */
  blocking: number;
  unexpectedPassBlocks: boolean;
  comparison?: Comparison;
}

export interface SuiteResult {
  name: string;
  /** 'cases': a hilt suite run case by case; 'whole': a KTAP program run whole; 'igt': an IGT program, one process per subtest. */
  mode: 'cases' | 'whole' | 'igt';
  status: Status;
  durationMs: number;
  /** How each process of the suite ended. */
  exits: { code: number | null; signal: number | null }[];
  cases: CaseResult[];
}

export interface BootSummary {
  boot: number;
  /** Index of the first test this boot ran. */
  start: number;
  accel: string;
  reason: string;
  durationMs: number | null;
  /** Milliseconds from starting the machine to the agent's hello. */
  helloMs: number | null;
}

export interface RunEnvironment {
  kernel: { spec: string; release: string; configSha256: string | null; source: unknown };
  machine: Record<string, string | number | boolean>;
  target: string;
  hilt: { version: string; commit: string | null };
  host: { hostname: string; platform: string; release: string };
  startedAt: string;
  endedAt: string | null;
  /** The machine as the agent saw it on the first boot that said (results/inventory.ts); null when no boot did. */
  inventory?: Inventory | null;
}

export interface RunResult {
  $schema: string;
  id: string;
  /** complete: every planned test ran; incomplete: stopped early (Ctrl-C); aborted: an infrastructure error ended it. */
  status: 'complete' | 'incomplete' | 'aborted';
  error: { kind: string; message: string } | null;
  environment: RunEnvironment;
  plan: unknown;
  counts: Counts;
  suites: SuiteResult[];
  boots: BootSummary[];
  /** Things a person should know that are not any one case's fault: console corruption, lost records, journal damage. */
  problems: string[];
  /** Kernel warnings from boot, before any test ran. */
  bootLog: KernelMessage[];
  /** The run judged against its baseline (absent in results written before baselines existed). */
  gate?: RunGate;
}
