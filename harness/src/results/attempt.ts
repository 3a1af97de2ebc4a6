/**
 * One run of one planned test in one boot: what the attribution state
 * machine (attribution.ts) collects, and all the verdict rules (verdicts.ts)
 * look at. Plain data.
 */
import type { KtapNode } from '../ktap/types.js';
import { CappedLines, CappedList } from './capped-lines.js';
import type { KernelMessage } from './model.js';

/**
 * running: begun, not ended yet; ended: the agent saw it end (its KTAP says how);
 * timeout: a watchdog stopped it; crash: its process or the machine died in it;
 * notrun: the agent could not run it; abort: hilt itself was stopped during it;
 * skipped: hilt never ran it, the kernel lacks an option it needs.
 */
export type Outcome = 'running' | 'ended' | 'timeout' | 'crash' | 'notrun' | 'abort' | 'skipped';

/** Kernel messages kept per attempt: a flood of WARNs is counted, not held. */
export const KMSG_HEAD = 500;
export const KMSG_TAIL = 1500;
/** Console lines kept as crash evidence, from the first one that reports trouble. */
export const CRASH_LINES = 400;
/** Stack dumps of a hung case kept (one per task). */
export const STACKS_MAX = 64;
/** Lines of an IGT process's stdout and of its stderr kept, each (head and tail): IGT's verdicts are read from them. */
export const STREAM_HEAD = 4000;
export const STREAM_TAIL = 4000;

export interface Attempt {
  boot: number;
  startMs: number;
  endMs: number | null;
  /** How long the agent measured the test, when it saw the end. */
  agentMs: number | null;
  outcome: Outcome;
  message: string;
  console: CappedLines;
  kmsg: CappedList<KernelMessage>;
  /** Kernel messages the dmesg rules count against the test, all of them (kmsg may have dropped some). */
  counted: number;
  /** The first of them, which names the trouble in the verdict. */
  firstCounted: string | null;
  /** Console lines from the first that reports a panic, oops or lockup on: the crash's evidence. */
  crashLines: string[];
  /** KTAP of a case run case by case, or the whole tree of a program run whole (partial after a crash). */
  ktap: KtapNode | null;
  exit: { code: number | null; signal: number | null } | null;
  /** Taint bits the kernel gained while this test ran (beyond the boot's own). */
  taint: number;
  /** Lockdep switched itself off (debug_locks went to 0) while this test ran. */
  lockdepOff: boolean;
  /** What the agent dumped of the stuck tasks before it killed a test that overran. */
  stacks: string[];
  /** An IGT process's stdout and stderr, apart: IGT cuts each per subtest (null for other suites). */
  streams: { out: CappedLines; err: CappedLines } | null;
}

export const newStreams = () => ({ out: new CappedLines(STREAM_HEAD, STREAM_TAIL), err: new CappedLines(STREAM_HEAD, STREAM_TAIL) });

/** A run of a test that began at ms of its boot; closing it fills in the rest. */
export function newAttempt(boot: number, ms: number, over: Partial<Attempt> = {}): Attempt {
  return {
    boot,
    startMs: ms,
    endMs: null,
    agentMs: null,
    outcome: 'running',
    message: '',
    console: new CappedLines(),
    kmsg: new CappedList<KernelMessage>(KMSG_HEAD, KMSG_TAIL),
    counted: 0,
    firstCounted: null,
    crashLines: [],
    ktap: null,
    exit: null,
    taint: 0,
    lockdepOff: false,
    stacks: [],
    streams: null,
    ...over,
  };
}

/** Adds a crash-evidence line, bounded. */
export function pushCrashLine(a: Attempt, line: string): void {
  if (a.crashLines.length < CRASH_LINES) a.crashLines.push(line);
}
