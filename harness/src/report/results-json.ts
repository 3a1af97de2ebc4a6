/** results.json: checked against schemas/results.schema.json before it is written, written atomically. */
import { join } from 'node:path';
import { infraError } from '../errors.js';
import type { RunResult } from '../results/model.js';
import type { SchemaRegistry } from '../schemas/registry.js';
import { writeFileAtomic } from './atomic.js';

export const RESULTS_FILE = 'results.json';

export function checkResults(run: RunResult, registry: SchemaRegistry): void {
  const errors = registry.validate('results.schema.json', run);
  if (errors.length) {
    throw infraError(`hilt produced a results document that breaks its own schema (a hilt bug): ${errors.slice(0, 5).map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`);
  }
}

export function writeResultsJson(dir: string, run: RunResult, registry: SchemaRegistry): string {
  checkResults(run, registry);
  const path = join(dir, RESULTS_FILE);
  writeFileAtomic(path, JSON.stringify(run, null, 1) + '\n');
  return path;
}
