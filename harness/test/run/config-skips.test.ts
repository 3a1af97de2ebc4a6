import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { DEFAULT_DMESG } from '../../src/plan/defaults.js';
import type { RunPlan } from '../../src/plan/types.js';
import { ResultsFold } from '../../src/results/fold.js';
import { dmesgJudge } from '../../src/results/dmesg.js';
import { observationJudge } from '../../src/results/judge.js';
import { RunRequirements } from '../../src/plan/requirements.js';
import { kernelConfig } from '../../src/kernel/config-file.js';
import { kernelConfigSkips } from '../../src/run/config-skips.js';
import { loadProfiles } from '../../src/schemas/profiles.js';
import { SchemaRegistry } from '../../src/schemas/registry.js';
import { tempDir } from '../helpers.js';
import { JournalScript } from '../results/journal-fixture.js';

const registry = new SchemaRegistry();

function plan(named = false): RunPlan {
  const suites = [
    { name: 'sync-file', mode: 'cases', cases: ['merge', 'fence-error'], caseInfo: { 'fence-error': { config: ['CONFIG_SW_SYNC'] } } },
    { name: 'udmabuf', mode: 'cases', cases: ['create'], kernelConfig: ['CONFIG_UDMABUF', 'CONFIG_MEMFD_CREATE'] },
    { name: 'faults', mode: 'whole', cases: [] },
  ];
  const tests = [
    { index: 0, suite: 'sync-file', case: 'merge', timeoutMs: 1000 },
    { index: 1, suite: 'sync-file', case: 'fence-error', timeoutMs: 1000, ...(named ? { named: true } : {}) },
    { index: 2, suite: 'udmabuf', case: 'create', timeoutMs: 1000 },
    { index: 3, suite: 'faults', case: '-', timeoutMs: 1000 },
  ];
  return { suites, tests } as unknown as RunPlan;
}

function kernelWith(t: Parameters<typeof tempDir>[0], config: string | null) {
  let path: string | null = null;
  if (config !== null) {
    path = join(tempDir(t), 'config');
    writeFileSync(path, config);
  }
  return { spec: 'path:x', release: '6.12.0-test', image: '', modulesDir: null, config: path, configSha256: null, source: { type: 'path' as const } };
}

type Kernel = ReturnType<typeof kernelWith>;
/** The skips a run journals for a kernel, its config read as the executor reads it. */
const skipsFor = async (p: RunPlan, kernel: Kernel, requirements?: RunRequirements) => kernelConfigSkips(p, await kernelConfig(kernel), kernel.release, requirements);
/** The required options a kernel lacks; none can be known without its config. */
const optionsLacking = async (kernel: Kernel, requirements: RunRequirements) => {
  const config = await kernelConfig(kernel);
  return config ? requirements.optionsTheKernelLacks(config, kernel.release) : [];
};

t.test('a case whose option the kernel lacks is skipped with the option named; the rest run', async (t) => {
  const skips = await skipsFor(plan(), kernelWith(t, 'CONFIG_SYNC_FILE=y\n# CONFIG_SW_SYNC is not set\nCONFIG_UDMABUF=y\nCONFIG_MEMFD_CREATE=y\n'));
  t.same(skips, [{ index: 1, reason: 'skipped: needs CONFIG_SW_SYNC (not in the config of 6.12.0-test, read before boot)' }]);
});

t.test("a suite's kernelConfig holds for each of its cases; a module counts as present", async (t) => {
  const skips = await skipsFor(plan(), kernelWith(t, 'CONFIG_SW_SYNC=m\nCONFIG_UDMABUF=m\n'));
  t.same(skips, [{ index: 2, reason: 'skipped: needs CONFIG_MEMFD_CREATE (not in the config of 6.12.0-test, read before boot)' }]);
});

t.test("a suite's kernelConfig option the plan requires is an error naming it, not a skip; marked optional, it skips", async (t) => {
  const kernel = kernelWith(t, 'CONFIG_SYNC_FILE=y\n# CONFIG_SW_SYNC is not set\nCONFIG_UDMABUF=y\n');
  const suites = plan().suites.map((s) => ({ ...s, modules: [] }));
  const required = new RunRequirements(suites, []);
  t.same(await optionsLacking(kernel, required), ['CONFIG_MEMFD_CREATE (required by udmabuf): not in the configuration of 6.12.0-test']);
  t.same(await skipsFor(plan(), kernel, required), [{ index: 1, reason: 'skipped: needs CONFIG_SW_SYNC (not in the config of 6.12.0-test, read before boot)' }], 'a case-level option still skips');
  const optional = new RunRequirements(suites, ['CONFIG_MEMFD_CREATE']);
  t.same(await optionsLacking(kernel, optional), []);
  t.same((await skipsFor(plan(), kernel, optional)).map((s) => s.index), [1, 2]);
  t.same(await optionsLacking(kernelWith(t, null), required), [], 'an unknown configuration is judged by the boot, not here');
});

t.test('a kernel without a config file skips nothing: the suites decide at run time', async (t) => {
  t.same(await skipsFor(plan(), kernelWith(t, null)), []);
});

t.test('a case the plan named is refused, not skipped, naming the case, the option and the kernel', async (t) => {
  await t.rejects(skipsFor(plan(true), kernelWith(t, 'CONFIG_UDMABUF=y\nCONFIG_MEMFD_CREATE=y\n')), {
    kind: 'usage',
    message: /sync-file\/fence-error needs CONFIG_SW_SYNC, which 6\.12\.0-test lacks/,
  });
});

t.test('a skip entry in the journal settles its test as skip with the reason, before any boot', async (t) => {
  const p = { tests: plan().tests, suites: plan().suites };
  const b = new ResultsFold({ plan: p, judge: observationJudge(registry, loadProfiles(registry, [])), dmesg: dmesgJudge(DEFAULT_DMESG) });
  const j = new JournalScript();
  j.entries.push({ t: 'skip', index: 1, reason: 'needs CONFIG_SW_SYNC' });
  const settled = j.entries.flatMap((e) => b.push(e));
  t.same(settled.map((s) => `${s.case}:${s.status}`), ['fence-error:skip']);
  t.ok(b.finishedIndices().has(1));
  t.notOk(b.finishedIndices().has(0));
  const run = b.finish();
  const c = run.suites.find((s) => s.name === 'sync-file')?.cases.find((x) => x.name === 'fence-error');
  t.equal(c?.status, 'skip');
  t.equal(c?.message, 'needs CONFIG_SW_SYNC');
});

t.test('the plan marks as named only the cases a selector lists, not a whole suite', async (t) => {
  const { buildRunPlan } = await import('../../src/plan/plan.js');
  const dir = tempDir(t);
  const bin = (name: string) => {
    const p = join(dir, name);
    writeFileSync(p, '', { mode: 0o755 });
    return p;
  };
  const suite = (name: string, cases: string[]) => ({ name, description: name, modules: [], timeoutMs: 1000, default: true, binary: bin(name), mode: 'cases' as const, cases });
  const catalog = [suite('faults', ['warn', 'lkdtm-warn']), suite('sync-file', ['merge', 'fence-error'])];
  const plan = await buildRunPlan({ suites: ['faults', 'sync-file:fence-error'], out: join(dir, 'out') }, catalog, registry);
  t.same(
    plan.tests.map((x) => `${x.suite}/${x.case}${x.named ? ' named' : ''}`),
    ['faults/warn', 'faults/lkdtm-warn', 'sync-file/fence-error named'],
  );
});
