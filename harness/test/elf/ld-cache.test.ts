/**
 * The ld.so.cache reader on this machine's real cache, against what glibc's
 * own ldconfig -p prints from it, and on crafted caches (labelled so) for the
 * old-format wrapper and the entries the lookup must pass over.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import t from 'tap';
import { lookupLdCache, parseLdCache } from '../../src/elf/ld-cache.js';
import { EM_AARCH64, EM_X86_64 } from '../../src/elf/parse.js';

const ldconfig = ['/sbin/ldconfig', '/usr/sbin/ldconfig'].find((p) => existsSync(p));

t.test("this machine's /etc/ld.so.cache reads as ldconfig -p prints it", { skip: !(ldconfig && existsSync('/etc/ld.so.cache')) && 'no ldconfig or no /etc/ld.so.cache' }, async (t) => {
  const entries = parseLdCache(readFileSync('/etc/ld.so.cache'));
  const printed = execFileSync(ldconfig!, ['-p'], { encoding: 'utf8' })
    .split('\n')
    .slice(1)
    .map((l) => /^\s+(\S+) \(([^)]*)\) => (.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null);
  t.ok(printed.length > 10, `${printed.length} entries printed`);
  t.same(
    entries.map((e) => `${e.name} => ${e.path}`),
    printed.map((m) => `${m[1]} => ${m[3]}`),
    'every entry, in the cache order',
  );
  const x8664 = printed.filter((m) => m[2] === 'libc6,x86-64').map((m) => m[1]!);
  t.same(
    entries.filter((e) => e.flags === 0x0303 && e.hwcap === 0n).map((e) => e.name),
    x8664,
    'the x86-64 entries are the ones ldconfig labels libc6,x86-64',
  );
  const libc = printed.find((m) => m[1] === 'libc.so.6' && m[2] === 'libc6,x86-64');
  if (libc) t.equal(lookupLdCache(entries, 'libc.so.6', EM_X86_64), libc[3]);
});

/** A crafted cache: new-format header and entries, strings after them. */
function crafted(rows: { flags: number; name: string; path: string; hwcap?: bigint }[], oldWrapper = false): Buffer {
  const header = 48;
  const stringsAt = header + rows.length * 24;
  const strings: Buffer[] = [];
  let off = stringsAt;
  const put = (s: string) => {
    const at = off;
    strings.push(Buffer.from(s + '\0'));
    off += s.length + 1;
    return at;
  };
  const table = Buffer.alloc(rows.length * 24);
  rows.forEach((r, i) => {
    table.writeInt32LE(r.flags, i * 24);
    table.writeUInt32LE(put(r.name), i * 24 + 4);
    table.writeUInt32LE(put(r.path), i * 24 + 8);
    table.writeBigUInt64LE(r.hwcap ?? 0n, i * 24 + 16);
  });
  const head = Buffer.alloc(header);
  head.write('glibc-ld.so.cache1.1', 0, 'latin1');
  head.writeUInt32LE(rows.length, 20);
  head.writeUInt32LE(off - stringsAt, 24);
  const modern = Buffer.concat([head, table, ...strings]);
  if (!oldWrapper) return modern;
  // The old format: 'ld.so-1.7.0', a count, 12-byte entries, then the new format 8-byte aligned.
  const old = Buffer.alloc(16 + 2 * 12 + 0);
  old.write('ld.so-1.7.0', 0, 'latin1');
  old.writeUInt32LE(2, 12);
  const pad = Buffer.alloc((8 - (old.length % 8)) % 8);
  return Buffer.concat([old, pad, modern]);
}

t.test('lookup takes the baseline entry of the right machine (crafted cache)', async (t) => {
  const cache = parseLdCache(
    crafted([
      { flags: 0x0003, name: 'libz.so.1', path: '/lib/i386-linux-gnu/libz.so.1' },
      { flags: 0x0303, name: 'libz.so.1', path: '/usr/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libz.so.1', hwcap: (1n << 62n) | 1n },
      { flags: 0x0303, name: 'libz.so.1', path: '/lib/x86_64-linux-gnu/libz.so.1' },
      { flags: 0x0a03, name: 'libz.so.1', path: '/lib/aarch64-linux-gnu/libz.so.1' },
    ]),
  );
  t.equal(cache.length, 4);
  t.equal(lookupLdCache(cache, 'libz.so.1', EM_X86_64), '/lib/x86_64-linux-gnu/libz.so.1', 'not the i386 one, not the x86-64-v3 variant');
  t.equal(lookupLdCache(cache, 'libz.so.1', EM_AARCH64), '/lib/aarch64-linux-gnu/libz.so.1');
  t.equal(lookupLdCache(cache, 'libz.so.1', 243), null, 'a machine whose flags hilt does not know: the directories decide');
  t.equal(lookupLdCache(cache, 'libnope.so', EM_X86_64), null);
});

t.test('an old-format cache carrying the new format reads through to it (crafted cache)', async (t) => {
  const rows = [{ flags: 0x0303, name: 'libc.so.6', path: '/lib/x86_64-linux-gnu/libc.so.6' }];
  // String offsets of the new part count from its own header, wherever it sits.
  t.same(parseLdCache(crafted(rows, true)), parseLdCache(crafted(rows)));
});

t.test('what is not a cache is refused, so the resolver falls back to the directories', async (t) => {
  t.throws(() => parseLdCache(Buffer.from('hello')), { name: 'LdCacheFormatError', message: 'not an ld.so.cache (no glibc-ld.so.cache1.1 magic)' });
  t.throws(() => parseLdCache(Buffer.from('ld.so-1.7.0\0\0\0\0\0')), /without the new-format part/);
  const cut = crafted([{ flags: 0x0303, name: 'libc.so.6', path: '/x' }]).subarray(0, 60);
  t.throws(() => parseLdCache(cut), /1 entries do not fit in 60 bytes/);
});
