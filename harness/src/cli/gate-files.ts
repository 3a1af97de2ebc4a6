/**
 * The files the gate commands read: baselines (YAML or JSON, checked against
 * schemas/baseline.schema.json), results.json files or the report folders
 * that hold them (checked against schemas/results.schema.json), Mesa lists.
 * Everything is checked here, at the door; gate/ gets plain data.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { usageError } from '../errors.js';
import { BASELINE_SCHEMA, type Baseline, type BaselineDocument, baselineFromDocument, baselineFromProfiles, combineBaselines } from '../gate/baseline.js';
import { RESULTS_FILE } from '../report/results-json.js';
import type { RunResult } from '../results/model.js';
import { loadProfiles } from '../schemas/profiles.js';
import type { SchemaRegistry } from '../schemas/registry.js';
import { MiB, readInputText } from '../util/input-file.js';
import { jsonDepth } from '../util/json-depth.js';

const BASELINE_MAX = 64 * MiB;
const RESULTS_MAX = 512 * MiB;
const MAX_DEPTH = 128;

/** A baseline file as its checked document. */
export async function readBaselineDocument(path: string, registry: SchemaRegistry): Promise<BaselineDocument> {
  const text = readInputText(path, 'baseline', BASELINE_MAX);
  if (jsonDepth(text, MAX_DEPTH) > MAX_DEPTH) throw usageError(`baseline ${path} nests deeper than ${MAX_DEPTH} levels; no baseline does`);
  const { parse } = await import('yaml');
  let data: unknown;
  try {
    data = parse(text, { prettyErrors: true, maxAliasCount: 100 }) ?? {};
  } catch (e) {
    throw usageError(`baseline ${path} is not valid YAML/JSON: ${(e as Error).message}`);
  }
  registry.check(BASELINE_SCHEMA, data, path);
  return data as BaselineDocument;
}

/** The expectations a run is judged by: its profiles' known issues and the baseline files given. */
export async function loadBaseline(files: string[], profiles: string[], registry: SchemaRegistry): Promise<Baseline> {
  const fromFiles: Baseline[] = [];
  for (const f of files) fromFiles.push(baselineFromDocument(await readBaselineDocument(f, registry), f));
  // The profiles in effect: automatic ones, and those the plan names (as the fold applies their rules).
  const inEffect = loadProfiles(registry, profiles).filter((p) => p.named || p.doc.automatic !== false);
  return combineBaselines([baselineFromProfiles(inEffect), ...fromFiles]);
}

/** A results.json, or a report folder holding one. */
export function resultsPath(path: string): string {
  try {
    if (statSync(path).isDirectory()) return join(path, RESULTS_FILE);
  } catch {
    // readInputText says what is wrong with it
  }
  return path;
}

/** A results file checked against its schema; what: how the command line calls it ("OLD", "--compare"). */
export function readResults(path: string, registry: SchemaRegistry, what = 'results'): { run: RunResult; path: string } {
  const file = resultsPath(path);
  const text = readInputText(file, what, RESULTS_MAX);
  if (jsonDepth(text, MAX_DEPTH) > MAX_DEPTH) throw usageError(`${file} nests deeper than ${MAX_DEPTH} levels; no results.json hilt writes does`, 'It is damaged or crafted; regenerate it from its run.');
  let run: RunResult;
  try {
    run = JSON.parse(text) as RunResult;
  } catch (e) {
    throw usageError(`${file}: not JSON: ${(e as Error).message}`);
  }
  registry.check('results.schema.json', run, file);
  return { run, path: file };
}
