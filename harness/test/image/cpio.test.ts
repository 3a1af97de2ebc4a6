import { execFileSync } from 'node:child_process';
import { lstatSync, readFileSync, readlinkSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { type CpioEntry, cpioArchive } from '../../src/image/cpio.js';
import { tempDir } from '../helpers.js';

/** Extracts an archive with the real cpio(1) and lists what it made: path → kind, mode, content. */
function extract(t: Parameters<typeof tempDir>[0], entries: CpioEntry[]) {
  const dir = tempDir(t);
  const archive = join(dir, 'a.cpio');
  writeFileSync(archive, Buffer.concat(cpioArchive(entries)));
  const root = join(dir, 'root');
  execFileSync('sh', ['-c', `mkdir ${root} && cd ${root} && cpio -i --quiet --make-directories --preserve-modification-time --no-absolute-filenames < ${archive}`]);
  const tree: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel))) {
      const p = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, p));
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isDirectory()) {
        tree[p] = `dir ${mode}`;
        walk(p);
      } else if (st.isSymbolicLink()) tree[p] = `symlink -> ${readlinkSync(join(root, p))}`;
      else tree[p] = `file ${mode} ${readFileSync(join(root, p), 'latin1')}`;
    }
  };
  walk('');
  return { tree, archive, root };
}

t.test('real cpio -i extracts the same tree, modes and symlinks', async (t) => {
  const { tree } = extract(t, [
    { type: 'dir', path: 'bin' },
    { type: 'file', path: 'init', mode: 0o755, data: Buffer.from('#!/bin/sh\necho hi\n') },
    { type: 'file', path: 'hilt/plan', mode: 0o644, data: Buffer.from('hilt-plan 1\n') },
    { type: 'file', path: 'hilt/empty', mode: 0o600, data: Buffer.alloc(0) },
    { type: 'file', path: 'odd/size', mode: 0o640, data: Buffer.from('12345') },
    { type: 'symlink', path: 'bin/sh', target: '/bin/busybox' },
    { type: 'dir', path: 'tmp', mode: 0o1777 },
  ]);
  t.same(tree, {
    bin: 'dir 755',
    'bin/sh': 'symlink -> /bin/busybox',
    init: 'file 755 #!/bin/sh\necho hi\n',
    hilt: 'dir 755',
    'hilt/plan': 'file 644 hilt-plan 1\n',
    'hilt/empty': 'file 600 ',
    odd: 'dir 755',
    'odd/size': 'file 640 12345',
    tmp: 'dir 1777',
  });
});

t.test('binary content of every length survives (padding to 4 bytes)', async (t) => {
  const entries: CpioEntry[] = [];
  for (let n = 0; n < 9; n++) entries.push({ type: 'file', path: `f${n}`, mode: 0o644, data: Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff)) });
  const { root } = extract(t, entries);
  for (const e of entries) t.same(readFileSync(join(root, e.path)), (e as { data: Buffer }).data, e.path);
});

t.test('a character device node is listed with its numbers', async (t) => {
  const dir = tempDir(t);
  const archive = join(dir, 'dev.cpio');
  writeFileSync(archive, Buffer.concat(cpioArchive([{ type: 'char', path: 'dev/console', mode: 0o600, major: 5, minor: 1 }])));
  const listing = execFileSync('sh', ['-c', `cpio -itv --quiet < ${archive}`]).toString();
  t.match(listing, /^crw-------\s+\d+\s+root\s+root\s+5,\s+1 .* dev\/console$/m);
});

t.test('equal inputs give byte-identical archives; parents come first', async (t) => {
  const entries: CpioEntry[] = [{ type: 'file', path: 'a/b/c', mode: 0o644, data: Buffer.from('x') }];
  const one = Buffer.concat(cpioArchive(entries));
  const two = Buffer.concat(cpioArchive(entries));
  t.ok(one.equals(two));
  const names = [...one.toString('latin1').matchAll(/070701[0-9a-f]{104}([^\0]*)\0/g)].map((m) => m[1]);
  t.same(names, ['a', 'a/b', 'a/b/c', 'TRAILER!!!']);
});

t.test('refuses duplicates and paths that leave the root', async (t) => {
  t.throws(() => cpioArchive([{ type: 'dir', path: 'x' }, { type: 'dir', path: 'x' }]), /twice/);
  t.throws(() => cpioArchive([{ type: 'file', path: '../etc/passwd', data: Buffer.from('') }]), /leaves the archive root/);
});
