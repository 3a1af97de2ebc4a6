/**
 * `npm run bench -- --only jobs`: the default plan on one machine against two
 * at once (--jobs 2), alternating, the same kernel and image; the speedup of
 * the medians. What limits it: the host's cores (each single-threaded TCG
 * guest wants one), the boot of the second machine, and the longest suite,
 * which one machine runs alone at the end.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT } from '../src/paths.js';
import type { RunResult } from '../src/results/model.js';
import { type Section, fmtS, median } from './table.js';

export const JOBS_SPEEDUP_TARGET = 1.5;

async function timedRun(out: string, jobs: number): Promise<{ ms: number; run: RunResult }> {
  const t0 = performance.now();
  const child = spawn(join(ROOT, 'bin', 'hilt'), ['run', '--accel', 'tcg', '--retries', '0', '--jobs', String(jobs), '-q', '--out', out], { stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const ms = performance.now() - t0;
  if (code !== 0 && code !== 1) throw new Error(`hilt run --jobs ${jobs} exited ${code}`);
  return { ms, run: JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult };
}

export async function jobsBench(o: { runs: number; progress: (m: string) => void }): Promise<Section> {
  const dir = mkdtempSync(join(tmpdir(), 'hilt-bench-jobs-'));
  try {
    o.progress('jobs: warm-up run (fetches the kernel and builds the image if needed)');
    await timedRun(join(dir, 'warm'), 1);
    const one: number[] = [];
    const two: number[] = [];
    let same = true;
    for (let i = 0; i < o.runs; i++) {
      o.progress(`jobs: ${i + 1}/${o.runs} --jobs 1, then --jobs 2`);
      const a = await timedRun(join(dir, `one-${i}`), 1);
      const b = await timedRun(join(dir, `two-${i}`), 2);
      one.push(a.ms);
      two.push(b.ms);
      const verdicts = (r: RunResult) => r.suites.flatMap((s) => s.cases.map((c) => `${s.name}/${c.name}:${c.status}`)).join('\n');
      same &&= verdicts(a.run) === verdicts(b.run);
    }
    const speedup = median(one) / median(two);
    return {
      title: `--jobs 2 against --jobs 1, the default plan, ${o.runs} alternating runs each, ${cpus().length} host cores`,
      rows: [
        { label: '--jobs 1 median', value: fmtS(median(one)) },
        { label: '--jobs 2 median', value: fmtS(median(two)) },
        { label: 'speedup', value: speedup.toFixed(2), target: `>= ${JOBS_SPEEDUP_TARGET}`, pass: speedup >= JOBS_SPEEDUP_TARGET },
        { label: 'same cases and verdicts', value: same ? 'yes' : 'no', target: 'yes', pass: same },
      ],
      notes: [`every run: --jobs 1 ${one.map((x) => (x / 1000).toFixed(1)).join(' ')} s; --jobs 2 ${two.map((x) => (x / 1000).toFixed(1)).join(' ')} s`],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
