/**
 * Runs a plan: kernel, image, machine, then boots until every planned test
 * has a verdict. After a crash or a hang the machine is booted again and the
 * agent resumes at the next test (hilt.start=N); a test is run again only
 * when the plan asks for retries. Everything goes through the journal, and
 * results are folded from it, so `hilt run --resume DIR` after a killed run
 * ends with the same results as a run that was never interrupted.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HiltError, infraError, usageError } from '../errors.js';
import { type BuiltImage, DEFAULT_BUSYBOX, buildInitramfs } from '../image/build.js';
import { resolveKernel } from '../kernel/index.js';
import type { KernelInfo } from '../kernel/types.js';
import { SUITES_BUILD_DIR } from '../paths.js';
import type { RunPlan } from '../plan/types.js';
import { RunBuilder, type SettledTest, markedTest } from '../results/builder.js';
import { dmesgJudge } from '../results/dmesg.js';
import { observationJudge } from '../results/judge.js';
import type { RunResult } from '../results/model.js';
import { knownIssueLookup } from '../results/known-issues.js';
import { loadProfiles } from '../results/profiles.js';
import type { SchemaRegistry } from '../schemas/registry.js';
import { kvmUsable } from '../targets/kvm-probe.js';
import { QemuTarget } from '../targets/qemu.js';
import type { Log } from '../util/log.js';
import { type BootOutcome, runBoot } from './boot-session.js';
import { runEnvironment } from './environment.js';
import { JOURNAL_FILE, JournalWriter, parseJournal } from './journal.js';
import { RawConsoleLog } from './raw-console.js';
import type { JournalEntry } from './journal-types.js';

export const AGENT_HEARTBEAT_MS = 2_000;
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

export interface InterruptedRun {
  plan: RunPlan;
  entries: JournalEntry[];
  /** Journal lines that could not be read (reported, skipped). */
  problems: string[];
}

/** An interrupted run's journal, read once, ready to be appended to; its plan comes from its first entry. */
export function readInterruptedRun(dir: string): InterruptedRun {
  const path = join(dir, JOURNAL_FILE);
  if (!existsSync(path)) throw usageError(`--resume ${dir}: no ${JOURNAL_FILE} there`, 'Give the output folder of the interrupted run.');
  const text = readFileSync(path, 'utf8');
  const { entries, problems } = parseJournal(text);
  const first = entries[0];
  if (!first || first.t !== 'run') throw usageError(`--resume ${dir}: the journal does not start with a run entry; it cannot be resumed`);
  // A torn last line must not swallow the first entry appended now.
  if (text.length && !text.endsWith('\n')) appendFileSync(path, '\n');
  return { plan: { ...(first.plan as RunPlan), out: resolve(dir) }, entries, problems };
}

/** The first test that has no final verdict: tests run in order, so every earlier one has one. */
export function nextStart(builder: RunBuilder, total: number): number {
  const finished = builder.finishedIndices();
  let i = 0;
  while (i < total && finished.has(i)) i++;
  return i;
}

export function createBuilder(plan: RunPlan, registry: SchemaRegistry): RunBuilder {
  const profiles = loadProfiles(registry, plan.profiles);
  return new RunBuilder({
    plan: { tests: plan.tests, suites: plan.suites.map((s) => ({ name: s.name, mode: s.mode })) },
    judge: observationJudge(registry, profiles),
    dmesg: dmesgJudge(plan.dmesg),
    known: knownIssueLookup(profiles),
    requirements: profiles.filter((p) => p.named).map((p) => ({ profile: p.name, driver: p.doc.match.driver, devices: p.doc.requiresDevices ?? 1 })),
  });
}

/**
 * The initramfs for a plan: its suites, their modules, the agent's plan. A
 * console level of 1 keeps printk off the console while tests run; 0 leaves
 * the kernel's (for a person at the shell).
 */
export async function buildRunImage(plan: RunPlan, kernel: KernelInfo, o: { cacheDir: string; log: Log; consoleLevel: number }): Promise<BuiltImage> {
  o.log.progress(`building the initramfs for ${kernel.release}`);
  const image = await buildInitramfs({
    kernel,
    suites: plan.suites,
    agentBinary: join(SUITES_BUILD_DIR, 'agent'),
    busybox: process.env.HILT_BUSYBOX ?? DEFAULT_BUSYBOX,
    agent: { tests: plan.tests, heartbeatMs: AGENT_HEARTBEAT_MS, kmsgLevel: 7, bootKmsgLevel: 4, consoleLevel: o.consoleLevel },
    cacheDir: o.cacheDir,
    log: o.log,
  });
  o.log.info(`initramfs ${image.cached ? 'unchanged, from the cache' : `built (${(image.bytes / 1048576).toFixed(1)} MiB)`}: ${image.path}`);
  if (image.missing.length) {
    o.log.warn(`kernel ${kernel.release} has no module ${image.missing.join(', ')}: the suites needing it will skip`);
  }
  return image;
}

/** TCG, or KVM where a probe boot proves it works; --accel kvm on a host where it does not is an error. */
export async function decideAccel(plan: RunPlan, kernel: KernelInfo, initrd: string, o: { cacheDir: string; log: Log }): Promise<'tcg' | 'kvm'> {
  if (plan.machine.accel === 'tcg') return 'tcg';
  const verdict = await kvmUsable({ machine: plan.machine, kernelImage: kernel.image, initrd, cacheDir: o.cacheDir, log: o.log });
  if (plan.machine.accel === 'kvm' && !verdict.usable) {
    throw infraError(`--accel kvm asked for, but KVM is not usable here: ${verdict.reason}`, { hint: 'Use --accel tcg or auto.' });
  }
  if (!verdict.usable) o.log.info(`using TCG: ${verdict.reason}`);
  return verdict.usable ? 'kvm' : 'tcg';
}

export async function executeRun(o: ExecuteOptions): Promise<ExecuteResult> {
  const { plan, log } = o;
  mkdirSync(plan.out, { recursive: true });
  const journalPath = join(plan.out, JOURNAL_FILE);
  const builder = createBuilder(plan, o.registry);
  const previous: JournalEntry[] = o.resume?.entries ?? [];
  if (o.resume) {
    for (const p of o.resume.problems) log.warn(p);
  } else {
    // A new run in an old folder: the old journal and console logs are not this run's.
    for (const f of readdirSync(plan.out)) if (f === JOURNAL_FILE || /^console-\d+\.log$/.test(f)) unlinkSync(join(plan.out, f));
  }
  const writer = new JournalWriter(journalPath);
  const total = plan.tests.length;
  for (const entry of previous) builder.push(entry);
  const settled = builder.finishedIndices();
  const journal = (entry: JournalEntry) => {
    writer.append(entry);
    for (const s of builder.push(entry)) {
      settled.add(s.index);
      o.onSettled?.(s, settled.size, total);
    }
  };

  let endStatus: Extract<JournalEntry, { t: 'end' }>['status'] = 'complete';
  let error: HiltError | null = null;
  try {
    const kernel = await resolveKernel(plan.kernel, { cacheDir: o.cacheDir, log, suites: plan.suites.map((s) => s.name) });
    const image = await buildRunImage(plan, kernel, { cacheDir: o.cacheDir, log, consoleLevel: 1 });
    const accel = await decideAccel(plan, kernel, image.path, o);
    const target = new QemuTarget({ machine: plan.machine, kernelImage: kernel.image, initrd: image.path, accel });
    if (!previous.length) {
      journal({ t: 'run', v: 1, at: new Date().toISOString(), id: randomUUID(), plan, env: runEnvironment(kernel, target.describe(), target.kind, new Date().toISOString()) });
    } else {
      journal({ t: 'note', text: `resumed at test ${nextStart(builder, total) + 1} of ${total} on ${new Date().toISOString()}` });
    }
    const runDeadline = plan.timeouts.runMs ? Date.now() + plan.timeouts.runMs : null;
    let bootNo = previous.filter((e) => e.t === 'boot').length;
    const firstBoot = bootNo + 1;

    /** One boot running tests start..start+count-1; returns how it ended. */
    const bootOnce = async (start: number, count: number): Promise<BootOutcome> => {
      bootNo++;
      const cmdline = ['hilt.mode=run', `hilt.start=${start}`, ...(count < total - start ? [`hilt.count=${count}`] : [])];
      const last = Math.min(total, start + count);
      log.progress(`boot ${bootNo}: ${kernel.release} under ${accel.toUpperCase()}, tests ${start + 1}${last > start + 1 ? `-${last}` : ''} of ${total}`);
      const machine = await target.boot({ cmdline });
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
        silenceTimeoutMs: plan.timeouts.silenceMs,
        caseGraceMs: plan.timeouts.caseGraceMs,
        runDeadline,
        timeoutOf: (i) => plan.tests[i]?.timeoutMs ?? 60_000,
        signal: o.signal,
        ...(o.verbose ? { echo: (line: string) => process.stderr.write(`  | ${line}\n`) } : {}),
      });
      raw.close();
      if (outcome.reason === 'run-timeout') throw infraError(`the run did not finish within its ${plan.timeouts.runMs! / 1000} s timeout`);
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
            ...(stderr ? [`${plan.machine.qemu} said:\n${stderr}`] : []),
          ].join('\n'),
        });
      }
    };



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
    error = e instanceof HiltError ? e : infraError(`unexpected: ${(e as Error).message}`, { cause: e });
    endStatus = 'aborted';
  }
  if (!builder.started && error) {
    writer.close();
    unlinkSync(journalPath);
    throw error;
  }
  journal({
    t: 'end',
    at: new Date().toISOString(),
    status: endStatus,
    ...(error ? { error: { kind: error.kind, message: error.message } } : {}),
  });
  writer.close();
  const result = builder.finish();
  return { result, journal: journalPath, error };
}
