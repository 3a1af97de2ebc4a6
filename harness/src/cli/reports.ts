/** Writes every report of a run into a folder; the one place that knows the set of formats. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../report/atomic.js';
import { buildHtml } from '../report/html.js';
import { junitChunks } from '../report/junit.js';
import { writeResultsJson } from '../report/results-json.js';
import type { RunResult } from '../results/model.js';
import { STATUSES } from '../results/model.js';
import { gateBlocks } from '../gate/classify.js';
import type { SchemaRegistry } from '../schemas/registry.js';

export const JUNIT_FILE = 'junit.xml';
export const HTML_FILE = 'report.html';

/** Writes results.json (unless told not to: `hilt report` leaves its input alone), junit.xml and report.html. */
export async function writeReports(dir: string, run: RunResult, registry: SchemaRegistry, o: { resultsJson?: boolean } = {}): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const results = o.resultsJson === false ? [] : [writeResultsJson(dir, run, registry)];
  const junit = join(dir, JUNIT_FILE);
  writeFileAtomic(junit, junitChunks(run));
  const html = join(dir, HTML_FILE);
  writeFileAtomic(html, buildHtml(run));
  return [...results, junit, html];
}

/** "12 pass, 1 fail, 3 skip" with only the statuses that occurred. */
export function countsLine(run: RunResult): string {
  const parts = STATUSES.filter((s) => run.counts[s] > 0).map((s) => `${run.counts[s]} ${s}`);
  return parts.length ? parts.join(', ') : 'no cases';
}

/** Whether the run fails: a case the gate says blocks (without gate data, any case that did not pass or skip). */
export function conformanceFailed(run: RunResult): boolean {
  return gateBlocks(run);
}
