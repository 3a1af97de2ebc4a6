/**
 * JUnit XML for CI systems: one testsuite per suite, one testcase per case,
 * classname from the suite path. Conformance failures are <failure>, cases
 * that never gave a verdict (timeout, crash, incomplete, abort) are <error>,
 * skips are <skipped>. Pure: a RunResult in, XML text out.
 */
import junitModule, { type Builder } from 'junit-report-builder';
import { driverOf } from '../results/known-issues.js';
import type { CaseResult, RunResult } from '../results/model.js';
import { cdataSafe, cleanText } from './text.js';

// The package is CommonJS: under NodeNext its default import is the builder itself, typed as the module.
const junit = junitModule as unknown as Builder;

const FAILURES = new Set(['fail', 'dmesg-warn', 'dmesg-fail']);
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

export function caseReport(c: CaseResult): string {
  const parts: string[] = [`status: ${c.status}${c.message ? ` — ${c.message}` : ''}`];
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
  if (c.console.length) parts.push('', 'console:', ...c.console);
  return parts.join('\n');
}

export function buildJunit(run: RunResult): string {
  const b = junit.newBuilder();
  b.name(`hilt ${run.environment.kernel?.release ?? ''}`.trim());
  const env: [string, string][] = [
    ['hilt.run', run.id],
    ['hilt.status', run.status],
    ['hilt.version', run.environment.hilt?.version ?? ''],
    ['hilt.commit', run.environment.hilt?.commit ?? ''],
    ['kernel.spec', run.environment.kernel?.spec ?? ''],
    ['kernel.release', run.environment.kernel?.release ?? ''],
    ['kernel.config.sha256', run.environment.kernel?.configSha256 ?? ''],
    ['target', run.environment.target ?? ''],
    ...Object.entries(run.environment.machine ?? {}).map(([k, v]): [string, string] => [`machine.${k}`, String(v)]),
    ['started', run.environment.startedAt ?? ''],
    ['ended', run.environment.endedAt ?? ''],
  ];
  for (const suite of run.suites) {
    const ts = b.testSuite().name(cleanText(suite.name)).time(suite.durationMs / 1000);
    if (run.environment.startedAt) ts.timestamp(new Date(run.environment.startedAt));
    for (const [k, v] of env) ts.property(k, cleanText(v));
    for (const c of suite.cases) {
      const tc = ts.testCase().className(cleanText(`hilt.${suite.name}`)).name(cleanText(c.name));
      if (c.durationMs !== null) tc.time(c.durationMs / 1000);
      if (FAILURES.has(c.status)) tc.failure(cleanText(c.message || c.status), c.status);
      else if (ERRORS.has(c.status)) tc.error(cleanText(c.message || c.status), c.status);
      else if (c.status === 'skip') tc.skipped();
      tc.standardOutput(cdataSafe(cleanText(caseReport(c))));
    }
  }
  return b.build();
}
