/**
 * The end-to-end path, for real: the Debian 6.12 kernel (downloaded once, then
 * cached), booted in QEMU, drm-core run against vgem and virtio-gpu.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { RunResult } from '../../src/results/model.js';
import { ROOT, runHilt, tempDir } from '../helpers.js';
import { settleProcesses } from './processes.js';

t.test('hilt run boots the Debian kernel and runs drm-core against vgem and virtio-gpu', async (t) => {
  const out = tempDir(t);
  const marker = randomUUID();
  const r = await runHilt(['run', '--accel', 'tcg', '--suite', 'drm-core', '--out', out], { env: { HILT_TEST_MARK: marker } });
  t.equal(r.code, 0, `exit 0 (stderr: ${r.stderr.slice(-2000)})`);
  t.same(await settleProcesses(marker), [], 'no QEMU outlives hilt');

  const run = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
  t.equal(run.status, 'complete');
  t.match(run.environment.kernel.release, /^6\.12\.\d+/);
  const suite = run.suites.find((s) => s.name === 'drm-core')!;
  t.ok(suite, 'drm-core ran');
  const version = suite.cases.find((c) => c.name === 'version')!;
  t.equal(version.status, 'pass');
  // The driver names come from the kernel's DRM_IOCTL_VERSION answers, per node.
  const drivers = new Map<string, string>();
  for (const sub of version.subtests) for (const o of sub.observations) drivers.set(sub.name, (o.data as { name: string }).name);
  t.same([...new Set(drivers.values())].sort(), ['vgem', 'virtio_gpu']);
  t.ok([...drivers.keys()].some((n) => n.startsWith('renderD')), 'render nodes are tested too');

  const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
  execFileSync('xmllint', ['--noout', '--schema', join(ROOT, 'harness/test/fixtures/junit/junit-10.xsd'), join(out, 'junit.xml')], { stdio: 'pipe' });
  for (const c of suite.cases) t.match(junit, new RegExp(`<testcase classname="hilt\\.drm-core" name="${c.name}"`), `JUnit lists ${c.name}`);
  for (const [node, driver] of drivers) t.match(junit, `- ${node} (${driver}): pass`, `JUnit names ${node}'s driver ${driver}`);
  t.match(junit, /<property name="kernel.release" value="6\.12\.[^"]+"\/>/);
});

t.test('bad input exits 2 with a message that names it and says what to do', async (t) => {
  const out = tempDir(t);
  const cases: [string[], RegExp][] = [
    [['--kernel', 'debian:linux-image-no-such-kernel'], /apt has no package 'linux-image-no-such-kernel'.*\n.*apt-get update/],
    [['--kernel', 'path:/etc/hostname'], /kernel image \/etc\/hostname is not a bzImage: (no 0xAA55|only \d+ bytes)/],
    [['--kernel', 'vmlinuz'], /kernel spec 'vmlinuz' has no scheme\n\s+Use debian:PACKAGE, path:IMAGE/],
    [['--suite', 'no-such-suite'], /there is no suite 'no-such-suite'\n\s+Known suites: .*drm-core/],
    [['--suite', 'drm-core:no-such-case'], /suite drm-core has no case 'no-such-case'\n\s+Its cases: open, version/],
    [['--memory', 'lots'], /--memory takes a positive number/],
  ];
  for (const [args, message] of cases) {
    const r = await runHilt(['run', '--accel', 'tcg', '--out', out, ...args], { timeoutMs: 60_000 });
    t.equal(r.code, 2, `${args.join(' ')} exits 2`);
    t.match(r.stderr, message, `${args.join(' ')} says why`);
  }
});

t.test('hilt list shows every suite with its cases', async (t) => {
  const r = await runHilt(['list']);
  t.equal(r.code, 0);
  t.match(r.stdout, /^drm-core: .*\n  requires vgem, virtio-gpu \(a run without one ends with exit 2 unless the plan marks it --optional\)\n  drm-core:open\n  drm-core:version\n/m);
  t.match(r.stdout, /^prime: .*\n  requires vgem, virtio-gpu, 2 DRM devices \(drm-devices\) /m, 'what a suite requires is said under it');
  t.match(r.stdout, /^  lifetime:virtio-gpu-unbind  \(runs last, alone in a fresh boot\)$/m, 'what a case needs is said beside it');
  const json = JSON.parse((await runHilt(['list', '--json'])).stdout) as { name: string; cases: { name: string; last?: boolean }[] }[];
  t.ok(json.find((s) => s.name === 'drm-core')?.cases.some((c) => c.name === 'unknown-ioctl'));
  t.match(json.find((s) => s.name === 'lifetime')?.cases.find((c) => c.name === 'vgem-unload-busy'), { last: true });
  t.match(json.find((s) => s.name === 'udmabuf'), { requires: { nodes: ['/dev/udmabuf'], drmDevices: 1 }, kernelConfig: ['CONFIG_UDMABUF', 'CONFIG_MEMFD_CREATE', 'CONFIG_DRM_VGEM'] });
});

t.test('a second run downloads nothing and rebuilds nothing', async (t) => {
  const out = tempDir(t);
  const args = ['run', '--accel', 'tcg', '--suite', 'drm-core:version', '--out', out];
  await runHilt(args); // warms the caches, whatever ran before
  const again = await runHilt(args);
  t.equal(again.code, 0);
  t.notMatch(again.stderr, /fetching kernel|apt-get download|depmod/);
  t.match(again.stderr, /initramfs unchanged, from the cache/);
});
