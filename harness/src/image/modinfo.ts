/**
 * What a kernel module says about itself: the key=value strings of its
 * .modinfo ELF section (what modinfo(8) prints: version, srcversion, depends,
 * vermagic...). Pure: the .ko bytes in, the fields out.
 */
export type Modinfo = Map<string, string[]>;

/** The bytes of one ELF64 little-endian section, by name; null when absent or the file is no such ELF. */
export function elfSection(elf: Buffer, name: string): Buffer | null {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) return null;
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const shstrndx = elf.readUInt16LE(0x3e);
  if (shentsize < 64 || shoff + shnum * shentsize > elf.length || shstrndx >= shnum) return null;
  const header = (i: number) => {
    const at = shoff + i * shentsize;
    return { name: elf.readUInt32LE(at), offset: Number(elf.readBigUInt64LE(at + 24)), size: Number(elf.readBigUInt64LE(at + 32)) };
  };
  const strtab = header(shstrndx);
  for (let i = 0; i < shnum; i++) {
    const h = header(i);
    const at = strtab.offset + h.name;
    const end = elf.indexOf(0, at);
    if (end < 0 || elf.toString('latin1', at, end) !== name) continue;
    return h.offset + h.size <= elf.length ? elf.subarray(h.offset, h.offset + h.size) : null;
  }
  return null;
}

/** Every field of a module's .modinfo, in order; a key can repeat (alias=, author=). */
export function parseModinfo(ko: Buffer): Modinfo {
  const info: Modinfo = new Map();
  const section = elfSection(ko, '.modinfo');
  if (!section) return info;
  for (const entry of section.toString('utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const key = entry.slice(0, eq);
    info.set(key, [...(info.get(key) ?? []), entry.slice(eq + 1)]);
  }
  return info;
}

/** The modules a module needs loaded first (`depends=drm_exec,drm`), as modules.dep names them. */
export function modinfoDepends(info: Modinfo): string[] {
  return (info.get('depends') ?? []).flatMap((d) => d.split(',')).map((d) => d.trim()).filter(Boolean);
}

/** The release a module was built for: the first word of its vermagic. */
export function modinfoRelease(info: Modinfo): string | null {
  return info.get('vermagic')?.[0]?.split(' ')[0] ?? null;
}
