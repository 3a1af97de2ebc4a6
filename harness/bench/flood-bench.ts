/**
 * `npm run bench -- --only flood`: a console that never stops, two ways.
 *
 *  1. Per line: 16 KiB console lines made of the hung-task and RCU-stall
 *     prefixes repeated (the worst case for the kernel-trouble patterns),
 *     against 16 KiB lines of ordinary text, through the frame decoder, the
 *     kernel-trouble classifier, the dmesg rules and the result fold, in one
 *     process, alternating; the ratio of their costs per line.
 *  2. A real run of a program that writes 200,000 corrupt frames onto the
 *     console and 200,000 warnings into the kernel log: hilt's own peak RSS
 *     (VmHWM of its process, sampled; QEMU's memory is not hilt's).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FrameDecoder } from '../src/agent-protocol/frame.js';
import { DEFAULT_DMESG } from '../src/plan/defaults.js';
import { dmesgJudge } from '../src/results/dmesg.js';
import { ResultsFold } from '../src/results/fold.js';
import type { RunResult } from '../src/results/model.js';
import { ROOT } from '../src/paths.js';
import { classifyKernelLine } from '../src/console/kernel-events.js';
import { type Section, median } from './table.js';

const LINE = 16 * 1024;
const LINES = 2_000;
export const FLOOD_RATIO_TARGET = 3;
export const FLOOD_RSS_TARGET_MB = 250;

function repeatTo(unit: string, n: number): string {
  return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
}

/** Microseconds per line of this text through decoder, classifier, dmesg rules and fold. */
function costPerLine(text: string): number {
  const fold = new ResultsFold({
    plan: { tests: [{ index: 0, suite: 's', case: 'c', timeoutMs: 1 }], suites: [{ name: 's', mode: 'cases' }] },
    judge: () => [],
    dmesg: dmesgJudge(DEFAULT_DMESG),
  });
  fold.push({ t: 'run', v: 1, at: '', id: 'b', plan: {}, env: {} });
  fold.push({ t: 'boot', boot: 1, start: 0, at: '', cmdline: [], accel: 'tcg' });
  fold.push({ t: 'rec', boot: 1, seq: 0, kind: 'begin', p: '0', ms: 0 });
  const decoder = new FrameDecoder();
  const judge = dmesgJudge(DEFAULT_DMESG);
  const t0 = performance.now();
  for (let i = 0; i < LINES; i++) {
    for (const d of decoder.push(text)) {
      if (d.type !== 'console') continue;
      classifyKernelLine(d.text);
      judge.counts(4, d.text);
      fold.push({ t: 'con', boot: 1, text: d.text, ms: i });
    }
  }
  return ((performance.now() - t0) * 1000) / LINES;
}

async function peakRssOfFlood(progress: (m: string) => void): Promise<{ peakMb: number; seconds: number; run: RunResult }> {
  const dir = mkdtempSync(join(tmpdir(), 'hilt-bench-flood-'));
  try {
    const bin = join(dir, 'flood');
    execFileSync('gcc', ['-static', '-O2', '-o', bin, join(ROOT, 'harness/test/fixtures/suite-bins/flood.c')]);
    progress('flood: a real run of 200,000 corrupt frames and 200,000 kernel warnings (minutes under TCG)');
    const t0 = performance.now();
    const child = spawn(join(ROOT, 'bin', 'hilt'), ['run', '--accel', 'tcg', '--retries', '0', '--out', join(dir, 'out'), '-q', '--suite-bin', bin], { stdio: 'ignore' });
    let peakKb = 0;
    const timer = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // gone
      }
    }, 100);
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    clearInterval(timer);
    if (code !== 0 && code !== 1) throw new Error(`hilt run of the flood exited ${code}`);
    const run = JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8')) as RunResult;
    return { peakMb: peakKb / 1024, seconds: (performance.now() - t0) / 1000, run };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function floodBench(progress: (m: string) => void): Promise<Section> {
  const worst = [repeatTo('INFO: task ', LINE), repeatTo('rcu: INFO: rcu_', LINE), `[ 1.000000] ${repeatTo('INFO: task x:1 blocked for more than ', LINE)}`];
  const ordinary = repeatTo('vgem: an ordinary console line of a driver saying what it does ', LINE);
  const w: number[] = [];
  const o: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (const text of worst) w.push(costPerLine(text));
    o.push(costPerLine(ordinary));
  }
  const ratio = median(w) / median(o);
  const flood = await peakRssOfFlood(progress);
  const c = flood.run.suites[0]?.cases[0];
  const dropped = flood.run.problems.find((p) => /more problems of the same run not kept/.test(p)) ?? 'nothing said';
  return {
    title: 'Console floods: worst-case lines per line, and hilt\'s memory under 400,000 flooded lines',
    rows: [
      { label: '16 KiB worst-case line', value: `${median(w).toFixed(0)} us` },
      { label: '16 KiB ordinary line', value: `${median(o).toFixed(0)} us` },
      { label: 'worst / ordinary per line', value: ratio.toFixed(2), target: `<= ${FLOOD_RATIO_TARGET}`, pass: ratio <= FLOOD_RATIO_TARGET },
      { label: 'flood run: hilt peak RSS', value: `${flood.peakMb.toFixed(0)} MiB`, target: `< ${FLOOD_RSS_TARGET_MB} MB`, pass: flood.peakMb < FLOOD_RSS_TARGET_MB },
      { label: 'flood run: wall time', value: `${flood.seconds.toFixed(0)} s` },
    ],
    notes: [`what the report says it dropped: "${dropped}"; the case: ${c ? `${c.status} — ${c.message.slice(0, 120)}` : 'none'}`],
  };
}
