/**
 * A reader of the parts of an ELF file the dynamic loader uses to find a
 * program's shared libraries: the interpreter (PT_INTERP) and the dynamic
 * section (DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH, DF_1_NODEFLIB).
 * It reads what the loader reads: program headers, not section headers, so
 * a stripped file reads the same. Pure: the whole file as a Buffer in, plain
 * data out. Only ELF64 little-endian files are read (x86-64, arm64, riscv64,
 * ppc64le); any other class or byte order is refused with a clear error.
 */
import { usageError } from '../errors.js';

export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;
export const EM_RISCV = 243;
export const EM_PPC64 = 21;

export type ElfType = 'relocatable' | 'executable' | 'shared' | 'core' | 'other';

export interface ElfObject {
  type: ElfType;
  /** e_machine: 62 is x86-64, 183 is arm64. */
  machine: number;
  /** PT_INTERP: the loader the kernel starts for this program; null for a static program or a library. */
  interpreter: string | null;
  /** Whether the file has a dynamic section at all; a static program has none. */
  dynamic: boolean;
  /** DT_NEEDED, in the order the loader visits them. */
  needed: string[];
  soname: string | null;
  /** DT_RPATH split at ':', unexpanded ($ORIGIN stays as written); null when absent. */
  rpath: string[] | null;
  /** DT_RUNPATH split at ':', unexpanded; null when absent. */
  runpath: string[] | null;
  /** DF_1_NODEFLIB: the loader must not look in ld.so.cache or the system directories for this object's needs. */
  noDefaultLib: boolean;
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const PN_XNUM = 0xffff;

const DT_NULL = 0n;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;
const DT_STRSZ = 10n;
const DT_SONAME = 14n;
const DT_RPATH = 15n;
const DT_RUNPATH = 29n;
const DT_FLAGS_1 = 0x6ffffffbn;
const DF_1_NODEFLIB = 0x800n;

const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const DYN_SIZE = 16;

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

const TYPES: Record<number, ElfType> = { 1: 'relocatable', 2: 'executable', 3: 'shared', 4: 'core' };

/** A bigint file offset or size as a number, refusing what no real file has. */
function toNumber(v: bigint, what: string, name: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw usageError(`${name}: ELF ${what} ${v} is out of range; the file is damaged`);
  return Number(v);
}

/**
 * Checks the ELF identification bytes and says why a file cannot be read, or
 * null when it is ELF64 little-endian. Usable on the first 16 bytes alone.
 */
export function elfIdentProblem(head: Buffer): string | null {
  if (head.length < 16 || head.readUInt32BE(0) !== 0x7f454c46) return 'not an ELF file';
  const cls = head[4];
  const data = head[5];
  if (cls !== 2) return cls === 1 ? 'a 32-bit ELF file (hilt reads ELF64 only)' : `an ELF file of unknown class ${cls}`;
  if (data !== 1) return data === 2 ? 'a big-endian ELF file (hilt reads little-endian ELF only)' : `an ELF file of unknown byte order ${data}`;
  return null;
}

/**
 * Reads an ELF64 little-endian file. `name` only labels errors (a path, as
 * the person gave it).
 */
export function parseElf(file: Buffer, name = 'file'): ElfObject {
  const problem = elfIdentProblem(file);
  if (problem) throw usageError(`${name} is ${problem}`);
  if (file.length < EHDR_SIZE) throw usageError(`${name}: ELF header is truncated (${file.length} bytes)`);
  const type = TYPES[file.readUInt16LE(16)] ?? 'other';
  const machine = file.readUInt16LE(18);
  const phoff = toNumber(file.readBigUInt64LE(32), 'program header offset', name);
  const phentsize = file.readUInt16LE(54);
  let phnum = file.readUInt16LE(56);
  if (phnum === PN_XNUM) {
    // More program headers than e_phnum holds: the count is in section header 0's sh_info.
    const shoff = toNumber(file.readBigUInt64LE(40), 'section header offset', name);
    if (shoff + 64 > file.length) throw usageError(`${name}: section header 0 lies past the end of the file`);
    phnum = file.readUInt32LE(shoff + 44);
  }
  if (phnum > 0 && phentsize < PHDR_SIZE) throw usageError(`${name}: program header entries are ${phentsize} bytes, ELF64 needs ${PHDR_SIZE}`);
  if (phoff + phnum * phentsize > file.length) throw usageError(`${name}: the program header table lies past the end of the file; the file is truncated`);

  const segments: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    segments.push({
      type: file.readUInt32LE(at),
      offset: toNumber(file.readBigUInt64LE(at + 8), 'segment offset', name),
      vaddr: toNumber(file.readBigUInt64LE(at + 16), 'segment address', name),
      filesz: toNumber(file.readBigUInt64LE(at + 32), 'segment size', name),
    });
  }
  const inFile = (s: Segment, what: string) => {
    if (s.offset + s.filesz > file.length) throw usageError(`${name}: the ${what} lies past the end of the file; the file is truncated`);
  };

  let interpreter: string | null = null;
  const interp = segments.find((s) => s.type === PT_INTERP);
  if (interp) {
    inFile(interp, 'PT_INTERP segment');
    interpreter = cString(file, interp.offset, interp.offset + interp.filesz);
  }

  const result: ElfObject = { type, machine, interpreter, dynamic: false, needed: [], soname: null, rpath: null, runpath: null, noDefaultLib: false };
  const dyn = segments.find((s) => s.type === PT_DYNAMIC);
  if (!dyn) return result;
  inFile(dyn, 'dynamic section');
  result.dynamic = true;

  const entries: { tag: bigint; val: bigint }[] = [];
  for (let at = dyn.offset; at + DYN_SIZE <= dyn.offset + dyn.filesz; at += DYN_SIZE) {
    const tag = file.readBigInt64LE(at);
    if (tag === DT_NULL) break;
    entries.push({ tag, val: file.readBigUInt64LE(at + 8) });
  }
  const value = (tag: bigint) => entries.find((e) => e.tag === tag)?.val;
  const strtabAddr = value(DT_STRTAB);
  const needsStrings = entries.some((e) => [DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH].includes(e.tag));
  if (strtabAddr === undefined) {
    if (needsStrings) throw usageError(`${name}: the dynamic section names libraries but has no string table (DT_STRTAB)`);
    return result;
  }
  // DT_STRTAB is an address in memory; the PT_LOAD segment holding it says where it is in the file.
  const addr = toNumber(strtabAddr, 'string table address', name);
  const load = segments.find((s) => s.type === PT_LOAD && addr >= s.vaddr && addr < s.vaddr + s.filesz);
  if (!load) throw usageError(`${name}: the dynamic string table (address 0x${addr.toString(16)}) is in no loadable segment`);
  const strtab = load.offset + (addr - load.vaddr);
  const strsz = value(DT_STRSZ);
  const strEnd = Math.min(file.length, strsz === undefined ? load.offset + load.filesz : strtab + toNumber(strsz, 'string table size', name));
  const str = (off: bigint) => {
    const at = strtab + toNumber(off, 'string offset', name);
    if (at >= strEnd) throw usageError(`${name}: a dynamic entry points past the string table`);
    return cString(file, at, strEnd);
  };

  for (const e of entries) {
    if (e.tag === DT_NEEDED) result.needed.push(str(e.val));
    else if (e.tag === DT_SONAME) result.soname = str(e.val);
    else if (e.tag === DT_RPATH) result.rpath = str(e.val).split(':');
    else if (e.tag === DT_RUNPATH) result.runpath = str(e.val).split(':');
    else if (e.tag === DT_FLAGS_1) result.noDefaultLib = (e.val & DF_1_NODEFLIB) !== 0n;
  }
  return result;
}

function cString(buf: Buffer, start: number, end: number): string {
  const nul = buf.indexOf(0, start);
  return buf.toString('utf8', start, nul < 0 || nul > end ? end : nul);
}
