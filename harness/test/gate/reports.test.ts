/**
 * The gate in the reports: JUnit (valid against junit-10.xsd, counted by an
 * independent reader the way the gate decides), the HTML page (each class in
 * its own section, the reproduction line under each new failure, the
 * comparison), and a 100,000-case page that stays small.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { baselineFromDocument } from '../../src/gate/baseline.js';
import { applyGate } from '../../src/gate/classify.js';
import { compareRuns } from '../../src/gate/compare.js';
import { gateSummary } from '../../src/gate/summary.js';
import { ALL_CASES_MAX, buildHtml } from '../../src/report/html.js';
import { buildJunit } from '../../src/report/junit.js';
import { compactJsonChunks, resultsJsonChunks } from '../../src/report/results-json.js';
import { SchemaRegistry } from '../../src/schemas/registry.js';
import { failingRun } from '../report/fixture.js';
import type { CaseResult, RunResult, SuiteResult } from '../../src/results/model.js';
import { ROOT, tempDir } from '../helpers.js';
import { aCase, runOf } from '../report/fixture.js';

const XSD = join(ROOT, 'harness/test/fixtures/junit/junit-10.xsd');
const suite = (name: string, cases: CaseResult[]): SuiteResult => ({ name, mode: 'cases', status: 'pass', durationMs: 1, exits: [], cases });

function gatedRun(): RunResult {
  const run = runOf([
    suite('faults', [
      aCase('pass', 'pass'),
      aCase('kmsg-warn', 'dmesg-warn', { message: 'the kernel logged 1 warning during the case: hilt-fault' }),
      aCase('taint', 'dmesg-warn', { message: 'the kernel became tainted during the case: W' }),
      aCase('panic', 'crash', { message: 'the kernel panicked' }),
      aCase('flaky', 'pass'),
      aCase('known-flaky', 'fail', { message: 'EBUSY again' }),
      aCase('fixed', 'pass'),
    ]),
  ]);
  const b = baselineFromDocument(
    {
      name: 'qemu',
      expectedFailures: [
        { case: 'faults/kmsg-warn', status: 'dmesg-warn', reason: 'warns on purpose', reference: 'https://bugs.example/7' },
        { case: 'faults/fixed', reason: 'was broken' },
      ],
      flakes: [{ case: 'faults/known-flaky', reason: 'timing' }],
    },
    'qemu.yaml',
  );
  return applyGate(run, b, {
    outcomes: (_s, c) => (c === 'flaky' ? [{ status: 'timeout', message: 'ran past its 4 s timeout' }, { status: 'pass', message: '' }] : undefined),
    repro: (s, c) => ['hilt', 'run', '--kernel', 'debian:linux-image-6.12.117+deb12-amd64=6.12.117-1~deb12u1', '--suite', `${s.name}:${c.name}`],
    comparison: compareRuns(runOf([suite('faults', [aCase('pass', 'pass'), aCase('taint', 'pass')])], { id: 'old' }), run, { source: 'old/results.json' }),
  });
}

const READER = `
import sys
from junitparser import JUnitXml, Failure, Error, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
for suite in xml:
    for case in suite:
        r = case.result
        kind = 'failure' if any(isinstance(x, Failure) for x in r) else 'error' if any(isinstance(x, Error) for x in r) else 'skipped' if any(isinstance(x, Skipped) for x in r) else 'passed'
        print('%s %s' % (case.name, kind))
    print('attr %s/%s/%s/%s' % (suite.tests, suite.failures, suite.errors, suite.skipped))
`;

t.test('JUnit: what CI counts follows the gate; valid against junit-10.xsd; the command line with each new failure', async (t) => {
  const dir = tempDir(t);
  const xml = buildJunit(gatedRun());
  const file = join(dir, 'junit.xml');
  writeFileSync(file, xml);
  execFileSync('xmllint', ['--noout', '--schema', XSD, file], { stdio: 'pipe' });
  t.pass('valid against junit-10.xsd');
  const read = execFileSync('/usr/bin/python3', ['-c', READER, file], { encoding: 'utf8' }).trim().split('\n');
  t.same(read, ['pass passed', 'kmsg-warn skipped', 'taint failure', 'panic error', 'flaky passed', 'known-flaky skipped', 'fixed passed', 'attr 7/1/1/2'], 'an independent reader counts what the gate decided');
  t.match(xml, /<testcase classname="hilt\.faults" name="pass" time="0\.012">\s*<system-out><!\[CDATA\[status: pass/, 'a plain pass of a small run carries its output');
  const big = buildJunit(runOf([suite('synth', Array.from({ length: 5001 }, (_, i) => aCase(`c${i}`, 'pass')))]));
  t.match(big, /<testcase classname="hilt\.synth" name="c0" time="0\.012"\/>\n/, 'in a run of more than 5,000 cases, nothing');
  t.match(xml, /<skipped message="expected failure: warns on purpose \[https:\/\/bugs\.example\/7\] \(qemu\.yaml\)" type="expected-failure"\/>/);
  t.match(xml, /<failure message="the kernel became tainted during the case: W" type="dmesg-warn"><!\[CDATA\[reproduce: hilt run --kernel 'debian:linux-image-6\.12\.117\+deb12-amd64=6\.12\.117-1~deb12u1' --suite faults:taint\]\]><\/failure>/);
  t.match(xml, /<testcase classname="hilt\.faults" name="flaky" time="0\.012">\s*<flakyError message="ran past its 4 s timeout" type="timeout"\/>\s*<system-out>/, 'a flake: passed, its failed run as flakyError');
  t.match(xml, /<skipped message="a known flake: timing \(qemu\.yaml\); it ended fail: EBUSY again" type="flake"\/>/);
  t.match(xml, /name="fixed"[^]*?gate: unexpected-pass — passed, but the baseline expects fail/, 'an unexpected pass says so in its output');
  t.match(xml, /<property name="hilt\.gate\.new-failure" value="2"\/>/);

  const blocking = applyGate(gatedRun(), baselineFromDocument({ name: 'b', rules: { unexpectedPass: 'block' }, expectedFailures: [{ case: 'faults/fixed', reason: 'was broken' }] }, 'b.yaml'));
  t.match(buildJunit(blocking), /<failure message="passed, but the baseline expects fail[^"]*" type="unexpected-pass">/, 'an unexpected pass that blocks is a failure');
});

t.test('HTML: each class in its section, new failures with their command line, the comparison', async (t) => {
  const run = gatedRun();
  const html = buildHtml(run);
  t.match(html, /<div class="gcount gc-new-failure" data-class="new-failure"><a href="#failures"><span class="n">2<\/span><span class="label">new failures<\/span><\/a><\/div>/);
  t.match(html, /<h2>New failures \(2\)<\/h2>/);
  const cards = [...html.matchAll(/<section class="case st-[a-z-]+" id="[^"]+" data-suite="faults" data-case="([^"]+)"/g)].map((m) => m[1]);
  t.same(cards, ['taint', 'panic'], 'cards only for new failures');
  t.match(html, /<div class="repro"><h4>Reproduce<\/h4><pre>hilt run --kernel &#39;debian:linux-image-6\.12\.117\+deb12-amd64=6\.12\.117-1~deb12u1&#39; --suite faults:taint<\/pre><\/div>/);
  for (const [id, title, names] of [
    ['unexpected-passes', 'Unexpected passes (1)', ['fixed']],
    ['flakes', 'Flakes (2)', ['flaky', 'known-flaky']],
    ['expected-failures', 'Expected failures (1)', ['kmsg-warn']],
  ] as const) {
    const section = new RegExp(`<section class="gclass" id="${id}">([\\s\\S]*?)</section>`).exec(html)?.[1] ?? '';
    t.match(section, `<h2>${title}</h2>`);
    t.same([...section.matchAll(/data-case="([^"]+)"/g)].map((m) => m[1]), names, `${id}: its cases`);
  }
  t.match(html, /<td>timeout, pass<\/td>/, 'a flake shows its runs');
  const cmp = /<section class="comparison" id="comparison">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
  t.match(cmp, 'Regressed: <b>1</b>');
  t.match(cmp, /<tr><td class="name">faults\/taint<\/td><td><span class="badge st-pass">pass<\/span><\/td><td><span class="badge st-dmesg-warn">dmesg-warn<\/span><\/td><\/tr>/);
  t.match(html, '<header class="run verdict-fail">');
  t.match(html, /<title>hilt complete: 2 new failures, 1 expected failure, 1 unexpected pass, 2 flakes — /);
  const ids = new Set([...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
  t.same([...html.matchAll(/ href="#([^"]*)"/g)].map((m) => m[1]!).filter((h) => !ids.has(h)), [], 'every link has its anchor');
  t.doesNotThrow(() => execFileSync('xmllint', ['--noout', '-'], { input: html, stdio: ['pipe', 'pipe', 'pipe'] }), 'well-formed');
});

t.test('the terminal summary: the count of each class, each case that matters, the command line under a failure', async (t) => {
  const lines = gateSummary(gatedRun());
  t.equal(lines[0], 'gate: 2 new failures, 1 expected failure, 1 unexpected pass, 2 flakes, 1 pass (expectations from qemu.yaml); the gate fails: 2 blocking cases');
  t.match(lines.join('\n'), /  new failure: faults\/taint \(dmesg-warn\) — the kernel became tainted during the case: W\n    reproduce: hilt run --kernel 'debian:linux-image-6\.12\.117\+deb12-amd64=6\.12\.117-1~deb12u1' --suite faults:taint\n/);
  t.match(lines.join('\n'), /  unexpected pass: faults\/fixed \(pass\) — passed, but the baseline expects fail/);
  t.match(lines.at(-1), /^compared with old\/results\.json: 1 regressed, 0 fixed, 5 new, 0 vanished/);
});

t.test(`a big run's page: passes counted per suite, skips grouped, the rest by name (over ${ALL_CASES_MAX} cases)`, async (t) => {
  const cases = Array.from({ length: 3000 }, (_, i) => aCase(`case-${i}`, i % 100 === 7 ? 'fail' : i % 10 === 9 ? 'skip' : 'pass', { message: i % 10 === 9 ? 'skipped: no render node' : i % 100 === 7 ? `case-${i} went fail` : '' }));
  const run = applyGate(runOf([suite('synth', cases)]), baselineFromDocument({ name: 'b' }, 'b.yaml'));
  const html = buildHtml(run);
  t.notMatch(html, /<td class="name">case-0<\/td>/, 'a pass is not listed by name');
  t.match(html, /<tr class="passes"><td class="name">2670 passed<\/td>/);
  t.match(html, /<tr class="skips"><td class="name">300 skipped<\/td><td><span class="badge st-skip">skip<\/span><\/td><td><\/td><td class="msg">skipped: no render node<br\/><span class="muted">case-9, case-19, /);
  t.equal([...html.matchAll(/<td class="name"><a href="#c-synth\.case-\d+">/g)].length, 30, 'each failure by name, linked to its card');
  const small = buildHtml(applyGate(runOf([suite('synth', cases.slice(0, 100))]), baselineFromDocument({ name: 'b' }, 'b.yaml')));
  t.match(small, /<td class="name">case-0<\/td>/, 'a small run lists every case');
});

t.test('results.json: a judged run is valid against results.schema.json; a big one is written compact, case by case, as JSON.stringify would', async (t) => {
  const registry = new SchemaRegistry();
  t.same(registry.validate('results.schema.json', gatedRun()), [], 'gate verdicts, runs, command lines and the comparison are in the schema');
  const broken = gatedRun();
  broken.suites[0]!.cases[2]!.gate = { class: 'new-failure', blocks: 'yes' as unknown as boolean, reason: '' };
  t.ok(registry.validate('results.schema.json', broken).length, 'and the schema can refuse one');
  for (const run of [gatedRun(), failingRun()]) t.equal([...compactJsonChunks(run)].join(''), `${JSON.stringify(run)}\n`);
  t.equal([...resultsJsonChunks(failingRun())].join(''), `${JSON.stringify(failingRun(), null, 1)}\n`, 'a small run stays indented');
  const many = runOf([suite('synth', Array.from({ length: 5001 }, (_, i) => aCase(`c${i}`, 'pass')))]);
  const chunks = [...resultsJsonChunks(many)];
  t.ok(chunks.length > 5001, 'a big run comes in pieces');
  t.equal(chunks.join(''), `${JSON.stringify(many)}\n`);
});
