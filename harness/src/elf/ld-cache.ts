/**
 * A reader of glibc's /etc/ld.so.cache, the index ldconfig writes and the
 * dynamic loader consults after a library's RPATH/RUNPATH and before the
 * system directories. Pure: the file's bytes in, entries out.
 *
 * Format (glibc elf/cache.c, "glibc-ld.so.cache1.1"): a 48-byte header
 * (magic and version, 20 bytes; nlibs u32; len_strings u32; flags u8 and
 * 3 bytes of padding; extension_offset u32; 3 unused u32), then nlibs
 * 24-byte entries (flags i32, key u32, value u32, osversion u32, hwcap u64),
 * then the strings. key and value are offsets of NUL-terminated strings from
 * the start of that header: the library's name and its path. A cache of the
 * old "ld.so-1.7.0" format carries the new one after its own 12-byte
 * entries, 8-byte aligned; only the new part is read, as glibc does.
 */
import { EM_AARCH64, EM_X86_64 } from './parse.js';

export interface LdCacheEntry {
  /** The name the loader looks up (a DT_NEEDED string, usually a soname). */
  name: string;
  /** The path the loader opens. */
  path: string;
  /** ldconfig's flags: file type and architecture (0x0303 is an x86-64 libc6 library). */
  flags: number;
  /** Non-zero for a variant in a glibc-hwcaps subdirectory (x86-64-v3, ...). */
  hwcap: bigint;
}

const NEW_MAGIC = 'glibc-ld.so.cache1.1';
const OLD_MAGIC = 'ld.so-1.7.0';
const NEW_HEADER = 48;
const NEW_ENTRY = 24;
const OLD_HEADER = 16;
const OLD_ENTRY = 12;

/** Thrown for a file that is not an ld.so.cache; the resolver then searches the directories alone. */
export class LdCacheFormatError extends Error {
  override name = 'LdCacheFormatError';
}

export function parseLdCache(data: Buffer): LdCacheEntry[] {
  let base = 0;
  if (data.toString('latin1', 0, OLD_MAGIC.length) === OLD_MAGIC) {
    if (data.length < OLD_HEADER) throw new LdCacheFormatError('old-format header is truncated');
    const oldCount = data.readUInt32LE(12);
    base = OLD_HEADER + oldCount * OLD_ENTRY;
    base += (8 - (base % 8)) % 8;
    if (data.toString('latin1', base, base + NEW_MAGIC.length) !== NEW_MAGIC) {
      throw new LdCacheFormatError('an old-format cache without the new-format part, which glibc 2.32 and later no longer read');
    }
  } else if (data.toString('latin1', 0, NEW_MAGIC.length) !== NEW_MAGIC) {
    throw new LdCacheFormatError('not an ld.so.cache (no glibc-ld.so.cache1.1 magic)');
  }
  if (data.length < base + NEW_HEADER) throw new LdCacheFormatError('header is truncated');
  const count = data.readUInt32LE(base + 20);
  if (base + NEW_HEADER + count * NEW_ENTRY > data.length) throw new LdCacheFormatError(`${count} entries do not fit in ${data.length} bytes`);
  const str = (off: number) => {
    const at = base + off;
    if (at >= data.length) throw new LdCacheFormatError(`a string offset (${off}) points past the end of the file`);
    const nul = data.indexOf(0, at);
    return data.toString('utf8', at, nul < 0 ? data.length : nul);
  };
  const entries: LdCacheEntry[] = [];
  for (let i = 0; i < count; i++) {
    const at = base + NEW_HEADER + i * NEW_ENTRY;
    entries.push({
      flags: data.readInt32LE(at),
      name: str(data.readUInt32LE(at + 4)),
      path: str(data.readUInt32LE(at + 8)),
      hwcap: data.readBigUInt64LE(at + 16),
    });
  }
  return entries;
}

/**
 * The flags ldconfig gives a library the loader of this machine accepts
 * (glibc's _dl_cache_check_flags): FLAG_ELF_LIBC6 (3) with the architecture's
 * 64-bit flag. null for a machine whose flags hilt does not know: its
 * libraries are then found through the directories alone.
 */
export function cacheFlagsFor(machine: number): number | null {
  if (machine === EM_X86_64) return 0x0303; // FLAG_ELF_LIBC6 | FLAG_X8664_LIB64
  if (machine === EM_AARCH64) return 0x0a03; // FLAG_ELF_LIBC6 | FLAG_AARCH64_LIB64
  return null;
}

/**
 * The path the cache gives a name for a machine, or null. Only baseline
 * entries count (hwcap 0): a glibc-hwcaps variant is chosen by the CPU the
 * loader runs on, and the guest's CPU is not the host's.
 */
export function lookupLdCache(entries: readonly LdCacheEntry[], name: string, machine: number): string | null {
  const flags = cacheFlagsFor(machine);
  if (flags === null) return null;
  return entries.find((e) => e.name === name && e.flags === flags && e.hwcap === 0n)?.path ?? null;
}
