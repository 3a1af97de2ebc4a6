/**
 * The verdict layer: how an attempt becomes case verdicts. A case's verdict
 * is read from its KTAP, its observations' schema verdicts, the profiles'
 * known issues, how its attempt ended, and the kernel trouble charged to it
 * (counted kernel messages, taint gained, lockdep switched off). Pure
 * functions over plain data; attribution.ts decides what belongs to whom.
 */
import { classifyKernelLine } from '../console/kernel-events.js';
import { stripPrintkStamp } from '../console/printk.js';
import { TROUBLE_TAINT_MASK, describeTaint, taintLetters } from '../console/taint.js';
import type { KtapNode } from '../ktap/types.js';
import type { PlannedTest } from '../plan/types.js';
import { describeViolation } from '../schemas/registry.js';
import type { Attempt } from './attempt.js';
import { type SuiteMode, signalName } from './attribution.js';
import { DEFAULT_IGT_DMESG, type IgtDmesgRules, igtCase } from './igt-cases.js';
import { type KnownIssueLookup, driverOf } from './known-issues.js';
import type { CaseResult, KernelMessage, Observation, Status } from './model.js';
import { type ObservationJudge, failedVerdicts, parseObservation } from './observations.js';

/** What judging a case needs besides its attempt. */
export interface VerdictContext {
  judge: ObservationJudge;
  known: KnownIssueLookup;
  /** How IGT tests judge kernel messages (igt_runner's rules; default warn level 4). */
  igtDmesg?: IgtDmesgRules;
}

/** Worst first: a suite takes the worst status of its cases. IGT's warn turns into dmesg-warn when the kernel warned too: below it. */
const SEVERITY: Status[] = ['abort', 'crash', 'timeout', 'incomplete', 'dmesg-fail', 'fail', 'dmesg-warn', 'warn', 'pass', 'skip'];

export function worstStatus(statuses: Status[]): Status {
  if (!statuses.length) return 'skip';
  return statuses.reduce((a, b) => (SEVERITY.indexOf(a) <= SEVERITY.indexOf(b) ? a : b));
}

export function blankCase(name: string, status: Status, message: string): CaseResult {
  return { name, status, message, durationMs: null, console: [], kernelLog: [], observations: [], subtests: [], attempts: 1 };
}

/** "the kernel panicked during this case: Kernel panic - not syncing: ..." from the crash's console lines. */
export function crashMessage(message: string, crashLines: string[]): string {
  const evidence = crashLines.find((l) => classifyKernelLine(l) !== null);
  return evidence ? `${message}: ${stripPrintkStamp(evidence).trim()}` : message;
}

export function ktapStatus(node: KtapNode): { status: Status; message: string } {
  switch (node.status) {
    case 'pass':
      return { status: 'pass', message: '' };
    case 'skip':
      return { status: 'skip', message: node.reason ? `skipped: ${node.reason}` : 'skipped' };
    case 'todo':
      return { status: 'skip', message: `expected failure (TODO${node.reason ? `: ${node.reason}` : ''})` };
    case 'xfail':
      return { status: 'skip', message: `expected failure (XFAIL${node.reason ? `: ${node.reason}` : ''})` };
    case 'fail': {
      const why = firstFailure(node);
      return { status: 'fail', message: why ?? 'failed (the suite printed no reason)' };
    }
    case 'missing':
      return { status: 'incomplete', message: `planned as test ${node.number ?? '?'} but never reported` };
    case 'incomplete':
      return { status: 'incomplete', message: 'its output ended before its result line' };
    case 'crash':
      return { status: 'crash', message: node.problems.find((p) => p.startsWith('the kernel crashed')) ?? 'the kernel crashed while it ran' };
  }
}

/** The first "fail: ..." diagnostic in a node or its subtests: hilt's suites print one per failed check. */
function firstFailure(node: KtapNode): string | null {
  for (const d of node.diagnostics) if (d.startsWith('fail: ')) return d.slice(6);
  for (const child of node.children) {
    const why = firstFailure(child);
    if (why) return child.name ? `${child.name}: ${why}` : why;
  }
  return null;
}

/** Status, message, observations and subtests from a KTAP node; observations that break a schema fail the case. */
export function fillFromKtap(c: CaseResult, node: KtapNode, ctx: VerdictContext, casePath: string): void {
  const { status, message } = ktapStatus(node);
  c.status = status;
  c.message = message;
  c.observations = node.diagnostics.map((d) => parseObservation(d, ctx.judge)).filter((o): o is Observation => o !== null);
  c.subtests = node.children.map((child) => {
    const sub: CaseResult = blankCase(child.name || `#${child.number ?? '?'}`, 'pass', '');
    fillFromKtap(sub, child, { ...ctx, known: () => null }, casePath);
    sub.console = child.diagnostics.filter((d) => !d.startsWith('obs '));
    expectFailure(sub, ctx.known, casePath);
    return sub;
  });
  const broken = failedVerdicts(c.observations);
  if (broken.length && (c.status === 'pass' || c.status === 'fail')) {
    const first = broken[0]!;
    const v = first.verdict.violations[0];
    const what = v ? describeViolation(v) : `${first.verdict.schema}: rejected`;
    const total = broken.reduce((n, b) => n + Math.max(1, b.verdict.violations.length), 0);
    const more = total > 1 ? ` (and ${total - 1} more schema violations)` : '';
    if (c.status === 'pass') c.message = `observation ${first.type} breaks its schema: ${what}${more}`;
    c.status = 'fail';
  }
  const failedSub = c.subtests.find((s) => s.status === 'fail');
  if (failedSub && c.status === 'pass') {
    c.status = 'fail';
    c.message = `${failedSub.name}: ${failedSub.message}`;
  }
  const ownFailure = node.diagnostics.some((d) => d.startsWith('fail: ')) || broken.length > 0;
  if (c.status === 'fail' && c.subtests.length && !failedSub && !ownFailure) {
    // It failed only through subtests that turned out to be expected failures.
    const passed = c.subtests.some((s) => s.status === 'pass');
    c.status = passed ? 'pass' : 'skip';
    c.message = passed ? '' : c.subtests.find((s) => s.status === 'skip')!.message;
  }
  if (!c.subtests.length) expectFailure(c, ctx.known, casePath);
}

/** A failure a driver profile lists as a known kernel issue becomes an expected failure (a skip that says so). */
export function expectFailure(c: CaseResult, known: KnownIssueLookup, casePath: string): void {
  if (c.status !== 'fail') return;
  const driver = driverOf(c);
  const hit = known(casePath, driver);
  if (!hit) return;
  c.status = 'skip';
  c.message = `expected failure: a known issue of ${driver} (profile ${hit.profile}): ${hit.reason}${hit.reference ? ` [${hit.reference}]` : ''}; it failed with: ${c.message}`;
}

/** One kind of kernel trouble charged to a case, said for a pass and for a failure. */
export interface KernelTrouble {
  /** "the kernel logged 2 warnings during the case: WARNING: ..." */
  during: string;
  /** "the kernel logged 2 warnings: WARNING: ...", after a failure's own message. */
  also: string;
}

/** The kernel trouble charged to an attempt: counted kernel messages, taint gained, lockdep switched off. */
export function kernelTrouble(a: Pick<Attempt, 'counted' | 'firstCounted' | 'taint' | 'lockdepOff'>): KernelTrouble[] {
  const out: KernelTrouble[] = [];
  if (a.counted) {
    const n = `${a.counted} warning${a.counted > 1 ? 's' : ''}`;
    out.push({ during: `the kernel logged ${n} during the case: ${a.firstCounted}`, also: `the kernel logged ${n}: ${a.firstCounted}` });
  }
  const taint = a.taint & TROUBLE_TAINT_MASK;
  if (taint) {
    const what = describeTaint(taint);
    out.push({ during: `the kernel became tainted during the case: ${what}`, also: `the kernel became tainted: ${what}` });
  }
  if (a.lockdepOff) {
    const what = 'lockdep switched itself off (debug_locks=0): it found a locking bug and stopped checking';
    out.push({ during: `${what} during the case`, also: what });
  }
  return out;
}

/** A pass with kernel trouble is dmesg-warn, a failure dmesg-fail; the message names the trouble. */
export function applyKernelTrouble(c: CaseResult, trouble: KernelTrouble[]): void {
  if (!trouble.length) return;
  if (c.status === 'pass') {
    c.status = 'dmesg-warn';
    c.message = trouble.map((t) => t.during).join('; ');
  } else if (c.status === 'fail') {
    c.status = 'dmesg-fail';
    c.message = `${c.message}${trouble.map((t) => `; and ${t.also}`).join('')}`;
  }
}

/** The evidence an attempt carries besides its console: taint gained, stacks of stuck tasks. */
function evidence(a: Attempt): Pick<CaseResult, 'taint' | 'stacks' | 'lockdepOff'> {
  return {
    ...(a.taint ? { taint: { mask: a.taint, letters: taintLetters(a.taint), description: describeTaint(a.taint) } } : {}),
    ...(a.stacks.length ? { stacks: a.stacks.slice() } : {}),
    ...(a.lockdepOff ? { lockdepOff: true } : {}),
  };
}

function kernelLogOf(a: Attempt): KernelMessage[] {
  return a.kmsg.itemsWithGap((n) => ({ level: 7, tsUs: 0, text: `[hilt: ${n} kernel messages of this case dropped]`, counted: false }));
}

const OUTCOME_STATUS: Record<'timeout' | 'crash' | 'abort' | 'running', Status> = { timeout: 'timeout', crash: 'crash', abort: 'abort', running: 'incomplete' };

/** Why a planned test has no attempt at all. */
export interface NoAttempt {
  why: string;
}

/** The verdicts of one planned test: one case, or the cases a whole program reported. */
export function testVerdicts(t: PlannedTest, mode: SuiteMode, a: Attempt | null, attempts: number, ctx: VerdictContext, none: NoAttempt): CaseResult[] {
  if (!a) return [blankCase(mode === 'whole' || (mode === 'igt' && t.case === '-') ? t.suite : t.case, 'incomplete', `not run: ${none.why}`)];
  const base = {
    durationMs: a.agentMs ?? (a.endMs !== null ? a.endMs - a.startMs : null),
    console: a.console.lines(),
    kernelLog: kernelLogOf(a),
    attempts: Math.max(1, attempts),
  };
  if (mode === 'whole') return wholeCases(t.suite, a, base, ctx);
  if (mode === 'igt') return [{ ...igtCase(t, a, base, ctx.igtDmesg ?? DEFAULT_IGT_DMESG, crashMessage), ...evidence(a) }];
  const c: CaseResult = { name: t.case, status: 'pass', message: '', observations: [], subtests: [], ...base, ...evidence(a) };
  if (a.ktap) fillFromKtap(c, a.ktap, ctx, `${t.suite}/${t.case}`);
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
    case 'skipped':
      c.status = 'skip';
      c.message = a.message;
      break;
    case 'abort':
      c.status = 'abort';
      c.message = a.message;
      break;
  }
  applyKernelTrouble(c, kernelTrouble(a));
  return [c];
}

/**
 * A program run whole: every case it reported keeps its own verdict. When the
 * machine or the program stopped inside it, the case it was in (the first
 * that began and did not finish, else the first planned one it never
 * reported) takes the crash or timeout with the evidence, and the planned
 * cases after it are reported as not run, so the counts add up to its plan.
 */
function wholeCases(suite: string, a: Attempt, base: Pick<CaseResult, 'durationMs' | 'console' | 'kernelLog' | 'attempts'>, ctx: VerdictContext): CaseResult[] {
  const nodes = a.ktap?.children ?? [];
  const cases = nodes.map((node) => {
    const c: CaseResult = { ...blankCase(node.name || `#${node.number ?? '?'}`, 'pass', ''), attempts: base.attempts };
    fillFromKtap(c, node, ctx, `${suite}/${c.name}`);
    c.console = node.diagnostics.slice();
    return c;
  });
  const trouble = kernelTrouble(a);
  let charged: CaseResult | null = null;
  if (a.outcome === 'timeout' || a.outcome === 'crash' || a.outcome === 'abort' || a.outcome === 'running') {
    const status = OUTCOME_STATUS[a.outcome];
    const message = a.outcome === 'crash' ? crashMessage(a.message, a.crashLines) : a.message || 'the program never finished';
    let at = nodes.findIndex((n) => n.status === 'incomplete');
    if (at < 0) at = nodes.findIndex((n) => n.status === 'missing');
    const done = at < 0 ? cases.length : at;
    const detail = `${message} (after ${done} reported case${done === 1 ? '' : 's'})`;
    if (at >= 0) {
      charged = cases[at]!;
      Object.assign(charged, { status, message: detail, console: base.console, kernelLog: base.kernelLog, durationMs: base.durationMs }, evidence(a));
      for (const later of cases.slice(at + 1)) {
        if (later.status !== 'incomplete') continue;
        later.message = `not run: the program stopped in ${charged.name} (${status})`;
      }
    } else {
      const unknown = a.ktap?.plan === null || a.ktap === null ? '; it printed no plan, so what came after is unknown' : '';
      charged = { ...blankCase(cases.length ? `#${cases.length + 1}` : suite, status, `${detail}${unknown}`), ...base, ...evidence(a) };
      cases.push(charged);
    }
  } else if (a.exit && (a.exit.code !== 0 || a.exit.signal !== null) && cases.every((c) => c.status === 'pass' || c.status === 'skip')) {
    const how = a.exit.signal !== null ? `died of ${signalName(a.exit.signal)}` : `exited with code ${a.exit.code}`;
    cases.push({ ...blankCase('exit-status', 'fail', `the program ${how} after reporting no failure`), ...base });
  } else if (!cases.length) {
    cases.push({ ...blankCase(suite, 'incomplete', 'the program printed no KTAP result'), ...base });
  }
  // Kernel trouble of a whole program cannot be pinned on one of its cases: it goes to the one it stopped in, else the worst.
  if (trouble.length || a.stacks.length) {
    const target = charged ?? cases.find((c) => c.status !== 'pass' && c.status !== 'skip') ?? cases[cases.length - 1]!;
    if (target !== charged) Object.assign(target, { kernelLog: base.kernelLog }, evidence(a));
    applyKernelTrouble(target, trouble);
  }
  return cases;
}
