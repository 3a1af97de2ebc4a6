/**
 * `npm run bench -- --only bigrun`: a whole `hilt run` at scale. One static
 * KTAP program printing 100,000 cases (every 50th failing with diagnostics)
 * runs whole under QEMU; hilt's own peak RSS (VmHWM of its process, sampled;
 * QEMU's memory is not hilt's) and the wall time are measured, then
 * `hilt report` regenerates the reports from its results.json, and the
 * writing alone (results.json + JUnit + HTML, as a run does after its last
 * boot) is timed in a child process: the target is under 2 s.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT } from '../src/paths.js';
import type { RunResult } from '../src/results/model.js';
import type { Section } from './table.js';

export const BIGRUN_CASES = 100_000;
export const BIGRUN_RSS_TARGET_MB = 250;
export const BIGRUN_WRITE_TARGET_S = 2;

/** Runs bin/hilt with args; its exit code, seconds, and its own peak RSS in MiB. */
async function hiltMeasured(args: string[]): Promise<{ code: number | null; seconds: number; peakMb: number }> {
  const t0 = performance.now();
  const child = spawn(join(ROOT, 'bin', 'hilt'), args, { stdio: 'ignore' });
  let peakKb = 0;
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      // gone
    }
  };
  const timer = setInterval(sample, 50);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearInterval(timer);
  return { code, seconds: (performance.now() - t0) / 1000, peakMb: peakKb / 1024 };
}

export async function bigrunBench(progress: (m: string) => void): Promise<Section> {
  const dir = mkdtempSync(join(tmpdir(), 'hilt-bench-bigrun-'));
  try {
    const bin = join(dir, 'many-cases');
    execFileSync('gcc', ['-static', '-O2', '-o', bin, join(ROOT, 'harness/test/fixtures/suite-bins/many-cases.c')]);
    const out = join(dir, 'out');
    progress(`bigrun: hilt run of one KTAP program with ${BIGRUN_CASES.toLocaleString('en')} cases under TCG`);
    const run = await hiltMeasured(['run', '--accel', 'tcg', '--retries', '0', '--case-timeout', '600', '--out', out, '-q', '--suite-bin', bin]);
    if (run.code !== 1) throw new Error(`hilt run of ${BIGRUN_CASES} cases exited ${run.code}, not 1 (its 2% failures)`);
    const result = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
    const counts = result.counts;
    progress('bigrun: hilt report on its results.json');
    const report = await hiltMeasured(['report', join(out, 'results.json'), '--out', join(dir, 'again')]);
    if (report.code !== 0 && report.code !== 1) throw new Error(`hilt report exited ${report.code}`);
    progress('bigrun: writing the three reports again, timed alone');
    const child = execFileSync(process.execPath, [join(ROOT, 'dist/harness/bench/write-reports-child.js'), join(out, 'results.json'), join(dir, 'written')], { encoding: 'utf8' });
    const written = (JSON.parse(child) as { seconds: number }).seconds;
    const size = (f: string) => `${(statSync(join(out, f)).size / 2 ** 20).toFixed(1)} MiB`;
    return {
      title: `A whole run at scale: one KTAP program of ${BIGRUN_CASES.toLocaleString('en')} cases (2% failing) under QEMU`,
      rows: [
        { label: 'hilt run: wall time', value: `${run.seconds.toFixed(1)} s` },
        { label: 'hilt run: hilt peak RSS', value: `${run.peakMb.toFixed(0)} MiB`, target: `< ${BIGRUN_RSS_TARGET_MB} MB`, pass: run.peakMb < BIGRUN_RSS_TARGET_MB },
        { label: 'results.json + JUnit + HTML written', value: `${written.toFixed(2)} s`, target: `< ${BIGRUN_WRITE_TARGET_S} s`, pass: written < BIGRUN_WRITE_TARGET_S },
        { label: 'hilt report: wall time', value: `${report.seconds.toFixed(2)} s` },
        { label: 'hilt report: peak RSS', value: `${report.peakMb.toFixed(0)} MiB`, target: `< ${BIGRUN_RSS_TARGET_MB} MB`, pass: report.peakMb < BIGRUN_RSS_TARGET_MB },
      ],
      notes: [`counts: ${counts.pass} pass, ${counts.fail} fail of ${counts.total}; results.json ${size('results.json')}, junit.xml ${size('junit.xml')}, report.html ${size('report.html')}`],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
