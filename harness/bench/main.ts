/**
 * `npm run bench`: hilt's speed targets, each measured side by side with what
 * it is judged against in one process run, never in timed tests.
 *
 *   node dist/harness/bench/main.js [--runs N] [--boots N] [--only run|jobs|parse|reports|flood|bigrun|vaccel|tree|tcg[,...]]
 *
 *   1. run      `./bin/hilt run --accel tcg -q` against the floor: the same QEMU command
 *               line booting an initramfs whose /init is a busybox script running the
 *               same suite programs; alternating runs, median and min, ratio <= 1.15
 *   1b. jobs    the default plan with --jobs 2 against --jobs 1: speedup >= 1.5
 *   2. parse    KTAP parser on a 100 MiB / 100,000-case log: >= 50 MB/s, < 150 MB RSS
 *   3. reports  results.json + junit.xml + report.html for 100,000 cases: < 2 s, a page <= 4 MiB that
 *               headless Chromium opens within 1.5 s of an empty page
 *   4. flood    worst-case console lines per line against ordinary ones (<= 3x), and
 *               hilt's peak RSS under 200,000 corrupt frames + 200,000 warnings (< 250 MB)
 *   4b. bigrun  a whole hilt run of one KTAP program with 100,000 cases (2% failing) under QEMU:
 *               hilt's peak RSS < 250 MB; then hilt report on its results
 *   5. vaccel   the vaccel module built cold into a fresh cache, then found cached as a run
 *               finds it (make off the PATH: no rebuild), < 500 ms
 *   6. tree     (only when asked, with HILT_BENCH_KERNEL_TREE) a tree: kernel's cold build,
 *               a run that finds it built, a warm rebuild after touching one .c file
 *   7. tcg      (only when asked: hundreds of boots) guest oopses under single- and
 *               multi-threaded TCG, --boots N of each (default 200)
 *
 * Exit status: 0 every measured target met, 1 a target missed, 2 the bench itself failed.
 */
import { parseBench } from './parse-bench.js';
import { reportsBench } from './reports-bench.js';
import { runBench } from './run-bench.js';
import { bigrunBench } from './bigrun-bench.js';
import { floodBench } from './flood-bench.js';
import { jobsBench } from './jobs-bench.js';
import { tcgBench } from './tcg-bench.js';
import { treeBench } from './tree-bench.js';
import { vaccelBench } from './vaccel-bench.js';
import { type Section, renderTable } from './table.js';

const PARTS = ['run', 'jobs', 'parse', 'reports', 'flood', 'bigrun', 'vaccel', 'tree', 'tcg'] as const;
type Part = (typeof PARTS)[number];
/** Parts that take long enough to run only when named. */
const ON_REQUEST: readonly Part[] = ['tree', 'tcg'];

function usage(message?: string): never {
  if (message) process.stderr.write(`bench: ${message}\n`);
  process.stderr.write('usage: npm run bench -- [--runs N] [--boots N] [--only run|jobs|parse|reports|flood|bigrun|vaccel|tree|tcg[,...]]\n');
  process.exit(2);
}

function parseArgs(argv: string[]): { runs: number; boots: number; parts: Part[] } {
  let runs = 5;
  let boots = 200;
  const parts = new Set<Part>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i] ?? usage(`${flag} needs a value`);
    if (flag === '--runs') {
      runs = Number(value());
      if (!Number.isInteger(runs) || runs < 1) usage('--runs takes a whole number >= 1');
    } else if (flag === '--boots') {
      boots = Number(value());
      if (!Number.isInteger(boots) || boots < 1) usage('--boots takes a whole number >= 1');
    } else if (flag === '--only') {
      for (const p of value().split(',')) {
        if (!(PARTS as readonly string[]).includes(p)) usage(`--only ${p}: use ${PARTS.join(', ')}`);
        parts.add(p as Part);
      }
    } else if (flag === '-h' || flag === '--help') {
      usage();
    } else {
      usage(`unknown argument ${a}`);
    }
  }
  return { runs, boots, parts: parts.size ? PARTS.filter((p) => parts.has(p)) : PARTS.filter((p) => !ON_REQUEST.includes(p)) };
}

async function main(): Promise<number> {
  const { runs, boots, parts } = parseArgs(process.argv.slice(2));
  const progress = (m: string) => process.stderr.write(`bench: ${m}\n`);
  const started = Date.now();
  const sections: Section[] = [];
  const failures: string[] = [];
  for (const part of parts) {
    try {
      if (part === 'run') sections.push(...(await runBench({ runs, progress })));
      if (part === 'parse') sections.push(await parseBench(progress));
      if (part === 'reports') {
        progress('reports: folding a 100,000-case journal, judging it and writing results.json, junit.xml and report.html in a child process; opening the page in headless Chromium');
        sections.push(await reportsBench());
      }
      if (part === 'jobs') sections.push(await jobsBench({ runs, progress }));
      if (part === 'flood') sections.push(await floodBench(progress));
      if (part === 'bigrun') sections.push(await bigrunBench(progress));
      if (part === 'vaccel') sections.push(await vaccelBench(progress));
      if (part === 'tree') sections.push(await treeBench({ progress }));
      if (part === 'tcg') sections.push(await tcgBench({ boots, progress }));
    } catch (e) {
      failures.push(`${part}: ${(e as Error).message}`);
      progress(`${part} failed: ${(e as Error).stack ?? e}`);
    }
  }
  process.stdout.write(renderTable(sections));
  const rows = sections.flatMap((s) => s.rows).filter((r) => r.pass !== undefined);
  const missed = rows.filter((r) => r.pass === false);
  process.stdout.write(
    `\n${rows.length - missed.length}/${rows.length} targets met${missed.length ? ` (missed: ${missed.map((r) => r.label.trim()).join('; ')})` : ''}; bench took ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
  );
  if (failures.length) {
    process.stdout.write(`\nbench parts that failed:\n  ${failures.join('\n  ')}\n`);
    return 2;
  }
  return missed.length ? 1 : 0;
}

process.exitCode = await main();
