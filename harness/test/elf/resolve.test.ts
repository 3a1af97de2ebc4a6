/**
 * The library resolver against the host's own loader: for real programs of
 * this machine, and for programs built here with RPATH, RUNPATH and $ORIGIN,
 * hilt's closure must name the same libraries at the same paths, in the same
 * order, as ldd (which runs the real loader; hilt never does).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { LibraryResolver } from '../../src/elf/resolve.js';
import { HiltError } from '../../src/errors.js';
import { tempDir } from '../helpers.js';
import { buildPrograms, hasTool, ldd, tracedStart } from './programs.js';

const lines = (c: Awaited<ReturnType<LibraryResolver['closure']>>) => c.libraries.map((l) => `${l.name} => ${l.path}`);

/** Programs every hilt host has (qemu, node, coreutils), plus an IGT build's tests when one is named. */
function realPrograms(): string[] {
  const list = ['/bin/ls', '/usr/bin/qemu-system-x86_64', process.execPath, '/usr/bin/gcc', '/usr/bin/ssh', '/usr/bin/python3'];
  const igt = process.env.HILT_IGT_DIR;
  if (igt) list.push(join(igt, 'tests', 'vgem_basic'), join(igt, 'tests', 'kms_rmfb'), join(igt, 'runner', 'igt_runner'));
  return list.filter((p) => existsSync(p));
}

t.test('real programs of this machine: the same libraries, paths and order as ldd', { skip: !hasTool('ldd') && 'ldd is not installed (apt-get install libc-bin)' }, async (t) => {
  const resolver = new LibraryResolver();
  const programs = realPrograms();
  t.ok(programs.length >= 3, `programs found: ${programs.join(' ')}`);
  for (const p of programs) {
    const closure = await resolver.closure(p);
    const reference = ldd(p);
    t.same(reference.notFound, [], `${p}: ldd finds everything`);
    t.same(lines(closure), reference.found, `${p}: ${reference.found.length} libraries`);
    t.equal(closure.interpreter?.path, '/lib64/ld-linux-x86-64.so.2', `${p}: PT_INTERP`);
    t.ok(closure.libraries.every((l) => existsSync(l.file) && !l.file.includes('..')), `${p}: each library's real file`);
  }
});

t.test('RPATH, RUNPATH and $ORIGIN resolve as the loader resolves them', { skip: !(hasTool('ldd') && hasTool('gcc')) && 'needs gcc and ldd' }, async (t) => {
  const b = buildPrograms(tempDir(t));
  const resolver = new LibraryResolver();

  const rpath = await resolver.closure(b.rpath);
  t.same(lines(rpath), ldd(b.rpath).found, 'RPATH: matches ldd');
  const libb = rpath.libraries.find((l) => l.name === 'libb.so')!;
  t.equal(libb.path, `${b.dir}/lib2/libb.so`, "liba's need found through the program's inherited RPATH");
  t.match(libb.route, { via: 'rpath', element: '$ORIGIN/lib2' });
  t.equal(libb.route.via === 'rpath' && libb.route.owner.path, b.rpath, 'the element belongs to the program, not to liba');

  // RUNPATH is not inherited: liba cannot find libb, and the loader says so.
  t.same(ldd(b.runpath).notFound, ['libb.so'], 'the reference: ldd cannot find libb.so either');
  const refusal = await resolver.closure(b.runpath).then(
    () => null,
    (e: unknown) => e,
  );
  t.ok(refusal instanceof HiltError && refusal.kind === 'usage', 'a usage error');
  t.match((refusal as Error).message, `${b.runpath}: cannot find libb.so, needed by ${b.dir}/lib1/liba.so; looked in`);

  const igtLike = await resolver.closure(b.igtLike);
  t.same(lines(igtLike), ldd(b.igtLike).found, "RUNPATH=$ORIGIN/../lib: matches ldd (which keeps the '..')");
  t.equal(igtLike.libraries[0]!.path, `${b.dir}/igt-like/bin/../lib/libt.so.0`);
  t.equal(igtLike.libraries[0]!.file, `${b.dir}/igt-like/lib/libt.so.0`);

  const link = await resolver.closure(b.link);
  // ldd hands the symlink's path to ld.so, whose $ORIGIN is then the link's folder (liba not
  // found); a started program's $ORIGIN is its real file's folder, which is what the guest runs.
  t.same(ldd(b.link).notFound, ['liba.so'], 'ldd, through the symlink, misses liba');
  t.same(lines(link), tracedStart(b.link).found, "through a symlink: $ORIGIN is the real file's folder, as when the program starts");
  t.equal(link.program.path, b.rpath);
});

t.test('a static program has no interpreter and no libraries', { skip: !existsSync('/bin/busybox') && 'no /bin/busybox' }, async (t) => {
  const c = await new LibraryResolver().closure('/bin/busybox');
  t.equal(c.interpreter, null);
  t.same(c.libraries, []);
});

t.test('a missing program or one that is not ELF64 is refused with its name', async (t) => {
  const r = new LibraryResolver();
  await t.rejects(r.closure('/no/such/program'), { message: '/no/such/program: no such file' });
  await t.rejects(r.closure('/etc/passwd'), { message: '/etc/passwd is not an ELF file' });
});

t.test('without ld.so.cache the system directories find the same libraries', { skip: !existsSync('/bin/ls') && 'no /bin/ls' }, async (t) => {
  const withCache = await new LibraryResolver().closure('/bin/ls');
  const without = await new LibraryResolver({ ldCache: null }).closure('/bin/ls');
  t.same(
    without.libraries.map((l) => l.file),
    withCache.libraries.map((l) => l.file),
  );
  t.ok(without.libraries.every((l) => l.route.via === 'system'));
});
