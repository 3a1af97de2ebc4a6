/**
 * `hilt merge`: the results of a plan's shards (or of any runs of disjoint
 * parts of one plan) joined into one RunResult, as if one machine had run
 * them all. Refuses results that do not belong together: another hilt,
 * another kernel build, another machine profile, another plan, or a case
 * that two of them both ran. Pure.
 */
import { createHash } from 'node:crypto';
import { usageError } from '../errors.js';
import type { PlannedTest, RunPlan } from '../plan/types.js';
import { REQUIREMENTS_SUITE } from '../results/fold.js';
import { type BootSummary, type CaseResult, type RunResult, type SuiteResult, emptyCounts } from '../results/model.js';
import { worstStatus } from '../results/verdicts.js';
import { blocksOf, countClasses } from './classify.js';

export interface ShardResult {
  run: RunResult;
  /** Where it was read from, for messages. */
  source: string;
}

type ShardedPlan = RunPlan & { shard?: { index: number; count: number }; baselineSkips?: { suite: string; case: string | null }[] };

const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));

/** What must be equal across shards of one plan: everything but which tests (and which the baseline left out), where the reports went, and which shard. */
function planIdentity(plan: ShardedPlan): Record<string, string> {
  const { tests: _t, suites: _s, out: _o, shard: _sh, baselineSkips: _b, ...rest } = plan;
  return Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, canonical(v)]));
}

/** The settings two plans disagree on, by name. */
function planDifferences(a: ShardedPlan, b: ShardedPlan): string[] {
  const ia = planIdentity(a);
  const ib = planIdentity(b);
  return [...new Set([...Object.keys(ia), ...Object.keys(ib)])].filter((k) => ia[k] !== ib[k]).sort();
}

/** A suite as the plan knows it, without the host path of its program (runners may check out hilt in different places). */
const suiteIdentity = (s: RunPlan['suites'][number]) => canonical({ name: s.name, mode: s.mode, cases: s.cases, timeoutMs: s.timeoutMs, modules: s.modules });

function differ(what: string, a: ShardResult, b: ShardResult, va: string, vb: string, hint: string): never {
  throw usageError(`${a.source} and ${b.source} are not parts of one run: ${what} differ (${va} against ${vb})`, hint);
}

const kernelOf = (r: RunResult) => canonical({ release: r.environment.kernel?.release, configSha256: r.environment.kernel?.configSha256, source: r.environment.kernel?.source });

/** Checks the parts belong together; returns their plans. */
function checkParts(parts: ShardResult[]): ShardedPlan[] {
  if (!parts.length) throw usageError('nothing to merge', 'Give the results.json of each shard (or their report folders).');
  const plans = parts.map((p) => {
    const plan = p.run.plan as ShardedPlan | null;
    if (!plan || typeof plan !== 'object' || !Array.isArray(plan.tests)) throw usageError(`${p.source} holds no plan (its run ended before it began?)`, 'Merge results of runs that started.');
    return plan;
  });
  const [first] = parts as [ShardResult];
  const hilt = (r: RunResult) => `${r.environment.hilt?.version ?? '?'}@${r.environment.hilt?.commit ?? 'no commit'}`;
  parts.forEach((p, i) => {
    if (i === 0) return;
    if (hilt(p.run) !== hilt(first.run)) differ('the hilt versions', first, p, hilt(first.run), hilt(p.run), 'Run every shard with the same hilt commit.');
    if (kernelOf(p.run) !== kernelOf(first.run)) {
      differ('the kernels', first, p, first.run.environment.kernel?.release ?? '?', p.run.environment.kernel?.release ?? '?', 'Every shard must boot the same kernel build (same release, config and package version or image).');
    }
    if (canonical(plans[i]!.machine) !== canonical(plans[0]!.machine)) differ('the machine profiles', first, p, plans[0]!.machine.name, plans[i]!.machine.name, 'Give every shard the same machine profile.');
    const differences = planDifferences(plans[0]!, plans[i]!);
    if (differences.length) {
      throw usageError(`${first.source} and ${p.source} are not parts of one run: their plans differ in ${differences.join(', ')}`, 'Give every shard the same plan (suites, timeouts, dmesg rules, profiles) and only a different --shard K/N.');
    }
  });
  const suites = new Map<string, string>();
  const ran = new Map<string, string>();
  parts.forEach((p, i) => {
    for (const s of plans[i]!.suites) {
      const id = suiteIdentity(s);
      const seen = suites.get(s.name);
      if (seen !== undefined && seen !== id) throw usageError(`${p.source}: suite ${s.name} is not the suite the other parts ran (its cases, timeout or modules differ)`, 'Build the suites from the same hilt commit on every runner.');
      suites.set(s.name, id);
    }
    for (const t of plans[i]!.tests) {
      // --repeat N puts a case in the plan N times, one per round: each round is its own test.
      const key = `${t.suite}/${t.case}${t.repeat ? `#${t.repeat}` : ''}`;
      const other = ran.get(key);
      if (other !== undefined) throw usageError(`${other} and ${p.source} both ran ${t.case === '-' ? t.suite : key}: they are not disjoint shards of one plan`, 'Merge each shard once; give every runner its own --shard K/N.');
      ran.set(key, p.source);
    }
  });
  const shards = plans.map((p) => p.shard ?? null);
  if (shards.some(Boolean)) {
    if (shards.some((s) => !s)) throw usageError('some of the parts are shards and some are not', 'Merge the shards of one plan only.');
    const counts = new Set(shards.map((s) => s!.count));
    if (counts.size > 1) throw usageError(`the parts are shards of different splits (${[...counts].map((c) => `/${c}`).join(', ')})`, 'Merge the shards of one --shard K/N split.');
  }
  return plans;
}

function mergeRequirements(cases: CaseResult[]): CaseResult[] {
  // Each shard judged a profile's devices from what it alone saw: the plan's requirement holds where any shard saw them.
  const byName = new Map<string, CaseResult>();
  for (const c of cases) {
    const had = byName.get(c.name);
    if (!had || (had.status !== 'pass' && c.status === 'pass')) byName.set(c.name, c);
  }
  return [...byName.values()];
}

/** A case the baseline left out of the plan, reported as skipped (classify.ts skippedCase). */
const isNotRunSkip = (c: CaseResult) => c.attempts === 0 && c.gate?.class === 'skip' && c.gate.entry !== undefined;

const newer = (a: string | null, b: string | null) => (a === null || b === null ? null : a > b ? a : b);

/** The parts joined in shard order (or the order given), as one run. */
export function mergeResults(given: ShardResult[], o: { out?: string } = {}): RunResult {
  checkParts(given);
  const parts = given.slice().sort((a, b) => ((a.run.plan as ShardedPlan).shard?.index ?? 0) - ((b.run.plan as ShardedPlan).shard?.index ?? 0));
  const plans = parts.map((p) => p.run.plan as ShardedPlan);
  const problems: string[] = [];
  const shardCount = plans[0]!.shard?.count;
  if (shardCount !== undefined) {
    const have = new Set(plans.map((p) => p.shard!.index));
    const missing = Array.from({ length: shardCount }, (_, i) => i + 1).filter((k) => !have.has(k));
    if (missing.length) problems.push(`shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${shardCount} missing from the merge: their cases are not in these results`);
  }
  const suites: SuiteResult[] = [];
  const bySuite = new Map<string, SuiteResult>();
  const tests: PlannedTest[] = [];
  const planSuites: RunPlan['suites'] = [];
  const boots: BootSummary[] = [];
  parts.forEach((p, i) => {
    const label = shardCount !== undefined ? `shard ${plans[i]!.shard!.index}/${shardCount}` : p.source;
    const offset = tests.length;
    for (const t of plans[i]!.tests) tests.push({ ...t, index: tests.length });
    for (const s of plans[i]!.suites) if (!planSuites.some((x) => x.name === s.name)) planSuites.push(s);
    for (const b of p.run.boots) boots.push({ ...b, boot: boots.length + 1, start: b.start + offset });
    for (const problem of p.run.problems) problems.push(`${label}: ${problem}`);
    for (const s of p.run.suites) {
      const had = bySuite.get(s.name);
      if (!had) {
        const copy = { ...s, cases: s.cases.slice(), exits: s.exits.slice() };
        bySuite.set(s.name, copy);
        suites.push(copy);
      } else {
        // The baseline's skips are reported by every shard that was planned from the whole plan: once is enough.
        const notRun = new Set(had.cases.filter(isNotRunSkip).map((c) => c.name));
        had.cases.push(...s.cases.filter((c) => !(isNotRunSkip(c) && notRun.has(c.name))));
        had.exits.push(...s.exits);
        had.durationMs += s.durationMs;
      }
    }
  });
  const counts = emptyCounts();
  for (const s of suites) {
    if (s.name === REQUIREMENTS_SUITE) s.cases = mergeRequirements(s.cases);
    s.status = worstStatus(s.cases.map((c) => c.status));
    for (const c of s.cases) {
      counts[c.status]++;
      counts.total++;
    }
  }
  const runs = parts.map((p) => p.run);
  const status = runs.some((r) => r.status === 'aborted') ? 'aborted' : runs.some((r) => r.status === 'incomplete') || (shardCount !== undefined && parts.length < shardCount) ? 'incomplete' : 'complete';
  const errored = parts.find((p) => p.run.error);
  const env0 = runs[0]!.environment;
  const hosts = [...new Set(runs.map((r) => r.environment.host?.hostname ?? ''))].filter(Boolean);
  const { shard: _shard, baselineSkips: _skips, ...plan0 } = plans[0]!;
  const skips = new Map<string, NonNullable<ShardedPlan['baselineSkips']>[number]>();
  for (const p of plans) for (const s of p.baselineSkips ?? []) skips.set(`${s.suite}/${s.case ?? ''}`, s);
  const merged: RunResult = {
    $schema: runs[0]!.$schema,
    id: `merged-${createHash('sha256').update(runs.map((r) => r.id).join('\n')).digest('hex').slice(0, 16)}`,
    status,
    error: errored ? { kind: errored.run.error!.kind, message: `${errored.source}: ${errored.run.error!.message}` } : null,
    environment: {
      ...env0,
      host: { ...env0.host, hostname: hosts.join(', ') || env0.host.hostname },
      startedAt: runs.map((r) => r.environment.startedAt).reduce((a, b) => (a < b ? a : b)),
      endedAt: runs.map((r) => r.environment.endedAt).reduce(newer),
    },
    plan: { ...plan0, tests, suites: planSuites, ...(o.out ? { out: o.out } : {}), ...(skips.size ? { baselineSkips: [...skips.values()] } : {}) },
    counts,
    suites,
    boots,
    problems,
    bootLog: runs.flatMap((r) => r.bootLog),
  };
  const gated = runs.filter((r) => r.gate);
  if (gated.length) {
    const gate = {
      sources: [...new Set(gated.flatMap((r) => r.gate!.sources))],
      counts: countClasses(merged),
      blocking: suites.reduce((n, s) => n + s.cases.filter(blocksOf).length, 0),
      unexpectedPassBlocks: gated.some((r) => r.gate!.unexpectedPassBlocks),
    };
    merged.gate = gate;
    if (gated.some((r) => r.gate!.comparison)) problems.push('the parts’ comparisons with an earlier run were left out (each saw only its part): compare the merged run with hilt merge --compare OLD or hilt compare');
  }
  return merged;
}
