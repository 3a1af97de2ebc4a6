/**
 * The local target on this host's running kernel: every default suite runs
 * through the agent in hosted mode; what the host lacks (this CI host has no
 * DRM device, no DMA-BUF heaps, no udmabuf) skips with its reason. A profile
 * demanding an accelerator the host does not have stops the run before any
 * suite, naming what the host shows. `hilt boot` gives a shell beside the
 * suites.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { RunResult } from '../../src/results/model.js';
import { ROOT, runHilt, tempDir } from '../helpers.js';
import { typeInto } from '../targets/interactive.js';

const results = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;

/** The reasons the suites give for what this host lacks: written from the suites' sources, checked against a run. */
const ABSENT: [string, () => boolean, string, RegExp][] = [
  ['drm-core', () => !existsSync('/dev/dri') && !existsSync('/dev/accel'), 'skip', /^skipped: no DRM node in \/dev\/dri or \/dev\/accel$/],
  // vaccel's own cases say so: hilt loads no module on a machine that is up, so the test driver is never there.
  ['accel', () => !existsSync('/dev/accel'), 'skip', /^skipped: (no \/dev\/accel node: this machine has no DRM accel device|no vaccel accel node \(the vaccel test driver is not loaded\))$/],
  // Either the suite finds the node missing, or, where this host's config shows it, hilt skips the case before it runs.
  ['dma-heap', () => !existsSync('/dev/dma_heap'), 'skip', /^skipped: (no \/dev\/dma_heap: the kernel has no DMA-BUF heaps \(CONFIG_DMABUF_HEAPS\)|needs CONFIG_DMABUF_HEAPS\b.* \(not in the config of \S+, read before boot\))$/],
  ['udmabuf', () => !existsSync('/dev/udmabuf'), 'skip', /^skipped: (no \/dev\/udmabuf: the kernel has no udmabuf \(CONFIG_UDMABUF\)|needs CONFIG_UDMABUF\b.* \(not in the config of \S+, read before boot\))$/],
  ['fences', () => !existsSync('/dev/dri'), 'skip', /^skipped: no vgem card node in \/dev\/dri \(vgem module not loaded\)$/],
];

t.test('the default plan on this host: a required module this kernel has not loaded ends the run with exit 2 naming it', async (t) => {
  if (existsSync('/sys/module/vgem') && existsSync('/sys/module/virtio_gpu')) {
    t.comment('this host has vgem and virtio_gpu loaded: nothing of the default plan\'s modules to miss');
    return;
  }
  const dir = tempDir(t, 'hilt-local-');
  writeFileSync(join(dir, 'local.yaml'), 'type: local\nname: this-host\n');
  const out = join(dir, 'out');
  const r = await runHilt(['run', '--machine', join(dir, 'local.yaml'), '--out', out, '--suite', 'fences']);
  t.equal(r.code, 2, `exit 2 (stderr: ${r.stderr.slice(-2000)})`);
  t.match(r.stderr, /module vgem \(required by fences\) did not load: not loaded in the running kernel, nor built in \(hilt loads no module on a machine it did not boot: modprobe vgem first\)/);
  const journal = readFileSync(join(out, 'journal.jsonl'), 'utf8');
  t.notMatch(journal, /"kind":"spawn"/, 'no suite was started');
  t.match(results(out), { status: 'aborted', error: { kind: 'infrastructure' } });
});

t.test('every default suite on this host\'s kernel, all of it optional: what is absent skips, with its reason', async (t) => {
  const dir = tempDir(t, 'hilt-local-');
  writeFileSync(join(dir, 'local.yaml'), 'type: local\nname: this-host\noptional: [all]\n');
  const out = join(dir, 'out');
  const r = await runHilt(['run', '--machine', join(dir, 'local.yaml'), '--out', out]);
  const run = results(out);
  t.equal(run.status, 'complete', 'the run completed');
  t.notOk(
    run.suites.flatMap((s) => s.cases.filter((c) => c.status === 'crash' || c.status === 'incomplete' || c.status === 'timeout').map((c) => `${s.name}/${c.name}: ${c.status} ${c.message}`)).length,
    'no case crashed, hung or went missing',
  );
  t.ok(r.code === 0 || r.code === 1, `exit 0 or 1 by the verdicts (${r.code})`);
  t.match(run.environment, { target: 'local', machine: { type: 'local', name: 'this-host' }, kernel: { release: release(), source: { type: 'running', machine: 'this-host' } } });
  t.match(run.environment.inventory, { boot: 1, hosted: true, release: release() });
  t.same([...new Set(run.boots.map((b) => b.accel))], ['none']);
  for (const [suite, absent, status, reason] of ABSENT) {
    if (!absent()) {
      t.comment(`${suite}: this host has what it needs; its cases ran`);
      continue;
    }
    const cases = run.suites.find((s) => s.name === suite)!.cases;
    t.ok(cases.length > 0);
    t.same(cases.filter((c) => c.status !== status || !reason.test(c.message)).map((c) => `${c.name}: ${c.status} ${c.message}`), [], `${suite}: every case ${status}s, saying why`);
  }
});

t.test('a profile demanding an accelerator this host lacks: exit 2 before any suite, naming what the host shows', async (t) => {
  const dir = tempDir(t, 'hilt-local-');
  writeFileSync(join(dir, 'gpu.yaml'), 'type: local\nname: gpu-box\naccelerators:\n  - { vendor: "10de", device: "2330", driver: nvidia }\n');
  const out = join(dir, 'out');
  const r = await runHilt(['run', '--machine', join(dir, 'gpu.yaml'), '--out', out, '--suite', 'drm-core']);
  t.equal(r.code, 2);
  t.match(r.stderr, /hilt: machine gpu-box must show PCI device 10de:2330 bound to nvidia \(found 0\); boot 1 shows /);
  const journal = readFileSync(join(out, 'journal.jsonl'), 'utf8');
  t.notMatch(journal, /"kind":"spawn"/, 'no suite was started');
  t.match(journal, /"t":"boot","boot":1,"start":0,"at":"[^"]+","cmdline":\[[^\]]*"--count","0"\]/, 'the only boot ran no test (--count 0)');
  const run = results(out);
  t.match(run, { status: 'aborted', error: { kind: 'infrastructure', message: /must show PCI device 10de:2330/ } });
  t.ok(run.suites[0]!.cases.every((c) => c.status === 'incomplete'), 'every case is reported not run');
});

t.test('hilt boot on this host: a shell beside the agent and the suites', async (t) => {
  const dir = tempDir(t, 'hilt-local-');
  writeFileSync(join(dir, 'local.yaml'), 'type: local\n');
  const s = await typeInto(['boot', '--machine', join(dir, 'local.yaml'), '--suite', 'drm-core'], /Ctrl-\] leaves/, 'ls hilt/suites; echo "in $PWD"; exit\r');
  t.equal(s.code, 0, 'the shell ended, hilt too');
  t.match(s.output, /drm-core/, 'the suites are there');
  t.match(s.output, /in \/\S+\/hosted\/[0-9a-f]+/, 'in the hosted tree');
  t.match(s.output, /shell closed/);
});

t.test('IGT on this host: a program that finds its own library through $ORIGIN/../lib runs from the hosted tree', async (t) => {
  const dir = tempDir(t, 'hilt-local-igt-');
  const igt = join(dir, 'igt');
  mkdirSync(join(igt, 'tests'), { recursive: true });
  mkdirSync(join(igt, 'lib'));
  // As an IGT meson build is: the programs in tests/, their own library in lib/, reached through RUNPATH.
  writeFileSync(join(dir, 'dep.c'), 'int hilt_fake_dep(void) { return 0; }\n');
  execFileSync('gcc', ['-shared', '-fPIC', '-o', join(igt, 'lib', 'libhiltfake.so'), join(dir, 'dep.c')]);
  const fake = join(ROOT, 'harness/test/fixtures/igt/fake/igt_fake.c');
  execFileSync('gcc', ['-O2', '-o', join(igt, 'tests', 'fake_subtests'), fake, '-L', join(igt, 'lib'), '-Wl,--no-as-needed', '-lhiltfake', '-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib']);
  writeFileSync(join(dir, 'local.yaml'), 'type: local\nname: this-host\n');
  const out = join(dir, 'out');
  // Never the fake's panic or hang subtests: on this target they would act on this host.
  const r = await runHilt(['run', '--machine', join(dir, 'local.yaml'), '--retries', '0', '--optional', 'vgem', '--out', out, '--igt', igt, '--igt-test', '^igt@fake_subtests@(pass|fail|skip)$']);
  t.equal(r.code, 1, `the fake's failing subtest fails the run (stderr: ${r.stderr.slice(-2000)})`);
  const run = results(out);
  t.same(run.suites.flatMap((s) => s.cases.map((c) => `${s.name}@${c.name} ${c.status}`)), ['igt@fake_subtests@pass pass', 'igt@fake_subtests@fail fail', 'igt@fake_subtests@skip skip']);
});
