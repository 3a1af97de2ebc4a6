/**
 * IGT's verdicts for one test process: what igt_runner would write in
 * results.json for it, from what hilt sees of it (stdout, stderr, how it
 * ended, whether a watchdog stopped it, the kernel log of its run).
 * The rules are igt_runner's (runner/resultgen.c), in this order:
 *
 *  1. each subtest and dynamic subtest takes the result its line reports:
 *     SUCCESS pass, SKIP skip, FAIL fail, CRASH crash, TIMEOUT timeout;
 *     one that never reported is incomplete. When the process ended during
 *     a subtest (no result line), a watchdog's kill makes it timeout and exit
 *     112 makes it abort; a dynamic subtest left incomplete inside an
 *     aborted subtest is abort too;
 *  2. a process that reported no subtest at all is judged by its exit:
 *     0 pass, 77 skip, 79 skip (no such subtest, or none at all), 112 abort,
 *     anything else (98, a signal) fail; timeout if a watchdog stopped it;
 *  3. a pass whose stderr share holds a line IGT wrote (a warning, a crash
 *     report) becomes warn;
 *  4. a kernel message at the warning level or worse during the (dynamic)
 *     subtest, other than those IGT's runner ignores (kmsg.ts), turns pass
 *     and warn into dmesg-warn and fail into dmesg-fail;
 *  5. a test with no output and no kernel log at all is incomplete.
 *
 * Where igt_runner's two ways of hearing a test differ (its socket, which it
 * uses, and plain text), this follows the socket: only a still running
 * subtest takes a timeout or an abort, and only lines IGT itself wrote to
 * stderr count for warn. Pure.
 */
import { constants } from 'node:os';
import { failureExplanation, skipExplanation } from './explain.js';
import { type DmesgShare, type KernelMessage, attributeDmesg, DEFAULT_DMESG_WARN_LEVEL, formatKernelMessage } from './kmsg.js';
import { igtName, igtNamePart } from './names.js';
import { type Reported, parseIgtOutput } from './output.js';
import { IGT_EXIT_ABORT, IGT_EXIT_INVALID, IGT_EXIT_SKIP, IGT_EXIT_SUCCESS } from './select.js';

/** igt_runner's result words (results.json). */
export type IgtResult = 'pass' | 'fail' | 'skip' | 'crash' | 'timeout' | 'incomplete' | 'abort' | 'notrun' | 'warn' | 'dmesg-warn' | 'dmesg-fail';

export interface IgtProcessRun {
  /** The binary's file name: core_auth. */
  binary: string;
  /** The subtest asked for with --run-subtest; null when the binary ran whole. */
  requested: string | null;
  stdout: string;
  stderr: string;
  exit: { code: number | null; signal: string | null };
  /** A watchdog stopped the process. */
  timedOut: boolean;
  /** The kernel log of the run, in order. */
  kmsg: readonly KernelMessage[];
  /** Default 4 (KERN_WARNING), igt_runner's --dmesg-warn-level. */
  dmesgWarnLevel?: number;
  /** Messages that never count (a plan's own ignore patterns), on top of IGT's list. */
  dmesgIgnore?: readonly RegExp[];
}

export interface IgtVerdict {
  /** igt@binary[@subtest[@dynamic]] */
  name: string;
  subtest: string | null;
  dynamic: string | null;
  result: IgtResult;
  /** Why, in a sentence a person reads in a report. */
  reason: string;
  seconds: number | null;
  out: string;
  err: string;
  /** The kernel log of the (dynamic) subtest, as igt_runner prints it. */
  dmesg: string[];
  /** The messages that made it dmesg-warn or dmesg-fail. */
  dmesgWarnings: string[];
  /** The same two, as the messages given (the very objects, for callers that keep more of them). */
  kmsg: KernelMessage[];
  kmsgWarnings: KernelMessage[];
}

const WORDS: Record<string, IgtResult> = { SUCCESS: 'pass', SKIP: 'skip', FAIL: 'fail', CRASH: 'crash', TIMEOUT: 'timeout' };

/** The exit status as igt_runner's executor records it: a code of 128 or more, or a signal, as a negative number. */
export function runnerExitStatus(exit: IgtProcessRun['exit']): number {
  if (exit.signal) return -((constants.signals as Record<string, number>)[exit.signal] ?? 0);
  const code = exit.code ?? 0;
  return code >= 128 ? 128 - code : code;
}

function describeExit(exit: IgtProcessRun['exit']): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with ${exit.code}`;
}

/** result_from_exitcode */
function fromExit(status: number): IgtResult {
  if (status === IGT_EXIT_SUCCESS) return 'pass';
  if (status === IGT_EXIT_SKIP || status === IGT_EXIT_INVALID) return 'skip';
  if (status === IGT_EXIT_ABORT) return 'abort';
  return 'fail';
}

/** "IGT: FAIL: Failed assertion: ...": the word IGT reported and, for a skip or a failure, what it said of why. */
function reported(word: string, out: string, err: string): string {
  const why = word === 'SKIP' ? skipExplanation(out) : word === 'FAIL' || word === 'CRASH' ? failureExplanation(err) : null;
  return why ? `IGT: ${word}: ${why}` : `IGT: ${word}`;
}

const reportedResult = (r: Reported): IgtResult => (r === null || r === 'unknown' ? 'incomplete' : WORDS[r]!);

interface Draft {
  verdict: IgtVerdict;
  errWarned: boolean;
  share: DmesgShare;
}

function draft(name: string, subtest: string | null, dynamic: string | null, result: IgtResult, reason: string, seconds: number | null, out: string, err: string, errWarned: boolean, share: DmesgShare): Draft {
  return { verdict: { name, subtest, dynamic, result, reason, seconds, out, err, dmesg: [], dmesgWarnings: [], kmsg: [], kmsgWarnings: [] }, errWarned, share };
}

const EMPTY: DmesgShare = { messages: [], warnings: [] };

/** override_result_single: stderr warnings, then the kernel log, then silence. */
function settle(d: Draft): IgtVerdict {
  const v = d.verdict;
  v.dmesg = d.share.messages.map(formatKernelMessage);
  v.dmesgWarnings = d.share.warnings.map(formatKernelMessage);
  v.kmsg = d.share.messages.slice();
  v.kmsgWarnings = d.share.warnings.slice();
  if (v.result === 'pass' && d.errWarned) {
    v.result = 'warn';
    v.reason += '; IGT logged warnings on stderr';
  }
  if (d.share.warnings.length && (v.result === 'pass' || v.result === 'warn' || v.result === 'fail')) {
    v.result = v.result === 'fail' ? 'dmesg-fail' : 'dmesg-warn';
    const n = d.share.warnings.length;
    v.reason += `; the kernel logged ${n} message${n === 1 ? '' : 's'} at warning level or worse: ${d.share.warnings[0]!.text}`;
  }
  if (!v.out && !v.err && !v.dmesg.length) {
    v.result = 'incomplete';
    v.reason = 'the test produced no output and the kernel logged nothing: the machine probably went down';
  }
  return v;
}

export function judgeIgtProcess(run: IgtProcessRun): IgtVerdict[] {
  const parsed = parseIgtOutput(run.stdout, run.stderr);
  const dm = attributeDmesg(run.kmsg, run.dmesgWarnLevel ?? DEFAULT_DMESG_WARN_LEVEL, run.dmesgIgnore);
  const status = runnerExitStatus(run.exit);
  const anyMarker = dm.subtests.size > 0;
  // No subtest ever began in the kernel log: every subtest gets all of it, and none its warnings.
  const shareOf = (subtest: string) => dm.subtests.get(igtNamePart(subtest)) ?? (anyMarker ? EMPTY : { messages: dm.all.messages, warnings: [] });

  if (!parsed.subtests.length) {
    const name = igtName(run.binary, run.requested);
    const result = run.timedOut ? 'timeout' : fromExit(status);
    let reason: string;
    if (run.timedOut) reason = 'the watchdog stopped it before any subtest reported';
    else if (status === IGT_EXIT_INVALID && run.requested) reason = `${run.binary} has no subtest ${run.requested} (exit 79)`;
    else if (status === IGT_EXIT_INVALID) reason = `${run.binary} has no subtests to run (exit 79)`;
    else reason = `no subtest reported; the process ${describeExit(run.exit)}`;
    const share = run.requested ? shareOf(run.requested) : dm.all;
    return [settle(draft(name, run.requested, null, result, reason, null, run.stdout, run.stderr, false, share))];
  }

  const drafts: Draft[] = [];
  parsed.subtests.forEach((s, i) => {
    const running = s.result === null && i === parsed.subtests.length - 1;
    let result = reportedResult(s.result);
    let reason = s.result === null ? `IGT never reported a result; the process ${describeExit(run.exit)}` : s.result === 'unknown' ? 'IGT reported a result igt_runner does not know' : reported(s.result, s.out.text, s.err.text);
    if (running && run.timedOut) {
      result = 'timeout';
      reason = 'the watchdog stopped it before it reported';
    } else if (running && status === IGT_EXIT_ABORT) {
      result = 'abort';
      reason = 'IGT aborted the run (exit 112) during it';
    }
    const name = igtName(run.binary, s.name);
    drafts.push(draft(name, s.name, null, result, reason, s.seconds, s.out.text, s.err.text, s.err.warned, shareOf(s.name)));
    s.dynamic.forEach((d, k) => {
      const dynRunning = running && d.result === null && k === s.dynamic.length - 1;
      let dr = reportedResult(d.result);
      let dreason = d.result === null ? `IGT never reported a result; the process ${describeExit(run.exit)}` : d.result === 'unknown' ? 'IGT reported a result igt_runner does not know' : reported(d.result, d.out.text, d.err.text);
      if (dynRunning && run.timedOut) {
        dr = 'timeout';
        dreason = 'the watchdog stopped it before it reported';
      } else if (dr === 'incomplete' && (result === 'abort' || result === 'notrun')) {
        dr = result;
        dreason = reason;
      }
      const dshare = dm.dynamic.get(`${igtNamePart(s.name)}@${igtNamePart(d.name)}`) ?? EMPTY;
      drafts.push(draft(igtName(run.binary, s.name, d.name), s.name, d.name, dr, dreason, d.seconds, d.out.text, d.err.text, d.err.warned, dshare));
    });
  });
  return drafts.map(settle);
}
