/**
 * The pure parts of building a tree: the spec, the commands and cache
 * folders, reading kbuild's output for progress and for its first error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { firstBuildError, kbuildStep, minutesSeconds } from '../../src/kernel/build-log.js';
import { formatTreeSpec, parseKernelSpec } from '../../src/kernel/spec.js';
import { buildCommand, buildDirsOf, installCommand, inputsKeyOf, planTreeConfig, type TreeBuildInputs, treeDirOf } from '../../src/kernel/tree-plan.js';
import { ROOT } from '../helpers.js';

const FIXTURES = join(ROOT, 'harness', 'test', 'kernel', 'fixtures');

const base = { source: 'harness/src/kernel/configs/x86_64-qemu.config', text: '# base\nCONFIG_DRM=y\nCONFIG_SW_SYNC=y\n' };
const fences = { source: 'suites/fences/config', text: 'CONFIG_DRM=y\nCONFIG_DRM_VGEM=m\n' };
const mine = { source: 'kasan.config', text: 'CONFIG_KASAN=y\n# CONFIG_SW_SYNC is not set\n' };

function inputs(over: Partial<TreeBuildInputs> = {}): TreeBuildInputs {
  return { tree: '/src/linux', arch: 'x86_64', base: { kind: 'fragment', fragment: base }, fragments: [fences, mine], cacheRoot: '/cache/trees', jobs: 2, depmod: '/usr/sbin/depmod', ...over };
}

t.test('tree: specs', async (t) => {
  t.same(parseKernelSpec('tree:/src/linux'), { type: 'tree', path: '/src/linux', configs: [], base: null });
  t.same(parseKernelSpec('tree:../linux,config=kasan,config=my.config,base=defconfig'), { type: 'tree', path: '../linux', configs: ['kasan', 'my.config'], base: 'defconfig' });
  t.equal(formatTreeSpec({ type: 'tree', path: '/src/linux', configs: ['/a.config'], base: '/boot/config-6.12' }), 'tree:/src/linux,config=/a.config,base=/boot/config-6.12');
  t.throws(() => parseKernelSpec('tree:'), { kind: 'usage', message: /names no source tree/ });
  t.throws(() => parseKernelSpec('tree:/src/linux,modules=/x'), { kind: 'usage', message: /unknown option 'modules=\/x'/ });
  t.throws(() => parseKernelSpec('tree:/src/linux,base=a,base=b'), { message: /names two bases/ });
  t.throws(() => parseKernelSpec('tree:/src/linux,config='), { message: /unknown option 'config='/ });
});

t.test("hilt's base: fragments merged by the tree's merge_config.sh, then allnoconfig over them", async (t) => {
  const plan = planTreeConfig(inputs());
  const dir = treeDirOf('/cache/trees', '/src/linux');
  t.match(dir, /^\/cache\/trees\/linux-[0-9a-f]{12}$/);
  t.equal(plan.treeDir, dir);
  const frag = `${dir}/fragments/${plan.inputsKey}`;
  t.same(plan.fragmentFiles.map((f) => f.path), [`${frag}/00-x86_64-qemu.config`, `${frag}/01-config`, `${frag}/02-kasan.config`]);
  t.same(plan.configCommands, [
    { argv: ['sh', '/src/linux/scripts/kconfig/merge_config.sh', '-m', ...plan.fragmentFiles.map((f) => f.path)], cwd: dir, env: { LC_ALL: 'C', LANG: 'C', KCONFIG_CONFIG: `${frag}/merged.config` } },
    { argv: ['nice', '-n', '10', 'make', '-C', '/src/linux', `O=${dir}/kconfig`, 'ARCH=x86_64', `KCONFIG_ALLCONFIG=${frag}/merged.config`, 'allnoconfig'], cwd: dir, env: { LC_ALL: 'C', LANG: 'C' } },
  ]);
  t.equal(plan.config, `${dir}/kconfig/.config`);
  // The later fragment wins; each request remembers who asked.
  t.same([...plan.requests.values()].map((r) => `${r.symbol}=${r.value} ${r.source}:${r.line}`), [
    'DRM=y suites/fences/config:1',
    'SW_SYNC=n kasan.config:2',
    'DRM_VGEM=m suites/fences/config:2',
    'KASAN=y kasan.config:1',
  ]);
});

t.test('base=defconfig and base=FILE: the fragments merged over it, then olddefconfig; a full config asks for nothing', async (t) => {
  const d = planTreeConfig(inputs({ base: { kind: 'defconfig' }, fragments: [fences] }));
  const k = `${d.treeDir}/kconfig`;
  t.same(d.configCommands.map((c) => c.argv.slice(c.argv[0] === 'nice' ? 3 : 0)), [
    ['make', '-C', '/src/linux', `O=${k}`, 'ARCH=x86_64', 'defconfig'],
    ['sh', '/src/linux/scripts/kconfig/merge_config.sh', '-m', `${k}/.config`, d.fragmentFiles[0]!.path],
    ['make', '-C', '/src/linux', `O=${k}`, 'ARCH=x86_64', 'olddefconfig'],
  ]);
  t.equal(d.configCommands[1]!.env.KCONFIG_CONFIG, `${k}/.config`);
  t.same([...d.requests.keys()], ['DRM', 'DRM_VGEM']);

  const f = planTreeConfig(inputs({ base: { kind: 'file', fragment: { source: '/boot/config-6.12', text: 'CONFIG_DRM=m\nCONFIG_X=y\n' } }, fragments: [mine] }));
  t.same(f.configCommands.map((c) => c.argv.slice(c.argv[0] === 'nice' ? 3 : 0).slice(0, 3)), [
    ['sh', '/src/linux/scripts/kconfig/merge_config.sh', '-m'],
    ['make', '-C', '/src/linux'],
  ]);
  t.same([...f.requests.keys()], ['KASAN', 'SW_SYNC'], "the distribution's own options are not demands");
});

t.test('cache keys: per tree path; config inputs name a configuration; a build folder per resulting .config', async (t) => {
  t.not(treeDirOf('/c', '/src/linux'), treeDirOf('/c', '/src/linux-next'));
  t.equal(inputsKeyOf(inputs()), inputsKeyOf(inputs({ tree: '/elsewhere' })), 'the inputs key leaves the tree to the folder');
  t.not(inputsKeyOf(inputs()), inputsKeyOf(inputs({ fragments: [fences] })));
  const plan = planTreeConfig(inputs());
  const a = buildDirsOf(plan, 'CONFIG_DRM=y\n');
  t.same(buildDirsOf(plan, 'CONFIG_DRM=y\n'), a, 'the same .config, the same build');
  t.not(buildDirsOf(plan, 'CONFIG_DRM=m\n').dir, a.dir);
  t.match(a, { buildDir: `${a.dir}/build`, image: `${a.dir}/build/arch/x86/boot/bzImage`, config: `${a.dir}/build/.config`, stagingDir: `${a.dir}/modules` });
  t.same(buildCommand(inputs(), a, true).argv, ['nice', '-n', '10', 'make', '-C', '/src/linux', `O=${a.buildDir}`, 'ARCH=x86_64', '-j2', 'bzImage', 'modules']);
  t.same(buildCommand(inputs(), a, false).argv.slice(-2), ['-j2', 'bzImage'], 'no modules target without CONFIG_MODULES');
  t.same(installCommand(inputs(), a).argv, ['make', '-C', '/src/linux', `O=${a.buildDir}`, 'ARCH=x86_64', `INSTALL_MOD_PATH=${a.stagingDir}`, 'DEPMOD=/usr/sbin/depmod', 'modules_install']);
});

t.test('kbuild output: finished targets counted, the rest not', async (t) => {
  t.same(kbuildStep('  CC      kernel/fork.o'), { tool: 'CC', target: 'kernel/fork.o' });
  t.same(kbuildStep('  CC [M]  drivers/gpu/drm/vgem/vgem_drv.o'), { tool: 'CC', target: 'drivers/gpu/drm/vgem/vgem_drv.o' });
  t.same(kbuildStep('  LD      vmlinux.o'), { tool: 'LD', target: 'vmlinux.o' });
  t.equal(kbuildStep("make[1]: Entering directory '/x'"), null);
  t.equal(kbuildStep('drivers/x.c:3:1: error: expected'), null);
  t.equal(minutesSeconds(75_400), '1:15');
});

t.test('the first error of a real failed build, with the compiler context, not the make cascade', async (t) => {
  const log = readFileSync(join(FIXTURES, 'build-error', 'build.log'), 'utf8');
  const expected = readFileSync(join(FIXTURES, 'build-error', 'first-error.txt'), 'utf8').replace(/\n$/, '');
  const first = firstBuildError(log);
  t.ok(first);
  t.equal(first!.excerpt, expected);
  t.equal(log.split('\n')[first!.line - 1], expected.split('\n').find((l) => / error: /.test(l)));
});

t.test('other first errors: the linker, kbuild itself, and make alone', async (t) => {
  t.match(firstBuildError('  LD      vmlinux\nld: vmlinux.o: in function `f\':\nfoo.c:(.text+0x5): undefined reference to `g\'\nmake[2]: *** [scripts/Makefile.vmlinux:34: vmlinux] Error 1\n'), {
    line: 3,
    excerpt: "foo.c:(.text+0x5): undefined reference to `g'",
  });
  t.match(firstBuildError("make[1]: Entering directory '/o'\n***\n*** The source tree is not clean, please run 'make ARCH=x86_64 mrproper'\n*** in /src/linux\n***\nmake[2]: *** [Makefile:x] Error 1\n"), {
    excerpt: "*** The source tree is not clean, please run 'make ARCH=x86_64 mrproper'",
  });
  t.match(firstBuildError('make: *** No rule to make target \'bzImag\'.  Stop.\n'), { line: 1 });
  t.equal(firstBuildError('  CC      kernel/fork.o\n'), null);
});
