/**
 * The evidence a kernel engineer expects, from a real kernel in QEMU: a panic
 * inside a KTAP program hilt did not write, taint gained during a case, the
 * stacks of a case that hung, and --abort-on stopping the run.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { CaseResult, RunResult } from '../../src/results/model.js';
import { ROOT, runHilt, tempDir } from '../helpers.js';

function cases(run: RunResult): Map<string, CaseResult> {
  return new Map(run.suites.flatMap((s) => s.cases.map((c): [string, CaseResult] => [`${s.name}/${c.name}`, c])));
}

const results = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;

t.test('a panic inside a KTAP program run whole: case 1 pass, case 2 crash with the panic, case 3 not run, the next program whole', async (t) => {
  const out = tempDir(t);
  const bins = tempDir(t, 'hilt-bins-');
  execFileSync('gcc', ['-static', '-O2', '-o', join(bins, 'panicky'), join(ROOT, 'harness/test/fixtures/suite-bins/panic-in-case-2.c')]);
  execFileSync('gcc', ['-static', '-O2', '-o', join(bins, 'nested-ktap'), join(ROOT, 'harness/test/fixtures/suite-bins/nested-ktap.c')]);
  const r = await runHilt(['run', '--accel', 'tcg', '--retries', '0', '--out', out, '--suite-bin', join(bins, 'panicky'), '--suite-bin', `after=${join(bins, 'nested-ktap')}`]);
  t.equal(r.code, 1, `a crash is a conformance failure (stderr: ${r.stderr.slice(-1200)})`);
  const run = results(out);
  const c = cases(run);
  t.same(
    run.suites.find((s) => s.name === 'panicky')!.cases.map((x) => `${x.name}: ${x.status}`),
    ['first: pass', '#2: crash', '#3: incomplete'],
    'every planned case is there, each with its own verdict',
  );
  const crash = c.get('panicky/#2')!;
  t.match(crash.message, /the kernel panicked during this case: Kernel panic - not syncing: sysrq triggered crash \(after 1 reported case\)/);
  t.ok(crash.console.some((l) => /sysrq: Trigger a crash/.test(l)), 'the panic text is its evidence');
  t.match(c.get('panicky/#3'), { status: 'incomplete', message: 'not run: the program stopped in #2 (crash)' });
  const after = run.suites.find((s) => s.name === 'after')!;
  t.ok(after.cases.length > 0 && after.cases.every((x) => x.status !== 'incomplete'), 'the next program ran whole in a fresh boot');
  t.same(run.boots.map((b) => b.reason), ['panic', 'poweroff']);
  t.match(r.stderr, /panicky: 1 pass, 1 crash, 1 incomplete/, 'the progress line counts the program\'s cases');
});

t.test('taint gained during a case is charged to that case, naming the bit; a hung case carries its stacks', async (t) => {
  const out = tempDir(t);
  const r = await runHilt(['run', '--accel', 'tcg', '--retries', '0', '--out', out, '--suite', 'faults:pass,taint,hang']);
  t.equal(r.code, 1);
  const c = cases(results(out));
  t.match(c.get('faults/pass'), { status: 'pass', message: '' });
  t.notOk(c.get('faults/pass')!.taint, 'the case before it gained no taint (the modules\' own taint is the boot\'s)');
  const tainted = c.get('faults/taint')!;
  t.equal(tainted.status, 'dmesg-warn');
  t.equal(tainted.message, 'the kernel became tainted during the case: W (kernel issued a warning)');
  t.match(tainted.taint, { mask: 512, letters: 'W' });
  t.same(tainted.kernelLog.filter((m) => m.counted), [], 'no message was logged: the taint alone is the evidence');
  const hang = c.get('faults/hang')!;
  t.equal(hang.status, 'timeout');
  t.notOk(hang.taint, 'W is the baseline of later cases, not theirs');
  t.ok(hang.stacks?.length, 'the stuck task was dumped before it was killed');
  t.match(hang.stacks?.[0], /^task \d+ \(faults\) state S wchan \S+\n(\[<0>\] .*\n?)+/);
  t.match(hang.stacks?.join('\n'), /pause/, 'its kernel stack shows where it sleeps');
  t.ok(hang.kernelLog.some((m) => /Show Blocked State/.test(m.text)), 'sysrq w went to the kernel log of the case');
});

t.test('--abort-on taint stops the run after the case that tainted the kernel; the rest is not run; exit 1', async (t) => {
  const out = tempDir(t);
  // The suite runs its cases in its own order: pass, taint, console-flood.
  const r = await runHilt(['run', '--accel', 'tcg', '--abort-on', 'taint', '--out', out, '--suite', 'faults:pass,taint,console-flood', '--suite', 'drm-core:version']);
  t.equal(r.code, 1, r.stderr.slice(-800));
  t.match(r.stderr, /--abort-on: the kernel became tainted W \(kernel issued a warning\) during faults\/taint; the rest of the run is not run/);
  const run = results(out);
  const c = cases(run);
  t.equal(run.status, 'aborted');
  t.match(run.error, { kind: 'conformance' });
  t.match(c.get('faults/pass'), { status: 'pass' });
  t.match(c.get('faults/taint'), { status: 'dmesg-warn' });
  for (const later of ['faults/console-flood', 'drm-core/version']) t.match(c.get(later), { status: 'incomplete', message: /^not run: the run stopped first: --abort-on/ }, later);
});
