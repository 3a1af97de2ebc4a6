/**
 * The attribution state machine: journal entries in, per-test attempts out.
 * It decides which planned test every record, kernel message and console
 * line belongs to, and how each attempt ended; it judges nothing (verdicts.ts
 * does, from the attempts). Pure: the same journal gives the same attempts,
 * fed live, replayed by `hilt report`, or replayed after a resume.
 *
 * The states of one boot and what moves between them (ATTRIBUTION.md beside
 * this file has the long form, with what each transition records):
 *
 *              boot
 *                │
 *                ▼      hello        spawn            begin i
 *          ┌─────────┐ ──────► ┌──────┐ ─────► ┌─────────┐ ──────► ┌───────────┐
 *          │ booting │         │ idle │        │ spawned │         │ in-test i │──┐ begin j: i's end
 *          └─────────┘         └──────┘ ◄───── └─────────┘ ◄────── └───────────┘◄─┘ was lost; close i,
 *               │                 │      exit       │     end i          │          open j
 *               │                 │                 │  (exit: i crashed, │
 *               │                 │                 │   or a whole       │
 *               │                 │                 │   program ended)   │
 *               ▼                 ▼                 ▼                    ▼
 *          ┌──────────────────────────────────────────────────────────────────┐
 *          │ ended: boot-end closes an open attempt with the boot's reason     │
 *          │ (panic → crash, silence/case-timeout → timeout, interrupted →     │
 *          │ abort, else crash); a test the kernel-log markers say began, or   │
 *          │ the next in plan order when a suite was running, is opened first  │
 *          └──────────────────────────────────────────────────────────────────┘
 *
 * Beside that, every console line moves a second, smaller machine: live ⇄
 * replaying. A panicking kernel prints its whole log again (timestamps go back
 * in time) until "---[ end Kernel panic"; replayed lines only say, through
 * their case markers, which test ran; they are no test's console.
 *
 * Kernel messages go to the open test, or when none is open to the one that
 * ended last (deferred work it started logs there); before any test they are
 * the boot's own. Taint gained and lockdep switching off follow the same rule.
 */
import { classifyKernelLine } from '../console/kernel-events.js';
import { stampSeconds } from '../console/printk.js';
import { markerOf, testOfMarker } from '../agent-protocol/markers.js';
import { parseRecord } from '../agent-protocol/records.js';
import type { BootEndReason, JournalEntry } from '../journal/index.js';
import { KtapParser } from '../ktap/index.js';
import type { KtapNode } from '../ktap/types.js';
import type { PlannedTest } from '../plan/types.js';
import { type Attempt, newAttempt, newStreams, pushCrashLine } from './attempt.js';
import { CappedLines, CappedList } from './capped-lines.js';
import type { DmesgJudge } from './dmesg.js';
import type { BootSummary, KernelMessage } from './model.js';

/** 'igt': an IGT program, one process per test (its subtest), each run whole; its stdout and stderr kept apart. */
export type SuiteMode = 'cases' | 'whole' | 'igt';

/** Problems of the run kept at most (a flood of corrupt frames is counted, not held). */
const PROBLEMS_MAX = 500;
/** Console lines kept per boot that report kernel trouble, and the tail kept for a boot that never reached the agent. */
const TROUBLE_MAX = 200;
const TAIL_LINES = 200;
const AFTER_MARKER_LINES = 400;
/** Kernel messages kept from boot, before any test. */
const BOOT_LOG_MAX = 1000;
/** Cases made up for tests a program planned and never reported, in a whole run: a plan line cannot multiply memory. */
const MISSING_BUDGET = 100_000;

type Phase = 'booting' | 'idle' | 'spawned' | 'in-test' | 'ended';

interface Spawn {
  suite: string;
  mode: SuiteMode;
  parser: KtapParser;
  /** Top-level KTAP results of this process, by case name (cases mode). */
  results: Map<string, KtapNode>;
  /** Tests that ended in this process, to tell a clean non-zero exit from a failing case. */
  ended: number[];
}

interface BootState {
  summary: BootSummary;
  /** Which machine of the run (--jobs); a new boot in the same slot means the one before it is over. */
  slot: number;
  phase: Phase;
  /** The first test of the range the machine is running now (the boot's start, or its latest unit's). */
  unitStart: number;
  /** Tests: the one open, the one that ended last, the highest begun, the highest a kernel-log marker named. */
  open: number | null;
  last: number | null;
  begun: number;
  marked: number;
  spawn: Spawn | null;
  /** Console lines since the latest marker: a crash's evidence when its 'begin' never arrived. */
  afterMarker: CappedLines;
  /** Where the next kernel-log marker is looked for in the plan (one test may be planned several times). */
  markCursor: number;
  /** Live or replaying (panic_print), and the latest live printk timestamp that tells them apart. */
  replaying: boolean;
  lastStamp: number;
  /** Every console line of the boot that reports kernel trouble, replayed or not. */
  trouble: string[];
  /** What a watchdog said when it stopped the machine. */
  watchdog: string;
  /** The kernel's taint before any test: the baseline no test is charged with. null until the agent says. */
  taint: number | null;
  tail: CappedLines;
}

export interface AttributionPlan {
  tests: PlannedTest[];
  suites: { name: string; mode: SuiteMode }[];
}

const SIGNALS: Record<number, string> = { 4: 'SIGILL', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL', 11: 'SIGSEGV', 15: 'SIGTERM' };
export const signalName = (n: number) => SIGNALS[n] ?? `signal ${n}`;

export function formatKmsg(m: KernelMessage): string {
  return `[${(m.tsUs / 1e6).toFixed(6).padStart(12)}] ${m.text}`;
}

export class Attribution {
  readonly tests: PlannedTest[];
  readonly modes = new Map<string, SuiteMode>();
  /** Per planned test, its attempts in order. */
  readonly attempts: Attempt[][];
  readonly boots: BootState[] = [];
  private readonly byNumber = new Map<number, BootState>();
  readonly bootLog = new CappedList<KernelMessage>(BOOT_LOG_MAX, 0);
  /** How each process of a suite ended. */
  readonly exits = new Map<string, { code: number | null; signal: number | null }[]>();
  /** A process that exited non-zero after only passes, by suite: becomes a failing 'exit-status' case. */
  readonly badExits = new Map<string, string>();
  run: Extract<JournalEntry, { t: 'run' }> | null = null;
  end: Extract<JournalEntry, { t: 'end' }> | null = null;
  private readonly problemList = new CappedList<string>(PROBLEMS_MAX, 0);
  /** Made-up 'missing' cases for planned tests never reported, across every program of the run. */
  private readonly missingBudget = { left: MISSING_BUDGET };

  /** changed(a): an attempt whose evidence changed after it closed (late kernel messages); settled(i): test i closed. */
  constructor(
    plan: AttributionPlan,
    private readonly dmesg: DmesgJudge,
    private readonly hooks: { settled(index: number): void; changed(a: Attempt): void },
  ) {
    this.tests = plan.tests;
    this.attempts = this.tests.map(() => []);
    for (const s of plan.suites) this.modes.set(s.name, s.mode);
  }

  get problems(): string[] {
    return this.problemList.itemsWithGap((n) => `… ${n} more problems of the same run not kept`);
  }

  problem(text: string): void {
    this.problemList.push(text);
  }

  /** The boot an entry speaks of; several run at once with --jobs. */
  private bootOf(n: number): BootState | null {
    return this.byNumber.get(n) ?? null;
  }

  latest(index: number): Attempt | null {
    const list = this.attempts[index];
    return list?.[list.length - 1] ?? null;
  }

  private openAttempt(b: BootState | null): Attempt | null {
    return b && b.open !== null ? this.latest(b.open) : null;
  }

  /** The attempt kernel evidence belongs to now: the open one, else the one that ended last this boot. */
  private currentAttempt(b: BootState): Attempt | null {
    const index = b.open ?? b.last;
    return index === null ? null : this.latest(index);
  }

  push(entry: JournalEntry): void {
    switch (entry.t) {
      case 'run':
        this.run = entry;
        break;
      case 'env':
        if (this.run) this.run = { ...this.run, env: entry.env };
        break;
      case 'session':
        // hilt started again on this journal: what was still running before was cut short by hilt's own end.
        for (const b of this.boots) this.orphan(b);
        break;
      case 'boot':
        this.startBoot(entry);
        break;
      case 'rec':
        this.record(entry);
        break;
      case 'con':
        this.consoleLine(this.bootOf(entry.boot), entry.text);
        break;
      case 'bad':
        this.problem(`boot ${entry.boot}: a console record was corrupted (${entry.reason}): ${entry.text.slice(0, 200)}`);
        this.openAttempt(this.bootOf(entry.boot))?.console.push(`[hilt: corrupted record: ${entry.reason}] ${entry.text.slice(0, 2000)}`);
        break;
      case 'gap':
        this.problem(`boot ${entry.boot}: agent records ${entry.from === entry.to ? entry.from : `${entry.from}-${entry.to}`} never arrived intact; what they said is lost`);
        this.openAttempt(this.bootOf(entry.boot))?.console.push(`[hilt: records ${entry.from}..${entry.to} lost]`);
        break;
      case 'watchdog': {
        const b = this.bootOf(entry.boot);
        const a = this.openAttempt(b);
        if (a && b && (entry.index === null || entry.index === b.open) && (entry.kind === 'case' || entry.kind === 'silence')) {
          a.outcome = 'timeout';
          a.message = entry.detail;
        }
        if (entry.kind === 'boot' || entry.kind === 'run') this.problem(entry.detail);
        if (b) b.watchdog = entry.detail;
        break;
      }
      case 'boot-end': {
        const b = this.bootOf(entry.boot);
        if (b) this.bootEnd(b, entry.reason, entry.ms, entry.stderr);
        break;
      }
      case 'note':
        this.problem(entry.text);
        break;
      case 'skip': {
        const list = this.attempts[entry.index];
        if (!list || list.length) break;
        list.push(newAttempt(0, 0, { endMs: 0, outcome: 'skipped', message: entry.reason }));
        this.hooks.settled(entry.index);
        break;
      }
      case 'end':
        this.end = entry;
        break;
    }
  }

  /** A boot that never got its boot-end: hilt itself was killed; a test it left open is void. */
  private orphan(b: BootState): void {
    if (b.phase === 'ended') return;
    const a = this.openAttempt(b);
    if (a) {
      a.outcome = 'abort';
      a.message = 'hilt itself stopped during this case';
    }
    b.open = null;
    if (b.summary.reason === 'running') b.summary.reason = 'interrupted';
    b.phase = 'ended';
  }

  private startBoot(entry: Extract<JournalEntry, { t: 'boot' }>): void {
    const slot = entry.slot ?? 0;
    for (const b of this.boots) if (b.slot === slot) this.orphan(b);
    const state: BootState = {
      summary: { boot: entry.boot, start: entry.start, accel: entry.accel, reason: 'running', durationMs: null, helloMs: null },
      slot,
      phase: 'booting',
      unitStart: entry.start,
      markCursor: entry.start,
      open: null,
      last: null,
      begun: -1,
      marked: -1,
      spawn: null,
      afterMarker: new CappedLines(0, AFTER_MARKER_LINES),
      replaying: false,
      lastStamp: -1,
      trouble: [],
      watchdog: '',
      taint: null,
      tail: new CappedLines(0, TAIL_LINES),
    };
    this.boots.push(state);
    this.byNumber.set(entry.boot, state);
  }

  private close(b: BootState): void {
    if (b.open === null) return;
    const index = b.open;
    b.last = index;
    b.open = null;
    b.phase = b.spawn ? 'spawned' : 'idle';
    this.hooks.settled(index);
  }

  private record(entry: Extract<JournalEntry, { t: 'rec' }>): void {
    const b = this.bootOf(entry.boot);
    if (!b || b.phase === 'ended') return;
    const r = parseRecord({ seq: entry.seq, kind: entry.kind, payload: entry.p });
    switch (r.kind) {
      case 'hello':
        b.summary.helloMs = entry.ms;
        if (b.phase === 'booting') b.phase = 'idle';
        break;
      case 'kmsg': {
        const m: KernelMessage = { level: r.level, tsUs: r.tsUs, text: r.text, counted: false };
        const a = this.currentAttempt(b);
        if (!a) {
          if (r.level <= 4) this.bootLog.push(m);
          break;
        }
        m.counted = this.dmesg.counts(r.level, r.text);
        if (m.counted) {
          a.counted++;
          a.firstCounted ??= r.text;
        }
        a.kmsg.push(m);
        a.console.push(formatKmsg(m));
        if (classifyKernelLine(r.text)) pushCrashLine(a, formatKmsg(m));
        this.hooks.changed(a); // a closed case can still collect its late kernel messages
        break;
      }
      case 'taint': {
        if (b.taint === null || (b.open === null && b.last === null)) {
          b.taint = r.mask;
          break;
        }
        const gained = r.mask & ~b.taint;
        b.taint = r.mask;
        const a = this.currentAttempt(b);
        if (a && gained) {
          a.taint |= gained;
          this.hooks.changed(a);
        }
        break;
      }
      case 'lockdep': {
        const a = this.currentAttempt(b);
        if (a && !r.on) {
          a.lockdepOff = true;
          this.hooks.changed(a);
        }
        break;
      }
      case 'stack': {
        const a = this.latest(r.index);
        if (a && a.boot === b.summary.boot && a.stacks.length < 64) a.stacks.push(r.text);
        break;
      }
      case 'spawn':
        b.spawn = this.newSpawn(r.suite);
        b.phase = 'spawned';
        break;
      case 'begin': {
        if (!this.tests[r.index]) {
          this.problem(`agent began test ${r.index}, which the plan does not have`);
          break;
        }
        if (b.open !== null) this.lostEnd(b, entry.ms);
        this.lostTests(b, r.index, entry.ms);
        b.open = r.index;
        b.begun = Math.max(b.begun, r.index);
        b.phase = 'in-test';
        this.attempts[r.index]!.push(newAttempt(b.summary.boot, entry.ms, b.spawn?.mode === 'igt' ? { streams: newStreams() } : {}));
        break;
      }
      case 'unit':
        // serve mode: a new range of tests, not necessarily next to the last one.
        b.unitStart = r.start;
        b.begun = Math.max(b.begun, r.start - 1);
        b.marked = Math.max(b.marked, r.start - 1);
        break;
      case 'out':
      case 'err': {
        const a = this.openAttempt(b);
        const stream = a?.streams ? (r.kind === 'out' ? a.streams.out : a.streams.err) : null;
        for (const line of r.lines) {
          if (r.kind === 'out' && b.spawn?.mode !== 'igt') b.spawn?.parser.push(line);
          a?.console.push(r.kind === 'err' ? `stderr: ${line}` : line);
          stream?.push(line);
        }
        break;
      }
      case 'end': {
        const a = this.latest(r.index);
        if (!a || b.open !== r.index) break;
        a.endMs = entry.ms;
        a.agentMs = r.ms;
        a.outcome = 'ended';
        if (b.spawn?.mode === 'cases') {
          a.ktap = this.caseKtap(b.spawn, r.index);
          b.spawn.ended.push(r.index);
        }
        this.close(b);
        break;
      }
      case 'timeout': {
        const a = this.latest(r.index);
        if (!a) break;
        a.outcome = 'timeout';
        a.message = `ran past its ${r.timeoutMs / 1000} s timeout; the agent killed it`;
        break;
      }
      case 'exit':
        this.processExit(b, r.suite, { code: r.code, signal: r.signal }, entry.ms, r.ms);
        break;
      case 'notrun': {
        const list = this.attempts[r.index];
        if (!list) break;
        list.push(newAttempt(b.summary.boot, entry.ms, { endMs: entry.ms, outcome: 'notrun', message: `not run: ${r.reason}` }));
        this.hooks.settled(r.index);
        break;
      }
      case 'note':
        this.problem(`agent (boot ${b.summary.boot}): ${r.text}`);
        break;
      case 'mod':
        if (r.result === 'err') this.problem(`boot ${b.summary.boot}: module ${r.module} did not load: ${r.message} (errno ${r.errno})`);
        break;
      case 'unknown':
        this.problem(`boot ${b.summary.boot}: ${r.damaged ? 'damaged' : 'unknown'} agent record '${r.rawKind}': ${r.payload.slice(0, 200)}`);
        break;
      case 'hb':
      case 'done':
      case 'ready':
        break;
    }
  }

  /** A whole program's KTAP tree; what its output got wrong (a cut plan, an absurd one) is a problem of the run. */
  private endWhole(spawn: Spawn): KtapNode {
    const root = spawn.parser.end();
    // Planned tests never reported are cases of their own; the rest (a cut list, a refused plan) is said here.
    for (const p of root.problems) if (!/^tests? [\d-]+ of \d+ planned (was|were) never reported$/.test(p)) this.problem(`${spawn.suite}: ${p}`);
    return root;
  }

  private caseKtap(spawn: Spawn, index: number): KtapNode | null {
    spawn.parser.flush();
    return spawn.results.get(this.tests[index]!.case) ?? null;
  }

  private processExit(b: BootState, suite: string, exit: { code: number | null; signal: number | null }, ms: number, agentMs: number): void {
    const spawn = b.spawn;
    const exits = this.exits.get(suite) ?? [];
    exits.push(exit);
    this.exits.set(suite, exits);
    const a = this.openAttempt(b);
    if ((spawn?.mode === 'whole' || spawn?.mode === 'igt') && a) {
      if (spawn.mode === 'whole') a.ktap = this.endWhole(spawn);
      a.exit = exit;
      a.endMs = ms;
      a.agentMs = agentMs;
      if (a.outcome === 'running') a.outcome = 'ended';
      this.close(b);
    } else if (a) {
      a.exit = exit;
      a.endMs = ms;
      if (a.outcome === 'running') {
        a.outcome = 'crash';
        a.message =
          exit.signal !== null
            ? `the suite process died of ${signalName(exit.signal)} during this case`
            : `the suite process exited with code ${exit.code} during this case`;
      }
      this.close(b);
    } else if (spawn?.mode === 'cases' && exit.code !== 0) {
      const failed = spawn.ended.some((i) => this.latest(i)?.ktap?.status === 'fail');
      if (!failed) {
        this.badExits.set(
          suite,
          exit.signal !== null ? `the suite process died of ${signalName(exit.signal)} between cases` : `the suite process exited with code ${exit.code} after reporting no failure`,
        );
      }
    }
    b.spawn = null;
    b.phase = 'idle';
  }

  /**
   * A new test began while another was open: the agent only does that after
   * the open one ended, so its 'end' record was lost on the console. Its KTAP
   * result, if that arrived, still stands.
   */
  private lostEnd(b: BootState, ms: number): void {
    const a = this.latest(b.open!)!;
    a.endMs = ms;
    if (a.outcome === 'running') {
      a.outcome = 'ended';
      a.message = 'its end and perhaps its result never reached the host (lost on the console)';
      if (b.spawn?.mode === 'cases') a.ktap = this.caseKtap(b.spawn, b.open!);
    }
    this.close(b);
  }

  /**
   * Tests run in plan order: a begin for test k means every test from the
   * boot's start up to k ran too (or was found not runnable). One that left
   * no record at all had its records destroyed on the console; it is not
   * run again, it is reported.
   */
  private lostTests(b: BootState, upTo: number, ms: number): void {
    for (let i = Math.max(b.unitStart, b.begun + 1); i < upTo; i++) {
      const list = this.attempts[i]!;
      if (list.some((a) => a.boot === b.summary.boot)) continue;
      list.push(newAttempt(b.summary.boot, ms, { endMs: ms, outcome: 'ended', message: 'it ran, but its records were destroyed on the console (see the problems of the run)' }));
      this.hooks.settled(i);
    }
  }

  private newSpawn(suite: string): Spawn {
    const mode = this.modes.get(suite) ?? 'whole';
    const results = new Map<string, KtapNode>();
    const parser = new KtapParser({
      retain: true,
      missingBudget: this.missingBudget,
      onTest: (node, path) => {
        if (mode === 'cases' && path.length === 1) results.set(node.name, node);
      },
    });
    return { suite, mode, parser, results, ended: [] };
  }

  private consoleLine(b: BootState | null, text: string): void {
    if (!b || b.phase === 'ended') return;
    // A panicking kernel prints its whole log again (panic_print=0x20): timestamps go back in time.
    const t = stampSeconds(text);
    if (t !== null) {
      if (t < b.lastStamp && !b.replaying) {
        b.replaying = true;
        b.markCursor = b.summary.start; // the replay starts from the boot's first marker
      } else if (!b.replaying) b.lastStamp = t;
    }
    if (b.replaying && text.includes('---[ end Kernel panic')) b.replaying = false;
    const marker = markerOf(text);
    if (marker !== null) {
      const index = testOfMarker(marker, this.tests, b.markCursor);
      if (index !== null) {
        b.markCursor = index;
        b.marked = Math.max(b.marked, index);
      }
      b.afterMarker = new CappedLines(0, AFTER_MARKER_LINES);
      return;
    }
    b.afterMarker.push(text);
    const trouble = classifyKernelLine(text) !== null;
    if (trouble && b.trouble.length < TROUBLE_MAX) b.trouble.push(text);
    // The replayed log only tells which case ran (its markers); it is no case's console.
    if (b.replaying) return;
    b.tail.push(text);
    const a = this.openAttempt(b);
    if (!a) return;
    a.console.push(text);
    if (trouble || a.crashLines.length) pushCrashLine(a, text);
  }

  /**
   * The machine stopped while the kernel-log markers say a test was running
   * whose 'begin' record never came out of the tty (the kernel died with it
   * queued). The test open before it had ended; the marked one is the one
   * the machine stopped in, with the console since the marker as evidence.
   */
  private beganUnseen(b: BootState, ms: number): void {
    const index = b.marked;
    if (b.open !== null) this.lostEnd(b, ms);
    this.lostTests(b, index, ms);
    const lines = b.afterMarker.lines();
    const a = newAttempt(b.summary.boot, ms);
    for (const line of lines) a.console.push(line);
    const trouble = lines.findIndex((l) => classifyKernelLine(l) !== null);
    if (trouble >= 0) for (const l of lines.slice(trouble)) pushCrashLine(a, l);
    this.attempts[index]!.push(a);
    b.open = index;
    b.begun = index;
  }

  /**
   * The machine stopped with a suite process running and no test open, and
   * no marker to go by (a halted or wedged kernel prints no log): the agent
   * had started the next test in plan order, whose 'begin' record never left
   * the tty queue. That test is the one the machine stopped in.
   */
  private runningUnseen(b: BootState, ms: number): void {
    let index = b.unitStart;
    while (this.tests[index] && this.attempts[index]!.some((a) => a.boot === b.summary.boot)) index++;
    if (!this.tests[index] || this.tests[index]!.suite !== b.spawn!.suite) return;
    this.attempts[index]!.push(newAttempt(b.summary.boot, ms));
    b.open = index;
    b.begun = index;
  }

  private bootEnd(b: BootState, reason: BootEndReason, ms: number, stderr: string): void {
    if (b.phase === 'ended') return;
    b.summary.durationMs = ms;
    b.summary.reason = reason;
    // The host stopping the machine on purpose says nothing about what the guest had started.
    const machineDied = reason !== 'poweroff' && reason !== 'interrupted' && reason !== 'abort-on';
    if (b.marked > b.begun && machineDied && this.tests[b.marked]) this.beganUnseen(b, ms);
    else if (b.open === null && b.spawn && machineDied) this.runningUnseen(b, ms);
    const a = this.openAttempt(b);
    if (a) {
      a.endMs = ms;
      // A program run whole keeps what it reported before the machine stopped.
      if (b.spawn?.mode === 'whole' && !a.ktap) a.ktap = this.endWhole(b.spawn);
      if (reason === 'panic') {
        a.outcome = 'crash';
        a.message = 'the kernel panicked during this case';
        if (!a.crashLines.length) for (const l of b.trouble) pushCrashLine(a, l);
      } else if (reason === 'interrupted' || reason === 'run-timeout' || reason === 'abort-on') {
        a.outcome = 'abort';
        a.message =
          reason === 'interrupted'
            ? 'the run was interrupted during this case'
            : reason === 'abort-on'
              ? `the run was stopped during this case: ${b.watchdog}`
              : 'the whole run ran out of time during this case';
      } else if (a.outcome === 'running') {
        a.outcome = reason === 'silence' || reason === 'case-timeout' ? 'timeout' : 'crash';
        a.message ||= b.watchdog || (reason === 'exit' ? `the machine went down during this case${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}` : `machine stopped: ${reason}`);
      }
      this.close(b);
    }
    b.spawn = null;
    b.phase = 'ended';
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

  bootSummaries(): BootSummary[] {
    return this.boots.map((b) => ({ ...b.summary }));
  }

  /** The console tail of the last boot, when it never reached the agent. */
  lastBootTail(): { boot: number; lines: string[] } | null {
    const last = this.boots[this.boots.length - 1];
    if (!last || last.summary.helloMs !== null) return null;
    return { boot: last.summary.boot, lines: last.tail.lines() };
  }
}
