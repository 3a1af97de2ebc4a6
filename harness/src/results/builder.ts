/**
 * RunBuilder folds journal entries into a RunResult. Pure: the same journal
 * gives the same results, whether it is fed live while the run goes on (for
 * the progress line), replayed by `hilt report`, or replayed after a resume.
 *
 * Attribution follows the agent's announcements: everything between a test's
 * 'begin' and its end (an 'end', 'timeout', the suite's 'exit', or the
 * machine going down) belongs to that test, kernel messages and console lines
 * included. Kernel messages after a test ended and before the next began are
 * charged to the test that just ended: deferred work it started logs there.
 */
import { classifyKernelLine } from '../console/kernel-events.js';
import { parseRecord } from '../agent-protocol/records.js';
import { KtapParser } from '../ktap/index.js';
import type { KtapNode } from '../ktap/types.js';
import type { PlannedTest } from '../plan/types.js';
import type { BootEndReason, JournalEntry } from '../run/journal-types.js';
import { CappedLines } from './capped-lines.js';
import type { DmesgJudge } from './dmesg.js';
import {
  type BootSummary,
  type CaseResult,
  type Counts,
  type KernelMessage,
  type RunResult,
  type Status,
  type SuiteResult,
  emptyCounts,
} from './model.js';
import { type KnownIssueLookup, driverOf } from './known-issues.js';
import type { ObservationJudge } from './observations.js';
import { type FillContext, applyDmesg, blankCase, crashMessage, fillFromKtap, worstStatus } from './verdicts.js';

export const RESULTS_SCHEMA_ID = 'https://hilt.dev/schemas/v1/results.schema.json';

export interface BuilderPlan {
  tests: PlannedTest[];
  suites: { name: string; mode: 'cases' | 'whole' }[];
}

export interface BuilderContext {
  plan: BuilderPlan;
  judge: ObservationJudge;
  dmesg: DmesgJudge;
  /** Failures driver profiles expect (known kernel issues). */
  known?: KnownIssueLookup;
  /** Profiles the plan names: each demands devices of its driver. */
  requirements?: { profile: string; driver: string; devices: number }[];
}

export interface SettledTest {
  index: number;
  suite: string;
  case: string;
  status: Status;
  message: string;
}

type Outcome = 'running' | 'ended' | 'timeout' | 'crash' | 'notrun' | 'abort';

interface Attempt {
  boot: number;
  startMs: number;
  endMs: number | null;
  agentMs: number | null;
  outcome: Outcome;
  message: string;
  console: CappedLines;
  kmsg: KernelMessage[];
  /** Console lines that report a panic, oops or lockup, kept whole as crash evidence. */
  crashLines: string[];
  /** KTAP of a case run case by case, or the whole tree of a program run whole. */
  ktap: KtapNode | null;
  exit: { code: number | null; signal: number | null } | null;
}

interface Spawn {
  suite: string;
  mode: 'cases' | 'whole';
  parser: KtapParser;
  /** Top-level KTAP results of this process, by case name. */
  results: Map<string, KtapNode>;
  /** Tests that ended in this process, to tell a clean non-zero exit from a failing case. */
  ended: number[];
}

interface BootState {
  boot: number;
  /** The highest case marker the agent printed through the kernel log this boot. */
  announced: number;
  /** The highest test index a 'begin' record opened this boot. */
  begun: number;
  /** Console lines since the latest marker: a crash's evidence when its 'begin' never arrived. */
  afterMarker: CappedLines;
  /** The latest printk timestamp on the console, to notice a panicking kernel printing its log again. */
  lastStamp: number;
  replaying: boolean;
  /** Every console line of the boot that reports kernel trouble, replayed or not: a panic's evidence whatever case it lands in. */
  trouble: string[];
  /** What a watchdog said when it stopped the machine. */
  watchdog: string;
  start: number;
  accel: string;
  startAt: string;
  open: number | null;
  last: number | null;
  spawn: Spawn | null;
  helloMs: number | null;
  endMs: number | null;
  reason: string;
  tail: CappedLines;
}

const SIGNALS: Record<number, string> = { 4: 'SIGILL', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL', 11: 'SIGSEGV', 15: 'SIGTERM' };
const signalName = (n: number) => SIGNALS[n] ?? `signal ${n}`;

function formatKmsg(m: KernelMessage): string {
  const s = (m.tsUs / 1e6).toFixed(6).padStart(12);
  return `[${s}] ${m.text}`;
}

export class RunBuilder {
  private readonly tests: PlannedTest[];
  private readonly attempts: Attempt[][];
  private readonly modes = new Map<string, 'cases' | 'whole'>();
  private readonly boots: BootState[] = [];
  private readonly problems: string[] = [];
  private readonly bootLog: KernelMessage[] = [];
  private readonly spawnExits = new Map<string, { code: number | null; signal: number | null }[]>();
  /** A process that exited non-zero after only passes, by suite: becomes a failing 'exit-status' case. */
  private readonly badExits = new Map<string, string>();
  private run: Extract<JournalEntry, { t: 'run' }> | null = null;
  private readonly judged = new WeakMap<Attempt, CaseResult[]>();
  private end: Extract<JournalEntry, { t: 'end' }> | null = null;

  constructor(private readonly ctx: BuilderContext) {
    this.tests = ctx.plan.tests;
    this.attempts = this.tests.map(() => []);
    for (const s of ctx.plan.suites) this.modes.set(s.name, s.mode);
  }

  private get boot(): BootState | null {
    return this.boots[this.boots.length - 1] ?? null;
  }

  private attempt(index: number): Attempt | null {
    const list = this.attempts[index];
    return list?.[list.length - 1] ?? null;
  }

  private openAttempt(): Attempt | null {
    const b = this.boot;
    return b && b.open !== null ? this.attempt(b.open) : null;
  }

  /** Whether the journal has begun (its 'run' entry was seen). */
  get started(): boolean {
    return this.run !== null;
  }

  /** Test indices that have finished for good (their verdict will not change), for resume. */
  finishedIndices(): Set<number> {
    const done = new Set<number>();
    this.attempts.forEach((list, i) => {
      const a = list[list.length - 1];
      if (a && a.outcome !== 'running' && a.outcome !== 'abort') done.add(i);
    });
    return done;
  }

  /** Runs of a test that count (an attempt cut short by hilt's own interruption does not). */
  attemptsOf(index: number): number {
    return (this.attempts[index] ?? []).filter((a) => a.outcome !== 'abort').length;
  }

  /** The verdict a planned test has now (the worst of its cases, for a program run whole). */
  verdictOf(index: number): Status {
    return worstStatus(this.caseResults(index).map((c) => c.status));
  }

  /** Feeds one journal entry; returns the tests whose verdict settled with it. */
  push(entry: JournalEntry): SettledTest[] {
    const settled: SettledTest[] = [];
    switch (entry.t) {
      case 'run':
        this.run = entry;
        break;
      case 'boot': {
        // A boot without its boot-end: hilt itself was killed; a case it left open is void.
        const prev = this.boot;
        const orphan = this.openAttempt();
        if (prev && orphan && prev.reason === 'running') {
          orphan.outcome = 'abort';
          orphan.message = 'hilt itself stopped during this case';
          prev.open = null;
          prev.reason = 'interrupted';
        }
        this.boots.push({
          boot: entry.boot,
          announced: -1,
          begun: -1,
          afterMarker: new CappedLines(0, 400),
          lastStamp: -1,
          replaying: false,
          trouble: [],
          watchdog: '',
          start: entry.start,
          accel: entry.accel,
          startAt: entry.at,
          open: null,
          last: null,
          spawn: null,
          helloMs: null,
          endMs: null,
          reason: 'running',
          tail: new CappedLines(0, 200),
        });
        break;
      }
      case 'rec':
        this.record(entry, settled);
        break;
      case 'con':
        this.consoleLine(entry.text);
        break;
      case 'bad': {
        this.problems.push(`boot ${entry.boot}: a console record was corrupted (${entry.reason}): ${entry.text.slice(0, 200)}`);
        this.openAttempt()?.console.push(`[hilt: corrupted record: ${entry.reason}] ${entry.text}`);
        break;
      }
      case 'gap':
        this.problems.push(
          `boot ${entry.boot}: agent records ${entry.from === entry.to ? entry.from : `${entry.from}-${entry.to}`} never arrived intact; what they said is lost`,
        );
        this.openAttempt()?.console.push(`[hilt: records ${entry.from}..${entry.to} lost]`);
        break;
      case 'watchdog': {
        const b = this.boot;
        const a = this.openAttempt();
        if (a && b && b.open !== null && (entry.index === null || entry.index === b.open) && (entry.kind === 'case' || entry.kind === 'silence')) {
          a.outcome = 'timeout';
          a.message = entry.detail;
        }
        if (entry.kind === 'boot' || entry.kind === 'run') this.problems.push(entry.detail);
        if (b) b.watchdog = entry.detail;
        break;
      }
      case 'boot-end':
        this.bootEnd(entry.reason, entry.ms, entry.stderr, settled);
        break;
      case 'note':
        this.problems.push(entry.text);
        break;
      case 'end':
        this.end = entry;
        break;
    }
    return settled;
  }

  private record(entry: Extract<JournalEntry, { t: 'rec' }>, settled: SettledTest[]): void {
    const b = this.boot;
    if (!b) return;
    const r = parseRecord({ seq: entry.seq, kind: entry.kind, payload: entry.p });
    switch (r.kind) {
      case 'hello':
        b.helloMs = entry.ms;
        break;
      case 'kmsg': {
        const m: KernelMessage = { level: r.level, tsUs: r.tsUs, text: r.text, counted: false };
        const target = b.open ?? b.last;
        if (target === null) {
          if (r.level <= 4) this.bootLog.push(m);
          break;
        }
        const a = this.attempt(target)!;
        m.counted = this.ctx.dmesg.counts(r.level, r.text);
        a.kmsg.push(m);
        this.judged.delete(a); // a closed case can still collect its late kernel messages
        a.console.push(formatKmsg(m));
        if (classifyKernelLine(r.text)) a.crashLines.push(formatKmsg(m));
        break;
      }
      case 'spawn':
        b.spawn = this.newSpawn(r.suite);
        break;
      case 'begin': {
        if (!this.tests[r.index]) {
          this.problems.push(`agent began test ${r.index}, which the plan does not have`);
          break;
        }
        if (b.open !== null) this.lostEnd(b, entry.ms, settled);
        this.lostTests(b, r.index, entry.ms, settled);
        b.open = r.index;
        b.begun = Math.max(b.begun, r.index);
        this.attempts[r.index]!.push(newAttempt(b.boot, entry.ms));
        break;
      }
      case 'out':
      case 'err': {
        const a = this.openAttempt();
        for (const line of r.lines) {
          if (r.kind === 'out') b.spawn?.parser.push(line);
          a?.console.push(r.kind === 'err' ? `stderr: ${line}` : line);
        }
        break;
      }
      case 'end': {
        const a = this.attempt(r.index);
        if (!a || b.open !== r.index) break;
        a.endMs = entry.ms;
        a.agentMs = r.ms;
        a.outcome = 'ended';
        if (b.spawn?.mode === 'cases') {
          b.spawn.parser.flush();
          a.ktap = b.spawn.results.get(this.tests[r.index]!.case) ?? null;
          b.spawn.ended.push(r.index);
        }
        this.close(b, settled);
        break;
      }
      case 'timeout': {
        const a = this.attempt(r.index);
        if (!a) break;
        a.outcome = 'timeout';
        a.message = `ran past its ${r.timeoutMs / 1000} s timeout; the agent killed it`;
        break;
      }
      case 'exit': {
        const spawn = b.spawn;
        const exit = { code: r.code, signal: r.signal };
        const exits = this.spawnExits.get(r.suite) ?? [];
        exits.push(exit);
        this.spawnExits.set(r.suite, exits);
        const a = this.openAttempt();
        if (spawn?.mode === 'whole' && a) {
          a.ktap = spawn.parser.end();
          a.exit = exit;
          a.endMs = entry.ms;
          a.agentMs = r.ms;
          if (a.outcome === 'running') a.outcome = 'ended';
          this.close(b, settled);
        } else if (a) {
          a.exit = exit;
          a.endMs = entry.ms;
          if (a.outcome === 'running') {
            a.outcome = 'crash';
            a.message =
              r.signal !== null
                ? `the suite process died of ${signalName(r.signal)} during this case`
                : `the suite process exited with code ${r.code} during this case`;
          }
          this.close(b, settled);
        } else if (spawn?.mode === 'cases' && r.code !== 0) {
          const failed = spawn.ended.some((i) => {
            const st = this.attempt(i)?.ktap?.status;
            return st === 'fail';
          });
          if (!failed) {
            this.badExits.set(
              r.suite,
              r.signal !== null ? `the suite process died of ${signalName(r.signal)} between cases` : `the suite process exited with code ${r.code} after reporting no failure`,
            );
          }
        }
        b.spawn = null;
        break;
      }
      case 'notrun': {
        const list = this.attempts[r.index];
        if (!list) break;
        list.push(newAttempt(b.boot, entry.ms, { endMs: entry.ms, outcome: 'notrun', message: `not run: ${r.reason}` }));
        settled.push(this.settle(r.index));
        break;
      }
      case 'note':
        this.problems.push(`agent (boot ${b.boot}): ${r.text}`);
        break;
      case 'mod':
        if (r.result === 'err') this.problems.push(`boot ${b.boot}: module ${r.module} failed to load: ${r.message} (errno ${r.errno})`);
        break;
      case 'unknown':
        this.problems.push(`boot ${b.boot}: unknown agent record '${r.rawKind}': ${r.payload.slice(0, 200)}`);
        break;
      case 'hb':
      case 'done':
        break;
    }
  }

  /**
   * A new test began while another was open: the agent only does that after
   * the open one ended, so its 'end' record was lost on the console. Its KTAP
   * result, if that arrived, still stands.
   */
  private lostEnd(b: BootState, ms: number, settled: SettledTest[]): void {
    const a = this.attempt(b.open!)!;
    a.endMs = ms;
    if (a.outcome === 'running') {
      a.outcome = 'ended';
      a.message = 'its end and perhaps its result never reached the host (lost on the console)';
      if (b.spawn?.mode === 'cases') {
        b.spawn.parser.flush();
        a.ktap = b.spawn.results.get(this.tests[b.open!]!.case) ?? null;
      }
    }
    this.close(b, settled);
  }

  /**
   * The machine stopped while the agent's marker says a test was running
   * whose 'begin' record never came out of the tty (the kernel died with it
   * queued). The test open before it had ended; the marked one is the one
   * the machine stopped in, with the console since the marker as evidence.
   */
  private beganUnseen(b: BootState, ms: number, settled: SettledTest[]): void {
    if (b.open !== null) this.lostEnd(b, ms, settled);
    const index = b.announced;
    this.lostTests(b, index, ms, settled);
    const lines = b.afterMarker.lines();
    const a = newAttempt(b.boot, ms);
    for (const line of lines) a.console.push(line);
    // As consoleLine() keeps them: from the first line that reports trouble on.
    const trouble = lines.findIndex((l) => classifyKernelLine(l) !== null);
    a.crashLines = trouble < 0 ? [] : lines.slice(trouble);
    this.attempts[index]!.push(a);
    b.open = index;
    b.begun = index;
  }

  /**
   * The machine stopped with a suite process running and no test open, no
   * marker to go by (a halted or wedged kernel prints no log): the agent had
   * started the next test in plan order, whose 'begin' record never left the
   * tty queue. That test is the one the machine stopped in.
   */
  private runningUnseen(b: BootState, ms: number): void {
    let index = b.start;
    while (this.tests[index] && this.attempts[index]!.some((a) => a.boot === b.boot)) index++;
    if (!this.tests[index] || this.tests[index]!.suite !== b.spawn!.suite) return;
    this.attempts[index]!.push(newAttempt(b.boot, ms));
    b.open = index;
    b.begun = index;
  }

  /**
   * Tests run in plan order: a begin for test k means every test from the
   * boot's start up to k ran too (or was found not runnable). One that left
   * no record at all had its records destroyed on the console; it is not
   * run again, it is reported.
   */
  private lostTests(b: BootState, upTo: number, ms: number, settled: SettledTest[]): void {
    for (let i = Math.max(b.start, b.begun + 1); i < upTo; i++) {
      const list = this.attempts[i]!;
      if (list.some((a) => a.boot === b.boot)) continue;
      list.push(newAttempt(b.boot, ms, { endMs: ms, outcome: 'ended', message: 'it ran, but its records were destroyed on the console (see the problems of the run)' }));
      settled.push(this.settle(i));
    }
  }

  private newSpawn(suite: string): Spawn {
    const mode = this.modes.get(suite) ?? 'whole';
    const results = new Map<string, KtapNode>();
    const parser = new KtapParser({
      retain: true,
      onTest: (node, path) => {
        if (mode === 'cases' && path.length === 1) results.set(node.name, node);
      },
    });
    return { suite, mode, parser, results, ended: [] };
  }

  private consoleLine(text: string): void {
    const b = this.boot;
    if (!b) return;
    // A panicking kernel prints its whole log again (panic_print=0x20): timestamps go back in time.
    const stamp = STAMP.exec(text);
    if (stamp) {
      const t = Number(stamp[1]);
      if (t < b.lastStamp) b.replaying = true;
      else if (!b.replaying) b.lastStamp = t;
    }
    if (b.replaying && PANIC_END.test(text)) b.replaying = false;
    if (CASE_MARKER.test(text)) {
      const index = markedTest(text, this.tests);
      if (index !== null) b.announced = Math.max(b.announced, index);
      b.afterMarker = new CappedLines(0, 400);
      return;
    }
    b.afterMarker.push(text);
    if (b.trouble.length < 200 && classifyKernelLine(text)) b.trouble.push(text);
    // The replayed log only tells which case ran (its markers); it is no case's console.
    if (b.replaying) return;
    b.tail.push(text);
    const a = this.openAttempt();
    if (!a) return;
    a.console.push(text);
    if (classifyKernelLine(text) || a.crashLines.length) a.crashLines.push(text);
  }

  private close(b: BootState, settled: SettledTest[]): void {
    if (b.open === null) return;
    const index = b.open;
    b.last = index;
    b.open = null;
    settled.push(this.settle(index));
  }

  private bootEnd(reason: BootEndReason, ms: number, stderr: string, settled: SettledTest[]): void {
    const b = this.boot;
    if (!b) return;
    b.endMs = ms;
    b.reason = reason;
    if (b.announced > b.begun && reason !== 'poweroff' && this.tests[b.announced]) this.beganUnseen(b, ms, settled);
    else if (b.open === null && b.spawn && reason !== 'poweroff' && reason !== 'interrupted') this.runningUnseen(b, ms);
    const a = this.openAttempt();
    if (a) {
      a.endMs = ms;
      if (reason === 'panic') {
        a.outcome = 'crash';
        a.message = 'the kernel panicked during this case';
        if (!a.crashLines.length) a.crashLines = b.trouble.slice();
      } else if (reason === 'interrupted' || reason === 'run-timeout') {
        a.outcome = 'abort';
        a.message = reason === 'interrupted' ? 'the run was interrupted during this case' : 'the whole run ran out of time during this case';
      } else if (a.outcome === 'running') {
        a.outcome = reason === 'silence' || reason === 'case-timeout' ? 'timeout' : 'crash';
        a.message ||= b.watchdog || (reason === 'exit' ? `the machine went down during this case${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}` : `machine stopped: ${reason}`);
      }
      this.close(b, settled);
    }
    b.spawn = null;
  }

  private fill(casePath: string): FillContext {
    return { judge: this.ctx.judge, known: this.ctx.known ?? (() => null), casePath };
  }

  private settle(index: number): SettledTest {
    const t = this.tests[index]!;
    const c = this.caseResults(index)[0]!;
    return { index, suite: t.suite, case: t.case, status: c.status, message: c.message };
  }

  /** The verdicts of one planned test: one case, or the cases a whole program reported. */
  private caseResults(index: number): CaseResult[] {
    const list = this.attempts[index]!;
    const a = list[list.length - 1];
    // A closed attempt never changes: its verdict, judged once when it settled, stands at the end.
    const cached = a && a.outcome !== 'running' ? this.judged.get(a) : undefined;
    if (cached) return cached;
    const results = this.judgeAttempt(index, a);
    if (a && a.outcome !== 'running') this.judged.set(a, results);
    return results;
  }

  private judgeAttempt(index: number, a: Attempt | undefined): CaseResult[] {
    const t = this.tests[index]!;
    const mode = this.modes.get(t.suite) ?? 'cases';
    if (!a) {
      const why = this.end?.status === 'interrupted' ? 'the run was interrupted first' : this.end?.error ? `the run stopped first: ${this.end.error.message}` : 'the run stopped before it';
      return [blankCase(mode === 'whole' ? t.suite : t.case, 'incomplete', `not run: ${why}`)];
    }
    const base = {
      durationMs: a.agentMs ?? (a.endMs !== null ? a.endMs - a.startMs : null),
      console: a.console.lines(),
      kernelLog: a.kmsg,
      attempts: Math.max(1, this.attemptsOf(index)),
    };
    if (mode === 'whole') return this.wholeCases(t.suite, a, base);
    const c: CaseResult = { name: t.case, status: 'pass', message: '', observations: [], subtests: [], ...base };
    if (a.ktap) fillFromKtap(c, a.ktap, this.fill(`${t.suite}/${t.case}`));
    switch (a.outcome) {
      case 'ended':
        if (!a.ktap) {
          c.status = 'incomplete';
          c.message = a.message || 'the case ended without printing its KTAP result line';
        }
        break;
      case 'running':
        c.status = 'incomplete';
        c.message = 'the case began and its end was never seen';
        break;
      case 'timeout':
        c.status = 'timeout';
        c.message = a.message;
        break;
      case 'crash':
        c.status = 'crash';
        c.message = crashMessage(a.message, a.crashLines);
        break;
      case 'notrun':
        c.status = 'incomplete';
        c.message = a.message;
        break;
      case 'abort':
        c.status = 'abort';
        c.message = a.message;
        break;
    }
    applyDmesg(c);
    return [c];
  }

  private wholeCases(suite: string, a: Attempt, base: Pick<CaseResult, 'durationMs' | 'console' | 'kernelLog' | 'attempts'>): CaseResult[] {
    const root = a.ktap;
    const cases: CaseResult[] = [];
    for (const node of root?.children ?? []) {
      const c: CaseResult = { ...blankCase(node.name || `#${node.number ?? '?'}`, 'pass', ''), attempts: base.attempts };
      fillFromKtap(c, node, this.fill(`${suite}/${c.name}`));
      c.console = node.diagnostics.slice();
      cases.push(c);
    }
    const unfinished = cases.find((c) => c.status === 'incomplete');
    if (a.outcome === 'timeout' || a.outcome === 'crash' || a.outcome === 'abort' || a.outcome === 'running') {
      const status: Status = a.outcome === 'timeout' ? 'timeout' : a.outcome === 'crash' ? 'crash' : a.outcome === 'abort' ? 'abort' : 'incomplete';
      const message = a.outcome === 'crash' ? crashMessage(a.message, a.crashLines) : a.message || 'the program never finished';
      const target = unfinished ?? { ...blankCase(suite, status, message), ...base };
      target.status = status;
      target.message = unfinished ? `${message} (after ${cases.filter((c) => c !== unfinished).length} completed cases)` : message;
      target.console = base.console;
      target.kernelLog = base.kernelLog;
      if (!unfinished) cases.push(target);
    } else if (a.exit && (a.exit.code !== 0 || a.exit.signal !== null) && cases.every((c) => c.status === 'pass' || c.status === 'skip')) {
      const how = a.exit.signal !== null ? `died of ${signalName(a.exit.signal)}` : `exited with code ${a.exit.code}`;
      cases.push({ ...blankCase('exit-status', 'fail', `the program ${how} after reporting no failure`), ...base });
    } else if (!cases.length) {
      cases.push({ ...blankCase(suite, 'incomplete', 'the program printed no KTAP result'), ...base });
    }
    // Kernel messages of a whole program cannot be pinned on one of its cases: they go to the worst one.
    if (base.kernelLog.some((m) => m.counted)) {
      const target = cases.find((c) => c.status !== 'pass' && c.status !== 'skip') ?? cases[cases.length - 1]!;
      target.kernelLog = base.kernelLog;
      applyDmesg(target);
    }
    return cases;
  }

  /** A case per profile the plan names: its driver's devices must be there. */
  private requirementCases(suites: SuiteResult[]): SuiteResult | null {
    const reqs = this.ctx.requirements ?? [];
    if (!reqs.length) return null;
    const devices = new Map<string, string>();
    const visit = (c: CaseResult) => {
      for (const o of c.observations) {
        const d = o.data as { device?: unknown; driver?: unknown } | null;
        if (typeof d?.device === 'string' && typeof d.driver === 'string') devices.set(d.device, d.driver);
      }
      c.subtests.forEach(visit);
    };
    suites.forEach((s) => s.cases.forEach(visit));
    const cases = reqs.map((r) => {
      const have = [...devices].filter(([, driver]) => driver === r.driver).map(([device]) => device);
      return have.length >= r.devices
        ? blankCase(r.profile, 'pass', '')
        : blankCase(
            r.profile,
            'fail',
            `the plan names profile ${r.profile}, which needs at least ${r.devices} device node${r.devices > 1 ? 's' : ''} of driver ${r.driver}; the suites saw ${have.length ? have.join(', ') : 'none'}`,
          );
    });
    return { name: REQUIREMENTS_SUITE, mode: 'cases', status: worstStatus(cases.map((c) => c.status)), durationMs: 0, exits: [], cases };
  }

  /** Known issues that did not show: the kernel may have been fixed, and the profile should say so. */
  private unexpectedPasses(suites: SuiteResult[]): string[] {
    const known = this.ctx.known;
    if (!known) return [];
    const out: string[] = [];
    for (const suite of suites) {
      for (const c of suite.cases) {
        for (const node of c.subtests.length ? c.subtests : [c]) {
          const hit = node.status === 'pass' ? known(`${suite.name}/${c.name}`, driverOf(node)) : null;
          if (hit) out.push(`known issue ${suite.name}/${c.name} did not reproduce on ${node.name} (${driverOf(node)}): remove it from profile ${hit.profile} if the kernel is fixed`);
        }
      }
    }
    return out;
  }

  finish(): RunResult {
    const suites: SuiteResult[] = [];
    const bySuite = new Map<string, SuiteResult>();
    const counts: Counts = emptyCounts();
    this.tests.forEach((t, index) => {
      let suite = bySuite.get(t.suite);
      if (!suite) {
        suite = { name: t.suite, mode: this.modes.get(t.suite) ?? 'cases', status: 'pass', durationMs: 0, exits: this.spawnExits.get(t.suite) ?? [], cases: [] };
        bySuite.set(t.suite, suite);
        suites.push(suite);
      }
      for (const c of this.caseResults(index)) {
        suite.cases.push(c);
        suite.durationMs += c.durationMs ?? 0;
      }
    });
    for (const [name, message] of this.badExits) {
      const suite = bySuite.get(name);
      suite?.cases.push(blankCase('exit-status', 'fail', message));
    }
    const requirements = this.requirementCases(suites);
    if (requirements) suites.push(requirements);
    for (const suite of suites) {
      suite.status = worstStatus(suite.cases.map((c) => c.status));
      for (const c of suite.cases) {
        counts[c.status]++;
        counts.total++;
      }
    }
    const boots: BootSummary[] = this.boots.map((b) => ({
      boot: b.boot,
      start: b.start,
      accel: b.accel,
      reason: b.reason,
      durationMs: b.endMs,
      helloMs: b.helloMs,
    }));
    const last = this.boot;
    const status = !this.end || this.end.status === 'interrupted' ? 'incomplete' : this.end.status;
    const problems = [...this.problems, ...this.unexpectedPasses(suites)];
    if (status === 'aborted' && last && last.helloMs === null) {
      const tail = last.tail.lines();
      if (tail.length) problems.push(`console of boot ${last.boot} before it stopped:\n${tail.slice(-40).join('\n')}`);
    }
    const env = (this.run?.env ?? {}) as RunResult['environment'];
    return {
      $schema: RESULTS_SCHEMA_ID,
      id: this.run?.id ?? '',
      status,
      error: this.end?.error ?? null,
      environment: { ...env, endedAt: this.end?.at ?? null },
      plan: this.run?.plan ?? null,
      counts,
      suites,
      boots,
      problems,
      bootLog: this.bootLog,
    };
  }
}

/** A run of a test that began at ms of its boot; closing it fills in the rest. */
function newAttempt(boot: number, ms: number, over: Partial<Attempt> = {}): Attempt {
  return {
    boot,
    startMs: ms,
    endMs: null,
    agentMs: null,
    outcome: 'running',
    message: '',
    console: new CappedLines(),
    kmsg: [],
    crashLines: [],
    ktap: null,
    exit: null,
    ...over,
  };
}

export const REQUIREMENTS_SUITE = 'profile-requirements';

/** The kernel-log marker written as each test begins ("suite/case"); it reaches the console when a panic replays the log. */
export const CASE_MARKER = /^\[\s*\d+\.\d+\] hilt: begin (\S+)$/;

/** Plan index of the test a console line marks as begun, or null. */
export function markedTest(text: string, tests: PlannedTest[]): number | null {
  const m = CASE_MARKER.exec(text);
  if (!m) return null;
  const t = tests.find((x) => `${x.suite}/${x.case}` === m[1]);
  return t ? t.index : null;
}
const STAMP = /^\[\s*(\d+\.\d+)\]/;
const PANIC_END = /---\[ end Kernel panic/;

