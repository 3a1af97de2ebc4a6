/**
 * The JUnit report stays valid whatever a kernel console held: checked
 * against Jenkins xunit-plugin's junit-10.xsd (a published JUnit schema,
 * harness/test/fixtures/junit/), and an independent reader (Debian's
 * python3-junitparser, which follows the Jenkins/GitLab reading of JUnit)
 * counts what the results say.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { buildJunit } from '../../src/report/junit.js';
import { type CaseResult, type RunResult, type Status, emptyCounts } from '../../src/results/model.js';
import { ROOT, tempDir } from '../helpers.js';

const XSD = join(ROOT, 'harness/test/fixtures/junit/junit-10.xsd');

const HOSTILE = [
  'control \x00\x01\x02\x07\x08\x0b\x0c\x1b\x7f characters',
  'ANSI \x1b[31mred\x1b[0m \x1b]0;title\x07 and cursor \x1b[2J\x1b[H',
  'invalid UTF-8 decoded: \ufffd\ufffd and lone surrogates \ud800 \udfff',
  'CDATA enders ]]> twice ]]> and thrice ]]>',
  'markup <testcase name="fake"/> & entities &amp; "quotes" \'apostrophes\'',
  'x'.repeat(200_000),
];

function kase(name: string, status: Status, message = ''): CaseResult {
  return {
    name,
    status,
    message,
    durationMs: 12,
    console: HOSTILE,
    kernelLog: [{ level: 4, tsUs: 1, text: 'WARNING: \x01 ]]> <bad>', counted: status.startsWith('dmesg') }],
    observations: [{ type: 'drm.version', data: { driver: 'vgem', desc: 'ctl\x02 ]]>' }, verdicts: [{ schema: 's', ok: false, violations: [{ schema: 's', path: '/desc', rule: 'pattern at #/p', message: 'must match ]]> \x03' }] }] }],
    subtests: [{ ...kase0('card0 \x1b[1m'), observations: [{ type: 'x', data: { driver: 'vgem' }, verdicts: [] }] }],
    attempts: 1,
  };
}
function kase0(name: string): CaseResult {
  return { name, status: 'pass', message: '', durationMs: 1, console: [], kernelLog: [], observations: [], subtests: [], attempts: 1 };
}

function run(): RunResult {
  const statuses: Status[] = ['pass', 'fail', 'skip', 'timeout', 'crash', 'incomplete', 'dmesg-warn', 'dmesg-fail', 'abort'];
  const cases = statuses.map((s) => kase(`case-${s} ]]> \x1b[0m`, s, s === 'pass' ? '' : `message with \x00 and ]]> and <tags> for ${s}`));
  const counts = emptyCounts();
  for (const c of cases) {
    counts[c.status]++;
    counts.total++;
  }
  return {
    $schema: 'https://hilt.dev/schemas/v1/results.schema.json',
    id: 'run \x01',
    status: 'complete',
    error: null,
    environment: {
      kernel: { spec: 'debian:linux-image-6.12-amd64', release: '6.12.117+deb12-amd64 \x02', configSha256: null, source: {} },
      machine: { name: 'qemu "x86_64"', cpus: 2, kvm: false },
      target: 'qemu',
      hilt: { version: '0.1.0', commit: null },
      host: { hostname: 'h', platform: 'linux', release: '6' },
      startedAt: '2026-11-27T10:00:00.000Z',
      endedAt: '2026-11-27T10:00:05.000Z',
    },
    plan: {},
    counts,
    suites: [
      { name: 'hostile \x1b[31m', mode: 'cases', status: 'abort', durationMs: 99, exits: [], cases },
      { name: 'dup', mode: 'whole', status: 'fail', durationMs: 1, exits: [], cases: [kase0('same'), { ...kase0('same'), status: 'fail', message: 'second' }] },
    ],
    boots: [],
    problems: [],
    bootLog: [],
  };
}

const READER = `
import sys
from junitparser import JUnitXml, Failure, Error, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
out = []
for suite in xml:
    kinds = {'failure': 0, 'error': 0, 'skipped': 0, 'passed': 0}
    names = []
    for case in suite:
        names.append(case.name)
        r = case.result
        if any(isinstance(x, Failure) for x in r): kinds['failure'] += 1
        elif any(isinstance(x, Error) for x in r): kinds['error'] += 1
        elif any(isinstance(x, Skipped) for x in r): kinds['skipped'] += 1
        else: kinds['passed'] += 1
    out.append('%s tests=%d failures=%d errors=%d skipped=%d attr=%s/%s/%s/%s names=%s' % (
        suite.name, len(names), kinds['failure'], kinds['error'], kinds['skipped'],
        suite.tests, suite.failures, suite.errors, suite.skipped, ','.join(names)))
print('\\n'.join(out))
`;

t.test('hostile console text: valid against junit-10.xsd, counts an independent reader agrees with', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'junit.xml');
  const xml = buildJunit(run());
  writeFileSync(file, xml);
  execFileSync('xmllint', ['--noout', '--schema', XSD, file], { stdio: 'pipe' });
  t.pass('xmllint validates it against junit-10.xsd');
  const broken = join(dir, 'broken.xml');
  writeFileSync(broken, xml.replace('<testsuites name=', '<testsuites skipped="1" name='));
  t.throws(() => execFileSync('xmllint', ['--noout', '--schema', XSD, broken], { stdio: 'pipe' }), 'the schema check can fail: an attribute junit-10.xsd does not allow is refused');
  t.notMatch(xml, /\x1b|\x00|\x01/, 'no control characters or escapes survive');
  t.match(xml, /CDATA enders \]\]\]\]><!\[CDATA\[> twice \]\]\]\]><!\[CDATA\[> and thrice \]\]\]\]><!\[CDATA\[>/, 'every ]]> is split, not only the first');
  t.ok(xml.includes('x'.repeat(200_000)), 'long lines kept whole');

  const counted = execFileSync('/usr/bin/python3', ['-c', READER, file], { encoding: 'utf8' }).trim().split('\n');
  // fail, dmesg-warn, dmesg-fail are failures; timeout, crash, incomplete, abort are errors; skip is skipped.
  t.match(counted[0], /^hostile  tests=9 failures=3 errors=4 skipped=1 attr=9\/3\/4\/1 /);
  t.match(counted[1], /^dup tests=2 failures=1 errors=0 skipped=0 attr=2\/1\/0\/0 names=same,same$/);
});

t.test('every testcase carries its classname, time, and the message a person acts on', async (t) => {
  const xml = buildJunit(run());
  t.match(xml, /<testcase classname="hilt\.hostile " name="case-timeout \]\]&gt; " time="0\.012">\s*<error message="message with \ufffd and \]\]&gt; and &lt;tags&gt; for timeout" type="timeout"\/>/);
  t.match(xml, /<failure message="message with [^"]* for dmesg-warn" type="dmesg-warn"\/>/);
  t.match(xml, /<property name="kernel\.release" value="6\.12\.117\+deb12-amd64 \ufffd"\/>/);
  t.match(xml, /VIOLATES s at \/desc: must match \]\]/);
});
