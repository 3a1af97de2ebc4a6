/**
 * JUnit XML for CI systems: one testsuite per suite, one testcase per case,
 * classname from the suite path. It follows Jenkins xunit-plugin's
 * junit-10.xsd (the tests validate against it), which GitLab and GitHub's
 * JUnit readers take too. What a CI reader counts follows the gate, so the
 * test report a merge request shows agrees with the exit status:
 *
 *   new failure        <failure> (conformance: fail, dmesg-*) or <error> (no verdict:
 *                      timeout, crash, incomplete, abort), its text the command line
 *                      that reproduces it
 *   expected failure   <skipped type="expected-failure"> with the baseline's reason:
 *                      not a pass (it is broken, and the report says so), not a
 *                      failure (it blocks nothing); CI readers count skips apart
 *   unexpected pass    a pass, or <failure type="unexpected-pass"> when the baseline
 *                      makes it block
 *   flake              a pass with a <flakyFailure>/<flakyError> per failed run, as
 *                      Maven Surefire reports a test that passed on a rerun; a known
 *                      flake that never passed is <skipped type="flake">
 *   skip               <skipped> with the reason
 *
 * Every case carries its evidence in <system-out>, but in a run of more than
 * PASS_DETAIL_MAX cases a plain pass carries none (results.json has it), which
 * keeps a 100,000-case report small. Pure and streaming: junitChunks() yields the document piece by
 * piece, so a big run is written without holding it as one string.
 */
import { gateClassOf } from '../gate/classify.js';
import { shellQuote } from '../gate/repro.js';
import { inventoryProperties } from '../results/inventory.js';
import { driverOf } from '../results/known-issues.js';
import type { CaseResult, GateClass, RunResult, SuiteResult } from '../results/model.js';
import { GATE_CLASSES } from '../results/model.js';
import { cleanText } from './text.js';

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
  if (c.gate) {
    parts.push(`gate: ${c.gate.class}${c.gate.blocks ? ' (blocks)' : ''}${c.gate.reason ? ` — ${c.gate.reason}` : ''}`);
    if (c.gate.outcomes) parts.push(`runs: ${c.gate.outcomes.map((o) => o.status).join(', ')}`);
    if (c.gate.repro) parts.push(`reproduce: ${shellQuote(c.gate.repro)}`);
  }
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

/** Characters an attribute value cannot hold as they are. */
const ATTR_SPECIAL = /[&<>"\n\r\t\x00-\x1f\ud800-\udfff\ufffe\uffff]/;

/** An attribute value: escaped, and without what XML 1.0 cannot hold. */
export function xmlAttr(text: string): string {
  if (!ATTR_SPECIAL.test(text)) return text;
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

type JunitKind = 'failure' | 'error' | 'skipped' | 'passed';

/** What a CI reader is to count a case as. */
function junitKind(c: CaseResult, cls: GateClass): JunitKind {
  switch (cls) {
    case 'new-failure':
      return ERRORS.has(c.status) ? 'error' : 'failure';
    case 'unexpected-pass':
      return c.gate?.blocks ? 'failure' : 'passed';
    case 'flake':
      return c.gate?.outcomes?.some((o) => o.status === 'pass') ? 'passed' : 'skipped';
    case 'expected-failure':
    case 'skip':
      return 'skipped';
    case 'pass':
      return 'passed';
  }
}

function tally(cases: CaseResult[]): Tally {
  const t: Tally = { tests: cases.length, failures: 0, errors: 0, skipped: 0 };
  for (const c of cases) {
    const k = junitKind(c, gateClassOf(c));
    if (k === 'failure') t.failures++;
    else if (k === 'error') t.errors++;
    else if (k === 'skipped') t.skipped++;
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
    ...(run.gate
      ? [['hilt.gate.sources', run.gate.sources.join(', ')] as [string, string], ['hilt.gate.blocking', String(run.gate.blocking)] as [string, string], ...GATE_CLASSES.map((k): [string, string] => [`hilt.gate.${k}`, String(run.gate!.counts[k])])]
      : []),
  ];
}

/** Runs with more cases than this leave a plain pass's output to results.json. */
export const PASS_DETAIL_MAX = 5000;

function* testcase(suite: SuiteResult, c: CaseResult, passDetail: boolean): Generator<string> {
  const time = c.durationMs !== null ? ` time="${seconds(c.durationMs)}"` : '';
  let out = `    <testcase classname="${xmlAttr(`hilt.${suite.name}`)}" name="${xmlAttr(c.name)}"${time}`;
  const cls = gateClassOf(c);
  const kind = junitKind(c, cls);
  if (cls === 'pass' && !c.gate && !passDetail) {
    yield `${out}/>\n`;
    return;
  }
  out += '>\n';
  const message = xmlAttr(c.message || c.status);
  const reason = c.gate?.reason ? xmlAttr(c.gate.reason) : message;
  const repro = c.gate?.repro ? cdata(`reproduce: ${shellQuote(c.gate.repro)}`) : '';
  const element = (name: string, attrs: string) => (repro ? `      <${name} ${attrs}>${repro}</${name}>\n` : `      <${name} ${attrs}/>\n`);
  if (cls === 'new-failure') out += element(kind, `message="${message}" type="${c.status}"`);
  else if (cls === 'unexpected-pass' && kind === 'failure') out += element('failure', `message="${reason}" type="unexpected-pass"`);
  else if (cls === 'expected-failure') out += `      <skipped message="${reason}" type="expected-failure"/>\n`;
  else if (cls === 'flake') {
    for (const o of c.gate?.outcomes ?? []) {
      if (o.status === 'pass' || o.status === 'skip') continue;
      const el = ERRORS.has(o.status) ? 'flakyError' : 'flakyFailure';
      out += `      <${el} message="${xmlAttr(o.message || o.status)}" type="${o.status}"/>\n`;
    }
    if (kind === 'skipped') out += `      <skipped message="${reason}" type="flake"/>\n`;
  } else if (cls === 'skip') out += `      <skipped message="${c.gate?.entry ? reason : message}"/>\n`;
  out += `      <system-out>${cdata(caseReport(c))}</system-out>\n    </testcase>\n`;
  yield out;
}

export function* junitChunks(run: RunResult): Generator<string> {
  const all = tally(run.suites.flatMap((s) => s.cases));
  const passDetail = all.tests <= PASS_DETAIL_MAX;
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
    for (const c of suite.cases) yield* testcase(suite, c, passDetail);
    yield '  </testsuite>\n';
  }
  yield '</testsuites>\n';
}

export function buildJunit(run: RunResult): string {
  let out = '';
  for (const chunk of junitChunks(run)) out += chunk;
  return out;
}
