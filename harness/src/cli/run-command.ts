/** `hilt run`: plan, execute, report, exit code. */
import { EXIT_CONFORMANCE, EXIT_INFRA, EXIT_OK, formatError, usageError } from '../errors.js';
import { cacheDir } from '../paths.js';
import { needsIgtListing } from '../plan/igt.js';
import { buildRunPlan, machineOf, type RunOptions } from '../plan/plan.js';
import type { RunPlan } from '../plan/types.js';
import { executeRun } from '../run/executor.js';
import { planIgtTests } from '../run/igt-listing.js';
import { type InterruptedRun, readInterruptedRun } from '../run/resume.js';
import { schemas } from '../schemas/registry.js';
import { loadCatalog } from '../suites/catalog.js';
import { stderrLog } from '../util/log.js';
import { checkOutDir } from '../util/out-dir.js';
import { conformanceFailed, countsLine, writeReports } from './reports.js';

export interface RunCommandOptions extends RunOptions {
  resume?: string;
  verbose?: boolean;
  quiet?: boolean;
}

export async function runCommand(opts: RunCommandOptions, signal: AbortSignal): Promise<number> {
  const log = stderrLog({ quiet: opts.quiet ?? false });
  const registry = schemas();
  let plan: RunPlan;
  let resumed: InterruptedRun | undefined;
  if (opts.resume) {
    const conflicting = (['plan', 'kernel', 'suites', 'suiteBins', 'out', 'igt'] as const).filter((k) => opts[k] !== undefined && !(Array.isArray(opts[k]) && !(opts[k] as unknown[]).length));
    if (conflicting.length) throw usageError(`--resume takes the plan from the interrupted run; drop --${conflicting.join(', --')}`);
    const catalog = loadCatalog(registry);
    // The machine this command line names (the default, or --machine FILE) is all a resume may start.
    resumed = readInterruptedRun(opts.resume, { registry, catalog, machine: await machineOf(opts.machine, registry, opts.lab ? { lab: opts.lab } : {}) });
    plan = resumed.plan;
  } else {
    plan = await buildRunPlan(opts, loadCatalog(registry), registry);
    checkOutDir(plan.out);
    // IGT's subtests are listed in the guest, so that the journal opens with one test per subtest.
    if (needsIgtListing(plan)) plan = await planIgtTests(plan, { cacheDir: cacheDir(), log, signal });
  }
  log.info(`${opts.resume ? 'resuming' : 'running'} ${plan.tests.length} tests from ${plan.suites.map((s) => s.name).join(', ')} on ${plan.machine.type === 'ssh' || plan.machine.type === 'local' ? `${plan.machine.name} (${plan.machine.type}: its running kernel)` : plan.kernel}`);
  const { result, error } = await executeRun({
    plan,
    registry,
    cacheDir: cacheDir(),
    log,
    signal,
    ...(resumed ? { resume: resumed } : {}),
    verbose: opts.verbose ?? false,
    onSettled: (t, done, total) => {
      // IGT's tests go by IGT's own names: igt@program@subtest.
      const line = `[${done}/${total}] ${t.suite}${t.case === '-' ? '' : `${t.suite.startsWith('igt@') ? '@' : '/'}${t.case}`}: ${t.summary ?? t.status}`;
      if (t.status === 'pass' || t.status === 'skip') log.progress(line);
      else log.info(`${line} — ${t.message}`);
    },
  });
  const files = await writeReports(plan.out, result, registry);
  log.info(`${countsLine(result)}; reports: ${files.join(', ')}`);
  if (error) {
    process.stderr.write(formatError(error) + '\n');
    // --abort-on stops a run for what the kernel did: that is a conformance verdict, not a broken machine.
    return error.kind === 'conformance' ? EXIT_CONFORMANCE : EXIT_INFRA;
  }
  if (result.status !== 'complete') {
    log.info(`the run is ${result.status}; continue it with: hilt run --resume ${plan.out}`);
    return EXIT_INFRA;
  }
  return conformanceFailed(result) ? EXIT_CONFORMANCE : EXIT_OK;
}
