/**
 * The loader's search order as data: which paths, in which order, for a
 * needed name, from objects described by hand (plain data, no files).
 */
import t from 'tap';
import type { ElfObject } from '../../src/elf/parse.js';
import { type LoadedObject, expandElement, searchCandidates, systemDirsFor } from '../../src/elf/search.js';

const elf = (o: Partial<ElfObject>): ElfObject => ({
  type: 'shared',
  machine: 62,
  interpreter: null,
  dynamic: true,
  needed: [],
  soname: null,
  rpath: null,
  runpath: null,
  noDefaultLib: false,
  ...o,
});
const sys = { cacheLookup: (n: string) => (n === 'libc.so.6' ? '/lib/x86_64-linux-gnu/libc.so.6' : null), systemDirs: ['/lib/x86_64-linux-gnu', '/usr/lib'] };
const paths = (name: string, needer: LoadedObject) => searchCandidates(name, needer, sys).map((c) => c.path);

t.test('$ORIGIN expands to the folder of the object that carries the element', async (t) => {
  t.equal(expandElement('$ORIGIN/../lib', '/opt/igt/tests'), '/opt/igt/tests/../lib');
  t.equal(expandElement('${ORIGIN}/lib', '/a'), '/a/lib');
  t.equal(expandElement('/usr/local/lib/', '/a'), '/usr/local/lib', 'trailing slashes go');
  t.equal(expandElement('$ORIGIN', '/'), '/');
  t.equal(expandElement('$LIB/x', '/a'), null, 'other substitutions depend on the running machine: skipped');
  t.equal(expandElement('$ORIGINAL/x', '/a'), null, 'not $ORIGIN followed by AL');
  t.equal(expandElement('', '/a'), null);
});

t.test('RPATH is searched along the chain of loaders; RUNPATH only for its own object', async (t) => {
  const prog: LoadedObject = { path: '/p/bin/prog', elf: elf({ type: 'executable', rpath: ['$ORIGIN/../lib'] }), loader: null };
  const liba: LoadedObject = { path: '/p/lib/liba.so', elf: elf({ rpath: ['/opt/a'] }), loader: prog };
  t.same(paths('libb.so', liba), ['/opt/a/libb.so', '/p/bin/../lib/libb.so', '/lib/x86_64-linux-gnu/libb.so', '/usr/lib/libb.so'], "liba's RPATH, then the program's");

  const withRunpath: LoadedObject = { path: '/p/lib/libr.so', elf: elf({ rpath: ['/ignored'], runpath: ['/opt/r'] }), loader: prog };
  t.same(paths('libb.so', withRunpath), ['/opt/r/libb.so', '/lib/x86_64-linux-gnu/libb.so', '/usr/lib/libb.so'], 'an object with RUNPATH uses no RPATH, its own or inherited');

  const progRunpath: LoadedObject = { path: '/p/bin/prog', elf: elf({ type: 'executable', runpath: ['$ORIGIN/../lib'], rpath: ['/ignored'] }), loader: null };
  const child: LoadedObject = { path: '/p/lib/liba.so', elf: elf({}), loader: progRunpath };
  t.same(paths('libb.so', child), ['/lib/x86_64-linux-gnu/libb.so', '/usr/lib/libb.so'], "the program's RUNPATH is not inherited");
});

t.test('the cache comes before the system directories; NODEFLIB skips both; a slash is a path', async (t) => {
  const prog: LoadedObject = { path: '/p/prog', elf: elf({ runpath: ['/r'] }), loader: null };
  t.same(paths('libc.so.6', prog), ['/r/libc.so.6', '/lib/x86_64-linux-gnu/libc.so.6', '/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/libc.so.6']);
  t.same(searchCandidates('libc.so.6', prog, sys)[1]!.route, { via: 'cache' });
  const nodeflib: LoadedObject = { path: '/p/prog', elf: elf({ runpath: ['/r'], noDefaultLib: true }), loader: null };
  t.same(paths('libc.so.6', nodeflib), ['/r/libc.so.6']);
  t.same(paths('/abs/libx.so', prog), ['/abs/libx.so']);
});

t.test("a Debian loader's system directories, by machine", async (t) => {
  t.same(systemDirsFor(62), ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib', '/usr/lib']);
  t.same(systemDirsFor(183), ['/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/lib', '/usr/lib']);
  t.same(systemDirsFor(9999), ['/lib', '/usr/lib']);
});
