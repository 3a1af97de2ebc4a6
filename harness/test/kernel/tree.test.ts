/**
 * The tree provider's own work (fragments found, Kconfig run, the option
 * check, the cache, make run and read) against a stand-in tree: a Makefile
 * that answers allnoconfig, bzImage, modules and modules_install the way
 * kbuild does, in milliseconds. The real kernel is built in e2e/tree.test.ts.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { HiltError } from '../../src/errors.js';
import { parseKernelSpec, type TreeSpec } from '../../src/kernel/spec.js';
import { TreeBuildError, treeKernel } from '../../src/kernel/tree.js';
import { treeFingerprint } from '../../src/kernel/tree-fingerprint.js';
import type { Log } from '../../src/util/log.js';
import { tempDir } from '../helpers.js';

const MAKEFILE = `# A stand-in for kbuild: the targets hilt runs, their outputs, their messages.
O ?= .
REL := 6.99.0-stand-in
allnoconfig:
\tgrep -v '^CONFIG_NEEDS_MISSING=' $(KCONFIG_ALLCONFIG) > $(O)/.config
bzImage:
\t@echo '  CC      kernel/fork.o'
\t@if [ -f broken.c ]; then echo "broken.c: In function 'f':" >&2; echo "broken.c:2:9: error: expected ';' before '}' token" >&2; echo '    2 |   return 1' >&2; echo '      |         ^' >&2; exit 1; fi
\t@echo '  LD      vmlinux'
\t@mkdir -p $(O)/arch/x86/boot $(O)/include/config
\t@echo built >> $(O)/builds
\t@printf 'HdrS' > $(O)/arch/x86/boot/bzImage
\t@echo $(REL) > $(O)/include/config/kernel.release
modules:
\t@echo '  CC [M]  drivers/gpu/drm/vgem/vgem_drv.o'
modules_install:
\t@mkdir -p $(INSTALL_MOD_PATH)/lib/modules/$(REL)
\t@echo 'kernel/drivers/gpu/drm/vgem/vgem.ko:' > $(INSTALL_MOD_PATH)/lib/modules/$(REL)/modules.dep
`;

const MERGE = `#!/bin/sh
# A stand-in for scripts/kconfig/merge_config.sh -m: the fragments, in order, into $KCONFIG_CONFIG.
shift
cat "$@" > "$KCONFIG_CONFIG"
`;

const KCONFIG = `config MODULES
\tbool "Modules"

config MISSING
\tbool "Something the fragment did not ask for"

config NEEDS_MISSING
\tbool "Something that needs it"
\tdepends on MISSING
`;

function standInTree(t: Parameters<typeof tempDir>[0]): string {
  const tree = join(tempDir(t), 'linux');
  mkdirSync(join(tree, 'scripts', 'kconfig'), { recursive: true });
  mkdirSync(join(tree, '.git'));
  writeFileSync(join(tree, 'Makefile'), MAKEFILE);
  writeFileSync(join(tree, 'Kconfig'), KCONFIG);
  writeFileSync(join(tree, 'scripts', 'kconfig', 'merge_config.sh'), MERGE);
  writeFileSync(join(tree, 'fork.c'), 'int fork;\n');
  return tree;
}

function recordingLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), progress: (m) => lines.push(m), warn: (m) => lines.push(`warning: ${m}`) };
}

const spec = (text: string) => parseKernelSpec(text) as TreeSpec;

t.test('built once, then found in the cache; a touched file builds again in the same folder', async (t) => {
  const tree = standInTree(t);
  const cacheDir = tempDir(t);
  const suitesDir = join(tempDir(t), 'suites');
  mkdirSync(join(suitesDir, 'fences'), { recursive: true });
  writeFileSync(join(suitesDir, 'fences', 'config'), 'CONFIG_DRM_VGEM=m\n');
  const log = recordingLog();
  const k = await treeKernel(`tree:${tree}`, spec(`tree:${tree}`), { cacheDir, log, suites: ['fences', 'prime'], suitesDir });
  t.match(k, { release: '6.99.0-stand-in', image: /\/config-[0-9a-f]{16}\/build\/arch\/x86\/boot\/bzImage$/, source: { type: 'tree', path: tree, commit: null } });
  t.ok(k.source.type === 'tree' && k.source.buildSeconds !== null, 'this run built it');
  t.match(k.modulesDir, /\/modules\/lib\/modules\/6\.99\.0-stand-in$/, 'modules installed into the staging folder');
  const buildDir = (k.source as { buildDir: string }).buildDir;
  t.same(readFileSync(join(buildDir, 'builds'), 'utf8'), 'built\n');
  const config = readFileSync(k.config!, 'utf8');
  t.match(config, /CONFIG_DRM_VGEM=m/, "the selected suite's fragment is in (prime has none)");
  t.match(config, /CONFIG_SW_SYNC=y/, "and hilt's base config");
  t.match(log.lines.join('\n'), /building \S+linux in \S+ \(full log: \S+build\.log\)/);
  t.match(log.lines.join('\n'), /built 6\.99\.0-stand-in from \S+ in 0:\d\d \(3 targets\)/);

  const again = recordingLog();
  const k2 = await treeKernel(`tree:${tree}`, spec(`tree:${tree}`), { cacheDir, log: again, suites: ['fences'], suitesDir });
  t.equal(k2.image, k.image);
  t.ok(k2.source.type === 'tree' && k2.source.buildSeconds === null, 'nothing built');
  t.match(again.lines.join('\n'), /is unchanged since its build of .*: nothing to build/);
  t.notMatch(again.lines.join('\n'), /configuring/, 'Kconfig not run again either');

  const later = new Date(Date.now() + 5000);
  utimesSync(join(tree, 'fork.c'), later, later);
  const k3 = await treeKernel(`tree:${tree}`, spec(`tree:${tree}`), { cacheDir, log: recordingLog(), suites: ['fences'], suitesDir });
  t.equal(k3.image, k.image, 'the same .config, the same build folder');
  t.same(readFileSync(join(buildDir, 'builds'), 'utf8'), 'built\nbuilt\n', 'built again, in place');
});

t.test('a requested option Kconfig drops is refused before make runs, with the dependency', async (t) => {
  const tree = standInTree(t);
  const cacheDir = tempDir(t);
  const frag = join(tempDir(t), 'mine.config');
  writeFileSync(frag, '# needs MISSING, which nobody asks for\nCONFIG_NEEDS_MISSING=y\n');
  const err = await treeKernel(`tree:${tree},config=${frag}`, spec(`tree:${tree},config=${frag}`), { cacheDir, log: recordingLog(), suitesDir: tempDir(t) }).catch((e: unknown) => e);
  t.ok(err instanceof TreeBuildError);
  t.match(err, { kind: 'usage', stage: 'config', message: /drops 1 requested option; nothing was built:\n {2}CONFIG_NEEDS_MISSING=y \(\S+mine\.config:2\) is off: depends on MISSING \[=n\] \(Kconfig:7\)$/ });
  const trees = readdirSync(join(cacheDir, 'trees'));
  t.notOk(readdirSync(join(cacheDir, 'trees', trees[0]!)).some((f) => f.startsWith('config-')), 'no build folder made');
});

t.test('a build failure names the first compiler error and keeps the log', async (t) => {
  const tree = standInTree(t);
  writeFileSync(join(tree, 'broken.c'), 'int f(void) {\n  return 1\n}\n');
  const err = await treeKernel(`tree:${tree}`, spec(`tree:${tree}`), { cacheDir: tempDir(t), log: recordingLog(), suitesDir: tempDir(t) }).catch((e: unknown) => e);
  t.ok(err instanceof TreeBuildError);
  const e = err as TreeBuildError;
  t.match(e, { kind: 'infrastructure', stage: 'build', message: /building \S+ failed \(make exited 2 after 0:\d\d\); the first error, at line \d+ of \S+build\.log:/ });
  t.equal(e.detail!.split('\nfull log: ')[0], "broken.c: In function 'f':\nbroken.c:2:9: error: expected ';' before '}' token\n    2 |   return 1\n      |         ^");
  const logPath = /full log: (\S+)/.exec(e.detail!)![1]!;
  t.ok(existsSync(logPath), 'the log is kept');
  t.match(readFileSync(logPath, 'utf8'), /\$ nice -n 10 make -C \S+ O=\S+ ARCH=x86_64 -j\d+ bzImage modules\n/);
});

t.test('refusals before any work: not a kernel tree, an unknown fragment', async (t) => {
  const dir = tempDir(t);
  const e1 = await treeKernel(`tree:${dir}`, spec(`tree:${dir}`), { cacheDir: tempDir(t), log: recordingLog() }).catch((e: unknown) => e);
  t.match(e1, { kind: 'usage', message: /is not a kernel source tree: it has no Makefile/ });
  const e2 = await treeKernel('tree:/nonexistent', spec('tree:/nonexistent'), { cacheDir: tempDir(t), log: recordingLog() }).catch((e: unknown) => e);
  t.match(e2, { kind: 'usage', message: /no such folder/ });
  const tree = standInTree(t);
  const e3 = await treeKernel(`tree:${tree},config=kasn`, spec(`tree:${tree},config=kasn`), { cacheDir: tempDir(t), log: recordingLog() }).catch((e: unknown) => e);
  t.ok(e3 instanceof HiltError);
  t.match(e3, { kind: 'usage', message: /config=kasn: no such file, and hilt ships no fragment by that name/, hint: /kasan/ });
});

t.test('the fingerprint sees a touched file, not the .git folder', async (t) => {
  const tree = standInTree(t);
  const a = treeFingerprint(tree);
  writeFileSync(join(tree, '.git', 'HEAD'), 'ref: refs/heads/x\n');
  t.equal(treeFingerprint(tree), a);
  const later = new Date(Date.now() + 5000);
  utimesSync(join(tree, 'fork.c'), later, later);
  t.not(treeFingerprint(tree), a);
});
