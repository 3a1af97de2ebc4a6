/**
 * ResultsFold folds a journal into a RunResult: the attribution state
 * machine assigns every entry to a test's attempt, the verdict layer judges
 * each attempt once it closes, and finish() sums up the run. Pure: the same
 * journal gives the same results, fed live (for the progress line), replayed
 * by `hilt report`, or replayed after a resume.
 */
import type { JournalEntry } from '../journal/index.js';
import type { RunPlan } from '../plan/types.js';
import type { SchemaRegistry } from '../schemas/registry.js';
import type { Attempt } from './attempt.js';
import { InventoryCollector } from './inventory.js';
import { Attribution, type AttributionPlan } from './attribution.js';
import { type DmesgJudge, dmesgJudge } from './dmesg.js';
import type { IgtDmesgRules } from './igt-cases.js';
import { observationJudge } from './judge.js';
import { type KnownIssueLookup, driverOf } from './known-issues.js';
import { type CaseResult, type Counts, type RunResult, type Status, type SuiteResult, STATUSES, emptyCounts } from './model.js';
import type { ObservationJudge } from './observations.js';
import { loadProfiles } from '../schemas/profiles.js';
import { blankCase, testVerdicts, worstStatus } from './verdicts.js';

export const RESULTS_SCHEMA_ID = 'https://hilt.dev/schemas/v1/results.schema.json';
export const REQUIREMENTS_SUITE = 'profile-requirements';

export interface FoldContext {
  plan: AttributionPlan;
  judge: ObservationJudge;
  dmesg: DmesgJudge;
  /** Failures driver profiles expect (known kernel issues). */
  known?: KnownIssueLookup;
  /** Profiles the plan names: each demands devices of its driver. */
  requirements?: { profile: string; driver: string; devices: number }[];
  /** How IGT tests judge kernel messages: the plan's warn level and ignore patterns on top of igt_runner's rules. */
  igtDmesg?: IgtDmesgRules;
}

/** A planned test whose verdict settled, for the progress line. */
export interface SettledTest {
  index: number;
  suite: string;
  case: string;
  status: Status;
  message: string;
  /** For a program run whole: how its cases came out ("10 pass, 1 skip"). */
  summary: string | null;
}

export class ResultsFold {
  private readonly attribution: Attribution;
  private readonly judged = new WeakMap<Attempt, CaseResult[]>();
  private settledNow: number[] = [];
  private readonly inventory = new InventoryCollector();

  constructor(private readonly ctx: FoldContext) {
    this.attribution = new Attribution(ctx.plan, ctx.dmesg, {
      settled: (index) => this.settledNow.push(index),
      changed: (a) => this.judged.delete(a),
    });
  }

  /** Whether the journal has begun (its 'run' entry was seen). */
  get started(): boolean {
    return this.attribution.run !== null;
  }

  /** Feeds one journal entry; returns the tests whose verdict settled with it. */
  push(entry: JournalEntry): SettledTest[] {
    this.attribution.push(entry);
    if (entry.t === 'rec') this.inventory.pushEntry(entry);
    if (!this.settledNow.length) return [];
    const settled = this.settledNow.map((i) => this.settle(i));
    this.settledNow = [];
    return settled;
  }

  finishedIndices(): Set<number> {
    return this.attribution.finishedIndices();
  }

  attemptsOf(index: number): number {
    return this.attribution.attemptsOf(index);
  }

  /** The verdict a planned test has now (the worst of its cases, for a program run whole). */
  verdictOf(index: number): Status {
    return worstStatus(this.caseResults(index).map((c) => c.status));
  }

  private settle(index: number): SettledTest {
    const t = this.ctx.plan.tests[index]!;
    const cases = this.caseResults(index);
    const status = worstStatus(cases.map((c) => c.status));
    const first = cases.find((c) => c.status === status) ?? cases[0]!;
    const whole = this.attribution.modes.get(t.suite) === 'whole';
    return { index, suite: t.suite, case: t.case, status, message: first.message, summary: whole ? countStatuses(cases) : null };
  }

  /** The verdicts of one planned test, judged once its latest attempt has closed. */
  private caseResults(index: number): CaseResult[] {
    const t = this.ctx.plan.tests[index]!;
    const a = this.attribution.latest(index);
    const cached = a && a.outcome !== 'running' ? this.judged.get(a) : undefined;
    if (cached) return cached;
    const end = this.attribution.end;
    const why = end?.status === 'interrupted' ? 'the run was interrupted first' : end?.error ? `the run stopped first: ${end.error.message}` : 'the run stopped before it';
    const mode = this.attribution.modes.get(t.suite) ?? 'cases';
    const ctx = { judge: this.ctx.judge, known: this.ctx.known ?? (() => null), ...(this.ctx.igtDmesg ? { igtDmesg: this.ctx.igtDmesg } : {}) };
    const results = testVerdicts(t, mode, a, this.attribution.attemptsOf(index), ctx, { why });
    // A test run more than once (retries) keeps what each earlier run said: a failure that passed later is a flake.
    const earlier = (this.attribution.attempts[index] ?? []).slice(0, -1).filter((x) => x.outcome !== 'abort');
    if (earlier.length) {
      const before = earlier.map((x) => testVerdicts(t, mode, x, 1, ctx, { why }));
      for (const c of results) {
        const previous = before.flatMap((cases) => cases.filter((p) => p.name === c.name).map((p) => ({ status: p.status, message: p.message })));
        if (previous.length) c.previous = previous;
      }
    }
    if (a && a.outcome !== 'running') this.judged.set(a, results);
    return results;
  }

  /** A case per profile the plan names: its driver's devices must be there. */
  private requirementCases(suites: SuiteResult[]): SuiteResult | null {
    const reqs = this.ctx.requirements ?? [];
    if (!reqs.length) return null;
    const devices = new Map<string, string>();
    const visit = (c: CaseResult) => {
      for (const o of c.observations) {
        const d = o.data as { device?: unknown; driver?: unknown } | null;
        if (typeof d?.device === 'string' && typeof d.driver === 'string') devices.set(d.device, d.driver);
      }
      c.subtests.forEach(visit);
    };
    suites.forEach((s) => s.cases.forEach(visit));
    const cases = reqs.map((r) => {
      const have = [...devices].filter(([, driver]) => driver === r.driver).map(([device]) => device);
      return have.length >= r.devices
        ? blankCase(r.profile, 'pass', '')
        : blankCase(
            r.profile,
            'fail',
            `the plan names profile ${r.profile}, which needs at least ${r.devices} device node${r.devices > 1 ? 's' : ''} of driver ${r.driver}; the suites saw ${have.length ? have.join(', ') : 'none'}`,
          );
    });
    return { name: REQUIREMENTS_SUITE, mode: 'cases', status: worstStatus(cases.map((c) => c.status)), durationMs: 0, exits: [], cases };
  }

  /** Known issues that did not show: the kernel may have been fixed, and the profile should say so. */
  private unexpectedPasses(suites: SuiteResult[]): string[] {
    const known = this.ctx.known;
    if (!known) return [];
    const out: string[] = [];
    for (const suite of suites) {
      for (const c of suite.cases) {
        for (const node of c.subtests.length ? c.subtests : [c]) {
          const hit = node.status === 'pass' ? known(`${suite.name}/${c.name}`, driverOf(node)) : null;
          if (hit) out.push(`known issue ${suite.name}/${c.name} did not reproduce on ${node.name} (${driverOf(node)}): remove it from profile ${hit.profile} if the kernel is fixed`);
        }
      }
    }
    return out;
  }

  finish(): RunResult {
    const at = this.attribution;
    const suites: SuiteResult[] = [];
    const bySuite = new Map<string, SuiteResult>();
    const counts: Counts = emptyCounts();
    this.ctx.plan.tests.forEach((t, index) => {
      let suite = bySuite.get(t.suite);
      if (!suite) {
        suite = { name: t.suite, mode: at.modes.get(t.suite) ?? 'cases', status: 'pass', durationMs: 0, exits: at.exits.get(t.suite) ?? [], cases: [] };
        bySuite.set(t.suite, suite);
        suites.push(suite);
      }
      for (const c of this.caseResults(index)) {
        suite.cases.push(c);
        suite.durationMs += c.durationMs ?? 0;
      }
    });
    for (const [name, message] of at.badExits) bySuite.get(name)?.cases.push(blankCase('exit-status', 'fail', message));
    const requirements = this.requirementCases(suites);
    if (requirements) suites.push(requirements);
    for (const suite of suites) {
      suite.status = worstStatus(suite.cases.map((c) => c.status));
      for (const c of suite.cases) {
        counts[c.status]++;
        counts.total++;
      }
    }
    const end = at.end;
    const status = !end || end.status === 'interrupted' ? 'incomplete' : end.status;
    const problems = [...at.problems, ...this.unexpectedPasses(suites), ...this.inventory.changes()];
    const tail = status === 'aborted' ? at.lastBootTail() : null;
    if (tail?.lines.length) problems.push(`console of boot ${tail.boot} before it stopped:\n${tail.lines.slice(-40).join('\n')}`);
    const env = (at.run?.env ?? {}) as RunResult['environment'];
    return {
      $schema: RESULTS_SCHEMA_ID,
      id: at.run?.id ?? '',
      status,
      error: end?.error ?? null,
      environment: { ...env, endedAt: end?.at ?? null, inventory: this.inventory.first() },
      plan: at.run?.plan ?? null,
      counts,
      suites,
      boots: at.bootSummaries(),
      problems,
      bootLog: at.bootLog.items(),
    };
  }
}

/** "10 pass, 1 skip": how a program's cases came out. */
export function countStatuses(cases: CaseResult[]): string {
  const n = new Map<Status, number>();
  for (const c of cases) n.set(c.status, (n.get(c.status) ?? 0) + 1);
  return STATUSES.filter((s) => n.has(s)).map((s) => `${n.get(s)} ${s}`).join(', ');
}

/**
 * The fold for a plan: its profiles, schema judge and dmesg rules. The
 * profiles' known issues are not applied here: a failure stays a failure in
 * the results, and the gate (gate/classify.ts) judges it an expected failure,
 * the same way as a baseline file's entries (one mechanism, two sources).
 */
export function createFold(plan: RunPlan, registry: SchemaRegistry): ResultsFold {
  const profiles = loadProfiles(registry, plan.profiles);
  return new ResultsFold({
    plan: { tests: plan.tests, suites: plan.suites.map((s) => ({ name: s.name, mode: s.mode })) },
    judge: observationJudge(registry, profiles),
    dmesg: dmesgJudge(plan.dmesg),
    requirements: profiles.filter((p) => p.named).map((p) => ({ profile: p.name, driver: p.doc.match.driver, devices: p.doc.requiresDevices ?? 1 })),
    igtDmesg: { level: plan.dmesg.level, ignore: plan.dmesg.ignore.map((r) => new RegExp(r)) },
  });
}
