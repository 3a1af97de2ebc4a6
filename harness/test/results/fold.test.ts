import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { DEFAULT_DMESG } from '../../src/plan/defaults.js';
import type { PlannedTest } from '../../src/plan/types.js';
import { ResultsFold } from '../../src/results/fold.js';
import { dmesgJudge } from '../../src/results/dmesg.js';
import { observationJudge } from '../../src/results/judge.js';
import { loadProfiles } from '../../src/schemas/profiles.js';
import { SchemaRegistry } from '../../src/schemas/registry.js';
import { tempDir } from '../helpers.js';
import { JournalScript } from './journal-fixture.js';

const registry = new SchemaRegistry();

function plan(spec: [string, string[], 'cases' | 'whole'][]) {
  const tests: PlannedTest[] = [];
  for (const [suite, cases] of spec) for (const c of cases) tests.push({ index: tests.length, suite, case: c, timeoutMs: 30_000 });
  return { tests, suites: spec.map(([name, , mode]) => ({ name, mode })) };
}

function fold(p: ReturnType<typeof plan>, j: JournalScript, profiles: string[] = []) {
  const b = new ResultsFold({ plan: p, judge: observationJudge(registry, loadProfiles(registry, profiles)), dmesg: dmesgJudge(DEFAULT_DMESG) });
  const settled = j.entries.flatMap((e) => b.push(e));
  return { run: b.finish(), settled, builder: b };
}

const VERSION_OBS = (driver: string, node: string) =>
  `    # obs drm.version {"device":"${node}","driver":"${driver}","major":1,"minor":0,"patchlevel":0,"name":"${driver}","date":"0","desc":"Virtual GEM provider"}`;

t.test('cases with subtests and valid observations pass; results validate against the schema', async (t) => {
  const p = plan([['drm-core', ['version', 'get-cap'], 'cases']]);
  const j = new JournalScript().startBoot().spawn('drm-core', 2);
  j.hiltCase(0, 'drm-core', 'version', 1, true, ['    KTAP version 1', '    1..1', VERSION_OBS('vgem', 'card0'), '    ok 1 card0']);
  j.hiltCase(1, 'drm-core', 'get-cap', 2, true, ['    # obs drm.cap {"device":"card0","driver":"vgem","cap":"DRM_CAP_PRIME","id":5,"errno":0,"errname":"0","value":3}']);
  j.rec('exit', 'drm-core code 0 20').rec('done', '2').bootEnd('poweroff').end();
  const { run, settled } = fold(p, j);
  t.same(settled.map((s) => `${s.case}:${s.status}`), ['version:pass', 'get-cap:pass']);
  t.equal(run.status, 'complete');
  t.match(run.counts, { pass: 2, total: 2 });
  const version = run.suites[0]!.cases[0]!;
  t.equal(version.subtests[0]!.name, 'card0');
  t.match(version.subtests[0]!.observations, [{ type: 'drm.version', data: { driver: 'vgem' }, verdicts: [{ ok: true }] }]);
  t.same(registry.validate('results.schema.json', run), []);
});

t.test('an observation that breaks its schema fails the case, naming the schema, the JSON path and the rule', async (t) => {
  const p = plan([['drm-core', ['version'], 'cases']]);
  const j = new JournalScript().startBoot().spawn('drm-core', 9);
  j.hiltCase(0, 'drm-core', 'version', 1, true, [VERSION_OBS('Bad Driver!', 'card0').replace('"date":"0"', '"date":"27-11-2026"')]);
  j.rec('exit', 'drm-core code 0 20').bootEnd('poweroff').end();
  const { run } = fold(p, j);
  const c = run.suites[0]!.cases[0]!;
  t.equal(c.status, 'fail');
  t.match(c.message, /observation drm\.version breaks its schema: https:\/\/hilt\.dev\/schemas\/v1\/observations\/drm\.version\.schema\.json at \/(driver|date|name): must match pattern/);
  t.match(c.message, /rule pattern at /);
  t.match(c.message, /and \d+ more schema violations/);
  const bad = c.observations[0]!.verdicts[0]!.violations.map((v) => v.path).sort();
  t.same(bad, ['/date', '/driver', '/name']);
});

t.test('an observation type without a schema fails the case', async (t) => {
  const p = plan([['drm-core', ['version'], 'cases']]);
  const j = new JournalScript().startBoot().spawn('drm-core', 9);
  j.hiltCase(0, 'drm-core', 'version', 1, true, ['# obs no.such.type {"x":1}']).rec('exit', 'drm-core code 0 1').bootEnd('poweroff').end();
  t.match(fold(p, j).run.suites[0]!.cases[0], { status: 'fail', message: /no schema judges observation type 'no\.such\.type'/ });
});

t.test('a profile demanding a cap the driver lacks fails the case', async (t) => {
  const dir = tempDir(t);
  const profile = join(dir, 'vgem-with-dumb.json');
  writeFileSync(
    profile,
    JSON.stringify({
      $schema: 'https://hilt.dev/schemas/v1/profile.schema.json',
      name: 'vgem-with-dumb',
      description: 'A vgem that would support dumb buffers',
      match: { driver: 'vgem' },
      observations: {
        'drm.cap': { if: { properties: { cap: { const: 'DRM_CAP_DUMB_BUFFER' } } }, then: { properties: { value: { const: 1 } } } },
      },
    }),
  );
  const p = plan([['drm-core', ['get-cap'], 'cases']]);
  const j = new JournalScript().startBoot().spawn('drm-core', 9);
  j.hiltCase(0, 'drm-core', 'get-cap', 1, true, ['# obs drm.cap {"device":"card0","driver":"vgem","cap":"DRM_CAP_DUMB_BUFFER","id":1,"errno":95,"errname":"EOPNOTSUPP","value":null}']);
  j.rec('exit', 'drm-core code 0 1').bootEnd('poweroff').end();
  t.equal(fold(p, j).run.suites[0]!.cases[0]!.status, 'pass', 'without the profile');
  const c = fold(p, j, [profile]).run.suites[0]!.cases[0]!;
  t.equal(c.status, 'fail');
  t.match(c.message, /profiles\/vgem-with-dumb\.json#\/observations\/drm\.cap at \/value: must be 1 \(rule const at #\/then\/properties\/value\/const\)/);
  // the same profile does not touch another driver's observations
  const other = new JournalScript().startBoot().spawn('drm-core', 9);
  other.hiltCase(0, 'drm-core', 'get-cap', 1, true, ['# obs drm.cap {"device":"card1","driver":"virtio_gpu","cap":"DRM_CAP_DUMB_BUFFER","id":1,"errno":0,"errname":"0","value":1}']);
  other.rec('exit', 'drm-core code 0 1').bootEnd('poweroff').end();
  t.equal(fold(p, other, [profile]).run.suites[0]!.cases[0]!.status, 'pass');
});

t.test('a panic during a case makes it crash with the panic text; the next boot carries on', async (t) => {
  const p = plan([['faults', ['panic', 'after'], 'cases']]);
  const j = new JournalScript().startBoot().spawn('faults', 9).rec('begin', '0 faults panic');
  j.con('[    3.100000] sysrq: Trigger a crash').con('[    3.100100] Kernel panic - not syncing: sysrq triggered crash').bootEnd('panic');
  j.startBoot(1).spawn('faults', 9).hiltCase(1, 'faults', 'after', 1, true).rec('exit', 'faults code 0 1').rec('done', '1').bootEnd('poweroff').end();
  const { run } = fold(p, j);
  const [panic, after] = run.suites[0]!.cases;
  t.match(panic, { status: 'crash', message: /kernel panicked during this case: Kernel panic - not syncing: sysrq triggered crash/ });
  t.ok(panic!.console.some((l) => l.includes('sysrq: Trigger a crash')));
  t.match(after, { status: 'pass', attempts: 1 });
  t.same(run.boots.map((b) => b.reason), ['panic', 'poweroff']);
});

t.test('kernel warnings during a case: pass becomes dmesg-warn, fail becomes dmesg-fail', async (t) => {
  const p = plan([['faults', ['warn', 'fail-warn', 'quiet'], 'cases']]);
  const j = new JournalScript().startBoot().spawn('faults', 9);
  j.rec('begin', '0 faults warn').rec('kmsg', '12 3000000 hilt-fault: a warning').out('faults', 'ok 1 warn').rec('end', '0 1');
  j.rec('begin', '1 faults fail-warn').rec('kmsg', '4 3100000 WARNING: CPU: 0 PID: 1 at drivers/x.c:1 f+0x1/0x2').out('faults', '# fail: nope', 'not ok 2 fail-warn').rec('end', '1 1');
  j.rec('begin', '2 faults quiet').rec('kmsg', '6 3200000 vgem: an info line').out('faults', 'ok 3 quiet').rec('end', '2 1');
  j.rec('exit', 'faults code 1 3').bootEnd('poweroff').end();
  const [warn, failWarn, quiet] = fold(p, j).run.suites[0]!.cases;
  t.match(warn, { status: 'dmesg-warn', message: /hilt-fault: a warning/ });
  t.match(failWarn, { status: 'dmesg-fail', message: /nope.*WARNING: CPU/ });
  t.match(quiet, { status: 'pass', kernelLog: [{ counted: false }] });
});

t.test('the agent\'s timeout and a process dying mid-case', async (t) => {
  const p = plan([['faults', ['hang', 'segv', 'next'], 'cases']]);
  const j = new JournalScript().startBoot().spawn('faults', 9);
  j.rec('begin', '0 faults hang').rec('timeout', '0 2000').rec('exit', 'faults signal 9 2100');
  j.spawn('faults', 9).rec('begin', '1 faults segv').rec('exit', 'faults signal 11 5');
  j.spawn('faults', 9).hiltCase(2, 'faults', 'next', 1, true).rec('exit', 'faults code 0 1').bootEnd('poweroff').end();
  const [hang, segv, next] = fold(p, j).run.suites[0]!.cases;
  t.match(hang, { status: 'timeout', message: /2 s timeout/ });
  t.match(segv, { status: 'crash', message: /SIGSEGV/ });
  t.match(next, { status: 'pass' });
});

t.test('a program run whole: plans 6, prints 5, exits 1 — the missing case is named and fails the suite', async (t) => {
  const p = plan([['six', ['-'], 'whole']]);
  const j = new JournalScript().startBoot().rec('spawn', 'six 3').rec('begin', '0 six -');
  j.out('six', 'KTAP version 1', '1..6', 'ok 1 a', 'ok 2 b', 'ok 3 c', 'ok 4 d', 'ok 5 e').rec('exit', 'six code 1 4').rec('end', '0 4');
  j.bootEnd('poweroff').end();
  const { run } = fold(p, j);
  const cases = run.suites[0]!.cases;
  t.same(cases.map((c) => `${c.name}:${c.status}`), ['a:pass', 'b:pass', 'c:pass', 'd:pass', 'e:pass', '#6:incomplete']);
  t.match(cases[5]!.message, /planned as test 6 but never reported/);
  t.equal(run.suites[0]!.status, 'incomplete');
});

t.test('a program that exits non-zero after only passes is not a pass', async (t) => {
  const p = plan([['liar', ['-'], 'whole']]);
  const j = new JournalScript().startBoot().rec('spawn', 'liar 3').rec('begin', '0 liar -');
  j.out('liar', 'KTAP version 1', '1..2', 'ok 1 a', 'ok 2 b').rec('exit', 'liar code 3 4').bootEnd('poweroff').end();
  const cases = fold(p, j).run.suites[0]!.cases;
  t.same(cases.map((c) => `${c.name}:${c.status}`), ['a:pass', 'b:pass', 'exit-status:fail']);
  t.match(cases[2]!.message, /exited with code 3 after reporting no failure/);
});

t.test('two cases sharing a name are both kept', async (t) => {
  const p = plan([['dup', ['-'], 'whole']]);
  const j = new JournalScript().startBoot().rec('spawn', 'dup 3').rec('begin', '0 dup -');
  j.out('dup', 'KTAP version 1', '1..2', 'ok 1 same', 'not ok 2 same').rec('exit', 'dup code 1 4').bootEnd('poweroff').end();
  t.same(fold(p, j).run.suites[0]!.cases.map((c) => `${c.name}:${c.status}`), ['same:pass', 'same:fail']);
});

t.test('hilt killed mid-case, then resumed: the case left open is void and runs again once', async (t) => {
  const p = plan([['s', ['a', 'b', 'c'], 'cases']]);
  const j = new JournalScript().startBoot().spawn('s', 9).hiltCase(0, 's', 'a', 1, true).rec('begin', '1 s b');
  // no boot-end, no end: SIGKILL. Replaying what is there:
  const killed = fold(p, j);
  t.equal(killed.run.status, 'incomplete');
  t.same([...killed.builder.finishedIndices()], [0]);
  j.startBoot(1).spawn('s', 9).hiltCase(1, 's', 'b', 1, true).hiltCase(2, 's', 'c', 2, true).rec('exit', 's code 0 1').rec('done', '2').bootEnd('poweroff').end();
  const { run } = fold(p, j);
  t.equal(run.status, 'complete');
  t.same(run.suites[0]!.cases.map((c) => `${c.name}:${c.status}:${c.attempts}`), ['a:pass:1', 'b:pass:1', 'c:pass:1']);
});

t.test('planned tests that never ran are incomplete with the reason', async (t) => {
  const p = plan([['s', ['a', 'b'], 'cases']]);
  const j = new JournalScript().startBoot().spawn('s', 9).hiltCase(0, 's', 'a', 1, true);
  j.entries.push({ t: 'end', at: '2026-11-27T10:00:09.000Z', status: 'interrupted' });
  const { run } = fold(p, j);
  t.match(run.suites[0]!.cases[1], { status: 'incomplete', message: /interrupted/ });
  t.equal(run.status, 'incomplete');
});

t.test('lost and corrupted records are reported as problems', async (t) => {
  const p = plan([['s', ['a'], 'cases']]);
  const j = new JournalScript().startBoot().spawn('s', 9).hiltCase(0, 's', 'a', 1, true);
  j.entries.push({ t: 'gap', boot: 1, from: 7, to: 8, ms: 1 }, { t: 'bad', boot: 1, text: '@hilt 9 out zz', reason: 'checksum mismatch', ms: 2 });
  j.bootEnd('poweroff').end();
  const { run } = fold(p, j);
  t.match(run.problems, [/records 7-8 never arrived/, /corrupted \(checksum mismatch\)/]);
});

t.test('an end record lost on the console: the next begin closes the case with its KTAP verdict', async (t) => {
  const p = plan([['s', ['a', 'b'], 'cases']]);
  const j = new JournalScript().startBoot().spawn('s', 2);
  j.rec('begin', '0 s a').out('s', 'ok 1 a'); // its 'end' never arrives
  j.hiltCase(1, 's', 'b', 2, true).rec('exit', 's code 0 1').bootEnd('poweroff').end();
  t.same(fold(p, j).run.suites[0]!.cases.map((c) => `${c.name}:${c.status}`), ['a:pass', 'b:pass']);
});

t.test('a begin record stuck in the tty when the kernel died: the suite\'s kernel-log marker names the case', async (t) => {
  const p = plan([['faults', ['pass', 'panic', 'after'], 'cases']]);
  const j = new JournalScript().startBoot().spawn('faults', 3);
  j.con('[    1.700000] hilt: begin faults/pass').hiltCase(0, 'faults', 'pass', 1, true);
  // test 1's 'begin' and test 0's tail never left the tty queue; the marker did, past it.
  j.con('[    1.750000] hilt: begin faults/panic').con('[    1.750100] sysrq: Trigger a crash').con('[    1.750200] Kernel panic - not syncing: sysrq triggered crash');
  j.bootEnd('panic');
  j.startBoot(2).spawn('faults', 1).hiltCase(2, 'faults', 'after', 1, true).rec('exit', 'faults code 0 1').rec('done', '1').bootEnd('poweroff').end();
  const { run, builder } = fold(p, j);
  const [pass, panic, after] = run.suites[0]!.cases;
  t.match(pass, { status: 'pass' });
  t.match(panic, { status: 'crash', message: /Kernel panic - not syncing: sysrq triggered crash/ });
  t.ok(panic!.console.some((l) => l.includes('sysrq: Trigger a crash')), 'the console since the marker is its evidence');
  t.notOk(panic!.console.some((l) => l.includes('hilt: begin')), 'markers are not evidence');
  t.match(after, { status: 'pass', attempts: 1 });
  t.ok(builder.finishedIndices().has(1));
});

t.test('markers ahead of their begin records change nothing when the run goes well', async (t) => {
  const p = plan([['s', ['a', 'b'], 'cases']]);
  const j = new JournalScript().startBoot().spawn('s', 2);
  j.con('[    1.000000] hilt: begin s/a').con('[    1.000100] hilt: begin s/b');
  j.hiltCase(0, 's', 'a', 1, true).hiltCase(1, 's', 'b', 2, true).rec('exit', 's code 0 1').rec('done', '2').bootEnd('poweroff').end();
  const { run } = fold(p, j);
  t.same(run.suites[0]!.cases.map((c) => `${c.name}:${c.status}:${c.console.length}`), ['a:pass:1', 'b:pass:1']);
});

t.test('a test whose every record was destroyed on the console is reported, not run again', async (t) => {
  const p = plan([['s', ['a', 'b', 'c'], 'cases']]);
  const j = new JournalScript().startBoot().spawn('s', 3).hiltCase(0, 's', 'a', 1, true);
  // b ran, but a process flooding the console took all its records with it
  j.entries.push({ t: 'gap', boot: 1, from: 99, to: 101, ms: 1 });
  j.hiltCase(2, 's', 'c', 3, true).rec('exit', 's code 0 1').rec('done', '3').bootEnd('poweroff').end();
  const { run, builder } = fold(p, j);
  t.same(run.suites[0]!.cases.map((c) => `${c.name}:${c.status}`), ['a:pass', 'b:incomplete', 'c:pass']);
  t.match(run.suites[0]!.cases[1]!.message, /records were destroyed on the console/);
  t.same([...builder.finishedIndices()].sort(), [0, 1, 2], 'nothing left to run again');
});

t.test('a panic whose text came before the case was known still carries that text', async (t) => {
  const p = plan([['faults', ['panic'], 'cases']]);
  // The panic lines arrive while no case is open; the case is only learnt from the replayed log's marker.
  const j = new JournalScript().startBoot().spawn('faults', 1);
  j.con('[    3.100000] sysrq: Trigger a crash').con('[    3.100100] Kernel panic - not syncing: sysrq triggered crash');
  j.con('[    0.000000] Linux version 6.12.117').con('[    2.000000] hilt: begin faults/panic').con('[    3.100000] sysrq: Trigger a crash');
  j.bootEnd('panic').end();
  t.match(fold(p, j).run.suites[0]!.cases[0], { status: 'crash', message: /Kernel panic - not syncing: sysrq triggered crash/ });
});

t.test('a halted machine whose begin record never left the tty: the test the agent had started is the one', async (t) => {
  const p = plan([['faults', ['hang', 'silent', 'after'], 'cases']]);
  const j = new JournalScript().startBoot(1).spawn('faults', 2); // boot 2 of a run: resumes at 'silent'
  j.entries.push({ t: 'watchdog', boot: 1, kind: 'silence', index: null, ms: 9000, detail: 'the machine sent nothing for 8 s' });
  j.bootEnd('silence');
  const { run, builder } = fold(p, j);
  t.match(run.suites[0]!.cases[1], { name: 'silent', status: 'timeout', message: /sent nothing for 8 s/ });
  t.ok(builder.finishedIndices().has(1), 'not run again');
});

t.test('a program run whole stops mid-case: panic, hang (silence), timeout — earlier cases keep their verdicts, the rest are not run', async (t) => {
  const outline = (cases: { name: string; status: string; message: string }[]) => cases.map((c) => `${c.name}:${c.status}:${c.message}`);
  const p = plan([['prog', ['-'], 'whole'], ['next', ['-'], 'whole']]);
  const start = () => new JournalScript().startBoot().rec('spawn', 'prog 3').rec('begin', '0').out('prog', 'KTAP version 1', '1..4', 'ok 1 one', '# two: starting');

  const panic = start().con('[    5.000000] sysrq: Trigger a crash').con('[    5.000100] Kernel panic - not syncing: sysrq triggered crash').bootEnd('panic');
  panic.startBoot(1).rec('spawn', 'next 4').rec('begin', '1').out('next', 'KTAP version 1', '1..1', 'ok 1 only').rec('exit', 'next code 0 5').rec('end', '1 5').rec('done', '1').bootEnd('poweroff').end();
  const r1 = fold(p, panic).run;
  t.same(outline(r1.suites[0]!.cases), [
    'one:pass:',
    '#2:crash:the kernel panicked during this case: Kernel panic - not syncing: sysrq triggered crash (after 1 reported case)',
    '#3:incomplete:not run: the program stopped in #2 (crash)',
    '#4:incomplete:not run: the program stopped in #2 (crash)',
  ]);
  t.same(r1.counts.total, 5, 'the counts add up to the plans: 4 + 1');
  t.same(outline(r1.suites[1]!.cases), ['only:pass:']);

  const hang = start().rec('hb', '9000');
  hang.entries.push({ t: 'watchdog', boot: 1, kind: 'silence', index: null, ms: 40_000, detail: 'the machine sent nothing for 30 s during this case: it is wedged' });
  hang.bootEnd('silence').end('aborted');
  t.same(outline(fold(p, hang).run.suites[0]!.cases).slice(0, 3), [
    'one:pass:',
    '#2:timeout:the machine sent nothing for 30 s during this case: it is wedged (after 1 reported case)',
    '#3:incomplete:not run: the program stopped in #2 (timeout)',
  ]);

  const timeout = start().out('prog', '    KTAP version 1', '    # Subtest: two', '    1..2', '    ok 1 half').rec('timeout', '0 300000').rec('exit', 'prog signal 9 300001').rec('end', '0 300001');
  timeout.rec('done', '2').bootEnd('poweroff').end();
  const r3 = fold(p, timeout).run.suites[0]!.cases;
  t.same(outline(r3), [
    'one:pass:',
    'two:timeout:ran past its 300 s timeout; the agent killed it (after 1 reported case)',
    '#3:incomplete:not run: the program stopped in two (timeout)',
    '#4:incomplete:not run: the program stopped in two (timeout)',
  ], 'the case that began and never finished is the one that timed out, subtest and all');
  t.same(r3[1]!.subtests.map((s) => `${s.name}:${s.status}`), ['half:pass', '#2:incomplete']);

  const unplanned = new JournalScript().startBoot().rec('spawn', 'prog 3').rec('begin', '0').out('prog', 'KTAP version 1', 'ok 1 one').con('[ 5.0] Kernel panic - not syncing: x').bootEnd('panic').end('aborted');
  t.same(outline(fold(p, unplanned).run.suites[0]!.cases).slice(0, 2), ['one:pass:', '#2:crash:the kernel panicked during this case: Kernel panic - not syncing: x (after 1 reported case); it printed no plan, so what came after is unknown']);
});

t.test('taint: the boot\'s own is the baseline; a bit gained is charged where it came; provenance bits are evidence only', async (t) => {
  const p = plan([['s', ['a', 'b', 'c', 'd'], 'cases']]);
  const j = new JournalScript().startBoot().rec('taint', '8192').spawn('s', 4);
  j.hiltCase(0, 's', 'a', 1, true);
  j.rec('begin', '1').out('s', 'ok 2 b').rec('taint', String(8192 | 512)).rec('end', '1 1');
  j.rec('begin', '2').out('s', 'not ok 3 c').rec('taint', String(8192 | 512 | 4096)).rec('lockdep', 'off').rec('end', '2 1');
  j.rec('begin', '3').out('s', 'ok 4 d').rec('taint', String(8192 | 512 | 4096 | 16384)).rec('end', '3 1');
  j.rec('exit', 's code 0 9').bootEnd('poweroff').end();
  const [a, b, c, d] = fold(p, j).run.suites[0]!.cases;
  t.match(a, { status: 'pass', message: '' });
  t.notOk(a!.taint, 'E from the modules is the boot\'s, no case\'s');
  t.match(b, { status: 'dmesg-warn', message: 'the kernel became tainted during the case: W (kernel issued a warning)', taint: { mask: 512, letters: 'W' } });
  t.match(c, { status: 'dmesg-fail', taint: { mask: 4096, letters: 'O' }, lockdepOff: true });
  t.match(c!.message, /; and lockdep switched itself off \(debug_locks=0\)/);
  t.notMatch(c!.message, /tainted/, 'O (an out-of-tree module) is evidence, not trouble');
  t.match(d, { status: 'dmesg-warn', message: 'the kernel became tainted during the case: L (soft lockup occurred)' });
});

t.test('a record of a known kind with missing fields is damaged: reported, never read as zeros', async (t) => {
  const p = plan([['s', ['a'], 'cases']]);
  const j = new JournalScript().startBoot().spawn('s', 1).rec('begin', '0').out('s', 'ok 1 a').rec('end', '0').rec('end', '0 1');
  j.rec('exit', 's code 0 9').bootEnd('poweroff').end();
  const { run } = fold(p, j);
  t.match(run.suites[0]!.cases[0], { status: 'pass', durationMs: 1 });
  t.match(run.problems, [/^boot 1: damaged agent record 'end': 0$/]);
});
