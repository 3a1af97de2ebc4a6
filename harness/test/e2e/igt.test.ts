/**
 * `hilt run --igt` for real: a stand-in IGT program (harness/test/fixtures/
 * igt/fake/igt_fake.c, built here) through the whole path in QEMU: subtests
 * listed in the guest, one process per subtest, IGT's verdicts, a kernel
 * panic in one subtest and the run going on at the next, a resume of the
 * journal per subtest. With HILT_IGT_DIR (an IGT meson build, see
 * /work/igt/BUILD.sh in the IGT work's notes) a real IGT test runs too.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { RunPlan } from '../../src/plan/types.js';
import type { CaseResult, RunResult } from '../../src/results/model.js';
import { ROOT, runHilt, tempDir } from '../helpers.js';
import { runnerTests } from '../igt/fixture.js';

const FAKE = join(ROOT, 'harness/test/fixtures/igt/fake/igt_fake.c');

const results = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
const line = (c: CaseResult) => `${c.name} ${c.status}${c.subtests.length ? ` [${c.subtests.map((s) => `${s.name} ${s.status}`).join(', ')}]` : ''}`;

/** Hand-written: what each subtest of the stand-in must come to (hang is excluded). */
const EXPECTED = {
  'igt@fake_subtests': [
    'pass pass',
    'fail fail',
    'skip skip',
    'kernel-warning dmesg-warn',
    'dynamic fail [dyn-pass pass, dyn-fail fail]',
    'stderr-warning warn',
    'panic crash',
    'after-panic pass',
  ],
  'igt@fake_whole': ['igt@fake_whole pass'],
};

t.test('an IGT-like program through the whole --igt path: listing, selection, verdicts, a panic, a resume', async (t) => {
  const igt = tempDir(t);
  mkdirSync(join(igt, 'tests'));
  for (const name of ['fake_subtests', 'fake_whole', 'fake_broken']) execFileSync('gcc', ['-static', '-O2', '-o', join(igt, 'tests', name), FAKE]);
  const out = tempDir(t);
  // --retries 0: a retry of the panic would only cost one more boot here.
  const r = await runHilt(['run', '--accel', 'tcg', '--retries', '0', '--out', out, '--igt', igt, '--igt-exclude', 'hang$', '--igt-force-driver', 'vgem', '--igt-device', 'sys:/fake']);
  t.equal(r.code, 1, `conformance failures (stderr: ${r.stderr.slice(-3000)})`);
  t.match(r.stderr, 'IGT program fake_broken left out: --list-subtests exited with 1');
  t.match(r.stderr, 'IGT: 3 programs list 10 subtests; 9 selected from 2 programs');
  t.ok(existsSync(join(out, 'console-list.log')), "the listing boot's console is kept");

  const run = results(out);
  t.same(Object.fromEntries(run.suites.map((s) => [s.name, s.cases.map(line)])), EXPECTED);
  t.same(run.suites.map((s) => s.mode), ['igt', 'igt']);
  const byName = new Map(run.suites[0]!.cases.map((c) => [c.name, c]));
  t.equal(byName.get('fail')!.message, 'IGT: FAIL: Test assertion failure function fail, file fake.c:1; Failed assertion: 1 == 2');
  t.equal(byName.get('skip')!.message, 'IGT: SKIP: Test requirement not met in function main, file fake.c:2; Test requirement: has_hardware()');
  t.same(byName.get('kernel-warning')!.kernelLog.filter((m) => m.counted).map((m) => `${m.level} ${m.text}`), ['4 fake-igt: a warning the test provoked']);
  t.equal(byName.get('stderr-warning')!.message, 'IGT: SUCCESS; IGT logged warnings on stderr');
  t.match(byName.get('panic')!.message, /^the kernel panicked during this case: Kernel panic - not syncing: sysrq triggered crash/);
  t.ok(byName.get('pass')!.console.includes('environment: IGT_FORCE_DRIVER=vgem IGT_DEVICE=sys:/fake'), 'the IGT environment reached the test');
  t.ok(byName.get('fail')!.console.some((l) => l.startsWith('stderr: (fake_subtests:')), 'stderr is in the case console');
  t.ok(byName.get('pass')!.kernelLog.some((m) => m.text === '[IGT] fake_subtests: starting subtest pass'), 'and its kernel log');
  t.same(run.boots.map((b) => b.reason), ['panic', 'poweroff'], 'the run went on after the panic, in a second boot');
  t.ok(byName.get('after-panic')!.kernelLog.some((m) => m.text === '[IGT] fake_subtests: starting subtest after-panic'), '...at the subtest after it');
  t.same(run.counts, { ...run.counts, pass: 3, fail: 2, skip: 1, warn: 1, 'dmesg-warn': 1, crash: 1, total: 9 });
  const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
  t.match(junit, /<testcase classname="hilt\.igt@fake_subtests" name="stderr-warning"[^>]*>\s*<failure message="IGT: SUCCESS; IGT logged warnings on stderr" type="warn"><!\[CDATA\[reproduce: hilt repro [^\]]*stderr-warning\]\]><\/failure>/, "a warn is a JUnit failure whose text reproduces it");

  const plan = run.plan as RunPlan;
  t.same(plan.tests.map((x) => x.case), ['pass', 'fail', 'skip', 'kernel-warning', 'dynamic', 'stderr-warning', 'panic', 'after-panic', '-'], 'the journal opened with one test per subtest');
  t.same(plan.igt?.exclude, ['hang$']);

  // Killed after the panic's boot: the journal up to that boot's end resumes at the next subtest.
  const again = join(tempDir(t), 'resumed');
  cpSync(out, again, { recursive: true });
  const entries = readFileSync(join(again, 'journal.jsonl'), 'utf8').split('\n').filter(Boolean);
  const cut = entries.findIndex((e) => (JSON.parse(e) as { t: string }).t === 'boot-end');
  writeFileSync(join(again, 'journal.jsonl'), entries.slice(0, cut + 1).join('\n') + '\n');
  const resumed = await runHilt(['run', '--resume', again]);
  t.equal(resumed.code, 1, `the resumed run ends as the whole one did (stderr: ${resumed.stderr.slice(-2000)})`);
  const rerun = results(again);
  t.same(Object.fromEntries(rerun.suites.map((s) => [s.name, s.cases.map(line)])), EXPECTED, 'with the same verdicts');
  t.same(rerun.boots.map((b) => b.reason), ['panic', 'poweroff'], 'one more boot, from the subtest after the panic');
});

const IGT_DIR = process.env.HILT_IGT_DIR;

t.test('a real IGT build: vgem_basic, every subtest as igt_runner judged it in the captured boot', { skip: IGT_DIR ? false : 'HILT_IGT_DIR is not set (an IGT meson build folder with tests/vgem_basic)' }, async (t) => {
  const out = tempDir(t);
  const r = await runHilt(['run', '--accel', 'tcg', '--out', out, '--igt', IGT_DIR!, '--igt-test', '^vgem_basic$']);
  t.equal(r.code, 1, `vgem_basic@dmabuf-export fails on this machine (stderr: ${r.stderr.slice(-3000)})`);
  const run = results(out);
  t.same(run.suites.map((s) => s.name), ['igt@vgem_basic']);
  const ours = Object.fromEntries(run.suites[0]!.cases.map((c) => [`igt@vgem_basic@${c.name}`, c.status]));
  const reference = Object.fromEntries(
    Object.entries({ ...runnerTests('runner-all'), ...runnerTests('runner-unload') })
      .filter(([k]) => k.startsWith('igt@vgem_basic@'))
      .map(([k, v]) => [k, v.result as string]),
  );
  // Where the capture's guest had no /lib/modules, igt_runner's unload failed to load vgem again; hilt's guest has it.
  t.equal(reference['igt@vgem_basic@unload'], 'fail');
  reference['igt@vgem_basic@unload'] = 'pass';
  t.same(ours, reference);
  t.match(run.suites[0]!.cases.find((c) => c.name === 'dmabuf-export')!.message, /Last errno: 22, Invalid argument/);
});
