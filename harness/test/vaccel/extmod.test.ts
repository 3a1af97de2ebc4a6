/**
 * Out-of-tree test modules: .modinfo read from ELF bytes, the source hash,
 * the first error of a Kbuild log, and vaccel really built against the
 * Debian headers of the default kernel: cold, then from the cache without
 * running make, and a broken source refused with its first compiler error.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { HiltError } from '../../src/errors.js';
import { buildExternalModule, cachedExternalModule, externalModulesFor, firstBuildError, isModuleSource, sourceHash } from '../../src/image/extmod.js';
import { elfSection, modinfoDepends, modinfoRelease, parseModinfo } from '../../src/image/modinfo.js';
import { kernelBuildIdentity, kernelBuildTree, symversIdentity } from '../../src/kernel/headers.js';
import type { KernelInfo } from '../../src/kernel/types.js';
import { SUITES_DIR, cacheDir } from '../../src/paths.js';
import { silentLog } from '../../src/util/log.js';
import { tempDir } from '../helpers.js';

/** An ELF64 little-endian relocatable with a null section, .shstrtab and the named sections. */
function elf(sections: Record<string, Buffer>): Buffer {
  const names = ['', '.shstrtab', ...Object.keys(sections)];
  const strtab = Buffer.from(names.map((n) => n + '\0').join(''));
  const bodies = [Buffer.alloc(0), strtab, ...Object.values(sections)];
  const nameOffsets = names.map((_, i) => names.slice(0, i).reduce((n, s) => n + s.length + 1, 0));
  let at = 64;
  const offsets = bodies.map((b) => {
    const o = at;
    at += b.length;
    return o;
  });
  const shoff = at;
  const out = Buffer.alloc(shoff + names.length * 64);
  out.writeUInt32BE(0x7f454c46, 0);
  out[4] = 2; // ELFCLASS64
  out[5] = 1; // little-endian
  out.writeBigUInt64LE(BigInt(shoff), 0x28);
  out.writeUInt16LE(64, 0x3a);
  out.writeUInt16LE(names.length, 0x3c);
  out.writeUInt16LE(1, 0x3e);
  bodies.forEach((b, i) => {
    b.copy(out, offsets[i]);
    const h = shoff + i * 64;
    out.writeUInt32LE(nameOffsets[i]!, h);
    out.writeBigUInt64LE(BigInt(offsets[i]!), h + 24);
    out.writeBigUInt64LE(BigInt(b.length), h + 32);
  });
  return out;
}

t.test('.modinfo: every key=value, repeated keys kept, depends split, release from vermagic', async (t) => {
  const ko = elf({
    '.text': Buffer.from('code'),
    '.modinfo': Buffer.from('import_ns=DMA_BUF\0version=1.0.0\0license=GPL\0author=a\0author=b\0depends=drm_exec,drm,drm_shmem_helper\0name=vaccel\0vermagic=6.12.117+deb12-amd64 SMP preempt mod_unload modversions \0'),
  });
  const info = parseModinfo(ko);
  t.same(info.get('version'), ['1.0.0']);
  t.same(info.get('author'), ['a', 'b']);
  t.same(modinfoDepends(info), ['drm_exec', 'drm', 'drm_shmem_helper']);
  t.equal(modinfoRelease(info), '6.12.117+deb12-amd64');
  t.same(elfSection(ko, '.text'), Buffer.from('code'));
  t.equal(elfSection(ko, '.data'), null);
  t.same(modinfoDepends(parseModinfo(elf({ '.modinfo': Buffer.from('depends=\0') }))), [], 'a module depending on nothing');
  t.equal(parseModinfo(Buffer.from('not an ELF file at all, just text, long enough to have a header')).size, 0);
  t.equal(parseModinfo(Buffer.alloc(10)).size, 0);
});

t.test('the source hash: names and bytes of the sources, in any order; build outputs are not sources', async (t) => {
  const a = { name: 'a.c', data: Buffer.from('int a;') };
  const b = { name: 'Kbuild', data: Buffer.from('obj-m := a.o') };
  t.equal(sourceHash([a, b]), sourceHash([b, a]));
  t.not(sourceHash([a, b]), sourceHash([{ ...a, data: Buffer.from('int b;') }, b]));
  t.not(sourceHash([a, b]), sourceHash([{ ...a, name: 'b.c' }, b]));
  t.not(sourceHash([a]), sourceHash([a, { name: 'a.h', data: Buffer.alloc(0) }]), 'a new empty header is a change');
  t.match(sourceHash([a]), /^[0-9a-f]{16}$/);
  for (const f of ['vaccel_drv.c', 'vaccel_accel.h', 'Kbuild', 'Makefile']) t.ok(isModuleSource(f), f);
  for (const f of ['vaccel.ko', 'vaccel.o', 'vaccel.mod.c', 'vaccel.mod.c.orig', '.vaccel.o.cmd', 'Module.symvers', 'modules.order', 'README.md']) t.notOk(isModuleSource(f), f);
});

t.test("a Kbuild log's first error: the compiler's, modpost's, then make's", async (t) => {
  const gcc = `make: Entering directory '/h'
  CC [M]  /w/vaccel_drv.o
/w/vaccel_drv.c:42:9: error: 'foo' undeclared (first use in this function)
make[2]: *** [/h/scripts/Makefile.build:229: /w/vaccel_drv.o] Error 1
make: *** [Makefile:236: __sub-make] Error 2`;
  t.equal(firstBuildError(gcc), "/w/vaccel_drv.c:42:9: error: 'foo' undeclared (first use in this function)");
  t.equal(firstBuildError('  MODPOST /w/Module.symvers\nERROR: modpost: "drm_nothing" [/w/vaccel.ko] undefined!\nmake[2]: *** x Error 1'), 'ERROR: modpost: "drm_nothing" [/w/vaccel.ko] undefined!');
  t.equal(firstBuildError('make: *** No rule to make target \'modules\'.  Stop.'), "make: *** No rule to make target 'modules'.  Stop.");
  t.equal(firstBuildError('all fine\n'), null);
});

/** The default Debian kernel and its headers, when this machine has them (it downloads them once). */
async function debianTree(): Promise<{ kernel: KernelInfo; dir: string } | string> {
  const { resolveKernel } = await import('../../src/kernel/index.js');
  try {
    const kernel = await resolveKernel('debian:linux-image-6.12-amd64', { cacheDir: cacheDir(), log: silentLog });
    const r = await kernelBuildTree(kernel, { cacheDir: cacheDir(), log: silentLog });
    return r.ok ? { kernel, dir: r.tree.dir } : r.reason;
  } catch (e) {
    return (e as Error).message;
  }
}

t.test('vaccel built for the Debian kernel: cold, then cached without make', async (t) => {
  const found = await debianTree();
  if (typeof found === 'string') {
    t.pass(`skipped: no Debian kernel and headers here (${found})`);
    return;
  }
  const cache = tempDir(t);
  const src = join(SUITES_DIR, 'vaccel');
  const kernelId = (await kernelBuildIdentity(found.kernel))!;
  t.match(kernelId, /^debian:linux-image-6\.12\.\S+=\S+$/, 'a Debian kernel is named by its package and version');
  const cold = await buildExternalModule({ name: 'vaccel', sourceDir: src, release: found.kernel.release, buildTree: found.dir, kernelId, cacheDir: cache, log: silentLog });
  t.equal(cold.cached, false);
  t.ok(cold.buildMs! > 0);
  t.comment(`vaccel cold build: ${(cold.buildMs! / 1000).toFixed(1)} s`);
  t.equal(cold.release, found.kernel.release);
  t.match(cold.version, /^\d+\.\d+\.\d+$/);
  t.match(cold.srcversion, /^[0-9A-F]+$/);
  t.same([...cold.depends].sort(), ['drm', 'drm_exec', 'drm_shmem_helper'], 'its .modinfo depends=');
  const ko = readFileSync(cold.path);
  t.equal(modinfoRelease(parseModinfo(ko)), found.kernel.release, 'vermagic names the kernel');
  t.equal(elfSection(ko, '.debug_info'), null, 'debug info stripped');

  // Cached: the build tree is not even looked at (a bogus one would fail a build).
  const started = Date.now();
  const again = await buildExternalModule({ name: 'vaccel', sourceDir: src, release: found.kernel.release, buildTree: '/nonexistent', kernelId, cacheDir: cache, log: silentLog });
  t.comment(`vaccel cached: ${Date.now() - started} ms`);
  t.match(again, { cached: true, buildMs: null, path: cold.path, sourceHash: cold.sourceHash, version: cold.version });
  t.same(await cachedExternalModule({ name: 'vaccel', sourceDir: src, release: found.kernel.release, kernelId, cacheDir: cache }), again);
  const plans = await externalModulesFor(found.kernel, ['vaccel', 'vaccel'], { cacheDir: cache, log: silentLog });
  t.equal(plans.length, 1, 'asked twice, planned once');
  t.match(plans[0], { name: 'vaccel', unavailable: null, module: { cached: true } });
  t.equal(await cachedExternalModule({ name: 'vaccel', sourceDir: src, release: '6.1.0-other', kernelId, cacheDir: cache }), null, 'another release is another build');
  t.equal(
    await cachedExternalModule({ name: 'vaccel', sourceDir: src, release: found.kernel.release, kernelId: 'symvers:0123456789abcdef', cacheDir: cache }),
    null,
    'the same release built elsewhere (a developer kernel) is another build too',
  );
  t.equal(await kernelBuildIdentity({ ...found.kernel, spec: 'path:x', source: { type: 'path' } }), null, 'a path: kernel without a build tree has no identity to reuse');
});

t.test('a broken module source: the first compiler error and where the log is', async (t) => {
  const found = await debianTree();
  if (typeof found === 'string') {
    t.pass(`skipped: no Debian kernel and headers here (${found})`);
    return;
  }
  const src = tempDir(t);
  cpSync(join(SUITES_DIR, 'vaccel'), src, { recursive: true });
  writeFileSync(join(src, 'vaccel_bo.c'), readFileSync(join(src, 'vaccel_bo.c'), 'utf8').replace('return -E2BIG;', 'return -E2BIG_NOT_A_THING;'));
  const cache = tempDir(t);
  const err = await buildExternalModule({ name: 'vaccel', sourceDir: src, release: found.kernel.release, buildTree: found.dir, cacheDir: cache, log: silentLog }).catch(
    (e: unknown) => e,
  );
  t.type(err, HiltError);
  // Kbuild unexports LC_ALL, so gcc quotes as the host's locale says.
  t.match(err, { kind: 'infrastructure', message: new RegExp(`building test module vaccel for .* failed: ${src}/vaccel_bo\\.c:\\d+:\\d+: error: .E2BIG_NOT_A_THING. undeclared`) });
  const log = /The whole build log is in (\S+)\./.exec((err as HiltError).hint ?? '')?.[1];
  t.ok(log && existsSync(log) && readFileSync(log, 'utf8').includes('E2BIG_NOT_A_THING'), `the log is kept: ${log}`);
  t.equal(await cachedExternalModule({ name: 'vaccel', sourceDir: src, release: found.kernel.release, kernelId: await symversIdentity(found.dir), cacheDir: cache }), null, 'nothing cached');
});

t.test('a kernel without a build tree: vaccel unavailable, with the reason', async (t) => {
  const kernel: KernelInfo = { spec: 'path:/k/bzImage', release: '6.99.0-test', image: '/k/bzImage', modulesDir: null, config: null, configSha256: null, source: { type: 'path' } };
  const plans = await externalModulesFor(kernel, ['vaccel'], { cacheDir: tempDir(t), log: silentLog });
  t.match(plans, [{ name: 'vaccel', module: null, unavailable: 'path: kernel 6.99.0-test has no build tree (not even a modules tree) to build test modules against' }]);
});
