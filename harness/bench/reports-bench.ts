/**
 * Reports for a 100,000-case run: folds a synthetic journal, judges it against
 * a baseline and writes results.json, junit.xml and report.html in a child
 * process; then opens the page in headless Chromium, as a person would.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ReportsChildResult } from './reports-child.js';
import { runJsonChild } from './child.js';
import { type Section, fmtMiB, median } from './table.js';

/** results.json + junit.xml + report.html (and judging the run), after the last boot. */
export const REPORTS_TARGET_S = 2;
/** A page this size opens in a browser in about a second on a laptop. */
export const HTML_TARGET_MIB = 4;
/** Time for headless Chromium to load and lay out the page, beyond what an empty page takes. */
export const OPEN_TARGET_S = 1.5;

const CHROMIUM = process.env.HILT_CHROMIUM ?? '/usr/bin/chromium';

function runChild(dir: string, suites: number, cases: number): Promise<ReportsChildResult> {
  return runJsonChild<ReportsChildResult>('./reports-child.js', [dir, String(suites), String(cases)]);
}

/** Seconds for headless Chromium to load a page from a file and paint its first screen (a screenshot, as a person sees it open). */
function chromiumLoad(page: string, profile: string): Promise<number> {
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--hide-scrollbars',
    '--window-size=1280,1000',
    `--user-data-dir=${profile}`,
    `--screenshot=${join(profile, 'shot.png')}`,
    pathToFileURL(page).href,
  ];
  const t = performance.now();
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, args, { maxBuffer: 1 << 30 }, (e) => (e ? reject(e) : resolve((performance.now() - t) / 1000)));
  });
}

async function openTime(page: string, dir: string): Promise<{ page: number; empty: number } | null> {
  if (!existsSync(CHROMIUM)) return null;
  const empty = join(dir, 'empty.html');
  writeFileSync(empty, '<!DOCTYPE html><html><head><meta charset="utf-8"><title>e</title></head><body></body></html>');
  const pages: number[] = [];
  const empties: number[] = [];
  for (let i = 0; i < 3; i++) {
    empties.push(await chromiumLoad(empty, join(dir, `profile-e${i}`)));
    pages.push(await chromiumLoad(page, join(dir, `profile-p${i}`)));
  }
  return { page: median(pages), empty: median(empties) };
}

/** Runs of the child: each step's best time (the run least disturbed by the rest of the machine), the worst peak RSS. */
const RUNS = 3;

function best(runs: ReportsChildResult[]): ReportsChildResult {
  const out = { ...runs[0]! };
  const keys = ['fold', 'schemaCompile', 'gate', 'resultsJson', 'junitWrite', 'htmlBuild', 'htmlWrite', 'validateOnly', 'stringifyOnly', 'generate', 'registry'] as const;
  for (const k of keys) out[k] = Math.min(...runs.map((r) => r[k]));
  out.maxRssKb = Math.max(...runs.map((r) => r.maxRssKb));
  // The total is taken per run, then the best: steps of different runs are not added up.
  return out;
}

export async function reportsBench(suites = 100, cases = 1000): Promise<Section> {
  const dir = mkdtempSync(join(tmpdir(), 'hilt-bench-reports-'));
  try {
    const runs: ReportsChildResult[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await runChild(dir, suites, cases));
    const r = best(runs);
    const totals = runs.map((x) => x.gate + x.resultsJson + x.junitWrite + x.htmlBuild + x.htmlWrite);
    const open = await openTime(join(dir, 'report.html'), dir);
    const s = (x: number) => `${x.toFixed(2)} s`;
    const total = Math.min(...totals);
    const list = (o: Record<string, number>) =>
      Object.entries(o)
        .filter(([k]) => k !== 'total')
        .map(([k, v]) => `${v} ${k}`)
        .join(', ');
    const beyond = open ? open.page - open.empty : null;
    return {
      title: `3. reports for ${r.cases.toLocaleString('en')} cases (${suites} suites × ${cases}; ${list(r.counts)})`,
      rows: [
        { label: 'fold journal (ResultsFold)', value: s(r.fold) },
        { label: 'results schema compile', value: s(r.schemaCompile) },
        { label: 'gate (applyGate, repro lines)', value: s(r.gate) },
        { label: 'results.json (validate+write)', value: s(r.resultsJson) },
        { label: '  validation alone (again)', value: s(r.validateOnly) },
        { label: '  JSON.stringify alone (again)', value: s(r.stringifyOnly) },
        { label: 'junit.xml (stream+write)', value: s(r.junitWrite) },
        { label: 'report.html build', value: s(r.htmlBuild) },
        { label: 'report.html write', value: s(r.htmlWrite) },
        { label: 'total: gate + results.json + JUnit + HTML', value: s(total), target: `< ${REPORTS_TARGET_S} s`, pass: total < REPORTS_TARGET_S },
        { label: `  each of the ${RUNS} runs`, value: totals.map((x) => x.toFixed(2)).join(' ') },
        { label: 'results.json size', value: fmtMiB(r.resultsBytes) },
        { label: 'junit.xml size', value: fmtMiB(r.junitBytes) },
        { label: 'report.html size', value: fmtMiB(r.htmlBytes), target: `<= ${HTML_TARGET_MIB} MiB`, pass: r.htmlBytes <= HTML_TARGET_MIB * 2 ** 20 },
        ...(open && beyond !== null
          ? [
              { label: 'Chromium: open report.html', value: s(open.page) },
              { label: 'Chromium: open an empty page', value: s(open.empty) },
              { label: 'Chromium: the page beyond an empty one', value: s(beyond), target: `< ${OPEN_TARGET_S} s`, pass: beyond < OPEN_TARGET_S },
            ]
          : [{ label: 'Chromium: open report.html', value: `not measured (${CHROMIUM} missing)` }]),
        { label: 'peak RSS (child)', value: `${(r.maxRssKb / 1024).toFixed(0)} MiB` },
      ],
      notes: [
        `each step: the best of ${RUNS} runs of the child (the one the rest of the machine disturbed least); the total: the best run's own total`,
        `journal: ${r.journalEntries.toLocaleString('en')} entries, generated in ${s(r.generate)} and folded through ResultsFold (observation judge, default dmesg rules); schema registry load ${s(r.registry)} (not counted)`,
        `gate: ${list(r.gateCounts)}; every case that did not pass carries its reproduction line`,
        'the total counts what `hilt run` spends after the last boot: judging the run, validating and writing results.json, streaming junit.xml, building and writing report.html; the results schema is compiled while the kernel boots (executor: compileAll), so its compile is shown apart',
        'Chromium: headless, the page from a file to a screenshot of its first screen (parse, layout, paint), median of 3 against an empty page (the browser’s own start-up)',
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
