/** results.json: checked against schemas/results.schema.json before it is written, written atomically. */
import { join } from 'node:path';
import { infraError } from '../errors.js';
import type { RunResult } from '../results/model.js';
import type { SchemaRegistry } from '../schemas/registry.js';
import { writeFileAtomic } from './atomic.js';

export const RESULTS_FILE = 'results.json';

/**
 * Past this many cases results.json is written without indentation, a suite
 * at a time: a person reads a small one in an editor, a big one through jq,
 * and at 100,000 cases indenting costs a third more bytes and twice the time.
 */
export const COMPACT_FROM = 5000;

export function checkResults(run: RunResult, registry: SchemaRegistry): void {
  const errors = registry.validate('results.schema.json', run);
  if (errors.length) {
    throw infraError(`hilt produced a results document that breaks its own schema (a hilt bug): ${errors.slice(0, 5).map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`);
  }
}

function* arrayChunks<T>(list: readonly T[], each: (item: T) => Iterable<string>): Generator<string> {
  yield '[';
  for (let i = 0; i < list.length; i++) {
    if (i) yield ',';
    yield* each(list[i]!);
  }
  yield ']';
}

/** An object as JSON.stringify writes it, the keys named in split written piece by piece. */
function* objectChunks(obj: object, split: Record<string, (value: never) => Iterable<string>> = {}): Generator<string> {
  let first = true;
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined) continue;
    yield `${first ? '{' : ','}${JSON.stringify(key)}:`;
    first = false;
    const f = split[key];
    if (f) yield* f(value as never);
    else yield JSON.stringify(value);
  }
  yield first ? '{}' : '}';
}

/** JSON.stringify(run), compact, case by case: the document is never one string of a hundred megabytes. */
export function* compactJsonChunks(run: RunResult): Generator<string> {
  const one = (v: unknown) => [JSON.stringify(v)];
  yield* objectChunks(run, { suites: (suites: RunResult['suites']) => arrayChunks(suites, (suite) => objectChunks(suite, { cases: (cases: RunResult['suites'][number]['cases']) => arrayChunks(cases, one) })) });
  yield '\n';
}

export function resultsJsonChunks(run: RunResult): Iterable<string> {
  return run.counts.total > COMPACT_FROM ? compactJsonChunks(run) : [JSON.stringify(run, null, 1) + '\n'];
}

export function writeResultsJson(dir: string, run: RunResult, registry: SchemaRegistry): string {
  checkResults(run, registry);
  const path = join(dir, RESULTS_FILE);
  writeFileAtomic(path, resultsJsonChunks(run));
  return path;
}
