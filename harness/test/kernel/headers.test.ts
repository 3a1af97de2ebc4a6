/**
 * Kernel build trees: the pure choices (which packages, how links and
 * includes are relocated), the relocation done on a tree laid out like
 * Debian's headers packages and proved with make itself, and build trees of
 * path: kernels with and without one.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { headersPackageName, headersPackages, kernelBuildIdentity, kernelBuildTree, relativeLinkTarget, relocateAbsoluteIncludes, relocateHeaders } from '../../src/kernel/headers.js';
import type { KernelInfo } from '../../src/kernel/types.js';
import { silentLog } from '../../src/util/log.js';
import { tempDir } from '../helpers.js';

const RELEASE = '6.12.117+deb12-amd64';

// `apt-cache depends linux-headers-6.12.117+deb12-amd64` on Debian 12, as apt printed it.
const DEPENDS = `linux-headers-6.12.117+deb12-amd64
  Depends: linux-base
  Depends: linux-headers-6.12.117+deb12-common
 |Depends: linux-image-6.12.117+deb12-amd64
  Depends: linux-image-6.12.117+deb12-amd64-unsigned
  Depends: linux-kbuild-6.12.117+deb12
  Depends: gcc-12
`;

t.test('the packages a headers package needs beside it: itself, -common, kbuild', async (t) => {
  const { parseAptDepends } = await import('../../src/kernel/apt.js');
  t.equal(headersPackageName(RELEASE), 'linux-headers-6.12.117+deb12-amd64');
  t.same(headersPackages(headersPackageName(RELEASE), parseAptDepends(DEPENDS)), [
    'linux-headers-6.12.117+deb12-amd64',
    'linux-headers-6.12.117+deb12-common',
    'linux-kbuild-6.12.117+deb12',
  ]);
  t.same(headersPackages('linux-headers-6.12.117+deb12-rt-amd64', ['linux-headers-6.12.117+deb12-common-rt', 'linux-kbuild-6.12.117+deb12', 'gcc-12']), [
    'linux-headers-6.12.117+deb12-rt-amd64',
    'linux-headers-6.12.117+deb12-common-rt',
    'linux-kbuild-6.12.117+deb12',
  ]);
});

t.test('absolute links become relative links inside the unpacked root', async (t) => {
  t.equal(relativeLinkTarget(`lib/modules/${RELEASE}/build`, `/usr/src/linux-headers-${RELEASE}`), `../../../usr/src/linux-headers-${RELEASE}`);
  t.equal(relativeLinkTarget(`lib/modules/${RELEASE}/source`, '/usr/src/linux-headers-6.12.117+deb12-common'), '../../../usr/src/linux-headers-6.12.117+deb12-common');
  t.equal(relativeLinkTarget('usr/src/x/scripts', '../../lib/linux-kbuild-6.12.117+deb12/scripts'), null, 'relative already');
  t.equal(relativeLinkTarget('a/b', '/a'), '.');
});

t.test("the arch Makefile's absolute include is found from its own folder", async (t) => {
  const fixed = relocateAbsoluteIncludes('include /usr/src/linux-headers-6.12.117+deb12-common/Makefile\n', `usr/src/linux-headers-${RELEASE}/Makefile`);
  t.equal(fixed, 'include $(dir $(lastword $(MAKEFILE_LIST)))../linux-headers-6.12.117+deb12-common/Makefile\n');
  t.equal(relocateAbsoluteIncludes('-include .kernelvariables\ninclude foo.mk\n', 'usr/src/x/Makefile'), '-include .kernelvariables\ninclude foo.mk\n', 'relative includes are left alone');
});

t.test('a tree laid out like the unpacked packages works from anywhere after relocation', async (t) => {
  const root = tempDir(t);
  const arch = join(root, 'usr/src', `linux-headers-${RELEASE}`);
  const common = join(root, 'usr/src/linux-headers-6.12.117+deb12-common');
  mkdirSync(arch, { recursive: true });
  mkdirSync(common, { recursive: true });
  mkdirSync(join(root, 'usr/lib/linux-kbuild-6.12.117+deb12/scripts'), { recursive: true });
  mkdirSync(join(root, `lib/modules/${RELEASE}`), { recursive: true });
  writeFileSync(join(arch, 'Makefile'), 'include /usr/src/linux-headers-6.12.117+deb12-common/Makefile\n');
  writeFileSync(join(common, 'Makefile'), 'all:\n\t@echo common Makefile reached, scripts $(wildcard scripts)\n');
  symlinkSync('../../lib/linux-kbuild-6.12.117+deb12/scripts', join(arch, 'scripts'));
  symlinkSync(`/usr/src/linux-headers-${RELEASE}`, join(root, `lib/modules/${RELEASE}/build`));

  const changed = await relocateHeaders(root);
  t.equal(changed.length, 2, changed.join('\n'));
  t.equal(readlinkSync(join(root, `lib/modules/${RELEASE}/build`)), `../../../usr/src/linux-headers-${RELEASE}`);
  t.equal(readlinkSync(join(arch, 'scripts')), '../../lib/linux-kbuild-6.12.117+deb12/scripts', 'relative links kept');
  t.ok(existsSync(join(root, `lib/modules/${RELEASE}/build/Makefile`)), 'the build link resolves inside the root');
  // make from elsewhere, through the relocated build link, as Kbuild's `make -C` does.
  const out = execFileSync('make', ['-s', '-C', join(root, `lib/modules/${RELEASE}/build`)], { cwd: '/', encoding: 'utf8' });
  t.match(out, /common Makefile reached, scripts scripts/);
  t.same(await relocateHeaders(root), [], 'relocating twice changes nothing');
});

function pathKernel(modulesDir: string | null, buildDir?: string): KernelInfo {
  return { spec: 'path:/k/bzImage', release: RELEASE, image: '/k/bzImage', modulesDir, config: null, configSha256: null, source: { type: 'path' }, ...(buildDir ? { buildDir } : {}) };
}

t.test('path: kernels: the modules tree build link, a provider build dir, or a reason', async (t) => {
  const opts = { cacheDir: tempDir(t), log: silentLog };
  const mods = tempDir(t);
  let r = await kernelBuildTree(pathKernel(null), opts);
  t.match(r, { ok: false, reason: `path: kernel ${RELEASE} has no build tree (not even a modules tree) to build test modules against` });
  r = await kernelBuildTree(pathKernel(mods), opts);
  t.match(r, { ok: false, reason: `path: kernel ${RELEASE} has no build tree (lib/modules/${RELEASE}/build with Module.symvers) to build test modules against` });

  const tree = tempDir(t);
  writeFileSync(join(tree, 'Makefile'), '');
  writeFileSync(join(tree, 'Module.symvers'), '');
  symlinkSync(tree, join(mods, 'build'));
  r = await kernelBuildTree(pathKernel(mods), opts);
  t.match(r, { ok: true, tree: { release: RELEASE, dir: join(mods, 'build') } });
  r = await kernelBuildTree(pathKernel(null, tree), opts);
  t.match(r, { ok: true, tree: { dir: tree, origin: tree } });
  r = await kernelBuildTree(pathKernel(null, mods), opts);
  t.match(r, { ok: false, reason: /has no Makefile and Module.symvers/ }, 'a named build dir that is not one');

  // A build is named by its Module.symvers: the symbols a module binds to.
  t.equal(await kernelBuildIdentity(pathKernel(null)), null);
  const id = await kernelBuildIdentity(pathKernel(mods));
  t.match(id, /^symvers:[0-9a-f]{16}$/);
  t.equal(await kernelBuildIdentity(pathKernel(null, tree)), id, 'the same tree, however it is found');
  writeFileSync(join(tree, 'Module.symvers'), '0x12345678\tdrm_dev_register\tdrivers/gpu/drm/drm\tEXPORT_SYMBOL\t\n');
  t.not(await kernelBuildIdentity(pathKernel(mods)), id, 'another build of the same release');
});

t.test("Debian's own headers for the default kernel (cached after the first run)", async (t) => {
  const { resolveKernel } = await import('../../src/kernel/index.js');
  const { cacheDir } = await import('../../src/paths.js');
  let kernel: KernelInfo;
  try {
    kernel = await resolveKernel('debian:linux-image-6.12-amd64', { cacheDir: cacheDir(), log: silentLog });
  } catch (e) {
    t.pass(`skipped: no Debian kernel here (${(e as Error).message})`);
    return;
  }
  const r = await kernelBuildTree(kernel, { cacheDir: cacheDir(), log: silentLog });
  if (!r.ok) {
    t.fail(r.reason);
    return;
  }
  t.equal(r.tree.release, kernel.release);
  t.match(r.tree.origin, new RegExp(`^linux-headers-${kernel.release.replace(/[+.]/g, '\\$&')} `));
  t.match(readFileSync(join(r.tree.dir, 'Makefile'), 'utf8'), /^include \$\(dir \$\(lastword \$\(MAKEFILE_LIST\)\)\)\.\.\/linux-headers-.*-common\/Makefile$/m);
  // The tree knows its release the way Kbuild asks it.
  const out = execFileSync('make', ['-s', '-C', r.tree.dir, 'kernelrelease'], { cwd: '/', encoding: 'utf8' });
  t.equal(out.trim(), kernel.release);
});
