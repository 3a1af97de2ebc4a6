/**
 * Runs a plan: kernel, image, machine, then boots until every planned test
 * has a verdict. After a crash or a hang the machine is booted again and the
 * agent resumes at the next test (hilt.start=N); a test is run again only
 * when the plan asks for retries. Everything goes through the journal, and
 * results are folded from it, so `hilt run --resume DIR` after a killed run
 * ends with the same results as a run that was never interrupted.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { markedTest } from '../agent-protocol/markers.js';
import { HiltError, infraError } from '../errors.js';
import { JOURNAL_FILE, type JournalEntry, JournalWriter } from '../journal/index.js';
import type { RunPlan } from '../plan/types.js';
import { type ResultsFold, type SettledTest, createFold } from '../results/fold.js';
import { InventoryCollector, checkAccelerators } from '../results/inventory.js';
import type { RunResult } from '../results/model.js';
import type { SchemaRegistry } from '../schemas/registry.js';
import type { MachineTarget } from '../targets/index.js';
import type { Log } from '../util/log.js';
import { forTerminal } from '../util/terminal.js';
import { type BootOutcome, runBoot } from './boot-session.js';
import { plannedEnvironment, runEnvironment } from './environment.js';
import { prepareMachine } from './prepare.js';
import { moveAsidePreviousRun } from './previous-run.js';
import { RawConsoleLog } from './raw-console.js';
import type { InterruptedRun } from './resume.js';

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
  // The machine must show what its profile demands before any suite runs: checked as its inventory arrives.
  const inventory = new InventoryCollector();
  let wrongMachine: HiltError | null = null;
  const checkInventory = (entry: JournalEntry) => {
    if (entry.t !== 'rec' || !plan.machine.accelerators?.length || inventory.pushEntry(entry) !== 'complete') return;
    const why = checkAccelerators(inventory.of(entry.boot)!, plan.machine.accelerators, plan.machine.name);
    if (why && !wrongMachine) {
      wrongMachine = infraError(why, { hint: 'The machine profile\'s accelerators: say what this machine must show; a run on other hardware certifies nothing.' });
      stop.abort();
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
    checkInventory(entry);
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
    let described = JSON.stringify(machineTarget.describe());
    if (!previous.length) journal({ t: 'env', env: runEnvironment(kernel, machineTarget.describe(), machineTarget.kind, startedAt) });
    else journal({ t: 'note', text: `resumed at test ${nextStart(builder, total) + 1} of ${total} on ${new Date().toISOString()}` });
    const runDeadline = plan.timeouts.runMs ? Date.now() + plan.timeouts.runMs : null;
    let bootNo = previous.filter((e) => e.t === 'boot').length;
    const firstBoot = bootNo + 1;

    /** One boot running tests start..start+count-1; returns how it ended. */
    const bootOnce = async (start: number, count: number): Promise<BootOutcome> => {
      bootNo++;
      const cmdline = ['hilt.mode=run', `hilt.start=${start}`, ...(count < total - start ? [`hilt.count=${count}`] : [])];
      const last = Math.min(total, start + count);
      log.progress(`boot ${bootNo}: ${kernel.release} ${where}, ${count ? `tests ${start + 1}${last > start + 1 ? `-${last}` : ''} of ${total}` : 'only to see what the machine shows'}`);
      const machine = await machineTarget.boot({ cmdline });
      // The kernel takes a couple of seconds to reach the agent: the time to compile the schemas.
      if (bootNo === firstBoot) {
        setTimeout(() => {
          o.registry.compileAll();
          o.onBoot?.();
        }, 0);
      }
      journal({ t: 'boot', boot: bootNo, start, at: new Date().toISOString(), cmdline: machine.commandLine, accel });
      const raw = new RawConsoleLog(join(plan.out, `console-${bootNo}.log`));
      const outcome = await runBoot({
        machine,
        boot: bootNo,
        raw: (chunk) => raw.write(chunk),
        markedTest: (line) => markedTest(line, plan.tests),
        journal,
        bootTimeoutMs: plan.timeouts.bootMs,
        silenceTimeoutMs: plan.timeouts.silenceMs + machineTarget.consoleLagMs,
        caseGraceMs: plan.timeouts.caseGraceMs,
        runDeadline,
        timeoutOf: (i) => plan.tests[i]?.timeoutMs ?? 60_000,
        abortOn: plan.abortOn,
        testName: (i) => `${plan.tests[i]?.suite}/${plan.tests[i]?.case}`,
        signal: stop.signal,
        ...(o.verbose ? { echo: (line: string) => process.stderr.write(`  | ${forTerminal(line)}\n`) } : {}),
      });
      raw.close();
      if (raw.failure) journal({ t: 'note', text: `boot ${bootNo}: the raw console copy ${raw.failure}` });
      // What the target has to say about the boot (a LAVA job, a power request tried twice), and its own failures.
      const after = await machineTarget.afterBoot(machine);
      for (const text of after.notes) journal({ t: 'note', text: `boot ${bootNo}: ${text}` });
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
     * A boot that never reaches the agent is tried once more, as LAVA retries
     * a failed boot: under emulation a boot can fail for reasons that have
     * nothing to do with the kernel under test. Twice is an infrastructure error.
     */
    const boot = async (start: number, count: number): Promise<BootOutcome> => {
      for (let tries = 1; ; tries++) {
        const outcome = await bootOnce(start, count);
        // No hello and no test begun: the machine never reached the agent (a lost hello alone is not that).
        if (outcome.hello || outcome.began.length || outcome.reason === 'interrupted') return outcome;
        const what =
          outcome.reason === 'boot-timeout'
            ? `boot ${bootNo} never reached the hilt agent within ${plan.timeouts.bootMs / 1000} s`
            : `boot ${bootNo}: the machine stopped before the hilt agent started (${outcome.reason}${outcome.exit.code !== null ? `, exit code ${outcome.exit.code}` : ''})`;
        if (tries < BOOT_TRIES) {
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
    // test (hilt.count=0), only the agent's inventory, which checkInventory judges as it arrives.
    if (plan.machine.accelerators?.length && !previous.length) {
      if ((await boot(0, 0)).reason === 'interrupted') endStatus = 'interrupted';
    }
    for (let start = nextStart(builder, total); start < total && endStatus === 'complete'; ) {
      const outcome = await boot(start, total - start);
      if (outcome.reason === 'interrupted') endStatus = 'interrupted';
      else if (outcome.done) break;
      const next = nextStart(builder, total);
      if (next <= start && !outcome.began.length && endStatus === 'complete') {
        throw infraError(`boot ${bootNo} ended (${outcome.reason}) without running any test; stopping rather than looping`);
      }
      if (endStatus === 'complete' && outcome.open !== null) {
        log.info(`boot ${bootNo} ended with ${outcome.reason} during test ${outcome.open + 1}; booting again to go on`);
      }
      start = next;
    }
    // Retries come last, one boot per case, so a case that wedges the machine again cannot stop the rest.
    for (let round = 1; round <= plan.retries && endStatus === 'complete'; round++) {
      for (const index of plan.tests.map((t) => t.index)) {
        if (endStatus !== 'complete') break;
        const status = builder.verdictOf(index);
        if ((status !== 'crash' && status !== 'timeout') || builder.attemptsOf(index) > round) continue;
        log.info(`retrying test ${index + 1} (${plan.tests[index]!.suite}/${plan.tests[index]!.case}), which ended with ${status} (${round}/${plan.retries})`);
        if ((await boot(index, 1)).reason === 'interrupted') endStatus = 'interrupted';
      }
    }
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
