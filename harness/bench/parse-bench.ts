/** KTAP parse throughput and memory on the 100 MiB / 100,000-case log, cached in the OS temp dir between bench runs. */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type GeneratedLog, benchKtapParse, generateKtapLog } from './ktap-bench.js';
import type { Section } from './table.js';

export const PARSE_MBPS_TARGET = 50;
export const PARSE_RSS_TARGET_MB = 150;
const MIB = 1 << 20;

/** The log and what it holds; generated once and reused while its size matches. */
function cachedLog(mib: number, cases: number, progress: (m: string) => void): { path: string; log: GeneratedLog; generatedS: number | null } {
  const base = join(tmpdir(), `hilt-bench-ktap-${mib}MiB-${cases}.log`);
  const meta = `${base}.json`;
  if (existsSync(base) && existsSync(meta)) {
    try {
      const log = JSON.parse(readFileSync(meta, 'utf8')) as GeneratedLog;
      if (log.bytes === statSync(base).size && log.cases === cases) return { path: base, log, generatedS: null };
    } catch {
      // regenerate
    }
  }
  progress(`parse: generating the ${mib} MiB / ${cases} case log in ${tmpdir()} (cached for later runs)`);
  const t = performance.now();
  const tmp = `${base}.${process.pid}.tmp`;
  const log = generateKtapLog(tmp, mib * MIB, cases);
  renameSync(tmp, base);
  writeFileSync(meta, JSON.stringify(log));
  return { path: base, log, generatedS: (performance.now() - t) / 1000 };
}

export async function parseBench(progress: (m: string) => void, mib = 100, cases = 100_000): Promise<Section> {
  const { path, log, generatedS } = cachedLog(mib, cases, progress);
  progress('parse: streaming it through LineSplitter + KtapParser in a child process');
  const r = await benchKtapParse(path);
  const leafOk = r.cases === log.cases;
  return {
    title: `2. KTAP parse — ${(log.bytes / MIB).toFixed(0)} MiB, ${log.cases.toLocaleString('en')} cases in ${log.suites} nested suites, printk lines interleaved`,
    rows: [
      { label: 'throughput', value: `${r.mbPerSec.toFixed(1)} MiB/s`, target: `>= ${PARSE_MBPS_TARGET} MB/s`, pass: r.mbPerSec >= PARSE_MBPS_TARGET },
      { label: 'peak RSS (child)', value: `${r.peakRssMb.toFixed(0)} MiB`, target: `< ${PARSE_RSS_TARGET_MB} MB`, pass: r.peakRssMb < PARSE_RSS_TARGET_MB },
      { label: 'parse time', value: `${r.seconds.toFixed(2)} s` },
      { label: 'leaf cases found', value: r.cases.toLocaleString('en'), target: `= ${log.cases.toLocaleString('en')}`, pass: leafOk },
    ],
    notes: [
      `log ${path} (${generatedS === null ? 'reused from an earlier run' : `generated in ${generatedS.toFixed(1)} s`}); MiB/s and MiB, stricter than the MB targets`,
    ],
  };
}
