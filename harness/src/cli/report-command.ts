/** `hilt report FILE.json`: regenerates every other report from a results.json. */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { usageError } from '../errors.js';
import type { RunResult } from '../results/model.js';
import { schemas } from '../schemas/registry.js';
import { conformanceFailed, countsLine, writeReports } from './reports.js';

export async function reportCommand(file: string, opts: { out?: string }, err: NodeJS.WritableStream): Promise<number> {
  let run: RunResult;
  try {
    run = JSON.parse(readFileSync(file, 'utf8')) as RunResult;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw usageError(`${file}: ${code === 'ENOENT' ? 'no such file' : code ? (e as Error).message : `not JSON: ${(e as Error).message}`}`);
  }
  const registry = schemas();
  registry.check('results.schema.json', run, file);
  const out = resolve(opts.out ?? dirname(file));
  const files = await writeReports(out, run, registry);
  err.write(`hilt: ${countsLine(run)}; reports: ${files.join(', ')}\n`);
  return run.status !== 'complete' ? 2 : conformanceFailed(run) ? 1 : 0;
}
