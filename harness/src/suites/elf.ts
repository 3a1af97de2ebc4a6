/**
 * Tells what kind of program a file is, from its first bytes: a static ELF
 * runs in the initramfs as it is, a dynamic one brings its loader and shared
 * libraries (found by harness/src/elf/, which reads whole ELF64 files), a
 * script needs its interpreter there. Pure.
 */
export type ProgramKind =
  | { kind: 'elf-static'; bits: 32 | 64; machine: number }
  | { kind: 'elf-dynamic'; bits: 32 | 64; machine: number; interpreter: string }
  | { kind: 'script'; interpreter: string }
  | { kind: 'unknown' };

export { EM_X86_64 } from '../elf/parse.js';

export function inspectProgram(head: Buffer): ProgramKind {
  if (head.length >= 2 && head[0] === 0x23 && head[1] === 0x21) {
    const end = head.indexOf(0x0a);
    const line = head.toString('utf8', 2, end < 0 ? Math.min(head.length, 256) : end).trim();
    return { kind: 'script', interpreter: line.split(/\s+/)[0] ?? '' };
  }
  if (head.length < 52 || head.readUInt32BE(0) !== 0x7f454c46) return { kind: 'unknown' };
  const bits = head[4] === 2 ? 64 : 32;
  const le = head[5] === 1;
  const u16 = (o: number) => (le ? head.readUInt16LE(o) : head.readUInt16BE(o));
  const u32 = (o: number) => (le ? head.readUInt32LE(o) : head.readUInt32BE(o));
  const addr = (o: number) => (bits === 64 ? Number(le ? head.readBigUInt64LE(o) : head.readBigUInt64BE(o)) : u32(o));
  const machine = u16(18);
  const phoff = addr(bits === 64 ? 32 : 28);
  const phentsize = u16(bits === 64 ? 54 : 42);
  const phnum = u16(bits === 64 ? 56 : 44);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (ph + phentsize > head.length) break;
    if (u32(ph) === 3 /* PT_INTERP */) {
      const off = addr(ph + (bits === 64 ? 8 : 4));
      const size = addr(ph + (bits === 64 ? 32 : 16));
      const interpreter = off + size <= head.length ? head.toString('latin1', off, off + size).replace(/\0+$/, '') : '?';
      return { kind: 'elf-dynamic', bits, machine, interpreter };
    }
  }
  return { kind: 'elf-static', bits, machine };
}
