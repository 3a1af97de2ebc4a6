/**
 * A run fails when what it tests is absent: a required module the kernel
 * lacks or that will not load, a required node, the second DRM device of the
 * cross-device cases. Each on Debian's kernel booted in QEMU, made to lack
 * the part for real: its modules tree without vgem (depmod run again), vgem's
 * file replaced by one the kernel refuses, udmabuf's initcall blacklisted,
 * the machine without its virtio GPU. Marked optional, the same absence is
 * a skip with its reason, and the run passes.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cacheDir } from '../../src/paths.js';
import type { RunResult } from '../../src/results/model.js';
import { runHilt, tempDir } from '../helpers.js';

const results = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
const cases = (run: RunResult) => run.suites.flatMap((s) => s.cases);
const ran = (run: RunResult) => cases(run).filter((c) => c.status !== 'incomplete').map((c) => `${c.name}: ${c.status}`);

/** Debian's default kernel, unpacked in hilt's cache (a first run fetches it). */
async function debianKernel(): Promise<{ image: string; modules: string; release: string }> {
  const find = () => {
    const kernels = join(cacheDir(), 'kernels');
    if (!existsSync(kernels)) return null;
    for (const d of readdirSync(kernels)) {
      const root = join(kernels, d, 'root');
      const image = existsSync(join(root, 'boot')) ? readdirSync(join(root, 'boot')).find((f) => f.startsWith('vmlinuz-')) : undefined;
      if (image) {
        const release = image.slice('vmlinuz-'.length);
        return { image: join(root, 'boot', image), modules: join(root, 'lib/modules', release), release };
      }
    }
    return null;
  };
  const found = find();
  if (found) return found;
  await runHilt(['run', '--suite', 'fences:attach-read', '--out', join(cacheDir(), 'fetch-for-test')]);
  return find() ?? Promise.reject(new Error('hilt did not fetch its default kernel'));
}

/** The kernel's modules tree under dir/lib/modules/RELEASE, hard-linked (a copy would be hundreds of MB), for depmod -b dir. */
function linkedTree(dir: string, kernel: { modules: string; release: string }): string {
  mkdirSync(join(dir, 'lib/modules'), { recursive: true });
  execFileSync('cp', ['-al', kernel.modules, join(dir, 'lib/modules')]);
  return join(dir, 'lib/modules', kernel.release);
}

const vgemFile = (tree: string) => join(tree, 'kernel/drivers/gpu/drm/vgem/vgem.ko.xz');

t.test('a kernel without vgem: a plan requiring it ends with exit 2 naming vgem, before any boot', async (t) => {
  const kernel = await debianKernel();
  const dir = tempDir(t);
  const tree = linkedTree(dir, kernel);
  t.ok(existsSync(vgemFile(tree)), 'the tree had vgem');
  rmSync(vgemFile(tree));
  // depmod rewrites the index files: copies, not links to the cache's.
  for (const f of readdirSync(tree).filter((f) => f.startsWith('modules.'))) {
    rmSync(join(tree, f));
    copyFileSync(join(kernel.modules, f), join(tree, f));
  }
  execFileSync('depmod', ['-b', dir, kernel.release]);
  t.notMatch(readFileSync(join(tree, 'modules.dep'), 'utf8'), /vgem/, 'depmod no longer lists it');
  const spec = `path:${kernel.image},modules=${tree}`;

  const out = join(dir, 'prime');
  const r = await runHilt(['run', '--kernel', spec, '--suite', 'prime', '--out', out]);
  t.equal(r.code, 2, `exit 2 (stderr: ${r.stderr.slice(-1500)})`);
  t.match(r.stderr, /the machine lacks what the plan requires \(known before boot from kernel \S+\): module vgem \(required by prime\): kernel \S+ has no such module/);
  t.match(r.stderr, /--optional NAME/, 'the hint says how to let the run do without it');
  const run = results(out);
  t.match(run.error, { kind: 'infrastructure', message: /module vgem \(required by prime\)/ });
  t.same(run.boots, [], 'nothing booted');
  t.same(ran(run), [], 'no case has a verdict: none ran');

  const optional = join(dir, 'fences');
  const o = await runHilt(['run', '--kernel', spec, '--suite', 'fences', '--optional', 'vgem', '--out', optional]);
  t.equal(o.code, 0, `marked optional: exit 0 (stderr: ${o.stderr.slice(-1500)})`);
  t.match(o.stderr, /has no module vgem \(optional in this plan: vgem; the cases needing it will skip\)/);
  const skipped = results(optional);
  t.ok(cases(skipped).length > 5);
  t.same(cases(skipped).filter((c) => c.status !== 'skip' || !/vgem module not loaded/.test(c.message)).map((c) => `${c.name}: ${c.status} ${c.message}`), [], 'every case skips, saying vgem is not loaded');
});

t.test('a required module that will not load: exit 2 naming it and the kernel\'s errno, before the first test', async (t) => {
  const kernel = await debianKernel();
  const dir = tempDir(t);
  const tree = linkedTree(dir, kernel);
  rmSync(vgemFile(tree));
  // An xz file the image builder unpacks and the kernel refuses: not an ELF object.
  writeFileSync(vgemFile(tree), execFileSync('xz', ['-c'], { input: 'this is not a kernel module\n' }));
  const out = join(dir, 'out');
  const r = await runHilt(['run', '--kernel', `path:${kernel.image},modules=${tree}`, '--suite', 'fences', '--out', out]);
  t.equal(r.code, 2, `exit 2 (stderr: ${r.stderr.slice(-1500)})`);
  t.match(r.stderr, /\(boot 1, before its first test\): module vgem \(required by fences\) did not load: Exec format error \(errno 8\)/);
  const run = results(out);
  t.equal(run.boots.length, 1);
  t.same(ran(run), [], 'no case ran on the machine without it');
  t.ok(run.problems.some((p) => /module vgem\.ko did not load: Exec format error/.test(p)), 'the load failure is in the problems too');
});

t.test('a required node that is absent (udmabuf initcall blacklisted): exit 2 naming it; optional in the machine profile, its cases skip', async (t) => {
  const dir = tempDir(t);
  const machine = join(dir, 'no-udmabuf.yaml');
  writeFileSync(machine, 'cmdline: ["initcall_blacklist=udmabuf_dev_init"]\n');
  const out = join(dir, 'required');
  const r = await runHilt(['run', '--machine', machine, '--suite', 'udmabuf', '--out', out]);
  t.equal(r.code, 2, `exit 2 (stderr: ${r.stderr.slice(-1500)})`);
  t.match(r.stderr, /\/dev\/udmabuf \(required by udmabuf\): No such file or directory/);
  t.same(ran(results(out)), []);
  t.same(results(out).environment.inventory?.paths, [{ path: '/dev/udmabuf', error: 'No such file or directory' }], 'the inventory records what the agent found');

  writeFileSync(machine, 'cmdline: ["initcall_blacklist=udmabuf_dev_init"]\noptional: [/dev/udmabuf]\n');
  const skipOut = join(dir, 'optional');
  const o = await runHilt(['run', '--machine', machine, '--suite', 'udmabuf', '--out', skipOut]);
  t.equal(o.code, 0, `exit 0 (stderr: ${o.stderr.slice(-1500)})`);
  const run = results(skipOut);
  t.same((run.plan as { optional?: string[] }).optional, ['/dev/udmabuf'], "the machine profile's optional list is the plan's");
  t.same(cases(run).filter((c) => c.status !== 'skip').map((c) => `${c.name}: ${c.status} ${c.message}`), [], 'every udmabuf case skips');
  t.match(cases(run)[0]?.message, /\/dev\/udmabuf/);
});

t.test('one DRM device where the cross-device cases want two: exit 2 naming what the machine shows', async (t) => {
  const dir = tempDir(t);
  const machine = join(dir, 'one-gpu.yaml');
  writeFileSync(machine, 'devices: []\n');
  const out = join(dir, 'out');
  const r = await runHilt(['run', '--machine', machine, '--suite', 'prime', '--out', out]);
  t.equal(r.code, 2, `exit 2 (stderr: ${r.stderr.slice(-1500)})`);
  t.match(r.stderr, /2 DRM devices \(required by prime for its cross-device cases\): the machine shows 1 \(\/dev\/dri\/card0 vgem\)/);
  t.same(ran(results(out)), []);
});

t.test('an optional entry no selected suite requires is a usage error listing what they do require', async (t) => {
  const r = await runHilt(['run', '--suite', 'fences', '--optional', 'vgen', '--out', tempDir(t)]);
  t.equal(r.code, 2);
  t.match(r.stderr, /optional 'vgen': no selected suite requires it\n\s+What the selected suites require: vgem \(or all\)\./);
});
