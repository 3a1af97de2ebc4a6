/**
 * Runs a plan: kernel, image, machine, then boots until every planned test
 * has a verdict. Each machine (--jobs N starts N) boots in serve mode and
 * takes ranges of tests as it asks for them (work-queue.ts), so every machine
 * stays busy; a target that cannot take input (LAVA) boots once per range
 * instead. After a crash or a hang the machine is booted again and the run
 * goes on with the next test; a failing test is run once more (--retries)
 * so that a flake shows as one. Everything goes through one journal, and
 * results are folded from it, so `hilt run --resume DIR` after a killed run
 * ends with the same results as a run that was never interrupted.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseRecord } from '../agent-protocol/records.js';
import { HiltError, infraError } from '../errors.js';
import { JOURNAL_FILE, type JournalEntry, JournalWriter } from '../journal/index.js';
import { kernelConfig } from '../kernel/config-file.js';
import { RunRequirements, unmetError } from '../plan/requirements.js';
import type { RunPlan } from '../plan/types.js';
import { type ResultsFold, type SettledTest, createFold } from '../results/fold.js';
import { InventoryCollector, checkAccelerators } from '../results/inventory.js';
import type { RunResult } from '../results/model.js';
import type { SchemaRegistry } from '../schemas/registry.js';
import { type MachineTarget, isHosted } from '../targets/index.js';
import type { Log } from '../util/log.js';
import { forTerminal } from '../util/terminal.js';
import { type BootOutcome, runBoot } from './boot-session.js';
import { plannedEnvironment, runEnvironment } from './environment.js';
import { kernelConfigSkips } from './config-skips.js';
import { prepareMachine } from './prepare.js';
import { moveAsidePreviousRun } from './previous-run.js';
import { RawConsoleLog } from './raw-console.js';
import type { InterruptedRun } from './resume.js';
import { type Unit, WorkQueue } from './work-queue.js';

/** How often a boot that never reaches the agent is tried before the run gives up. */
const BOOT_TRIES = 2;

export interface ExecuteOptions {
  plan: RunPlan;
  registry: SchemaRegistry;
  cacheDir: string;
  log: Log;
  signal: AbortSignal;
  /** Continue the interrupted run whose journal is in plan.out (see readInterruptedRun). */
  resume?: InterruptedRun;
  /** Copy console text to stderr as it arrives. */
  verbose?: boolean;
  /** Called when the first machine is booting: time to load what the end of the run needs. */
  onBoot?: () => void;
  /** Called for each test whose verdict settles (progress). */
  onSettled?: (t: SettledTest, done: number, total: number) => void;
}

export interface ExecuteResult {
  result: RunResult;
  journal: string;
  /** The infrastructure error that ended the run early, if one did; result then holds what ran before it. */
  error: HiltError | null;
}

/** The first test that has no final verdict: tests run in order, so every earlier one has one. */
export function nextStart(builder: ResultsFold, total: number): number {
  const finished = builder.finishedIndices();
  let i = 0;
  while (i < total && finished.has(i)) i++;
  return i;
}

export async function executeRun(o: ExecuteOptions): Promise<ExecuteResult> {
  const { plan, log } = o;
  const journalPath = join(plan.out, JOURNAL_FILE);
  const builder = createFold(plan, o.registry);
  const previous: JournalEntry[] = o.resume?.entries ?? [];
  if (o.resume) {
    for (const p of o.resume.problems) log.warn(p);
  } else {
    const aside = moveAsidePreviousRun(plan.out);
    if (aside) log.info(`an earlier run's reports in ${plan.out} were moved to ${aside.dir}${aside.resumable ? ` (hilt run --resume ${aside.dir} continues it)` : ''}`);
  }
  const writer = new JournalWriter(journalPath);
  const total = plan.tests.length;
  for (const entry of previous) builder.push(entry);
  const settled = builder.finishedIndices();
  // Stops the machine: the person's Ctrl-C, or a journal that can no longer be written.
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  o.signal.addEventListener('abort', onInterrupt, { once: true });
  if (o.signal.aborted) stop.abort();
  const failed: { journal: HiltError | null } = { journal: null };
  // The machine must show what its profile demands and what the suites require before any suite runs:
  // checked as each boot's module loads and inventory arrive (the agent asks for work only after both).
  const requirements = RunRequirements.of(plan);
  const inventory = new InventoryCollector();
  const moduleFailures = new Map<number, string[]>();
  let wrongMachine: HiltError | null = null;
  const refuse = (error: HiltError) => {
    if (wrongMachine) return;
    wrongMachine = error;
    stop.abort();
  };
  const checkMachine = (entry: JournalEntry) => {
    if (entry.t !== 'rec') return;
    if (entry.kind === 'mod') {
      const failure = requirements.moduleFailure(parseRecord({ seq: entry.seq, kind: entry.kind, payload: entry.p }));
      if (failure) moduleFailures.set(entry.boot, [...(moduleFailures.get(entry.boot) ?? []), failure]);
      return;
    }
    if (inventory.pushEntry(entry) !== 'complete') return;
    const inv = inventory.of(entry.boot)!;
    const accelerators = plan.machine.accelerators?.length ? checkAccelerators(inv, plan.machine.accelerators, plan.machine.name) : null;
    if (accelerators) refuse(infraError(accelerators, { hint: "The machine profile's accelerators: say what this machine must show; a run on other hardware certifies nothing." }));
    const unmet = [...(moduleFailures.get(entry.boot) ?? []), ...requirements.missingFromInventory(inv)];
    if (unmet.length) {
      const { message, hint } = unmetError(unmet, `boot ${entry.boot}, before its first test`);
      refuse(infraError(message, { hint }));
    }
  };
  const journal = (entry: JournalEntry) => {
    if (failed.journal) return;
    try {
      writer.append(entry);
    } catch (e) {
      // What is not on record did not happen: stop the machine and end the run with the reason.
      failed.journal = e instanceof HiltError ? e : infraError(`cannot write the journal: ${(e as Error).message}`);
      stop.abort();
      return;
    }
    for (const s of builder.push(entry)) {
      settled.add(s.index);
      o.onSettled?.(s, settled.size, total);
    }
    checkMachine(entry);
  };

  let endStatus: Extract<JournalEntry, { t: 'end' }>['status'] = 'complete';
  let error: HiltError | null = null;
  const startedAt = new Date().toISOString();
  let target: MachineTarget | null = null;
  try {
    // The run is on record before the slow steps, so a run stopped during them still leaves its reports.
    if (!previous.length) journal({ t: 'run', v: 1, at: startedAt, id: randomUUID(), plan, env: plannedEnvironment(plan, startedAt) });
    const prepared = await prepareMachine(plan, { cacheDir: o.cacheDir, log, consoleLevel: 1, signal: stop.signal });
    const { kernel, accel, where } = prepared;
    const machineTarget = (target = prepared.target);
    // What the kernel lacks outright is known before any boot: no machine is started for a run that cannot pass.
    const config = await kernelConfig(kernel);
    const lacking = [...requirements.modulesTheKernelLacks(prepared.image?.missing ?? [], kernel.release), ...(config ? requirements.optionsTheKernelLacks(config, kernel.release) : [])];
    if (lacking.length) {
      const { message, hint } = unmetError(lacking, `known before boot from kernel ${kernel.release}`);
      throw infraError(message, { hint });
    }
    let described = JSON.stringify(machineTarget.describe());
    if (!previous.length) {
      journal({ t: 'env', env: runEnvironment(kernel, machineTarget.describe(), machineTarget.kind, startedAt) });
      const skips = kernelConfigSkips(plan, config, kernel.release, requirements);
      for (const s of skips) journal({ t: 'skip', index: s.index, reason: s.reason });
      if (skips.length) log.info(`${skips.length} test${skips.length === 1 ? '' : 's'} skipped before boot: ${kernel.release} lacks an option ${skips.length === 1 ? 'it needs' : 'they need'} (${skips[0]!.reason}${skips.length > 1 ? ', …' : ''})`);
    } else {
      journal({ t: 'session', at: new Date().toISOString() });
      journal({ t: 'note', text: `resumed at test ${nextStart(builder, total) + 1} of ${total} on ${new Date().toISOString()}` });
    }
    const runDeadline = plan.timeouts.runMs ? Date.now() + plan.timeouts.runMs : null;
    let bootNo = previous.filter((e) => e.t === 'boot').length;
    let schemasCompiled = false;
    const serves = machineTarget.serves !== false;
    const queue = new WorkQueue(
      {
        suites: plan.tests.map((t) => t.suite),
        alone: new Set(plan.tests.filter((t) => t.alone).map((t) => t.index)),
        finished: () => builder.finishedIndices(),
        verdictOf: (i) => builder.verdictOf(i),
        attemptsOf: (i) => builder.attemptsOf(i),
      },
      plan.retries,
      serves ? 'suite' : 'all',
      Math.max(1, Math.min(plan.jobs, total)),
    );
    const machines = Math.max(1, Math.min(plan.jobs, total));

    /** A range that is a test run once more: say so, with why. */
    const sayRetry = (u: Unit) => {
      if (u.count !== 1 || !builder.finishedIndices().has(u.start)) return;
      const t = plan.tests[u.start]!;
      log.info(`retrying test ${u.start + 1} (${t.suite}/${t.case}), which ended with ${builder.verdictOf(u.start)}${u.fresh ? ', in a fresh boot' : ''} (run ${builder.attemptsOf(u.start) + 1} of ${plan.retries + 1})`);
    };

    /** One boot of machine `slot`: serving ranges as it asks (serve), or running one range (start, count). */
    const bootOnce = async (slot: number, one: { start: number; count: number } | null): Promise<BootOutcome> => {
      const boot = ++bootNo;
      const cmdline = one ? ['hilt.mode=run', `hilt.start=${one.start}`, ...(one.count < total - one.start ? [`hilt.count=${one.count}`] : [])] : ['hilt.mode=serve'];
      const what = !one
        ? `serving the ${total} tests`
        : one.count
          ? `tests ${one.start + 1}${one.count > 1 ? `-${one.start + one.count}` : ''} of ${total}`
          : 'only to see what the machine shows';
      log.progress(`boot ${boot}${machines > 1 ? ` (machine ${slot + 1} of ${machines})` : ''}: ${kernel.release} ${where}, ${what}`);
      const machine = await machineTarget.boot({ cmdline });
      // The kernel takes a couple of seconds to reach the agent: the time to compile the schemas.
      if (!schemasCompiled) {
        schemasCompiled = true;
        setTimeout(() => {
          o.registry.compileAll();
          o.onBoot?.();
        }, 0);
      }
      journal({ t: 'boot', boot, start: one?.start ?? 0, at: new Date().toISOString(), cmdline: machine.commandLine, accel, ...(machines > 1 ? { slot } : {}) });
      const raw = new RawConsoleLog(join(plan.out, `console-${boot}.log`));
      let fresh = true;
      let current: Unit | null = null;
      const outcome = await runBoot({
        machine,
        boot,
        raw: (chunk) => raw.write(chunk),
        tests: plan.tests,
        journal,
        bootTimeoutMs: plan.timeouts.bootMs,
        silenceTimeoutMs: plan.timeouts.silenceMs + machineTarget.consoleLagMs,
        caseGraceMs: plan.timeouts.caseGraceMs,
        runDeadline,
        timeoutOf: (i) => plan.tests[i]?.timeoutMs ?? 60_000,
        abortOn: plan.abortOn,
        testName: (i) => `${plan.tests[i]?.suite}/${plan.tests[i]?.case}`,
        signal: stop.signal,
        ...(one
          ? {}
          : {
              serve: {
                next: () => {
                  // The range before is done: its tests may be due a retry now, here or elsewhere.
                  if (current) queue.release([current]);
                  // A range that needed a fresh machine ran alone in it: this machine is done.
                  const wasFresh = current?.fresh ?? false;
                  current = stop.signal.aborted || wasFresh ? null : queue.next(fresh);
                  fresh = false;
                  if (current) sayRetry(current);
                  return current;
                },
              },
            }),
        ...(o.verbose ? { echo: (line: string) => process.stderr.write(`  | ${forTerminal(line)}\n`) } : {}),
      });
      queue.release(one ? [one] : outcome.units);
      raw.close();
      if (raw.failure) journal({ t: 'note', text: `boot ${boot}: the raw console copy ${raw.failure}` });
      // What the target has to say about the boot (a LAVA job, a power request tried twice), and its own failures.
      const after = await machineTarget.afterBoot(machine);
      for (const text of after.notes) journal({ t: 'note', text: `boot ${boot}: ${text}` });
      const now = JSON.stringify(machineTarget.describe());
      if (now !== described) {
        described = now;
        journal({ t: 'env', env: runEnvironment(kernel, machineTarget.describe(), machineTarget.kind, startedAt) });
      }
      if (after.error) throw after.error;
      if (wrongMachine) throw wrongMachine;
      if (outcome.reason === 'run-timeout') throw infraError(`the run did not finish within its ${plan.timeouts.runMs! / 1000} s timeout`);
      if (outcome.reason === 'abort-on') throw new HiltError('conformance', outcome.why ?? 'an --abort-on condition was met');
      return outcome;
    };

    /**
     * One machine of the run: boots, takes work until none is left, boots
     * again after a crash or when a retry asks for a fresh machine. A boot
     * that never reaches the agent is tried once more, as LAVA retries a
     * failed boot (under emulation a boot can fail for reasons that have
     * nothing to do with the kernel under test); two boots in a row that
     * finish nothing are an infrastructure error.
     */
    const worker = async (slot: number): Promise<void> => {
      let barren = 0;
      while (!stop.signal.aborted && queue.hasWork(true)) {
        const finishedBefore = builder.finishedIndices().size;
        const one = serves ? null : queue.next(true);
        if (!serves && !one) return;
        if (one) sayRetry(one);
        const outcome = await bootOnce(slot, one);
        if (outcome.reason === 'interrupted') return;
        const progressed = builder.finishedIndices().size > finishedBefore || outcome.began.length > 0;
        if (progressed || (outcome.done && !outcome.units.length)) {
          barren = 0;
          if (outcome.open !== null && outcome.reason !== 'poweroff') log.info(`boot ${bootNo} ended with ${outcome.reason} during test ${outcome.open + 1}; booting again to go on`);
          continue;
        }
        const what =
          outcome.reason === 'boot-timeout'
            ? `boot ${bootNo} never reached the hilt agent within ${plan.timeouts.bootMs / 1000} s`
            : !outcome.hello
              ? `boot ${bootNo}: the machine stopped before the hilt agent started (${outcome.reason}${outcome.exit.code !== null ? `, exit code ${outcome.exit.code}` : ''})`
              : `boot ${bootNo} ended (${outcome.reason}) without running any test`;
        if (++barren < BOOT_TRIES) {
          log.warn(`${what}; trying once more`);
          journal({ t: 'note', text: `${what}; booted again` });
          continue;
        }
        const stderr = outcome.exit.stderr.trim();
        throw infraError(`${what}, and so did the boot before it`, {
          hint: `The whole console is in ${join(plan.out, `console-${bootNo}.log`)}; \`hilt boot\` shows the boot interactively.`,
          detail: [
            outcome.tail.length ? `last console lines:\n${outcome.tail.map((l) => `  ${l}`).join('\n')}` : 'the console said nothing',
            ...(stderr ? [`${plan.machine.type === 'qemu' ? plan.machine.qemu : `the ${plan.machine.type} machine`} said:\n${stderr}`] : []),
          ].join('\n'),
        });
      }
    };

    // A machine that must show certain accelerators proves it before any suite runs: a first boot runs no
    // test (hilt.count=0), only the agent's module loads and inventory, which checkMachine judges as they
    // arrive. So does a machine that is up (ssh, local), where that costs a fraction of a second, for what the
    // suites require: it runs its tests without asking for them, faster than hilt could stop it. (A LAVA job
    // is not worth spending on it: there a required part that is absent stops the run after the first job.)
    if ((plan.machine.accelerators?.length || (isHosted(plan.machine) && requirements.required.length)) && !previous.length) {
      if ((await bootOnce(0, { start: 0, count: 0 })).reason === 'interrupted') endStatus = 'interrupted';
    }
    const failures: unknown[] = [];
    if (endStatus === 'complete') await Promise.all(
      Array.from({ length: machines }, (_, slot) =>
        worker(slot).catch((e) => {
          failures.push(e);
          stop.abort(); // one machine's infrastructure error ends the run: the others stop where they are
        }),
      ),
    );
    if (failures.length) throw failures[0];
    if (o.signal.aborted) endStatus = 'interrupted';
  } catch (e) {
    if (o.signal.aborted) endStatus = 'interrupted';
    else if (!failed.journal) {
      error = e instanceof HiltError ? e : infraError(`unexpected: ${(e as Error).message}`, { cause: e });
      endStatus = 'aborted';
    }
    if (!builder.started) throw error ?? failed.journal ?? e;
  } finally {
    // A lab board is off after every boot; what the target holds for the run (a power guard, a folder on an SSH host) goes now.
    await target?.close().catch((e: Error) => log.warn(`letting go of the machine: ${e.message}`));
  }
  o.signal.removeEventListener('abort', onInterrupt);
  const journalError = failed.journal;
  if (journalError) {
    error = journalError;
    endStatus = 'aborted';
  }
  journal({
    t: 'end',
    at: new Date().toISOString(),
    status: endStatus,
    ...(error ? { error: { kind: error.kind, message: error.message } } : {}),
  });
  try {
    writer.close();
  } catch (e) {
    error ??= e as HiltError;
  }
  const result = builder.finish();
  if (journalError && result.status !== 'aborted') {
    // The end entry never made it to disk: the results say what the journal could not.
    return { result: { ...result, status: 'aborted', error: { kind: journalError.kind, message: journalError.message } }, journal: journalPath, error };
  }
  return { result, journal: journalPath, error };
}
