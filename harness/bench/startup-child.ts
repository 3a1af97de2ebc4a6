/**
 * What `hilt run` spends before its first boot and after its last, step by
 * step, in a fresh process: Node's own start-up, loading the heavier
 * packages, then hilt's module graph, schema registry, catalog and plan, the
 * observation judge, and the results schema compiled when reports are written.
 * The packages are imported first, one by one, so that each is charged its own
 * cost; hilt's modules then find them loaded. Prints one JSON object of ms.
 *
 *   node dist/harness/bench/startup-child.js
 */
import { performance } from 'node:perf_hooks';

const steps: [string, number][] = [['node start-up to the first line of JS', performance.now()]];
const step = async (label: string, f: () => unknown) => {
  const t = performance.now();
  await f();
  steps.push([label, performance.now() - t]);
};

await step('import execa (kernel + image code)', () => import('execa'));
await step('import the report writers', () => import('../src/cli/reports.js'));
await step('import ajv + ajv-formats', async () => {
  await import('ajv/dist/2020.js');
  await import('ajv-formats');
});
await step('import commander + yaml', async () => {
  await import('commander');
  await import('yaml');
});
await step("import hilt's own run modules", () => import('../src/cli/run-command.js'));
const { schemas } = await import('../src/schemas/registry.js');
const { loadCatalog } = await import('../src/suites/catalog.js');
const { buildRunPlan } = await import('../src/plan/plan.js');
const { createFold } = await import('../src/results/fold.js');
let registry!: ReturnType<typeof schemas>;
await step('schema registry (every schema added)', () => (registry = schemas()));
let catalog!: ReturnType<typeof loadCatalog>;
await step('suite catalog (suite.json checked)', () => (catalog = loadCatalog(registry)));
let plan!: Awaited<ReturnType<typeof buildRunPlan>>;
await step('run plan', async () => (plan = await buildRunPlan({ accel: 'tcg', out: '/nonexistent' }, catalog, registry)));
await step('profiles + result builder', () => createFold(plan, registry));
await step('results schema compile (at report time)', () => registry.validator('results.schema.json'));

process.stdout.write(JSON.stringify(steps) + '\n');
