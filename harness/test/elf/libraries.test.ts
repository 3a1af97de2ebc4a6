/**
 * Where an image puts each shared library so that the guest's loader finds
 * it: real closures of programs built here, and closures written by hand for
 * the cases this machine has no program for.
 */
import { join } from 'node:path';
import t from 'tap';
import type { ElfObject } from '../../src/elf/parse.js';
import { type LibraryClosure, LibraryResolver } from '../../src/elf/resolve.js';
import type { LoadedObject } from '../../src/elf/search.js';
import { HiltError } from '../../src/errors.js';
import { closuresOf, guestPaths, libraryEntries, placeLibraries } from '../../src/image/libraries.js';
import { tempDir } from '../helpers.js';
import { buildPrograms, hasTool } from './programs.js';

t.test('a RUNPATH=$ORIGIN/../lib program: its library follows it into the guest', { skip: !hasTool('gcc') && 'needs gcc' }, async (t) => {
  const b = buildPrograms(tempDir(t));
  const closure = await new LibraryResolver().closure(b.igtLike);
  const placed = guestPaths(closure, '/hilt/bin/t');
  t.same(
    placed.map((p) => p.guest),
    ['/lib64/ld-linux-x86-64.so.2', '/hilt/lib/libt.so.0', '/lib/x86_64-linux-gnu/libc.so.6'],
    'the interpreter at PT_INTERP, libt beside the guest program, libc where the host has it',
  );
  t.equal(placed[1]!.file, join(b.dir, 'igt-like/lib/libt.so.0'));

  // The same program at two guest places: libt is stored once and linked from the second.
  const two = placeLibraries(await closuresOf([{ host: b.igtLike, guest: '/hilt/bin/t' }, { host: b.igtLike, guest: '/opt/tests/t' }, { host: '/bin/busybox', guest: '/bin/busybox' }], new LibraryResolver()));
  t.same(two.files.map((f) => f.guest), ['/lib64/ld-linux-x86-64.so.2', '/hilt/lib/libt.so.0', '/lib/x86_64-linux-gnu/libc.so.6']);
  t.same(two.links, [{ guest: '/opt/lib/libt.so.0', target: '/hilt/lib/libt.so.0' }]);
  const entries = await libraryEntries(two);
  t.same(
    entries.map((e) => `${e.type} ${e.path}`),
    ['file lib64/ld-linux-x86-64.so.2', 'file hilt/lib/libt.so.0', 'file lib/x86_64-linux-gnu/libc.so.6', 'symlink opt/lib/libt.so.0'],
  );
});

// Closures written by hand: the resolver's output for layouts this machine lacks.
const elf = (o: Partial<ElfObject> = {}): ElfObject => ({ type: 'shared', machine: 62, interpreter: null, dynamic: true, needed: [], soname: null, rpath: null, runpath: null, noDefaultLib: false, ...o });

function closure(programPath: string, libs: { name: string; path: string; file: string; via: 'cache' | 'system' | 'runpath'; element?: string }[]): LibraryClosure {
  const program: LoadedObject = { path: programPath, elf: elf({ type: 'executable', interpreter: '/lib64/ld-linux-x86-64.so.2' }), loader: null };
  return {
    program,
    interpreter: { path: '/lib64/ld-linux-x86-64.so.2', file: '/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', elf: elf() },
    libraries: libs.map((l) => ({
      name: l.name,
      path: l.path,
      file: l.file,
      route: l.via === 'runpath' ? { via: 'runpath', element: l.element!, owner: program } : l.via === 'system' ? { via: 'system', dir: '/usr/lib' } : { via: 'cache' },
      object: { path: l.path, elf: elf(), loader: program },
    })),
  };
}

t.test('a library only ld.so.cache knows goes into a system directory: the guest has no cache', async (t) => {
  const c = closure('/opt/vendor/bin/tool', [{ name: 'libvendor.so.1', path: '/opt/vendor/lib/libvendor.so.1', file: '/opt/vendor/lib/libvendor.so.1.2', via: 'cache' }]);
  t.same(guestPaths(c, '/hilt/bin/tool').map((p) => p.guest), ['/lib64/ld-linux-x86-64.so.2', '/lib/x86_64-linux-gnu/libvendor.so.1']);
});

t.test('two different files at one guest path are refused, naming both', async (t) => {
  const a = closure('/a/bin/x', [{ name: 'libx.so', path: '/a/bin/../lib/libx.so', file: '/a/lib/libx.so', via: 'runpath', element: '$ORIGIN/../lib' }]);
  const b = closure('/b/bin/x', [{ name: 'libx.so', path: '/b/bin/../lib/libx.so', file: '/b/lib/libx.so', via: 'runpath', element: '$ORIGIN/../lib' }]);
  let err: unknown;
  try {
    placeLibraries([
      { closure: a, guest: '/hilt/bin/a' },
      { closure: b, guest: '/hilt/bin/b' },
    ]);
  } catch (e) {
    err = e;
  }
  t.ok(err instanceof HiltError && err.kind === 'usage');
  t.equal((err as Error).message, '/b/bin/x needs /b/lib/libx.so at /hilt/lib/libx.so in the guest, where /a/lib/libx.so already is');
});
