/**
 * Why an IGT subtest skipped or failed, in one line for a report, from its
 * share of the output: IGT writes a skip's unmet requirement on stdout
 *
 *   Test requirement not met in function igt_require_sw_sync, file ../src/lib/sw_sync.c:265:
 *   Test requirement: kernel_has_sw_sync()
 *   Last errno: 2, No such file or directory
 *
 * and a failure's assertion on stderr, as its CRITICAL log lines
 *
 *   (vgem_basic:136) ioctl_wrappers-CRITICAL: Test assertion failure function prime_fd_to_handle, file ...:1161:
 *   (vgem_basic:136) ioctl_wrappers-CRITICAL: Failed assertion: ...
 *   (vgem_basic:136) ioctl_wrappers-CRITICAL: Last errno: 22, Invalid argument
 *
 * (then again in the log dump after "Subtest NAME failed."). Pure.
 */

/** A one-line explanation is cut here: the whole story is in the case's console. */
const MAX = 600;

const cut = (s: string) => (s.length > MAX ? `${s.slice(0, MAX - 1)}…` : s);

/** The unmet requirement of a skip: the lines from "Test requirement not met" to "Last errno", joined. */
export function skipExplanation(out: string): string | null {
  const lines = out.split('\n');
  const at = lines.findIndex((l) => l.startsWith('Test requirement not met'));
  if (at < 0) return null;
  const parts = [lines[at]!.replace(/:\s*$/, '')];
  for (const l of lines.slice(at + 1, at + 4)) {
    if (!/^(Test requirement: |Last errno: )/.test(l)) break;
    parts.push(l);
  }
  return cut(parts.join('; '));
}

const CRITICAL = /^\([^()\s]+:\d+\) (?:[\w.-]+-)?CRITICAL: (.*)$/;

/** A failure's first CRITICAL lines (up to the first log dump), without IGT's "(program:pid) domain-CRITICAL: " prefix. */
export function failureExplanation(err: string): string | null {
  const parts: string[] = [];
  for (const l of err.split('\n')) {
    if (/^(Dynamic subtest|Subtest) \S+ failed\.$/.test(l) || l === '**** DEBUG ****') break;
    const m = CRITICAL.exec(l);
    if (m) parts.push(m[1]!.replace(/:\s*$/, ''));
  }
  return parts.length ? cut(parts.join('; ')) : null;
}
