/**
 * Planning an IGT run: the listing boot's console (a real one, captured from
 * `hilt run --igt` on the IGT build the other fixtures come from) read into
 * subtest lists, checked against the same programs' --list-subtests run by
 * hand in another boot; the expanded plan for selections written by hand;
 * finding the programs of a build or install folder; the plan's machine and
 * environment; refusals at the door.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { FrameDecoder } from '../../src/agent-protocol/frame.js';
import { HiltError } from '../../src/errors.js';
import { parseSubtestListing } from '../../src/igt/select.js';
import { DEFAULT_MACHINE } from '../../src/plan/defaults.js';
import { expandIgtPlan, igtEnv, igtPrograms, igtTestsDir, needsIgtListing, withIgtMachine } from '../../src/plan/igt.js';
import { buildRunPlan } from '../../src/plan/plan.js';
import type { RunPlan } from '../../src/plan/types.js';
import { listingsFromRecords } from '../../src/run/igt-listing.js';
import { schemas } from '../../src/schemas/registry.js';
import { loadCatalog } from '../../src/suites/catalog.js';
import { LineSplitter } from '../../src/text/line-splitter.js';
import { ROOT, tempDir } from '../helpers.js';
import { text } from './fixture.js';

const LISTING_CONSOLE = join(ROOT, 'harness/test/fixtures/igt/listing/qemu-6.12-bochs-vgem.log');
const PROGRAMS = text('test-list.txt').split('\n').filter(Boolean).sort();

/** The agent records of a captured console, as the boot session decodes them. */
function recordsOf(path: string) {
  const splitter = new LineSplitter({ encoding: 'latin1' });
  const decoder = new FrameDecoder();
  const records: { seq: number; kind: string; p: string }[] = [];
  for (const line of [...splitter.push(readFileSync(path)), ...splitter.end()]) {
    for (const d of decoder.push(line)) if (d.type === 'record') records.push({ seq: d.record.seq, kind: d.record.kind, p: d.record.payload });
  }
  return records;
}

const listings = listingsFromRecords(recordsOf(LISTING_CONSOLE));

/** A plan as buildRunPlan makes it for --igt, with no tests yet: one igt suite per program. */
function igtPlan(tests: string[] = [], exclude: string[] = []): RunPlan {
  return {
    kernel: 'debian:linux-image-6.12-amd64',
    machine: withIgtMachine(DEFAULT_MACHINE),
    suites: PROGRAMS.map((p) => ({ name: `igt@${p}`, description: '', modules: ['bochs', 'vgem'], timeoutMs: 300_000, default: false, binary: `/igt/tests/${p}`, mode: 'igt', cases: [], env: ['IGT_SENTINEL_ON_STDERR=1'] })),
    tests: [],
    out: '/tmp/x',
    timeouts: { bootMs: 1, silenceMs: 1, caseGraceMs: 1, runMs: null },
    dmesg: { level: 4, match: [], ignore: [] },
    profiles: [],
    retries: 0,
    abortOn: [],
    jobs: 1,
    repeat: 1,
    igt: { dir: '/igt', testsDir: '/igt/tests', tests, exclude, device: null, forceDriver: null },
  };
}

t.test('the listing boot: every program listed in the guest as by hand in another boot', async (t) => {
  t.same([...listings.keys()].sort(), PROGRAMS.map((p) => `igt@${p}`), 'one listing per program');
  for (const p of PROGRAMS) {
    const byHand = parseSubtestListing(text(`list/${p}/stdout`), { code: Number(text(`list/${p}/exit`).trim()), signal: null });
    t.same(listings.get(`igt@${p}`), byHand, p);
  }
  t.same(listings.get('igt@core_setmaster_vs_auth'), { kind: 'none' }, 'a program without subtests (exit 79)');
  t.same(listings.get('igt@core_auth'), { kind: 'subtests', names: ['getclient-simple', 'getclient-master-drop', 'basic-auth', 'many-magics'] });
});

t.test('a listing the agent cut short or that failed', async (t) => {
  const recs = [
    { seq: 0, kind: 'spawn', p: 'igt@a 10' },
    { seq: 1, kind: 'out', p: 'x\\ny' },
    { seq: 2, kind: 'exit', p: 'igt@a signal 11 5' },
    { seq: 3, kind: 'spawn', p: 'igt@b 11' },
    { seq: 4, kind: 'exit', p: 'igt@b code 1 5' },
    { seq: 5, kind: 'spawn', p: 'igt@c 12' },
  ];
  t.same(Object.fromEntries(listingsFromRecords(recs)), {
    'igt@a': { kind: 'error', reason: '--list-subtests was killed by signal 11' },
    'igt@b': { kind: 'error', reason: '--list-subtests exited with 1' },
  }, 'a program that never exited has no listing');
});

t.test('the expanded plan: one test per selected subtest, in program order, each suite with its listed subtests', async (t) => {
  const all = expandIgtPlan(igtPlan(), listings);
  t.equal(all.plan.tests.length, 82, '81 subtests and a program without any');
  t.same(all.plan.tests.slice(0, 5).map((x) => `${x.index} ${x.suite} ${x.case}`), [
    '0 igt@core_auth getclient-simple',
    '1 igt@core_auth getclient-master-drop',
    '2 igt@core_auth basic-auth',
    '3 igt@core_auth many-magics',
    '4 igt@core_getversion basic',
  ]);
  t.same(all.plan.tests.find((x) => x.suite === 'igt@core_setmaster_vs_auth')?.case, '-', "'-' runs a program without subtests whole");
  t.same(all.plan.suites.find((s) => s.name === 'igt@vgem_basic')?.cases.length, 16);
  t.same(all.unlisted, []);
  t.notOk(needsIgtListing(all.plan), 'nothing left to list');
  t.ok(needsIgtListing(igtPlan()), 'a plan fresh from buildRunPlan needs its listing');

  const vgem = expandIgtPlan(igtPlan(['vgem_basic'], ['@unload$']), listings);
  t.same(vgem.plan.suites.map((s) => s.name), ['igt@vgem_basic'], 'programs with nothing selected leave the plan');
  t.same(vgem.plan.tests.map((x) => x.case), ['setversion', 'second-client', 'create', 'mmap', 'bad-flag', 'bad-pad', 'bad-handle', 'bad-fence', 'busy-fence', 'dmabuf-export', 'dmabuf-mmap', 'dmabuf-fence', 'dmabuf-fence-before', 'sysfs', 'debugfs']);
  t.equal(vgem.unselected.length, 10);

  const broken = new Map(listings);
  broken.set('igt@core_auth', { kind: 'error', reason: '--list-subtests was killed by signal 11' });
  const partial = expandIgtPlan(igtPlan(['core_']), broken);
  t.same(partial.unlisted, [{ program: 'core_auth', reason: '--list-subtests was killed by signal 11' }]);
  t.same([...new Set(partial.plan.tests.map((x) => x.suite))], ['igt@core_getversion', 'igt@core_setmaster_vs_auth']);

  const withHilt = igtPlan(['igt@core_getversion@basic$']);
  withHilt.suites.unshift({ name: 'prime', description: '', modules: [], timeoutMs: 1, default: true, binary: '/x', mode: 'cases', cases: ['a', 'b'] });
  withHilt.tests = [
    { index: 0, suite: 'prime', case: 'a', timeoutMs: 1 },
    { index: 1, suite: 'prime', case: 'b', timeoutMs: 1 },
  ];
  t.same(expandIgtPlan(withHilt, listings).plan.tests.map((x) => `${x.index} ${x.suite} ${x.case}`), ['0 prime a', '1 prime b', '2 igt@core_getversion basic'], "hilt's own suites first, indices in run order");
});

t.test('the programs of a build or install folder', async (t) => {
  const dir = tempDir(t);
  t.throws(() => igtTestsDir(join(dir, 'nope')), /no such folder/);
  t.throws(() => igtTestsDir(dir), /neither an IGT meson build folder \(no tests\/\) nor an install prefix/);
  const prefix = join(dir, 'prefix');
  mkdirSync(join(prefix, 'libexec', 'igt-gpu-tools'), { recursive: true });
  t.equal(igtTestsDir(prefix), join(prefix, 'libexec', 'igt-gpu-tools'), 'an install prefix');
  const build = join(dir, 'build');
  const tests = join(build, 'tests');
  mkdirSync(join(tests, 'amdgpu'), { recursive: true });
  t.equal(igtTestsDir(build), tests, 'a meson build folder');
  for (const p of ['zz_last', 'core_auth']) copyFileSync('/bin/true', join(tests, p));
  writeFileSync(join(tests, 'notes.txt'), 'not a program');
  writeFileSync(join(tests, 'script.sh'), '#!/bin/sh\n', { mode: 0o755 });
  writeFileSync(join(tests, 'not-executable'), readFileSync('/bin/true'), { mode: 0o644 });
  t.same(await igtPrograms(tests), { names: ['core_auth', 'zz_last'], missing: [] }, 'every executable ELF file, sorted; folders, scripts and data left out');
  writeFileSync(join(tests, 'test-list.txt'), 'TESTLIST\nzz_last gone core_auth\nEND TESTLIST\n');
  t.same(await igtPrograms(tests), { names: ['zz_last', 'core_auth'], missing: ['gone'] }, "test-list.txt's order, when there is one");
});

t.test('the machine and environment of an IGT run', async (t) => {
  t.same(withIgtMachine(DEFAULT_MACHINE).devices, ['virtio-gpu-pci', 'bochs-display'], 'the default machine gets the bochs display');
  const own = { ...DEFAULT_MACHINE, devices: ['virtio-vga'] };
  t.equal(withIgtMachine(own), own, 'a machine with devices of its own is left as it is');
  t.same(igtEnv({ device: 'sys:/sys/devices/pci0000:00/0000:00:02.0', forceDriver: 'bochs' }), ['IGT_SENTINEL_ON_STDERR=1', 'IGT_FORCE_DRIVER=bochs', 'IGT_DEVICE=sys:/sys/devices/pci0000:00/0000:00:02.0']);
  t.throws(() => igtEnv({ device: 'a b', forceDriver: null }), /IGT_DEVICE 'a b' has white space/);
});

t.test('buildRunPlan with --igt: a suite per program, no tests until the listing; refusals name the flag', async (t) => {
  const registry = schemas();
  const catalog = loadCatalog(registry);
  const build = join(tempDir(t), 'build');
  mkdirSync(join(build, 'tests'), { recursive: true });
  for (const p of ['core_auth', 'vgem_basic', 'kms_rmfb']) copyFileSync('/bin/true', join(build, 'tests', p));
  const plan = await buildRunPlan({ igt: build, igtExclude: ['^kms_'], igtForceDriver: 'vgem', out: tempDir(t) }, catalog, registry);
  t.same(plan.suites.map((s) => `${s.name} ${s.mode} ${s.binary}`), [`igt@core_auth igt ${build}/tests/core_auth`, `igt@vgem_basic igt ${build}/tests/vgem_basic`], 'an excluded program name is never listed; no hilt suite by default');
  t.same(plan.tests, []);
  t.same(plan.suites[0]!.env, ['IGT_SENTINEL_ON_STDERR=1', 'IGT_FORCE_DRIVER=vgem']);
  t.same(plan.suites[0]!.modules, ['bochs', 'vgem']);
  t.same(plan.machine.devices, ['virtio-gpu-pci', 'bochs-display']);
  t.same(plan.igt, { dir: build, testsDir: join(build, 'tests'), tests: [], exclude: ['^kms_'], device: null, forceDriver: 'vgem' });
  const expanded = expandIgtPlan(plan, listings).plan;
  t.same(registry.validate('run-plan.schema.json', expanded), [], 'the expanded plan is a valid run plan (it opens the journal)');

  const own = await buildRunPlan({ igt: build, igtModules: ['virtio_gpu'], out: tempDir(t) }, catalog, registry);
  t.same([...new Set(own.suites.map((s) => s.modules.join(',')))], ['virtio_gpu'], '--igt-module names the modules instead');

  const planFile = join(build, '..', 'plan.yaml');
  writeFileSync(planFile, 'igt:\n  dir: build\n  tests: [vgem]\n  exclude: [unload]\n  device: pci:vendor=1234\n  modules: [vgem]\n');
  const fromFile = await buildRunPlan({ plan: planFile, out: tempDir(t) }, catalog, registry);
  t.same(fromFile.igt, { dir: build, testsDir: join(build, 'tests'), tests: ['vgem'], exclude: ['unload'], device: 'pci:vendor=1234', forceDriver: null }, 'igt: in a plan file, its dir relative to the plan');
  t.same(fromFile.suites[0]!.modules, ['vgem']);
  const flagsWin = await buildRunPlan({ plan: planFile, igtTests: ['core'], out: tempDir(t) }, catalog, registry);
  t.same(flagsWin.igt?.tests, ['core'], 'flags override the file');
  writeFileSync(planFile, 'igt:\n  tests: [vgem]\n');
  await t.rejects(buildRunPlan({ plan: planFile }, catalog, registry), /must have required property 'dir'/, 'the plan schema judges the igt entry');

  const refused = async (opts: Parameters<typeof buildRunPlan>[0], re: RegExp) => {
    const e = await buildRunPlan(opts, catalog, registry).then(
      () => null,
      (x: unknown) => x,
    );
    t.ok(e instanceof HiltError && e.kind === 'usage', `usage error: ${String(e)}`);
    t.match((e as Error).message, re);
  };
  await refused({ igtTests: ['x'] }, /--igt-test needs --igt DIR/);
  await refused({ igt: build, igtTests: ['('] }, /--igt-test '\(' is not a valid regular expression/);
  await refused({ igt: build, igtExclude: ['.'] }, /--igt-exclude leaves none of the 3 IGT test programs/);
  await refused({ igt: join(build, 'tests') }, /neither an IGT meson build folder/);
});
