/**
 * `--shard K/N`: the deterministic slice of a plan's tests that runner K of
 * a CI matrix of N runs. Pure.
 *
 * Slices are contiguous runs of the plan in plan order, balanced by weight
 * (one per test unless the caller knows better, e.g. each test's duration in
 * an earlier run). Contiguous because then
 *   - a suite's cases stay together except where a cut falls (at most N-1
 *     cuts in the whole plan): the suite's program is started once more in
 *     the next shard, which costs milliseconds, while each shard's boot costs
 *     seconds whatever it runs;
 *   - merging the shards in K order gives back the serial run's order, so a
 *     merged report reads like an unsharded one;
 * and not whole suites per shard, because suites differ in size by an order
 * of magnitude (drm-core against udmabuf) and N runners should finish
 * together. A program run whole is one test and is never split.
 */
import { usageError } from '../errors.js';
import type { RunPlan } from '../plan/types.js';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** "2/4" as { index: 2, count: 4 }, refusing anything else with what to write instead. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const hint = 'Write --shard K/N with 1 <= K <= N, e.g. --shard 1/4 on the first of four runners (GitLab: $CI_NODE_INDEX/$CI_NODE_TOTAL).';
  if (!m) throw usageError(`--shard ${text}: not K/N`, hint);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) throw usageError(`--shard ${text}: K must be between 1 and N`, hint);
  if (count > 1000) throw usageError(`--shard ${text}: at most 1000 shards`, hint);
  return { index, count };
}

/**
 * The tests of shard K of N: test i goes to the shard whose share of the
 * total weight holds the middle of test i's weight. Every test lands in
 * exactly one shard; a shard may be empty when there are fewer tests than shards.
 */
export function shardOf<T>(tests: readonly T[], k: number, n: number, weight: (t: T) => number = () => 1): T[] {
  if (!Number.isInteger(k) || !Number.isInteger(n) || n < 1 || k < 1 || k > n) throw new RangeError(`shard ${k}/${n}`);
  const weights = tests.map((t) => Math.max(0, weight(t)));
  const total = weights.reduce((a, b) => a + b, 0);
  if (total === 0) return tests.filter((_, i) => Math.min(n - 1, Math.floor((i * n) / tests.length)) === k - 1);
  const out: T[] = [];
  let before = 0;
  tests.forEach((t, i) => {
    const middle = before + weights[i]! / 2;
    before += weights[i]!;
    const shard = Math.min(n - 1, Math.floor((middle * n) / total));
    if (shard === k - 1) out.push(t);
  });
  return out;
}

/**
 * The plan of shard K of N: its slice of the tests, numbered from 0 again
 * (the agent starts at an index), and only the suites the slice uses. The
 * slice is named in the plan, so results and `hilt merge` know it.
 */
export function shardPlan<P extends RunPlan>(plan: P, shard: Shard): P & { shard: Shard } {
  const tests = shardOf(plan.tests, shard.index, shard.count).map((t, index) => ({ ...t, index }));
  if (!tests.length) {
    throw usageError(`--shard ${shard.index}/${shard.count}: the plan has only ${plan.tests.length} test${plan.tests.length === 1 ? '' : 's'}, none of them in this shard`, 'Use fewer shards than the plan has tests.');
  }
  const used = new Set(tests.map((t) => t.suite));
  return { ...plan, tests, suites: plan.suites.filter((s) => used.has(s.name)), shard };
}
