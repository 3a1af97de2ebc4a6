import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { kernelImageDependency, parseAptDepends, parseAptShow } from '../../src/kernel/apt.js';
import { inspectBzImage } from '../../src/kernel/bzimage.js';
import { pathKernel } from '../../src/kernel/path.js';
import { parseKernelSpec } from '../../src/kernel/spec.js';
import { HiltError } from '../../src/errors.js';
import { tempDir } from '../helpers.js';

/** A minimal bzImage header: boot flag, HdrS, protocol 2.15, a version string. */
function fakeBzImage(version: string): Buffer {
  const b = Buffer.alloc(0x1000);
  b.writeUInt16LE(0xaa55, 0x1fe);
  b.write('HdrS', 0x202, 'latin1');
  b.writeUInt16LE(0x020f, 0x206);
  b.writeUInt16LE(0x0800 - 0x200, 0x20e);
  b.write(version + '\0', 0x800, 'latin1');
  return b;
}

t.test('kernel specs', async (t) => {
  t.same(parseKernelSpec('debian:linux-image-6.12-amd64'), { type: 'debian', package: 'linux-image-6.12-amd64', version: null });
  t.same(parseKernelSpec('debian:linux-image-6.12.117+deb12-amd64=6.12.117-1~deb12u1'), { type: 'debian', package: 'linux-image-6.12.117+deb12-amd64', version: '6.12.117-1~deb12u1' });
  t.throws(() => parseKernelSpec('debian:linux-image-6.12-amd64=latest'), { kind: 'usage', message: /'latest' is not a Debian version/ });
  t.same(parseKernelSpec('path:/k/bzImage,modules=/k/mods,config=/k/.config'), { type: 'path', image: '/k/bzImage', modules: '/k/mods', config: '/k/.config', sha256: null });
  t.match(parseKernelSpec(`path:/k/bzImage,sha256=${'a'.repeat(64)}`), { sha256: 'a'.repeat(64) });
  t.throws(() => parseKernelSpec('path:/k/bzImage,sha256=XYZ'), { kind: 'usage', message: /not 64 lowercase hex digits/ });
  t.throws(() => parseKernelSpec('linux-image-6.12-amd64'), { kind: 'usage', message: /no scheme/ });
  t.throws(() => parseKernelSpec('tarball:x'), { message: /unknown scheme 'tarball:'/ });
  t.throws(() => parseKernelSpec('debian:Linux Image'), { message: /not a Debian package name/ });
  t.throws(() => parseKernelSpec('path:/k/bzImage,initrd=x'), { message: /unknown option 'initrd=x'/ });
});

t.test('bzImage header: version read, other files refused with the reason', async (t) => {
  const info = inspectBzImage(fakeBzImage('6.13.0-rc1-dirty (dev@box) #4 SMP PREEMPT_DYNAMIC'));
  t.same(info, { ok: true, protocol: '2.15', version: '6.13.0-rc1-dirty (dev@box) #4 SMP PREEMPT_DYNAMIC', release: '6.13.0-rc1-dirty' });
  t.match(inspectBzImage(Buffer.from('\x7fELF' + '\0'.repeat(0x300), 'latin1')), { ok: false, reason: /0xAA55/ });
  const noHdr = fakeBzImage('x');
  noHdr.write('XXXX', 0x202, 'latin1');
  t.match(inspectBzImage(noHdr), { ok: false, reason: /HdrS/ });
  t.match(inspectBzImage(Buffer.alloc(10)), { ok: false, reason: /only 10 bytes/ });
});

t.test('path: kernels — release from the image, modules dir found or refused', async (t) => {
  const dir = tempDir(t);
  const image = join(dir, 'bzImage');
  writeFileSync(image, fakeBzImage('6.13.0-test #1'));
  const k = await pathKernel('path:' + image, { image, modules: null, config: null });
  t.match(k, { release: '6.13.0-test', modulesDir: null, config: null, source: { type: 'path', sha256: createHash('sha256').update(readFileSync(image)).digest('hex') } });
  const sha = (k.source as { sha256: string }).sha256;
  t.match(await pathKernel('path:' + image, { image, modules: null, config: null, sha256: sha }), { release: '6.13.0-test' }, 'the named hash is accepted');
  const other = await pathKernel('path:' + image, { image, modules: null, config: null, sha256: 'b'.repeat(64) }).catch((e: unknown) => e);
  t.match(other, { kind: 'usage', message: `has sha256 ${sha}, not the ${'b'.repeat(64)} the spec names` }, 'another build is refused');

  const elf = join(dir, 'vmlinux');
  writeFileSync(elf, Buffer.concat([Buffer.from('\x7fELF', 'latin1'), Buffer.alloc(0x400)]));
  const err = await pathKernel('path:' + elf, { image: elf, modules: null, config: null }).catch((e: unknown) => e);
  t.ok(err instanceof HiltError);
  t.match(err, { kind: 'usage', message: /is not a bzImage: no 0xAA55 boot flag/ });

  const missing = await pathKernel('path:/nonexistent', { image: '/nonexistent/bzImage', modules: null, config: null }).catch((e: unknown) => e);
  t.match(missing, { kind: 'usage', message: /no such file/ });

  const mods = await pathKernel('path:' + image, { image, modules: dir, config: null }).catch((e: unknown) => e);
  t.match(mods, { kind: 'usage', message: /no modules.dep/, hint: /modules_install/ });
});

t.test('apt output: fields, dependencies, and the image a meta-package points at', async (t) => {
  const show = 'Package: linux-image-6.12-amd64\nVersion: 6.12.117-1~deb12u1\nDepends: linux-image-6.12.117+deb12-amd64 (= 6.12.117-1~deb12u1)\nDescription: Linux for 64-bit PCs (meta-package)\n This package depends on the latest Linux kernel\n\nPackage: other\n';
  t.match(parseAptShow(show), { Package: 'linux-image-6.12-amd64', Version: '6.12.117-1~deb12u1' });
  const deps = parseAptDepends('linux-image-6.12-amd64\n  Depends: linux-image-6.12.117+deb12-amd64\n |Depends: <linux-image-virtual>\n  Recommends: firmware\n');
  t.same(deps, ['linux-image-6.12.117+deb12-amd64']);
  t.equal(kernelImageDependency('linux-image-6.12-amd64', deps), 'linux-image-6.12.117+deb12-amd64');
  t.equal(kernelImageDependency('linux-image-6.12.117+deb12-amd64', ['kmod', 'linux-base', 'initramfs-tools']), null);
});
