/**
 * Verdicts against a baseline: every case of a run becomes a new failure
 * (blocks), an expected failure, an unexpected pass (blocks when the
 * baseline says so), a flake, a pass or a skip. The case's status stays what
 * happened; the gate class says what a merge gate makes of it. Pure.
 *
 *   status ok (pass, skip) ─────────┬─ an expected-failure entry names it ── unexpected-pass
 *                                    └─ otherwise ──────────────────────────── pass / skip
 *   a skip entry names it ─────────────────────────────────────────────────── skip (not judged)
 *   failed, and passed in another run of it (a retry, --repeat) ───────────── flake
 *   failed, and a flake entry names it ───────────────────────────────────── flake (known)
 *   failed, and expected-failure entries cover every failing device:
 *       as expected, or milder (a failure where a crash was expected) ──────── expected-failure
 *       worse (a crash where a failure was expected) ────────────────────────── new-failure
 *   failed otherwise ──────────────────────────────────────────────────────── new-failure
 *
 * A case with subtests (one per device) is covered when each failing subtest
 * is named on its driver, so an entry for vgem does not excuse virtio_gpu.
 */
import type { PlannedTest, RunPlan } from '../plan/types.js';
import { driverOf } from '../results/known-issues.js';
import {
  type CaseGate,
  type CaseOutcome,
  type CaseResult,
  type Comparison,
  type GateClass,
  type GateCounts,
  type RunGate,
  type RunResult,
  type Status,
  type SuiteResult,
  GATE_CLASSES,
  OK_STATUSES,
  emptyCounts,
} from '../results/model.js';
import { blankCase, worstStatus } from '../results/verdicts.js';
import { type Baseline, type Expectation, type ExpectedStatus, ExpectationIndex, describeNames } from './baseline.js';

/** Worst first, as the verdict layer orders them. */
const SEVERITY: Status[] = ['abort', 'crash', 'timeout', 'incomplete', 'dmesg-fail', 'fail', 'dmesg-warn', 'warn', 'pass', 'skip'];
const rank = (s: Status) => SEVERITY.indexOf(s);

const ok = (s: Status) => OK_STATUSES.has(s);

/** The class of a case no baseline entry names and that ran once: what a run without a baseline means. */
export function defaultClass(status: Status): GateClass {
  return status === 'pass' ? 'pass' : status === 'skip' ? 'skip' : 'new-failure';
}

export function gateClassOf(c: CaseResult): GateClass {
  return c.gate?.class ?? defaultClass(c.status);
}

export function blocksOf(c: CaseResult): boolean {
  return c.gate?.blocks ?? defaultClass(c.status) === 'new-failure';
}

export function emptyGateCounts(): GateCounts {
  return { 'new-failure': 0, 'expected-failure': 0, 'unexpected-pass': 0, flake: 0, pass: 0, skip: 0 };
}

/**
 * How several runs of one case (retries, --repeat rounds) come out taken
 * together: how often each status came up, and whether it both failed and
 * passed (a flake).
 */
export function foldOutcomes(outcomes: CaseOutcome[]): { tally: Partial<Record<Status, number>>; failed: CaseOutcome[]; passed: boolean; flaky: boolean; worst: Status } {
  const tally: Partial<Record<Status, number>> = {};
  for (const o of outcomes) tally[o.status] = (tally[o.status] ?? 0) + 1;
  const failed = outcomes.filter((o) => !ok(o.status));
  const passed = outcomes.some((o) => o.status === 'pass');
  return { tally, failed, passed, flaky: failed.length > 0 && passed, worst: worstStatus(outcomes.map((o) => o.status)) };
}

/** "fail, pass" or "3 fail, 7 pass" */
export function describeOutcomes(outcomes: CaseOutcome[]): string {
  if (outcomes.length <= 4) return outcomes.map((o) => o.status).join(', ');
  const { tally } = foldOutcomes(outcomes);
  return SEVERITY.filter((s) => tally[s]).map((s) => `${tally[s]} ${s}`).join(', ');
}

function entryOf(e: Expectation): NonNullable<CaseGate['entry']> {
  return { source: e.source, match: describeNames(e), ...(e.reference ? { reference: e.reference } : {}) };
}

const because = (e: Expectation) => `${e.reason}${e.reference ? ` [${e.reference}]` : ''} (${e.source})`;

export interface CaseContext {
  index: ExpectationIndex;
  unexpectedPassBlocks: boolean;
}

/**
 * The gate verdict of one case of suite, given every run of it (oldest
 * first; default: the one its result holds). Null for a plain pass or skip
 * that nothing names and that ran once: reports need nothing stored for it.
 */
export function classifyCase(suite: string, c: CaseResult, ctx: CaseContext, outcomes?: CaseOutcome[]): CaseGate | null {
  const name = `${suite}/${c.name}`;
  // The common case of a big run: ran once, passed or skipped, nothing names it.
  if ((outcomes?.length ?? 1) === 1 && (c.status === 'pass' || c.status === 'skip') && !ctx.index.namesAny(name) && !(c.name === suite && ctx.index.namesAny(suite))) return null;
  const runs = outcomes?.length ? outcomes : [{ status: c.status, message: c.message }];
  const many = runs.length > 1 ? { outcomes: runs } : {};
  const driver = driverOf(c);
  const { failed, passed, worst } = foldOutcomes(runs);

  const skip = ctx.index.find('skip', name, driver) ?? (c.name === suite ? ctx.index.find('skip', suite, null) : null);
  if (skip) return { class: 'skip', blocks: false, reason: `not judged: the baseline skips it: ${because(skip)}`, entry: entryOf(skip), ...many };

  if (!failed.length) {
    if (c.status === 'pass' || passed) {
      const units = c.subtests.length ? c.subtests.filter((s) => s.status === 'pass').map(driverOf) : [driver];
      for (const d of units) {
        const e = ctx.index.find('expected-failure', name, d);
        if (e) {
          const on = d ? ` on ${d}` : '';
          return {
            class: 'unexpected-pass',
            blocks: ctx.unexpectedPassBlocks,
            reason: `passed${on}, but the baseline expects ${e.status}: ${because(e)}; remove the entry if the kernel is fixed`,
            entry: entryOf(e),
            ...many,
          };
        }
      }
    }
    return runs.length > 1 ? { class: defaultClass(c.status === 'skip' && !passed ? 'skip' : 'pass'), blocks: false, reason: '', ...many } : null;
  }

  if (passed) {
    const known = ctx.index.find('flake', name, driver);
    const expected = known ? null : ctx.index.find('expected-failure', name, driver);
    return {
      class: 'flake',
      blocks: false,
      reason: `failed ${failed.length} of ${runs.length} runs and passed the others (${describeOutcomes(runs)})${known ? `; a known flake: ${because(known)}` : ''}${expected ? `; the baseline expects it to fail (${because(expected)}), but it passed once` : ''}: ${failed[0]!.message}`,
      ...(known ? { entry: entryOf(known) } : {}),
      ...many,
    };
  }

  const flake = ctx.index.find('flake', name, driver) ?? c.subtests.map((s) => ctx.index.find('flake', name, driverOf(s))).find(Boolean) ?? null;
  if (flake) return { class: 'flake', blocks: false, reason: `a known flake: ${because(flake)}; it ended ${describeOutcomes(runs)}: ${failed[0]!.message}`, entry: entryOf(flake), ...many };

  // Each failing device must be named; a failure of the case itself (a crash, its own check) needs an entry for it.
  const failingSubs = c.subtests.filter((s) => !ok(s.status));
  const units = failingSubs.length && (c.status === 'fail' || c.status === 'dmesg-fail') ? failingSubs.map(driverOf) : [driver];
  // Per device, the entry that fits best: one expecting exactly this, else the mildest that still covers it, else the worst.
  const pick = (list: Expectation[]): Expectation | null => {
    if (!list.length) return null;
    const exact = list.find((e) => e.status === worst);
    if (exact) return exact;
    const covering = list.filter((e) => rank(e.status as Status) <= rank(worst));
    const pool = covering.length ? covering : list;
    return pool.reduce((a, b) => (covering.length ? (rank(a.status as Status) >= rank(b.status as Status) ? a : b) : rank(a.status as Status) <= rank(b.status as Status) ? a : b));
  };
  const entries = units.map((d) => pick(ctx.index.findAll('expected-failure', name, d)));
  const missing = units.filter((_, i) => !entries[i]);
  const found = entries.filter((e): e is Expectation => e !== null);
  if (!found.length) return { class: 'new-failure', blocks: true, reason: '', ...many };
  if (missing.length) {
    return {
      class: 'new-failure',
      blocks: true,
      reason: `it also fails on ${missing.map((d) => d ?? 'a device of unknown driver').join(', ')}, which the baseline entry for ${found[0]!.driver ?? 'it'} does not cover (${found[0]!.source})`,
      ...many,
    };
  }
  const worse = found.find((e) => rank(worst) < rank(e.status as Status));
  if (worse) {
    return { class: 'new-failure', blocks: true, reason: `the baseline expects ${worse.status} (${because(worse)}), but it ended with ${worst}`, entry: entryOf(worse), ...many };
  }
  const e = found.find((x) => x.status === worst) ?? found[0]!;
  const expected = e.status as ExpectedStatus;
  const milder = rank(worst) > rank(expected) ? ` (it ended with ${worst}, milder than the ${expected} the baseline expects: update the entry)` : '';
  return { class: 'expected-failure', blocks: false, reason: `expected failure: ${because(e)}${milder}`, entry: entryOf(e), ...many };
}

/**
 * Whether a failing case is worth running again: not when the baseline
 * expects exactly this failure (deqp-runner reruns only unexpected
 * failures), so a known failure costs one run, not two. For the executor's
 * retries: retryWanted(baseline)(suite, caseResult).
 */
export function retryWanted(baseline: Baseline): (suite: string, c: CaseResult) => boolean {
  const ctx: CaseContext = { index: new ExpectationIndex(baseline.expectations), unexpectedPassBlocks: false };
  return (suite, c) => {
    if (ok(c.status)) return false;
    const gate = classifyCase(suite, c, ctx);
    return !gate || gate.class === 'new-failure';
  };
}

/** A planned test the baseline's skips left out of the plan. */
export interface PlanSkip {
  suite: string;
  /** The case, or null for a program run whole. */
  case: string | null;
  entry: Expectation;
}

/** The plan without the tests the baseline skips: they never run (they hang the machine, or take too long). */
export function skipPlanned(plan: RunPlan, baseline: Baseline): { plan: RunPlan; skipped: PlanSkip[] } {
  const skips = baseline.expectations.filter((e) => e.kind === 'skip');
  if (!skips.length) return { plan, skipped: [] };
  const index = new ExpectationIndex(skips);
  const skipped: PlanSkip[] = [];
  const kept: PlannedTest[] = [];
  for (const t of plan.tests) {
    const whole = t.case === '-';
    const e = index.find('skip', whole ? t.suite : `${t.suite}/${t.case}`, null);
    if (e) skipped.push({ suite: t.suite, case: whole ? null : t.case, entry: e });
    else kept.push({ ...t, index: kept.length });
  }
  if (!skipped.length) return { plan, skipped };
  const suites = plan.suites.filter((s) => kept.some((t) => t.suite === s.name));
  return { plan: { ...plan, tests: kept, suites }, skipped };
}

export interface GateOptions {
  /** Every run of a case, oldest first, when it ran more than once (retries, --repeat). */
  outcomes?: (suite: string, caseName: string) => CaseOutcome[] | undefined;
  /** The command line that reproduces a case, for the cases that did not plainly pass. */
  repro?: (suite: SuiteResult, c: CaseResult) => string[] | null;
  /** Tests the baseline left out of the plan: reported as skipped. */
  skipped?: PlanSkip[];
  comparison?: Comparison;
}

function skippedCase(s: PlanSkip): CaseResult {
  const name = s.case ?? s.suite;
  return { ...blankCase(name, 'skip', `skipped by the baseline: ${because(s.entry)}`), attempts: 0, gate: { class: 'skip', blocks: false, reason: `not run: the baseline skips it: ${because(s.entry)}`, entry: entryOf(s.entry) } };
}

/**
 * The run judged against the baseline: each case gets its gate verdict (and
 * its reproduction command when it did not plainly pass), the tests the
 * baseline skipped are added as skips, and run.gate sums it up. Returns a new
 * RunResult; cases with nothing to say are shared with the input, not copied.
 */
export function applyGate(run: RunResult, baseline: Baseline, o: GateOptions = {}): RunResult {
  const ctx: CaseContext = { index: new ExpectationIndex(baseline.expectations), unexpectedPassBlocks: baseline.unexpectedPass === 'block' };
  const suites: SuiteResult[] = run.suites.map((s) => ({ ...s, cases: s.cases.slice() }));
  const gateCounts = emptyGateCounts();
  const counts = emptyCounts();
  let blocking = 0;
  const tally = (c: CaseResult) => {
    gateCounts[gateClassOf(c)]++;
    if (blocksOf(c)) blocking++;
    counts[c.status]++;
    counts.total++;
  };
  for (const suite of suites) {
    suite.cases = suite.cases.map((c) => {
      // Judging again (a merge, `hilt report`): the runs and the command line a case carries stay.
      const notRun = c.attempts === 0 && c.gate?.class === 'skip' && c.gate.entry !== undefined;
      let gate = notRun ? c.gate! : classifyCase(suite.name, c, ctx, o.outcomes?.(suite.name, c.name) ?? c.gate?.outcomes ?? runsOf(c));
      if (gate && gate.class !== 'pass' && gate.class !== 'skip') {
        const argv = o.repro ? o.repro(suite, c) : (c.gate?.repro ?? null);
        if (argv) gate = { ...gate, repro: argv };
      }
      const out = gate ? { ...c, gate } : c.gate ? stripGate(c) : c;
      tally(out);
      return out;
    });
  }
  for (const skip of o.skipped ?? []) {
    let suite = suites.find((s) => s.name === skip.suite);
    if (!suite) {
      suite = { name: skip.suite, mode: skip.case === null ? 'whole' : 'cases', status: 'skip', durationMs: 0, exits: [], cases: [] };
      suites.push(suite);
    }
    const c = skippedCase(skip);
    suite.cases.push(c);
    tally(c);
  }
  for (const suite of suites) suite.status = worstStatus(suite.cases.map((c) => c.status));
  const gate: RunGate = {
    sources: baseline.sources.slice(),
    counts: gateCounts,
    blocking,
    unexpectedPassBlocks: ctx.unexpectedPassBlocks,
    ...(o.comparison ? { comparison: o.comparison } : {}),
  };
  return { ...run, suites, counts, gate };
}

/** Every run of a case the fold kept (retries: its earlier runs, then the one it reports), oldest first. */
export function runsOf(c: CaseResult): CaseOutcome[] | undefined {
  return c.previous?.length ? [...c.previous, { status: c.status, message: c.message }] : undefined;
}

/**
 * With --repeat N each case is in the results N times over: every copy's
 * runs, by suite/case in run order, so that each copy is judged on all of
 * them (a case that failed in one round and passed in another is a flake).
 */
export function repeatedRuns(run: RunResult): Map<string, CaseOutcome[]> {
  const out = new Map<string, CaseOutcome[]>();
  for (const s of run.suites) {
    for (const c of s.cases) {
      const key = `${s.name}/${c.name}`;
      const list = out.get(key) ?? [];
      list.push(...(runsOf(c) ?? [{ status: c.status, message: c.message }]));
      out.set(key, list);
    }
  }
  for (const [k, v] of out) if (v.length < 2) out.delete(k);
  return out;
}

function stripGate(c: CaseResult): CaseResult {
  const { gate: _gate, ...rest } = c;
  return rest;
}

/** Whether the gate fails the run: a blocking case, or observation changes the baseline does not allow. */
export function gateBlocks(run: RunResult): boolean {
  if (!run.gate) return run.suites.some((s) => s.cases.some((c) => blocksOf(c)));
  return run.gate.blocking > 0 || Boolean(run.gate.comparison?.uapiBlocks);
}

/** The gate counts of a run, from its cases (a run without gate data: what its statuses mean without a baseline). */
export function countClasses(run: RunResult): GateCounts {
  const n = emptyGateCounts();
  for (const s of run.suites) for (const c of s.cases) n[gateClassOf(c)]++;
  return n;
}

export const CLASS_WORDS: Record<GateClass, [string, string]> = {
  'new-failure': ['new failure', 'new failures'],
  'expected-failure': ['expected failure', 'expected failures'],
  'unexpected-pass': ['unexpected pass', 'unexpected passes'],
  flake: ['flake', 'flakes'],
  pass: ['pass', 'pass'],
  skip: ['skip', 'skip'],
};

/** "1 new failure, 2 expected failures, 120 pass" with only the classes that occurred. */
export function classCountsLine(counts: GateCounts): string {
  const parts = GATE_CLASSES.filter((k) => counts[k] > 0).map((k) => `${counts[k]} ${CLASS_WORDS[k][counts[k] === 1 ? 0 : 1]}`);
  return parts.length ? parts.join(', ') : 'no cases';
}
