/**
 * tree: kernels for real: the kernel source Debian ships, configured from
 * hilt's base config and the suites' fragments, built, booted in QEMU and
 * judged; refused before building when a requested option cannot be had;
 * not rebuilt when unchanged; rebuilt incrementally after a one-file change;
 * a broken file reported by its first compiler error. Opt-in (tree-fixture.ts).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { RunResult } from '../../src/results/model.js';
import { ROOT, runHilt, tempDir } from '../helpers.js';
import { SKIP_REASON, testTree } from './tree-fixture.js';

const tree = testTree();
if (!tree) {
  t.plan(0, SKIP_REASON);
} else {
  const spec = `tree:${tree}`;
  const SUITES = ['--suite', 'fences', '--suite', 'sync-file'];
  const bins = tempDir(t);
  const probe = join(bins, 'sw-sync-probe');
  execFileSync('gcc', ['-static', '-O2', '-o', probe, join(ROOT, 'harness', 'test', 'kernel', 'fixtures', 'sw-sync-probe.c')]);
  const results = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
  /** "built 6.12.117 from /tree in 4:53 (1790 targets)" */
  const built = (stderr: string) => {
    const m = /built (\S+) from \S+ in (\d+):(\d+) \((\d+) targets\)/.exec(stderr);
    return m ? { release: m[1]!, seconds: Number(m[2]) * 60 + Number(m[3]), targets: Number(m[4]) } : null;
  };

  t.test('a fragment asking for an option whose dependency is off is refused before anything is built', async (t) => {
    const dir = tempDir(t);
    const frag = join(dir, 'no-debugfs.config');
    writeFileSync(frag, '# debugfs off: SW_SYNC and LKDTM live in it\n# CONFIG_DEBUG_FS is not set\n');
    const t0 = Date.now();
    const r = await runHilt(['run', '--accel', 'tcg', '--kernel', `${spec},config=${frag}`, '--suite', 'fences', '--out', join(dir, 'out')]);
    t.equal(r.code, 2, 'a usage error');
    t.match(r.stderr, /the kernel configuration drops \d+ requested options; nothing was built/);
    t.match(r.stderr, /CONFIG_SW_SYNC=y \(suites\/fences\/config:\d+\) is off: depends on DEBUG_FS \[=n\] \(drivers\/dma-buf\/Kconfig:\d+\)/);
    t.match(r.stderr, /CONFIG_LKDTM=y \(harness\/src\/kernel\/configs\/x86_64-qemu\.config:\d+\) is off: depends on DEBUG_FS \[=n\]/);
    t.notMatch(r.stderr, /CONFIG_DEBUG_FS=n \(/, 'what the fragment asked for itself survived');
    t.notMatch(r.stderr, /hilt: building /, 'no build started');
    t.comment(`refused in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });

  t.test("hilt's base config and the fences fragment: built, booted, every fence and sync_file case runs, SW_SYNC works", async (t) => {
    const out = tempDir(t);
    const t0 = Date.now();
    const r = await runHilt(['run', '--accel', 'tcg', '--kernel', spec, ...SUITES, '--suite-bin', probe, '--out', out], { timeoutMs: 45 * 60_000 });
    t.equal(r.code, 0, `exit 0 (stderr: ${r.stderr.slice(-2500)})`);
    const b = built(r.stderr);
    t.comment(b ? `build: ${b.seconds} s, ${b.targets} targets; whole run ${((Date.now() - t0) / 1000).toFixed(0)} s` : 'the build was already in the cache');
    const run = results(out);
    t.match(run.environment.kernel, { spec, release: /^6\.12\.\d+/, source: { type: 'tree', path: tree } });
    t.match(run.environment.kernel.configSha256, /^[0-9a-f]{64}$/);
    const cases = run.suites.flatMap((s) => s.cases.map((c) => ({ suite: s.name, ...c })));
    t.ok(cases.filter((c) => c.suite === 'sync-file').length >= 10, 'the sync-file suite ran');
    for (const c of cases) t.not(c.status, 'skip', `${c.suite}/${c.name} ran (${c.message})`);
    t.same(
      cases.filter((c) => c.suite === 'sw-sync-probe').map((c) => `${c.name}: ${c.status}`),
      ['timeline: pass', 'fence-pending: pass', 'fence-signals: pass'],
      'a software timeline made, a fence on it pending, then signalled',
    );
    t.ok(cases.every((c) => c.status === 'pass'), 'every case passed');
  });

  t.test('an unchanged tree and config: nothing is built', async (t) => {
    const out = tempDir(t);
    const t0 = Date.now();
    const r = await runHilt(['run', '--accel', 'tcg', '--kernel', spec, ...SUITES, '--out', out]);
    t.equal(r.code, 0, r.stderr.slice(-1500));
    t.match(r.stderr, /is unchanged since its build of .*: nothing to build/);
    t.notMatch(r.stderr, /hilt: building \/|targets done|hilt: configuring/, 'neither make nor Kconfig ran');
    t.comment(`whole run ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });

  t.test('one touched .c file: an incremental build of a few targets', async (t) => {
    const file = join(tree, 'drivers', 'dma-buf', 'sw_sync.c');
    const now = new Date();
    utimesSync(file, now, now);
    const out = tempDir(t);
    const r = await runHilt(['run', '--accel', 'tcg', '--kernel', spec, ...SUITES, '--out', out]);
    t.equal(r.code, 0, r.stderr.slice(-1500));
    const b = built(r.stderr);
    t.ok(b, 'it built');
    // The object, the image linked again (kallsyms takes three links), modpost: tens of targets, not ~1,800.
    t.ok(b && b.targets < 100, `only what depends on the file (${b?.targets} targets)`);
    t.comment(`warm rebuild: ${b?.seconds} s, ${b?.targets} targets`);
  });

  t.test('a file that does not compile: exit 2 with the first compiler error and the full log', async (t) => {
    const file = join(tree, 'drivers', 'dma-buf', 'sw_sync.c');
    const original = readFileSync(file);
    t.teardown(() => writeFileSync(file, original));
    writeFileSync(file, Buffer.concat([original, Buffer.from('\nint hilt_broken = ;\n')]));
    const r = await runHilt(['run', '--accel', 'tcg', '--kernel', spec, ...SUITES, '--out', tempDir(t)]);
    t.equal(r.code, 2, 'an infrastructure error');
    t.match(r.stderr, /building \S+ failed \(make exited 2 after \d+:\d\d\); the first error, at line \d+ of \S+build\.log:/);
    t.match(r.stderr, /\n\S*drivers\/dma-buf\/sw_sync\.c:\d+:\d+: error: expected expression before ';' token\n +\d+ \| int hilt_broken = ;\n +\| +\^\n/);
    t.match(r.stderr, /full log: \S+build\.log/);
  });
}
