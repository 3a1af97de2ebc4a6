/**
 * Golden runs: journals captured from real QEMU runs (harness/test/fixtures/runs/<scenario>/journal.jsonl)
 * beside the verdicts they must fold into (expected.json), as IGT's runner keeps
 * one folder per scenario. HILT_UPDATE_GOLDEN=1 rewrites expected.json; review the diff.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { RunPlan } from '../../src/plan/types.js';
import type { RunResult } from '../../src/results/model.js';
import { createFold } from '../../src/results/fold.js';
import { parseJournal } from '../../src/journal/index.js';
import { SchemaRegistry } from '../../src/schemas/registry.js';
import { ROOT } from '../helpers.js';

const DIR = join(ROOT, 'harness/test/fixtures/runs');
const registry = new SchemaRegistry();

/** What a scenario pins: every verdict and why, the boots, the problems; not timings or ids. */
function summary(run: RunResult) {
  return {
    status: run.status,
    counts: run.counts,
    boots: run.boots.map((b) => `${b.boot}: from test ${b.start + 1}, ${b.reason}`),
    cases: run.suites.flatMap((s) => s.cases.map((c) => `${s.name}/${c.name}: ${c.status}${c.message ? ` — ${c.message}` : ''}`)),
    problems: run.problems,
  };
}

for (const scenario of readdirSync(DIR)) {
  t.test(scenario, async (t) => {
    const { entries, problems } = parseJournal(readFileSync(join(DIR, scenario, 'journal.jsonl'), 'utf8'));
    t.same(problems, [], 'the journal reads cleanly');
    const first = entries[0];
    if (first?.t !== 'run') throw new Error('a journal starts with its run entry');
    const builder = createFold(first.plan as RunPlan, registry);
    for (const e of entries) builder.push(e);
    const run = builder.finish();
    t.same(registry.validate('results.schema.json', run), [], 'results.json schema');
    const expectedFile = join(DIR, scenario, 'expected.json');
    if (process.env.HILT_UPDATE_GOLDEN) writeFileSync(expectedFile, JSON.stringify(summary(run), null, 2) + '\n');
    t.same(summary(run), JSON.parse(readFileSync(expectedFile, 'utf8')));
  });
}
