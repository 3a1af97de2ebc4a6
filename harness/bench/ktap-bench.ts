/**
 * KTAP parser throughput and memory on a large synthetic console log.
 *
 *   node dist/harness/bench/ktap-bench.js [MiB=100] [cases=100000]
 *
 * MB here means MiB (2^20 bytes), for both throughput and RSS.
 */
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ParseChildResult } from './ktap-parse-child.js';
import { runJsonChild } from './child.js';

const MIB = 1 << 20;
const CASES_PER_SUITE = 100;

export interface GeneratedLog {
  bytes: number;
  suites: number;
  cases: number;
  /** The leaf statuses the parser must find. */
  counts: { pass: number; fail: number; skip: number };
}

export interface KtapBenchResult {
  bytes: number;
  seconds: number;
  mbPerSec: number;
  cases: number;
  peakRssMb: number;
}

const NOISE = [
  'virtio_gpu virtio0: [drm] fence wait timed out, retrying',
  'vgem: vgem_gem_create: size 4096 handle 3',
  'dma_buf: exporter udmabuf attached to importer virtio_gpu',
  'audit: type=1400 audit(1700000000.123:42): apparmor="STATUS" operation="profile_load"',
  'systemd-journald[123]: Received client request to flush runtime journal.',
  'drm:drm_atomic_helper_wait_for_flip_done [drm_kms_helper] *ERROR* [CRTC:35:crtc-0] flip_done timed out',
];

/**
 * Writes a KUnit-shaped log of `cases` cases in suites of 100, each case with
 * two diagnostics, padded to about `targetBytes` with printk lines interleaved
 * between the KTAP lines. Every 10th case fails, every 17th is skipped.
 */
export function generateKtapLog(path: string, targetBytes: number, cases: number): GeneratedLog {
  const suites = Math.ceil(cases / CASES_PER_SUITE);
  const fd = openSync(path, 'w');
  let bytes = 0;
  let batch: string[] = [];
  let batchLen = 0;
  const emit = (line: string) => {
    batch.push(line);
    batchLen += line.length + 1; // all ASCII
    if (batchLen >= MIB) flush();
  };
  const flush = () => {
    if (batch.length === 0) return;
    const buf = Buffer.from(batch.join('\n') + '\n', 'latin1');
    writeSync(fd, buf);
    bytes += buf.length;
    batch = [];
    batchLen = 0;
  };
  let seed = 12345;
  let clock = 1;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    clock += (seed % 1000) / 1e4;
    emit(`[${clock.toFixed(6).padStart(12)}] ${NOISE[seed % NOISE.length]}`);
  };
  const counts = { pass: 0, fail: 0, skip: 0 };
  let done = 0;
  try {
    emit('KTAP version 1');
    emit(`1..${suites}`);
    for (let s = 1; s <= suites; s++) {
      const suite = `suite_${String(s).padStart(4, '0')}`;
      const inSuite = Math.min(CASES_PER_SUITE, cases - done);
      emit('    KTAP version 1');
      emit(`    # Subtest: ${suite}`);
      emit(`    # module: ${suite}`);
      emit(`    1..${inSuite}`);
      let suiteFailed = false;
      for (let c = 1; c <= inSuite; c++) {
        const n = done + c;
        const name = `${suite}_case_${String(c).padStart(3, '0')}`;
        emit(`    # ${name}: initializing`);
        emit(`    # ${name}: checking ioctl DRM_IOCTL_MODE_CREATE_DUMB returns a handle`);
        while (batchLen + bytes < (targetBytes * n) / cases - 40) noise();
        if (n % 10 === 0) {
          emit(`    not ok ${c} ${name}`);
          counts.fail++;
          suiteFailed = true;
        } else if (n % 17 === 0) {
          emit(`    ok ${c} ${name} # SKIP not supported on this device`);
          counts.skip++;
        } else {
          emit(`    ok ${c} ${name}`);
          counts.pass++;
        }
      }
      done += inSuite;
      emit(`# ${suite}: total:${inSuite}`);
      emit(`${suiteFailed ? 'not ok' : 'ok'} ${s} ${suite}`);
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return { bytes, suites, cases: done, counts };
}

/** Streams the log through LineSplitter and a non-retaining KtapParser in a child process of its own. */
export async function benchKtapParse(path: string): Promise<KtapBenchResult> {
  const r = await runJsonChild<ParseChildResult>('./ktap-parse-child.js', [path]);
  return {
    bytes: r.bytes,
    seconds: r.seconds,
    mbPerSec: r.bytes / MIB / r.seconds,
    cases: r.counts.total,
    peakRssMb: r.maxRssKb / 1024,
  };
}

async function main(): Promise<void> {
  const mib = Number(process.argv[2] ?? 100);
  const cases = Number(process.argv[3] ?? 100_000);
  const path = join(tmpdir(), `hilt-ktap-bench-${process.pid}.log`);
  try {
    const log = generateKtapLog(path, mib * MIB, cases);
    const result = await benchKtapParse(path);
    process.stdout.write(JSON.stringify({ generated: log, ...result }) + '\n');
  } finally {
    rmSync(path, { force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
