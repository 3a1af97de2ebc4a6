/** The agent's fixed buffers (suites/agent/limits.h) and what the host checks before boot are the same numbers. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { AGENT_LIMITS } from '../../src/agent-protocol/limits.js';
import { buildRunPlan } from '../../src/plan/plan.js';
import { SchemaRegistry } from '../../src/schemas/registry.js';
import type { SuiteInfo } from '../../src/suites/catalog.js';
import { ROOT, tempDir } from '../helpers.js';

const HEADER: Record<string, keyof typeof AGENT_LIMITS> = {
  MAX_TESTS: 'maxTests',
  MAX_SUITES: 'maxSuites',
  MAX_MODULES: 'maxModules',
  MAX_SUITE_NAME: 'maxSuiteName',
  MAX_CASE_NAME: 'maxCaseName',
  MAX_PATH: 'maxPath',
  MAX_PLAN_BYTES: 'maxPlanBytes',
};

t.test('limits.h and limits.ts agree', async (t) => {
  const text = readFileSync(join(ROOT, 'suites/agent/limits.h'), 'utf8');
  const defines = new Map([...text.matchAll(/^#define (MAX_\w+) (.+)$/gm)].map((m) => [m[1]!, Number(Function(`return ${m[2]}`)())]));
  t.same([...defines.keys()].sort(), Object.keys(HEADER).sort(), 'every limit of the agent is known to the host');
  for (const [name, key] of Object.entries(HEADER)) t.equal(defines.get(name), AGENT_LIMITS[key], name);
});

t.test('a --suite-bin name the agent cannot hold is refused before boot, naming the limit', async (t) => {
  const dir = tempDir(t);
  const registry = new SchemaRegistry();
  const bin = join(dir, 'prog.sh');
  (await import('node:fs')).writeFileSync(bin, '#!/bin/sh\necho "KTAP version 1"\necho 1..0\n', { mode: 0o755 });
  const catalog: SuiteInfo[] = [];
  const long = 'x'.repeat(AGENT_LIMITS.maxSuiteName + 1);
  await t.rejects(buildRunPlan({ suiteBins: [`${long}=${bin}`] }, catalog, registry), { message: new RegExp(`is ${AGENT_LIMITS.maxSuiteName + 1} bytes; the agent holds at most ${AGENT_LIMITS.maxSuiteName}`) });
  const ok = await buildRunPlan({ suiteBins: [`${'y'.repeat(AGENT_LIMITS.maxSuiteName)}=${bin}`] }, catalog, registry);
  t.equal(ok.suites[0]!.name.length, AGENT_LIMITS.maxSuiteName, 'the longest name that fits is taken');
  const named = await buildRunPlan({ suiteBins: [`kselftest-udmabuf=${bin}`, `${bin}`] }, catalog, registry);
  t.same(named.suites.map((s) => s.name), ['kselftest-udmabuf', 'prog.sh'], 'NAME=PATH names a program; without it the file name does');
  await t.rejects(buildRunPlan({ suiteBins: [bin, bin] }, catalog, registry), { message: /would be named prog\.sh, like another suite of this run/ });
});
