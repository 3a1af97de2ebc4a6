/** `hilt report FILE.json`: regenerates the JUnit and HTML reports from a results.json, maybe someone else's. */
import { dirname, resolve } from 'node:path';
import { usageError } from '../errors.js';
import { type RunResult, STATUSES, emptyCounts } from '../results/model.js';
import { schemas } from '../schemas/registry.js';
import { MiB, readInputText } from '../util/input-file.js';
import { jsonDepth } from '../util/json-depth.js';
import { checkOutDir } from '../util/out-dir.js';
import { conformanceFailed, countsLine, writeReports } from './reports.js';

/** results.json nests suite, case, subtests (one level per KTAP level), observation data: far less than this. */
const MAX_DEPTH = 128;
const MAX_BYTES = 512 * MiB;

export async function reportCommand(file: string, opts: { out?: string }, err: NodeJS.WritableStream): Promise<number> {
  const text = readInputText(file, 'results', MAX_BYTES);
  const depth = jsonDepth(text, MAX_DEPTH);
  if (depth > MAX_DEPTH) throw usageError(`${file} nests deeper than ${MAX_DEPTH} levels; no results.json hilt writes does`, 'It is damaged or crafted; regenerate it from its run.');
  let run: RunResult;
  try {
    run = JSON.parse(text) as RunResult;
  } catch (e) {
    throw usageError(`${file}: not JSON: ${(e as Error).message}`);
  }
  const registry = schemas();
  registry.check('results.schema.json', run, file);
  // The verdict is the cases', whatever the stored counts say.
  const counts = emptyCounts();
  for (const suite of run.suites) for (const c of suite.cases) (counts[c.status]++, counts.total++);
  const stale = STATUSES.filter((s) => counts[s] !== run.counts[s]);
  if (stale.length || counts.total !== run.counts.total) {
    err.write(`hilt: warning: ${file}: its counts disagree with its cases (${stale.map((s) => `${s} ${run.counts[s]} stored, ${counts[s]} counted`).join('; ') || 'total'}); the cases decide\n`);
    run = { ...run, counts };
  }
  const out = checkOutDir(resolve(opts.out ?? dirname(file)), opts.out ? '--out' : 'the folder of');
  const files = await writeReports(out, run, registry, { resultsJson: false });
  err.write(`hilt: ${countsLine(run)}; reports: ${files.join(', ')}\n`);
  return run.status !== 'complete' ? 2 : conformanceFailed(run) ? 1 : 0;
}
