/**
 * Reading kbuild's output: which line is a finished target (for the progress
 * line), and which line is the first real error (for the failure message).
 * make stops at the first failing target but prints the errors of other jobs
 * and a cascade of `make[N]: *** ... Error 1` after it; the line a person
 * needs is the first compiler, linker or kbuild error, with the source lines
 * the compiler printed under it. Pure.
 */

/** kbuild's quiet output: `  CC      kernel/fork.o`, `  CC [M]  drivers/gpu/drm/vgem/vgem_drv.o`, `  LD      vmlinux`. */
const STEP = /^ {2}([A-Z][A-Z0-9_]*)(?: \[M\])?\s+(\S.*)$/;

export function kbuildStep(line: string): { tool: string; target: string } | null {
  const m = STEP.exec(line);
  return m ? { tool: m[1]!, target: m[2]! } : null;
}

/** Lines that are an error of their own: the earliest one in the log is the one to show. */
const ERROR_LINES: RegExp[] = [
  /^\S.*?:\d+(?::\d+)?: (?:fatal )?error: /, // gcc, clang, objtool: file:line:col: error:
  /^\S+: (?:fatal )?error: /, // a tool naming its input: cc1: error:, scripts/foo: error:
  /undefined reference to |multiple definition of |^(?:ld|ld\.lld|x86_64-linux-gnu-ld)(?:\.bfd)?: .*(?:error|cannot find|undefined)/,
  /^ERROR: /, // modpost
  /^\*\*\* /, // kbuild's own checks: the source tree is not clean, a missing tool
  /^\S.*: No such file or directory$/,
];
/** make's own summary, for a failure that printed nothing better. */
const MAKE_FAILED = /^make(?:\[\d+\])?: \*\*\* /;

/** Lines a compiler prints around an error: `drivers/x.c: In function 'f':` before it, the source and caret after it. */
const CONTEXT_BEFORE = /: In function |^In file included from |^\s+from /;
const SNIPPET = /^\s*\d*\s*\|/;

export interface FirstError {
  /** 1-based line number in the log. */
  line: number;
  /** The error line with the compiler's context, as it appears in the log. */
  excerpt: string;
}

export function firstBuildError(log: string): FirstError | null {
  const lines = log.split('\n');
  let at = lines.findIndex((l) => ERROR_LINES.some((p) => p.test(l)));
  if (at < 0) at = lines.findIndex((l) => MAKE_FAILED.test(l));
  if (at < 0) return null;
  let start = at;
  while (start > 0 && at - start < 4 && CONTEXT_BEFORE.test(lines[start - 1]!)) start--;
  let end = at + 1;
  while (end < lines.length && end - at <= 6 && SNIPPET.test(lines[end]!)) end++;
  return { line: at + 1, excerpt: lines.slice(start, end).join('\n') };
}

/** 75 s -> "1:15" */
export function minutesSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
