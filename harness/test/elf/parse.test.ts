/**
 * The ELF reader on real files of this machine, checked against binutils'
 * readelf, and on crafted headers (labelled so) for the files it refuses.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { EM_X86_64, elfIdentProblem, parseElf } from '../../src/elf/parse.js';
import { HiltError } from '../../src/errors.js';
import { tempDir } from '../helpers.js';
import { type BuiltPrograms, buildPrograms, hasTool } from './programs.js';

/** What readelf says: DT_NEEDED in order, RPATH, RUNPATH, SONAME, the interpreter. */
function readelf(path: string) {
  const dyn = execFileSync('readelf', ['-dW', path], { encoding: 'utf8' });
  const tag = (name: string) => [...dyn.matchAll(new RegExp(`\\(${name}\\)\\s+.*?\\[(.*)\\]`, 'g'))].map((m) => m[1]!);
  const phdrs = execFileSync('readelf', ['-lW', path], { encoding: 'utf8' });
  const interp = /\[Requesting program interpreter: (.*)\]/.exec(phdrs)?.[1] ?? null;
  return { needed: tag('NEEDED'), rpath: tag('RPATH')[0] ?? null, runpath: tag('RUNPATH')[0] ?? null, soname: tag('SONAME')[0] ?? null, interp };
}

const haveBinutils = hasTool('readelf') && hasTool('gcc');
/** The programs of programs.ts, built once for this file. */
let built: BuiltPrograms | null = null;
const programs = () => (built ??= buildPrograms(tempDir(t)));

t.test('real programs and libraries read as readelf reads them', { skip: !haveBinutils && 'needs gcc and readelf (binutils)' }, async (t) => {
  const b = programs();
  const files = ['/bin/ls', process.execPath, '/usr/bin/qemu-system-x86_64', b.rpath, b.runpath, b.igtLike, join(b.dir, 'lib1/liba.so'), join(b.dir, 'igt-like/lib/libt.so.0')];
  const libc = execFileSync('gcc', ['-print-file-name=libc.so.6'], { encoding: 'utf8' }).trim();
  if (existsSync(libc)) files.push(libc);
  for (const f of files.filter((f) => existsSync(f))) {
    const elf = parseElf(readFileSync(f), f);
    const ref = readelf(f);
    t.same(
      { needed: elf.needed, rpath: elf.rpath?.join(':') ?? null, runpath: elf.runpath?.join(':') ?? null, soname: elf.soname, interp: elf.interpreter },
      ref,
      f,
    );
    t.equal(elf.machine, EM_X86_64);
  }
  t.same(parseElf(readFileSync(b.rpath)).rpath, ['$ORIGIN/lib1', '$ORIGIN/lib2'], 'RPATH elements, unexpanded');
  t.equal(parseElf(readFileSync(b.rpath)).runpath, null);
  t.same(parseElf(readFileSync(b.runpath)).runpath, ['$ORIGIN/lib1', '$ORIGIN/lib2']);
  t.equal(parseElf(readFileSync(join(b.dir, 'lib1/liba.so'))).type, 'shared');
});

t.test('a stripped program reads the same: program headers, not sections', { skip: !(haveBinutils && hasTool('strip')) && 'needs binutils' }, async (t) => {
  const b = programs();
  const stripped = join(b.dir, 'stripped');
  copyFileSync(b.rpath, stripped);
  execFileSync('strip', ['--strip-all', stripped], { stdio: 'ignore' });
  t.same(parseElf(readFileSync(stripped)), parseElf(readFileSync(b.rpath)));
  // Without any section header table at all (e_shoff, e_shnum, e_shstrndx zeroed), the loader still runs it...
  const headless = readFileSync(stripped);
  headless.writeBigUInt64LE(0n, 40);
  headless.writeUInt16LE(0, 60);
  headless.writeUInt16LE(0, 62);
  const noSections = join(b.dir, 'no-sections');
  writeFileSync(noSections, headless, { mode: 0o755 });
  t.match(execFileSync(noSections, { encoding: 'utf8' }), /ok 1 a-is-3/, 'the loader runs it');
  // ...and so does the reader.
  t.same(parseElf(headless), parseElf(readFileSync(b.rpath)));
});

t.test('a static program has no interpreter and no dynamic section', { skip: !existsSync('/bin/busybox') && 'no /bin/busybox' }, async (t) => {
  const elf = parseElf(readFileSync('/bin/busybox'));
  t.equal(elf.interpreter, null);
  t.equal(elf.dynamic, false);
  t.same(elf.needed, []);
});

// Crafted inputs: ELF identification bytes and headers written here, for what this machine has no file of.
function header(cls: number, data: number): Buffer {
  const b = Buffer.alloc(64);
  b.write('\x7fELF', 0, 'latin1');
  b[4] = cls;
  b[5] = data;
  b[6] = 1;
  return b;
}

t.test('other classes and byte orders are refused, naming the file and why (crafted headers)', async (t) => {
  const refuse = (buf: Buffer, message: string | RegExp) => {
    let err: unknown;
    try {
      parseElf(buf, 'prog');
    } catch (e) {
      err = e;
    }
    t.ok(err instanceof HiltError && err.kind === 'usage', 'a usage error');
    t.match((err as Error).message, message);
  };
  refuse(header(1, 1), 'prog is a 32-bit ELF file (hilt reads ELF64 only)');
  refuse(header(2, 2), 'prog is a big-endian ELF file (hilt reads little-endian ELF only)');
  refuse(Buffer.from('#!/bin/sh\necho hi\n'), 'prog is not an ELF file');
  refuse(header(2, 1).subarray(0, 40), 'prog: ELF header is truncated (40 bytes)');
  const far = header(2, 1);
  far.writeBigUInt64LE(4096n, 32); // e_phoff past the end
  far.writeUInt16LE(56, 54);
  far.writeUInt16LE(3, 56);
  refuse(far, 'prog: the program header table lies past the end of the file; the file is truncated');
  t.equal(elfIdentProblem(header(2, 1)), null);
});

t.test('a truncated real library is refused, not misread', { skip: !haveBinutils && 'needs gcc' }, async (t) => {
  const b = programs();
  const whole = readFileSync(b.rpath);
  const elf = parseElf(whole);
  t.ok(elf.needed.length > 0);
  t.throws(() => parseElf(whole.subarray(0, 1024), 'cut'), /cut: the (dynamic section|PT_INTERP segment) lies past the end of the file|cut: the program header table/);
});
