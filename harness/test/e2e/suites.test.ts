/**
 * Every suite, run for real against vgem, virtio-gpu, the system dma-heap
 * and udmabuf in the booted Debian kernel; any KTAP program as a suite; each
 * suite binary as a plain program.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { KtapParser } from '../../src/ktap/index.js';
import type { CaseResult, RunResult } from '../../src/results/model.js';
import { buildPrograms } from '../elf/programs.js';
import { ROOT, runHilt, tempDir } from '../helpers.js';

const SUITES = ['accel', 'dma-buf', 'dma-heap', 'drm-core', 'fences', 'prime', 'sync-file', 'syncobj', 'udmabuf'];
/**
 * Why a case may skip in QEMU: hardware QEMU does not have, or an option
 * Debian's kernel lacks (the case names it). A kernel bug a driver profile
 * names is a failure the gate expects, not a skip.
 */
const ALLOWED_SKIPS = [
  /^skipped: no \/dev\/accel node: this machine has no DRM accel device$/,
  /^skipped: no habanalabs accel device \(accel drivers here: vaccel\)$/,
  /^skipped: needs CONFIG_DMABUF_SELFTESTS \(/,
  /^skipped: needs CONFIG_SW_SYNC \(/,
  // move_notify needs a dynamic exporter (amdgpu, xe); QEMU's are all static.
  /^skipped: \S+ exports statically \(no dma_buf_ops\.pin\)/,
];

t.test('the default plan: every suite, every case passes, skips for want of hardware, or fails as a driver profile expects', async (t) => {
  const out = tempDir(t);
  const r = await runHilt(['run', '--accel', 'tcg', '--out', out]);
  t.equal(r.code, 0, `exit 0 (stderr: ${r.stderr.slice(-3000)})`);
  const run = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
  t.same(run.suites.map((s) => s.name), SUITES, 'every default suite ran');
  t.same(run.problems, []);
  for (const s of run.suites) {
    t.ok(s.cases.length > 0, `${s.name} has cases`);
    for (const c of s.cases) {
      if (c.status === 'pass') continue;
      if (c.gate?.class === 'expected-failure') {
        // A kernel bug a driver profile names: a failure the gate expects (one mechanism with baselines).
        t.match(c.gate, { blocks: false, entry: { source: /^profile (vgem|virtio-gpu)$/ } }, `${s.name}/${c.name} is a known issue of a profile: ${c.gate.reason}`);
        continue;
      }
      t.equal(c.status, 'skip', `${s.name}/${c.name}: ${c.message}`);
      t.ok(ALLOWED_SKIPS.some((re) => re.test(c.message)), `${s.name}/${c.name} skips only for want of hardware or a known kernel bug: ${c.message}`);
    }
  }
  // The suites really talked to the drivers: every driver answered somewhere.
  const drivers = new Set<string>();
  const heaps = new Set<string>();
  const visit = (c: CaseResult, expectedFailure: boolean) => {
    for (const o of c.observations) {
      const d = o.data as { driver?: string; heap?: string; exp_name?: string };
      if (d.driver) drivers.add(d.driver);
      if (d.heap) heaps.add(d.heap);
      if (d.exp_name === 'udmabuf') heaps.add('udmabuf');
      // A known kernel bug shows exactly as a schema violation; everything else must be judged ok.
      if (!expectedFailure) t.ok(o.verdicts.every((v) => v.ok), `${c.name}: ${o.type} judged ok`);
    }
    c.subtests.forEach((sub) => visit(sub, expectedFailure));
  };
  run.suites.forEach((s) => s.cases.forEach((c) => visit(c, c.gate?.class === 'expected-failure')));
  t.same([...drivers].sort(), ['vaccel', 'vgem', 'virtio_gpu']);
  t.same([...heaps].sort(), ['system', 'udmabuf']);
});

t.test('any KTAP program runs as a suite: missing cases named, duplicates kept, exit status counted', async (t) => {
  const out = tempDir(t);
  const bins = join(tempDir(t), 'bins');
  execFileSync('mkdir', ['-p', bins]);
  execFileSync('gcc', ['-static', '-O2', '-o', join(bins, 'nested-ktap'), join(ROOT, 'harness/test/fixtures/suite-bins/nested-ktap.c')]);
  const fixtures = join(ROOT, 'harness/test/fixtures/suite-bins');
  const r = await runHilt(['run', '--accel', 'tcg', '--out', out, '--suite-bin', join(fixtures, 'six-planned.sh'), '--suite-bin', join(fixtures, 'same-names.sh'), '--suite-bin', join(bins, 'nested-ktap')]);
  t.equal(r.code, 1, 'conformance failures');
  const run = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
  const suite = (name: string) => run.suites.find((s) => s.name === name)!;

  const six = suite('six-planned.sh');
  t.equal(six.mode, 'whole');
  t.same(six.cases.map((c) => `${c.name}:${c.status}`), ['case-1:pass', 'case-2:pass', 'case-3:pass', 'case-4:pass', 'case-5:pass', '#6:incomplete']);
  t.match(six.cases[5]!.message, /planned as test 6 but never reported/);
  t.equal(six.status, 'incomplete');
  t.same(six.exits, [{ code: 1, signal: null }]);

  const same = suite('same-names.sh');
  t.same(same.cases.map((c) => `${c.name}:${c.status}`), ['same-name:pass', 'same-name:fail', 'other:skip']);
  t.match(same.cases[2]!.message, /needs hardware/);
  const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
  t.equal(junit.match(/<testcase classname="hilt\.same-names\.sh" name="same-name"/g)?.length, 2, 'JUnit keeps both');

  const nested = suite('nested-ktap');
  t.same(nested.cases.map((c) => `${c.name}:${c.status}`), ['group:pass', 'last:pass']);
  t.same(nested.cases[0]!.subtests.map((c) => `${c.name}:${c.status}`), ['first:pass', 'second:skip']);
});

t.test('a dynamically linked KTAP program runs with its shared libraries ($ORIGIN RPATH, inherited)', async (t) => {
  const b = buildPrograms(tempDir(t));
  const out = tempDir(t);
  const r = await runHilt(['run', '--accel', 'tcg', '--out', out, '--suite-bin', b.rpath]);
  t.equal(r.code, 0, `exit 0 (stderr: ${r.stderr.slice(-2000)})`);
  const run = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
  const dynamic = run.suites.find((s) => s.name === 'rpath')!;
  t.same(dynamic.cases.map((c) => `${c.name}:${c.status}`), ['a-is-3:pass'], 'liba and libb were found in the guest');
});

t.test('--suite-bin refuses a dynamic program whose libraries cannot be found, before booting', async (t) => {
  const b = buildPrograms(tempDir(t));
  const r = await runHilt(['run', '--suite-bin', b.runpath]);
  t.equal(r.code, 2);
  t.match(r.stderr, `cannot find libb.so, needed by ${b.dir}/lib1/liba.so`);
});

t.test('each suite binary runs as a plain program and prints valid KTAP', async (t) => {
  for (const name of [...SUITES, 'faults']) {
    const bin = join(ROOT, 'suites', 'build', name);
    const cases = execFileSync(bin, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    // faults would really halt a machine: list it, run only its harmless case
    const args = name === 'faults' ? ['--run', 'pass'] : [];
    let out: string;
    try {
      out = execFileSync(bin, args, { encoding: 'utf8' });
    } catch (e) {
      out = (e as { stdout: string }).stdout; // a machine with real devices may fail a case; KTAP must still be valid
    }
    const parser = new KtapParser();
    for (const line of out.split('\n').slice(0, -1)) parser.push(line);
    const root = parser.end();
    t.equal(root.version, 'KTAP version 1', `${name}: version line`);
    t.equal(root.plan, name === 'faults' ? 1 : cases.length, `${name}: plan counts its cases`);
    t.same(root.children.map((c) => c.name), name === 'faults' ? ['pass'] : cases, `${name}: one result per case, in order`);
    const problems: string[] = [];
    const walk = (n: typeof root) => {
      problems.push(...n.problems);
      n.children.forEach(walk);
    };
    walk(root);
    t.same(problems, [], `${name}: the parser finds nothing wrong`);
  }
});

t.test('each suite binary describes its cases: kernel functions, options, which must run last', async (t) => {
  const own = [...SUITES.filter((s) => s !== 'accel'), 'lifetime'];
  for (const name of [...SUITES, 'faults', 'lifetime']) {
    const bin = join(ROOT, 'suites', 'build', name);
    const lines = execFileSync(bin, ['--describe'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const cases = execFileSync(bin, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const described = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    t.same(described.map((d) => d.name), cases, `${name}: one description per case, in order`);
    t.same(readFileSync(join(ROOT, 'suites', 'build', `${name}.describe`), 'utf8').split('\n').filter(Boolean), lines, `${name}: build/${name}.describe is its --describe`);
    for (const d of described) {
      t.same(Object.keys(d), ['suite', 'name', 'ioctl', 'kfunc', 'checks', 'config', 'last', 'timeoutSeconds', 'schemas'], `${name}/${d.name}: keys`);
      t.ok(Array.isArray(d.config) && Array.isArray(d.schemas), `${name}/${d.name}: config and schemas are arrays`);
      for (const c of d.config as string[]) t.match(c, /^CONFIG_[A-Z0-9_]+$/, `${name}/${d.name}: ${c}`);
      if (own.includes(name)) t.match(d.kfunc, /[a-z_0-9]+\(\)|dumb_create/, `${name}/${d.name} names the kernel function it exercises`);
    }
  }
  const lifetime = execFileSync(join(ROOT, 'suites', 'build', 'lifetime'), ['--describe'], { encoding: 'utf8' }).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { name: string; last: boolean; timeoutSeconds: number | null });
  t.same(lifetime.filter((d) => d.last).map((d) => d.name), ['vgem-unload-busy', 'virtio-gpu-unbind'], 'the cases that may end a device run last');
  t.equal(lifetime.find((d) => d.name === 'vgem-fence-expiry')?.timeoutSeconds, 30, 'the 10 s vgem expiry has its own timeout');
});

t.test('suites/README.md is what hilt docs generates', async (t) => {
  const r = await runHilt(['docs', '--check']);
  t.equal(r.code, 0, r.stderr);
});
