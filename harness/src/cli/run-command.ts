/** `hilt run`: plan, execute, judge against the baseline, report, exit code. */
import { join } from 'node:path';
import { EXIT_CONFORMANCE, EXIT_INFRA, EXIT_OK, formatError, usageError } from '../errors.js';
import type { Baseline } from '../gate/baseline.js';
import { type PlanSkip, applyGate, gateBlocks, repeatedRuns, skipPlanned } from '../gate/classify.js';
import { compareRuns } from '../gate/compare.js';
import { reproCommand } from '../gate/repro.js';
import { parseShard, shardPlan } from '../gate/shard.js';
import { gateSummary } from '../gate/summary.js';
import { cacheDir } from '../paths.js';
import { needsIgtListing } from '../plan/igt.js';
import { buildRunPlan, machineOf, type RunOptions } from '../plan/plan.js';
import type { RunPlan } from '../plan/types.js';
import { RESULTS_FILE } from '../report/results-json.js';
import type { CaseOutcome, RunResult } from '../results/model.js';
import { executeRun } from '../run/executor.js';
import { planIgtTests } from '../run/igt-listing.js';
import { type InterruptedRun, readInterruptedRun } from '../run/resume.js';
import { type SchemaRegistry, schemas } from '../schemas/registry.js';
import { loadCatalog } from '../suites/catalog.js';
import { type Log, stderrLog } from '../util/log.js';
import { checkOutDir } from '../util/out-dir.js';
import { loadBaseline, readResults } from './gate-files.js';
import { countsLine, writeReports } from './reports.js';

export interface RunCommandOptions extends RunOptions {
  resume?: string;
  verbose?: boolean;
  quiet?: boolean;
  /** Baseline files the run is judged against (besides the profiles' known issues). */
  baseline?: string[];
  /** An earlier run (results.json or its folder) to compare with. */
  compare?: string;
  /** K/N: run only slice K of N of the plan (a CI matrix); hilt merge joins the slices. */
  shard?: string;
}

/** A plan that carries the tests its baseline left out (so a resumed run still reports them), and which shard it is. */
export type GatedPlan = RunPlan & { baselineSkips?: PlanSkip[]; shard?: { index: number; count: number } };

/** What judging a finished run needs: the expectations, and an earlier run to compare with. */
export interface GateInputs {
  baseline: Baseline;
  old: { run: RunResult; path: string } | null;
}

export async function gateInputs(opts: { baseline?: string[]; compare?: string }, profiles: string[], registry: SchemaRegistry): Promise<GateInputs> {
  const baseline = await loadBaseline(opts.baseline ?? [], profiles, registry);
  const old = opts.compare ? readResults(opts.compare, registry, '--compare') : null;
  return { baseline, old };
}

/**
 * The finished run judged: gate verdicts, reproduction commands, the
 * comparison. outcomes: every run of a case that ran more than once (retries,
 * --repeat), by "suite/case", oldest first: what makes a flake a flake.
 */
export function judgeRun(result: RunResult, plan: GatedPlan, g: GateInputs, given?: ReadonlyMap<string, CaseOutcome[]>): RunResult {
  const resultsFile = join(plan.out, RESULTS_FILE);
  // Retries are in each case's own runs (CaseResult.previous); --repeat puts each case in N times: all its runs together.
  const outcomes = given ?? ((plan.repeat ?? 1) > 1 ? repeatedRuns(result) : undefined);
  const judged = applyGate(result, g.baseline, {
    skipped: plan.baselineSkips ?? [],
    repro: (suite, c) => reproCommand(plan, result.environment, suite.name, c.name, resultsFile)?.argv ?? null,
    ...(outcomes ? { outcomes: (suite: string, name: string) => outcomes.get(`${suite}/${name}`) } : {}),
  });
  // Compared once judged (the cases the baseline skipped are in both runs' results), and only a whole run:
  // a shard would find every other shard's cases vanished. Its merge compares (hilt merge --compare OLD).
  if (g.old && !plan.shard) judged.gate!.comparison = compareRuns(g.old.run, judged, { source: g.old.path, baseline: g.baseline });
  return judged;
}

/** The exit status of a judged run: infrastructure first, then the gate. */
export function runExitCode(result: RunResult, error: { kind: string } | null, plan: RunPlan, log: Log, resumeHint = true): number {
  if (error) {
    // --abort-on stops a run for what the kernel did: that is a conformance verdict, not a broken machine.
    return error.kind === 'conformance' ? EXIT_CONFORMANCE : EXIT_INFRA;
  }
  if (result.status !== 'complete') {
    if (resumeHint) log.info(`the run is ${result.status}; continue it with: hilt run --resume ${plan.out}`);
    return EXIT_INFRA;
  }
  return gateBlocks(result) ? EXIT_CONFORMANCE : EXIT_OK;
}

/** Runs a decided plan to its reports and exit status (hilt run, hilt repro). */
export async function executePlan(
  plan: GatedPlan,
  g: GateInputs,
  o: { registry: SchemaRegistry; log: Log; signal: AbortSignal; resume?: InterruptedRun; verbose?: boolean; resumeHint?: boolean },
): Promise<{ code: number; result: RunResult }> {
  const { log, registry } = o;
  const { result, error } = await executeRun({
    plan,
    registry,
    cacheDir: cacheDir(),
    log,
    signal: o.signal,
    ...(o.resume ? { resume: o.resume } : {}),
    verbose: o.verbose ?? false,
    onSettled: (t, done, total) => {
      // IGT's tests go by IGT's own names: igt@program@subtest.
      const line = `[${done}/${total}] ${t.suite}${t.case === '-' ? '' : `${t.suite.startsWith('igt@') ? '@' : '/'}${t.case}`}: ${t.summary ?? t.status}`;
      if (t.status === 'pass' || t.status === 'skip') log.progress(line);
      else log.info(`${line} — ${t.message}`);
    },
  });
  const judged = judgeRun(result, plan, g);
  const files = await writeReports(plan.out, judged, registry);
  log.info(`${countsLine(judged)}; reports: ${files.join(', ')}`);
  for (const line of gateSummary(judged)) log.info(line);
  if (error) process.stderr.write(formatError(error) + '\n');
  return { code: runExitCode(judged, error, plan, log, o.resumeHint ?? true), result: judged };
}

export async function runCommand(opts: RunCommandOptions, signal: AbortSignal): Promise<number> {
  const log = stderrLog({ quiet: opts.quiet ?? false });
  const registry = schemas();
  let plan: GatedPlan;
  let resumed: InterruptedRun | undefined;
  if (opts.resume) {
    const conflicting = (['plan', 'kernel', 'suites', 'suiteBins', 'out', 'igt', 'shard'] as const).filter((k) => opts[k] !== undefined && !(Array.isArray(opts[k]) && !(opts[k] as unknown[]).length));
    if (conflicting.length) throw usageError(`--resume takes the plan from the interrupted run; drop --${conflicting.join(', --')}`);
    const catalog = loadCatalog(registry);
    // The machine this command line names (the default, or --machine FILE) is all a resume may start.
    resumed = readInterruptedRun(opts.resume, { registry, catalog, machine: await machineOf(opts.machine, registry, opts.lab ? { lab: opts.lab } : {}) });
    plan = resumed.plan;
  } else {
    const shard = opts.shard === undefined ? null : parseShard(opts.shard);
    plan = await buildRunPlan(opts, loadCatalog(registry), registry);
    checkOutDir(plan.out);
    // IGT's subtests are listed in the guest, so that the journal opens with one test per subtest.
    if (needsIgtListing(plan)) plan = await planIgtTests(plan, { cacheDir: cacheDir(), log, signal });
    if (shard) plan = { ...plan, shard };
  }
  // Baseline and comparison are read before anything boots: a bad file costs no machine time.
  const g = await gateInputs(opts, plan.profiles, registry);
  if (!resumed) {
    const { plan: kept, skipped } = skipPlanned(plan, g.baseline);
    if (skipped.length) {
      if (!kept.tests.length) throw usageError(`the baseline skips every test the plan selects (${skipped.length})`, 'Select other suites, or narrow the baseline’s skips.');
      log.info(`the baseline skips ${skipped.length} test${skipped.length === 1 ? '' : 's'}: ${skipped.slice(0, 5).map((s) => (s.case === null ? s.suite : `${s.suite}/${s.case}`)).join(', ')}${skipped.length > 5 ? ', …' : ''}`);
      plan = { ...kept, baselineSkips: skipped };
    }
    // The slice is cut after the baseline's skips, so that every shard runs its share of what is left.
    if (plan.shard) plan = shardPlan(plan, plan.shard);
  }
  if (g.old && plan.shard) log.info(`--compare: this run is shard ${plan.shard.index}/${plan.shard.count}; the comparison is made when the shards are merged (hilt merge OUT RESULTS... --compare ${opts.compare})`);
  log.info(`${opts.resume ? 'resuming' : 'running'} ${plan.tests.length} test${plan.tests.length === 1 ? '' : 's'} from ${plan.suites.map((s) => s.name).join(', ')} on ${plan.machine.type === 'ssh' || plan.machine.type === 'local' ? `${plan.machine.name} (${plan.machine.type}: its running kernel)` : plan.kernel}`);
  const { code } = await executePlan(plan, g, { registry, log, signal, ...(resumed ? { resume: resumed } : {}), verbose: opts.verbose ?? false });
  return code;
}
