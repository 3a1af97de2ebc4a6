/** Reports for a 100,000-case run: folds a synthetic journal and writes results.json and junit.xml in a child process. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReportsChildResult } from './reports-child.js';
import { runJsonChild } from './child.js';
import { type Section, fmtMiB } from './table.js';

export const REPORTS_TARGET_S = 5;

function runChild(dir: string, suites: number, cases: number): Promise<ReportsChildResult> {
  return runJsonChild<ReportsChildResult>('./reports-child.js', [dir, String(suites), String(cases)]);
}

export async function reportsBench(suites = 100, cases = 1000): Promise<Section> {
  const dir = mkdtempSync(join(tmpdir(), 'hilt-bench-reports-'));
  try {
    const r = await runChild(dir, suites, cases);
    const s = (x: number) => `${x.toFixed(2)} s`;
    const junit = r.junitBuild + r.junitWrite;
    const total = r.schemaCompile + r.resultsJson + junit;
    const counts = Object.entries(r.counts)
      .filter(([k]) => k !== 'total')
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
    return {
      title: `3. reports for ${r.cases.toLocaleString('en')} cases (${suites} suites × ${cases}; ${counts})`,
      rows: [
        { label: 'fold journal (ResultsFold)', value: s(r.fold) },
        { label: 'results schema compile', value: s(r.schemaCompile) },
        { label: 'results.json (validate+write)', value: s(r.resultsJson) },
        { label: '  validation alone (again)', value: s(r.validateOnly) },
        { label: '  JSON.stringify alone (again)', value: s(r.stringifyOnly) },
        { label: 'junit build (buildJunit)', value: s(r.junitBuild) },
        { label: 'junit write', value: s(r.junitWrite) },
        { label: 'total: results.json + JUnit', value: s(total), target: `< ${REPORTS_TARGET_S} s`, pass: total < REPORTS_TARGET_S },
        { label: 'results.json size', value: fmtMiB(r.resultsBytes) },
        { label: 'junit.xml size', value: fmtMiB(r.junitBytes) },
        { label: 'peak RSS (child)', value: `${(r.maxRssKb / 1024).toFixed(0)} MiB` },
      ],
      notes: [
        `journal: ${r.journalEntries.toLocaleString('en')} entries, generated in ${s(r.generate)} and folded through ResultsFold (createBuilder: observation judge, default dmesg rules); schema registry load ${s(r.registry)} (not counted)`,
        'the total counts what `hilt run` spends writing reports after the last boot: compiling the results schema, validating and writing results.json, building and writing junit.xml',
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
