/**
 * JUnit XML for CI systems: one testsuite per suite, one testcase per case,
 * classname from the suite path. Conformance failures are <failure>, cases
 * that never gave a verdict (timeout, crash, incomplete, abort) are <error>,
 * skips are <skipped>. It follows Jenkins xunit-plugin's junit-10.xsd (the
 * tests validate against it), which GitLab and GitHub's JUnit readers take too.
 *
 * Pure and streaming: junitChunks() yields the document piece by piece, so a
 * run of 100,000 cases is written without holding it as one string.
 */
import { inventoryProperties } from '../results/inventory.js';
import { driverOf } from '../results/known-issues.js';
import type { CaseResult, RunResult, SuiteResult } from '../results/model.js';
import { cleanText } from './text.js';

const FAILURES = new Set(['fail', 'warn', 'dmesg-warn', 'dmesg-fail']);
const ERRORS = new Set(['timeout', 'crash', 'incomplete', 'abort']);

function subtestLines(c: CaseResult, depth = 0): string[] {
  const out: string[] = [];
  for (const s of c.subtests) {
    const driver = driverOf(s);
    out.push(`${'  '.repeat(depth)}- ${s.name}${driver ? ` (${driver})` : ''}: ${s.status}${s.message ? ` — ${s.message}` : ''}`);
    out.push(...subtestLines(s, depth + 1));
  }
  return out;
}

/** Everything a person needs about one case, as plain text: the JUnit system-out, the HTML detail. */
export function caseReport(c: CaseResult): string {
  const parts: string[] = [`status: ${c.status}${c.message ? ` — ${c.message}` : ''}`];
  if (c.taint) parts.push('', `taint gained while it ran: ${c.taint.letters} (mask ${c.taint.mask}): ${c.taint.description}`);
  if (c.lockdepOff) parts.push('', 'lockdep switched itself off while it ran (debug_locks=0)');
  if (c.subtests.length) parts.push('', 'subtests:', ...subtestLines(c));
  if (c.observations.length) {
    parts.push('', 'observations:');
    for (const o of c.observations) {
      const bad = o.verdicts.filter((v) => !v.ok);
      parts.push(`  ${o.type} ${JSON.stringify(o.data)}${bad.length ? '' : '  [ok]'}`);
      for (const v of bad) for (const e of v.violations) parts.push(`    VIOLATES ${v.schema} at ${e.path || '/'}: ${e.message} (rule ${e.rule})`);
    }
  }
  const counted = c.kernelLog.filter((m) => m.counted);
  if (counted.length) parts.push('', 'kernel messages that count against it:', ...counted.map((m) => `  <${m.level}> ${m.text}`));
  if (c.stacks?.length) parts.push('', 'stuck tasks when it was killed:', ...c.stacks.map((s) => s.replace(/^/gm, '  ')));
  if (c.console.length) parts.push('', 'console:', ...c.console);
  return parts.join('\n');
}

/** An attribute value: escaped, and without what XML 1.0 cannot hold. */
export function xmlAttr(text: string): string {
  return cleanText(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

/** Text as CDATA: every "]]>" in it splits the section, so none can end it early. */
export function cdata(text: string): string {
  return `<![CDATA[${cleanText(text).split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

/** Seconds as junit-10.xsd's SUREFIRE_TIME takes them (digits, a dot, digits). */
const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

interface Tally {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function tally(cases: CaseResult[]): Tally {
  const t: Tally = { tests: cases.length, failures: 0, errors: 0, skipped: 0 };
  for (const c of cases) {
    if (FAILURES.has(c.status)) t.failures++;
    else if (ERRORS.has(c.status)) t.errors++;
    else if (c.status === 'skip') t.skipped++;
  }
  return t;
}

/** The run's identity as JUnit properties, repeated in each testsuite (the schema has none on testsuites). */
export function runProperties(run: RunResult): [string, string][] {
  const env = run.environment;
  return [
    ['hilt.run', run.id],
    ['hilt.status', run.status],
    ['hilt.version', env.hilt?.version ?? ''],
    ['hilt.commit', env.hilt?.commit ?? ''],
    ['kernel.spec', env.kernel?.spec ?? ''],
    ['kernel.release', env.kernel?.release ?? ''],
    ['kernel.config.sha256', env.kernel?.configSha256 ?? ''],
    ['target', env.target ?? ''],
    ...Object.entries(env.machine ?? {}).map(([k, v]): [string, string] => [`machine.${k}`, String(v)]),
    ...inventoryProperties(env.inventory),
    ['started', env.startedAt ?? ''],
    ['ended', env.endedAt ?? ''],
  ];
}

function* testcase(suite: SuiteResult, c: CaseResult): Generator<string> {
  const time = c.durationMs !== null ? ` time="${seconds(c.durationMs)}"` : '';
  let out = `    <testcase classname="${xmlAttr(`hilt.${suite.name}`)}" name="${xmlAttr(c.name)}"${time}>\n`;
  const message = xmlAttr(c.message || c.status);
  if (FAILURES.has(c.status)) out += `      <failure message="${message}" type="${c.status}"/>\n`;
  else if (ERRORS.has(c.status)) out += `      <error message="${message}" type="${c.status}"/>\n`;
  else if (c.status === 'skip') out += `      <skipped message="${message}"/>\n`;
  out += `      <system-out>${cdata(caseReport(c))}</system-out>\n    </testcase>\n`;
  yield out;
}

export function* junitChunks(run: RunResult): Generator<string> {
  const all = tally(run.suites.flatMap((s) => s.cases));
  const total = run.suites.reduce((n, s) => n + s.durationMs, 0);
  const name = `hilt ${run.environment.kernel?.release ?? ''}`.trim();
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xmlAttr(name)}" tests="${all.tests}" failures="${all.failures}" errors="${all.errors}" time="${seconds(total)}">\n`;
  const props = runProperties(run)
    .map(([k, v]) => `      <property name="${xmlAttr(k)}" value="${xmlAttr(v)}"/>\n`)
    .join('');
  const stamp = run.environment.startedAt ? ` timestamp="${xmlAttr(run.environment.startedAt.replace(/\.\d+Z$/, ''))}"` : '';
  for (const suite of run.suites) {
    const t = tally(suite.cases);
    yield `  <testsuite name="${xmlAttr(suite.name)}" tests="${t.tests}" failures="${t.failures}" errors="${t.errors}" skipped="${t.skipped}" time="${seconds(suite.durationMs)}"${stamp}>\n    <properties>\n${props}    </properties>\n`;
    for (const c of suite.cases) yield* testcase(suite, c);
    yield '  </testsuite>\n';
  }
  yield '</testsuites>\n';
}

export function buildJunit(run: RunResult): string {
  let out = '';
  for (const chunk of junitChunks(run)) out += chunk;
  return out;
}
