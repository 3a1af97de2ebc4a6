/**
 * How a case's verdict is read from its KTAP, its observations' schema
 * verdicts, the profiles' known issues and the kernel messages that count
 * against it. Pure functions over plain data; RunBuilder decides when.
 */
import type { KtapNode } from '../ktap/types.js';
import { describeViolation } from '../schemas/registry.js';
import { type KnownIssueLookup, driverOf } from './known-issues.js';
import type { CaseResult, Observation, Status } from './model.js';
import { type ObservationJudge, failedVerdicts, parseObservation } from './observations.js';

/** What filling a case from its KTAP needs besides the node. */
export interface FillContext {
  judge: ObservationJudge;
  known: KnownIssueLookup;
  casePath: string;
}

/** A planned test whose verdict has settled, for live progress. */
/** Worst first: a suite takes the worst status of its cases. */
const SEVERITY: Status[] = ['abort', 'crash', 'timeout', 'incomplete', 'dmesg-fail', 'fail', 'dmesg-warn', 'pass', 'skip'];

export function worstStatus(statuses: Status[]): Status {
  if (!statuses.length) return 'skip';
  return statuses.reduce((a, b) => (SEVERITY.indexOf(a) <= SEVERITY.indexOf(b) ? a : b));
}


export function blankCase(name: string, status: Status, message: string): CaseResult {
  return { name, status, message, durationMs: null, console: [], kernelLog: [], observations: [], subtests: [], attempts: 1 };
}

/** "the kernel panicked during this case: Kernel panic - not syncing: ..." from the crash's console lines. */
export function crashMessage(message: string, crashLines: string[]): string {
  const evidence = crashLines.find((l) => /Kernel panic|BUG:|Oops|general protection|WARNING:|LOCKUP|lockup|blocked for more/.test(l));
  return evidence ? `${message}: ${evidence.replace(/^\s*\[[\s\d.]+\]\s*/, '')}` : message;
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
export function fillFromKtap(c: CaseResult, node: KtapNode, f: FillContext): void {
  const { status, message } = ktapStatus(node);
  c.status = status;
  c.message = message;
  c.observations = node.diagnostics.map((d) => parseObservation(d, f.judge)).filter((o): o is Observation => o !== null);
  c.subtests = node.children.map((child) => {
    const sub: CaseResult = blankCase(child.name || `#${child.number ?? '?'}`, 'pass', '');
    fillFromKtap(sub, child, { ...f, known: () => null });
    sub.console = child.diagnostics.filter((d) => !d.startsWith('obs '));
    expectFailure(sub, f);
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
  if (!c.subtests.length) expectFailure(c, f);
}

/** A failure a driver profile lists as a known kernel issue becomes an expected failure (a skip that says so). */
export function expectFailure(c: CaseResult, f: FillContext): void {
  if (c.status !== 'fail') return;
  const driver = driverOf(c);
  const hit = f.known(f.casePath, driver);
  if (!hit) return;
  c.status = 'skip';
  c.message = `expected failure: a known issue of ${driver} (profile ${hit.profile}): ${hit.reason}${hit.reference ? ` [${hit.reference}]` : ''}; it failed with: ${c.message}`;
}

export function applyDmesg(c: CaseResult): void {
  const counted = c.kernelLog.filter((m) => m.counted);
  if (!counted.length) return;
  const first = counted[0]!.text;
  if (c.status === 'pass') {
    c.status = 'dmesg-warn';
    c.message = `the kernel logged ${counted.length} warning${counted.length > 1 ? 's' : ''} during the case: ${first}`;
  } else if (c.status === 'fail') {
    c.status = 'dmesg-fail';
    c.message = `${c.message}; and the kernel logged ${counted.length} warning${counted.length > 1 ? 's' : ''}: ${first}`;
  }
}
