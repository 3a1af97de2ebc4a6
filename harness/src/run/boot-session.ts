/**
 * One boot of the machine, from power-on to power-off: console bytes become
 * lines, lines become agent records or kernel lines, and everything goes to
 * the journal as it arrives. Watchdogs stop a machine that never reaches the
 * agent, goes silent, overruns a case or the whole run, or hangs after a
 * panic; each firing is journaled with what it saw before the machine is
 * killed, so nothing read so far is lost.
 */
import { FrameDecoder, type DecodedLine } from '../agent-protocol/frame.js';
import { parseRecord } from '../agent-protocol/records.js';
import { AGENT_HEARTBEAT_MS } from '../agent-protocol/limits.js';
import { classifyKernelLine } from '../console/kernel-events.js';
import { TROUBLE_TAINT_MASK, describeTaint } from '../console/taint.js';
import { markedTest } from '../agent-protocol/markers.js';
import type { AbortCondition } from '../plan/types.js';
import type { Machine, MachineExit } from '../targets/target.js';
import { LineSplitter } from '../text/line-splitter.js';
import type { BootEndReason, JournalEntry } from '../journal/index.js';

/** The console line cap: a never-ending line or a NUL flood costs at most this much memory. */
export const CONSOLE_MAX_LINE_BYTES = 16 * 1024;
/** After a panic the kernel reboots at once (panic=-1, -no-reboot); if it hangs instead, stop waiting. */
const PANIC_GRACE_MS = 5_000;
const TICK_MS = 200;

export interface BootSessionOptions {
  machine: Machine;
  boot: number;
  journal: (entry: JournalEntry) => void;
  bootTimeoutMs: number;
  silenceTimeoutMs: number;
  caseGraceMs: number;
  /** Wall-clock deadline of the whole run (Date.now() scale), or null. */
  runDeadline: number | null;
  timeoutOf: (index: number) => number;
  signal: AbortSignal;
  /** Console text as it arrives, for a person watching (--verbose). */
  echo?: (line: string) => void;
  /** The plan's tests, to read the agent's kernel-log markers (which test a console line marks as begun). */
  tests?: readonly { index: number; suite: string; case: string }[];
  /**
   * The machine was booted with hilt.mode=serve: it asks for work when it is
   * ready and after each range, and next() hands out the next range of tests
   * (null: nothing left, the machine powers off).
   */
  serve?: { next(): { start: number; count: number } | null };
  /** Every console byte as it arrives, for the raw console log beside the reports. */
  raw?: (chunk: Buffer) => void;
  /** Kernel conditions that stop the run (--abort-on), and the test names for saying where. */
  abortOn?: readonly AbortCondition[];
  testName?: (index: number) => string;
}

export interface BootOutcome {
  reason: BootEndReason;
  hello: boolean;
  done: boolean;
  /** The test that was running when the machine stopped, if any. */
  open: number | null;
  /** Tests this boot began, in order. */
  began: number[];
  exit: MachineExit;
  /** The last console lines that were not agent records: what a boot that never reached the agent said. */
  tail: string[];
  /** Why a watchdog or --abort-on stopped the machine, in words. */
  why: string | null;
  /** serve: the ranges of tests handed out to this machine, in order. */
  units: { start: number; count: number }[];
}

const TAIL_LINES = 40;

export async function runBoot(o: BootSessionOptions): Promise<BootOutcome> {
  const t0 = Date.now();
  const ms = () => Date.now() - t0;
  const splitter = new LineSplitter({ maxLineBytes: CONSOLE_MAX_LINE_BYTES, encoding: 'latin1' });
  const decoder = new FrameDecoder();
  let lastByte = t0;
  let hello = false;
  let done = false;
  let open: number | null = null;
  let openDeadline = 0;
  let panicAt: number | null = null;
  let reason: BootEndReason | null = null;
  let why: string | null = null;
  let truncatedSeen = 0;
  let droppedSeen = 0;
  const began: number[] = [];
  const tail: string[] = [];
  let announced = -1;
  /** A suite process is running: between its cases too, a silence stops whatever case it was at. */
  let suiteRunning = false;
  /** serve: a range of tests is running (no watchdog on silence between ranges), and every range handed out. */
  let unitRunning = false;
  let quitSent = false;
  const units: { start: number; count: number }[] = [];
  const handOut = () => {
    const u = o.serve!.next();
    if (u) {
      units.push(u);
      unitRunning = true;
      lastByte = Date.now();
      o.machine.write(`run ${u.start} ${u.count}\n`);
    } else {
      unitRunning = false;
      quitSent = true;
      o.machine.write('quit\n');
    }
  };
  /** --abort-on: the kernel's taint before any test, the test that ended last, and why the run must stop. */
  let baseTaint: number | null = null;
  let lastEnded: number | null = null;
  let abortWhy: string | null = null;
  let abortAt = 0;
  const where = () => {
    const i = open ?? lastEnded;
    return i === null ? 'before any test' : `during ${o.testName?.(i) ?? `test ${i + 1}`}`;
  };
  /** A condition of --abort-on was met: stop once the test it came in has ended (its verdict stands). */
  const abortSoon = (why: string) => {
    if (abortWhy !== null) return;
    abortWhy = `--abort-on: ${why} ${where()}; the rest of the run is not run`;
    abortAt = Date.now();
    if (open === null) stop('abort-on', { kind: 'abort-on', detail: abortWhy });
  };

  const handle = (d: DecodedLine) => {
    switch (d.type) {
      case 'console': {
        if (!d.text) return; // the agent starts each record on a fresh line
        o.journal({ t: 'con', boot: o.boot, text: d.text, ms: ms() });
        tail.push(d.text);
        if (tail.length > TAIL_LINES) tail.shift();
        o.echo?.(d.text);
        if (panicAt === null && classifyKernelLine(d.text) === 'panic') panicAt = Date.now();
        const marked = o.tests ? markedTest(d.text, o.tests, announced < 0 ? (units[units.length - 1]?.start ?? 0) : announced) : null;
        if (marked !== null) announced = Math.max(announced, marked);
        return;
      }
      case 'corrupt':
        o.journal({ t: 'bad', boot: o.boot, text: d.text, reason: d.reason, ms: ms() });
        return;
      case 'gap':
        o.journal({ t: 'gap', boot: o.boot, from: d.from, to: d.to, ms: ms() });
        return;
      case 'record': {
        // After --abort-on stopped the run, what the guest ran ahead of the host is not part of it.
        if (reason === 'abort-on') return;
        const { seq, kind, payload } = d.record;
        o.journal({ t: 'rec', boot: o.boot, seq, kind, p: payload, ms: ms(), ...(d.repaired ? { repaired: true } : {}) });
        const r = parseRecord(d.record);
        if (r.kind === 'hello') hello = true;
        else if (r.kind === 'spawn') suiteRunning = true;
        else if (r.kind === 'taint') {
          if (baseTaint === null || (open === null && lastEnded === null)) baseTaint = r.mask;
          else {
            const gained = r.mask & ~baseTaint & TROUBLE_TAINT_MASK;
            if (gained && o.abortOn?.includes('taint')) abortSoon(`the kernel became tainted ${describeTaint(gained)}`);
          }
        } else if (r.kind === 'lockdep' && !r.on && o.abortOn?.includes('lockdep')) abortSoon('lockdep switched itself off');
        else if (r.kind === 'begin') {
          open = r.index;
          began.push(r.index);
          openDeadline = Date.now() + o.timeoutOf(r.index) + o.caseGraceMs;
        } else if (r.kind === 'timeout') {
          // The agent is killing it; give it the grace period to do so.
          openDeadline = Date.now() + o.caseGraceMs;
        } else if ((r.kind === 'end' && r.index === open) || r.kind === 'exit') {
          if (open !== null) lastEnded = open;
          open = null;
          if (r.kind === 'exit') suiteRunning = false;
          if (abortWhy !== null) stop('abort-on', { kind: 'abort-on', detail: abortWhy });
        } else if (r.kind === 'done') {
          done = true;
          if (o.serve && !reason) handOut();
        } else if (r.kind === 'ready' && o.serve && !reason) {
          handOut();
        }
        if (o.echo && (r.kind === 'out' || r.kind === 'err')) for (const line of r.lines) o.echo(line);
      }
    }
  };

  const onLines = (lines: string[]) => {
    for (const line of lines) for (const d of decoder.push(line)) handle(d);
    if (splitter.truncatedLines > truncatedSeen) {
      const lines = splitter.truncatedLines - truncatedSeen;
      const dropped = splitter.droppedBytes - droppedSeen;
      truncatedSeen = splitter.truncatedLines;
      droppedSeen = splitter.droppedBytes;
      o.journal({
        t: 'note',
        text: `boot ${o.boot}: ${lines === 1 ? 'a console line' : `${lines} console lines`} longer than ${CONSOLE_MAX_LINE_BYTES} bytes cut, ${dropped} bytes dropped`,
      });
    }
  };
  o.machine.onConsole((chunk) => {
    lastByte = Date.now();
    o.raw?.(chunk);
    onLines(splitter.push(chunk));
  });

  const stop = (cause: BootEndReason, watchdog?: { kind: 'boot' | 'silence' | 'case' | 'run' | 'abort-on'; detail: string }) => {
    if (reason) return;
    reason = cause;
    if (watchdog) why = watchdog.detail;
    if (watchdog) o.journal({ t: 'watchdog', boot: o.boot, kind: watchdog.kind, index: open, ms: ms(), detail: watchdog.detail });
    void o.machine.kill();
  };
  const tick = setInterval(() => {
    const now = Date.now();
    if (panicAt !== null) {
      // The kernel is going down; only how long it takes to get there matters now.
      if (now - panicAt > PANIC_GRACE_MS) stop('panic');
    } else if (abortWhy !== null && now - abortAt > o.caseGraceMs) {
      // The test the condition came in never ended: stop it where it is.
      stop('abort-on', { kind: 'abort-on', detail: abortWhy });
    } else if (!hello && now - t0 > o.bootTimeoutMs) {
      stop('boot-timeout', { kind: 'boot', detail: `the machine did not reach the hilt agent within ${o.bootTimeoutMs / 1000} s of power-on` });
    } else if (now - lastByte > o.silenceTimeoutMs && hello && (!o.serve || unitRunning)) {
      stop('silence', {
        kind: 'silence',
        detail: `the machine sent nothing for ${o.silenceTimeoutMs / 1000} s${open !== null || suiteRunning ? ' during this case' : ''}: it is wedged (the agent sends a heartbeat every ${AGENT_HEARTBEAT_MS / 1000} s)`,
      });
    } else if (open !== null && now > openDeadline) {
      stop('case-timeout', { kind: 'case', detail: `the case overran its ${o.timeoutOf(open) / 1000} s timeout and the agent did not stop it; the machine was reset` });
    } else if (o.runDeadline !== null && now > o.runDeadline) {
      stop('run-timeout', { kind: 'run', detail: 'the whole run ran past its timeout' });
    }
  }, TICK_MS);
  const onAbort = () => stop('interrupted');
  if (o.signal.aborted) onAbort();
  o.signal.addEventListener('abort', onAbort);

  const exit = await o.machine.exited;
  clearInterval(tick);
  o.signal.removeEventListener('abort', onAbort);
  onLines(splitter.end());
  for (const d of decoder.end()) handle(d);
  // serve: powering off is what the agent does after 'quit', not after each range's 'done'.
  const poweredOff = o.serve ? quitSent && !unitRunning : done;
  const final: BootEndReason = reason ?? (poweredOff && panicAt === null ? 'poweroff' : panicAt !== null ? 'panic' : 'exit');
  o.journal({ t: 'boot-end', boot: o.boot, reason: final, code: exit.code, signal: exit.signal, stderr: exit.stderr.slice(-4000), ms: ms() });
  // The agent's marker says which test ran when its 'begin' record did not make it out.
  const unseen = announced > Math.max(-1, ...began) && final !== 'poweroff';
  return { reason: final, hello, done: poweredOff, open: unseen ? announced : open, began: unseen ? [...began, announced] : began, exit, tail, why, units };
}
