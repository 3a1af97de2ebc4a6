/**
 * Real programs and libraries for the ELF tests, built with this machine's
 * gcc into a temporary folder:
 *
 *   lib1/liba.so  needs libb.so (no path of its own)
 *   lib2/libb.so
 *   rpath         RPATH=$ORIGIN/lib1:$ORIGIN/lib2 (DT_RPATH: inherited by liba)
 *   runpath       RUNPATH=$ORIGIN/lib1:$ORIGIN/lib2 (not inherited: liba cannot find libb)
 *   igt-like/bin/t  RUNPATH=$ORIGIN/../lib, as meson gives IGT's build-tree tests
 *   igt-like/lib/libt.so.0
 *   link/rpath    a symlink to ../rpath ($ORIGIN is the real file's folder)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BuiltPrograms {
  dir: string;
  rpath: string;
  runpath: string;
  igtLike: string;
  link: string;
}

const gcc = (args: string[]) => execFileSync('gcc', args, { stdio: ['ignore', 'ignore', 'inherit'] });

export function buildPrograms(dir: string): BuiltPrograms {
  for (const d of ['lib1', 'lib2', 'link', 'igt-like/bin', 'igt-like/lib']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'b.c'), 'int b(void) { return 2; }\n');
  writeFileSync(join(dir, 'a.c'), 'int b(void);\nint a(void) { return b() + 1; }\n');
  writeFileSync(join(dir, 'main.c'), '#include <stdio.h>\nint a(void);\nint main(void) { printf("KTAP version 1\\n1..1\\n%sok 1 a-is-3\\n", a() == 3 ? "" : "not "); return 0; }\n');
  writeFileSync(join(dir, 't.c'), 'int t(void) { return 0; }\n');
  writeFileSync(join(dir, 'tmain.c'), 'int t(void);\nint main(void) { return t(); }\n');
  gcc(['-shared', '-fPIC', '-Wl,-soname,libb.so', '-o', join(dir, 'lib2/libb.so'), join(dir, 'b.c')]);
  gcc(['-shared', '-fPIC', '-Wl,-soname,liba.so', '-o', join(dir, 'lib1/liba.so'), join(dir, 'a.c'), `-L${join(dir, 'lib2')}`, '-lb']);
  const prog = (name: string, dtags: string) =>
    gcc(['-o', join(dir, name), join(dir, 'main.c'), `-L${join(dir, 'lib1')}`, `-L${join(dir, 'lib2')}`, '-la', '-Wl,-rpath-link,' + join(dir, 'lib2'), dtags, '-Wl,-rpath,$ORIGIN/lib1:$ORIGIN/lib2']);
  prog('rpath', '-Wl,--disable-new-dtags');
  prog('runpath', '-Wl,--enable-new-dtags');
  gcc(['-shared', '-fPIC', '-Wl,-soname,libt.so.0', '-o', join(dir, 'igt-like/lib/libt.so.0'), join(dir, 't.c')]);
  gcc(['-o', join(dir, 'igt-like/bin/t'), join(dir, 'tmain.c'), join(dir, 'igt-like/lib/libt.so.0'), '-Wl,--enable-new-dtags', '-Wl,-rpath,$ORIGIN/../lib']);
  symlinkSync('../rpath', join(dir, 'link/rpath'));
  return { dir, rpath: join(dir, 'rpath'), runpath: join(dir, 'runpath'), igtLike: join(dir, 'igt-like/bin/t'), link: join(dir, 'link/rpath') };
}

/** What ldd reports: `name => path` lines in its order (the vdso and the interpreter line left out), and the names it could not find. */
export function ldd(program: string): { found: string[]; notFound: string[] } {
  return loaderLines(() => execFileSync('ldd', [program], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
}

/**
 * The same list from the program's own start, as the kernel execs it, with
 * the loader told to list rather than run (LD_TRACE_LOADED_OBJECTS). Unlike
 * ldd, which hands the path to ld.so, this gives $ORIGIN as a started program
 * has it: the folder of its real file, through any symlink.
 */
export function tracedStart(program: string): { found: string[]; notFound: string[] } {
  return loaderLines(() => execFileSync(program, [], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { LD_TRACE_LOADED_OBJECTS: '1' } }));
}

function loaderLines(run: () => string): { found: string[]; notFound: string[] } {
  let out: string;
  try {
    out = run();
  } catch (e) {
    out = (e as { stdout: string }).stdout;
  }
  const found: string[] = [];
  const notFound: string[] = [];
  for (const raw of out.split('\n')) {
    const line = raw.trim();
    const m = /^(\S+) => (.*?)(?: \(0x[0-9a-f]+\))?$/.exec(line);
    if (!m) continue;
    if (m[2] === 'not found') notFound.push(m[1]!);
    else found.push(`${m[1]} => ${m[2]}`);
  }
  return { found, notFound };
}

/** Whether a program is on PATH. */
export function hasTool(name: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, name)));
}
