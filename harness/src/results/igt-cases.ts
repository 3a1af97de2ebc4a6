/**
 * The verdict of one IGT test process (one planned subtest, or a program
 * without subtests run whole): its attempt's stdout, stderr, exit, timeout
 * and kernel messages go through IGT's own rules (igt/verdicts.ts, what
 * igt_runner would write), and come out as one case, the subtest, with its
 * dynamic subtests as its subtests. hilt adds only what IGT's runner cannot
 * see from inside the machine: a kernel panic or a machine that went down
 * during the process is a crash, hilt stopping the run an abort. Pure.
 */
import { constants } from 'node:os';
import type { KernelMessage as IgtKernelMessage } from '../igt/kmsg.js';
import { igtNamePart } from '../igt/names.js';
import { type IgtResult, type IgtVerdict, judgeIgtProcess } from '../igt/verdicts.js';
import type { PlannedTest } from '../plan/types.js';
import type { Attempt } from './attempt.js';
import type { CaseResult, KernelMessage, Status } from './model.js';

/**
 * hilt's status for an IGT result: the same word, but notrun (the run was
 * stopped before the test), which is hilt's abort. warn is a status of its
 * own (results/model.ts says why).
 */
export function hiltStatus(result: IgtResult): Status {
  return result === 'notrun' ? 'abort' : result;
}

/** How IGT's part of the plan judges kernel messages: igt_runner's warn level, and a plan's own ignore patterns. */
export interface IgtDmesgRules {
  level: number;
  ignore: readonly RegExp[];
}

export const DEFAULT_IGT_DMESG: IgtDmesgRules = { level: 4, ignore: [] };

const signalName = (n: number) => Object.entries(constants.signals).find(([, v]) => v === n)?.[0] ?? `SIG${n}`;

const streamText = (lines: string[] | undefined) => (lines?.length ? lines.join('\n') + '\n' : '');

/** What hilt says of an attempt the process did not finish: the machine went down, or hilt stopped. */
function stopped(a: Attempt, crashMessage: (message: string, lines: string[]) => string): { status: Status; message: string } | null {
  switch (a.outcome) {
    case 'crash':
      return { status: 'crash', message: crashMessage(a.message, a.crashLines) };
    case 'abort':
      return { status: 'abort', message: a.message };
    case 'running':
      return { status: 'incomplete', message: 'the test began and its end was never seen' };
    default:
      return null;
  }
}

export interface IgtCaseBase {
  durationMs: number | null;
  console: string[];
  kernelLog: KernelMessage[];
  attempts: number;
}

/**
 * The case of one planned IGT test from its latest attempt. base: what every
 * case of the attempt shares (its duration, console and kernel log as the
 * attempt kept them, how many attempts); crashMessage: how verdicts.ts words
 * a crash from its evidence.
 */
export function igtCase(
  t: PlannedTest,
  a: Attempt,
  base: IgtCaseBase,
  rules: IgtDmesgRules,
  crashMessage: (message: string, lines: string[]) => string,
): CaseResult {
  const program = t.suite.replace(/^igt@/, '');
  const requested = t.case === '-' ? null : t.case;
  const name = requested ?? t.suite;
  if (a.outcome === 'notrun') return { name, status: 'incomplete', message: a.message, observations: [], subtests: [], ...base };

  // IGT reads the kernel log it keeps itself; the attempt's messages are the same records, in order.
  const messages = a.kmsg.items();
  const igtMessages: IgtKernelMessage[] = messages.map((m) => ({ level: m.level, text: m.text, usec: m.tsUs }));
  const modelOf = new Map(igtMessages.map((m, i) => [m, messages[i]!]));
  const hostKilled = a.outcome === 'timeout' && a.exit === null;
  const verdicts = judgeIgtProcess({
    binary: program,
    requested,
    stdout: streamText(a.streams?.out.lines()),
    stderr: streamText(a.streams?.err.lines()),
    exit: a.exit ? { code: a.exit.code, signal: a.exit.signal === null ? null : signalName(a.exit.signal) } : hostKilled ? { code: null, signal: 'SIGKILL' } : { code: null, signal: null },
    timedOut: a.outcome === 'timeout',
    kmsg: igtMessages,
    dmesgWarnLevel: rules.level,
    dmesgIgnore: rules.ignore,
  });
  const isTop = (v: IgtVerdict) => v.dynamic === null && (requested === null || igtNamePart(v.subtest ?? '') === igtNamePart(requested));
  const top = verdicts.find(isTop) ?? verdicts.find((v) => v.dynamic === null)!;
  const counted = (v: IgtVerdict) => new Set(v.kmsgWarnings.map((m) => modelOf.get(m)));
  const topCounted = counted(top);

  const c: CaseResult = {
    name,
    status: hiltStatus(top.result),
    message: top.result === 'pass' ? '' : top.reason,
    observations: [],
    subtests: [],
    ...base,
    kernelLog: base.kernelLog.map((m) => (topCounted.has(m) ? { ...m, counted: true } : { ...m, counted: false })),
  };
  const dynamics = verdicts.filter((v) => v.dynamic !== null && v.subtest === top.subtest);
  c.subtests = dynamics.map((v) => {
    const warned = counted(v);
    return {
      name: v.dynamic!,
      status: hiltStatus(v.result),
      message: v.result === 'pass' ? '' : v.reason,
      durationMs: v.seconds === null ? null : Math.round(v.seconds * 1000),
      console: [...v.out.split('\n').filter(Boolean), ...v.err.split('\n').filter(Boolean).map((l) => `stderr: ${l}`)],
      kernelLog: v.kmsg.map((m) => ({ ...modelOf.get(m)!, counted: warned.has(modelOf.get(m)) })),
      observations: [],
      subtests: [],
      attempts: base.attempts,
    };
  });

  // The machine went down (or hilt stopped) while the process ran: that is the subtest's verdict,
  // and the dynamic subtest it was in (the last one, with no result) shares it.
  const stop = stopped(a, crashMessage);
  if (stop) {
    c.status = stop.status;
    c.message = stop.message;
    const last = c.subtests[c.subtests.length - 1];
    if (last?.status === 'incomplete') Object.assign(last, stop);
  }
  return c;
}
