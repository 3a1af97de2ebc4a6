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
}
