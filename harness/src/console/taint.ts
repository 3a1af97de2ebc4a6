/**
 * The kernel's taint flags (/proc/sys/kernel/tainted, kernel/panic.c's
 * taint_flags[] and Documentation/admin-guide/tainted-kernels.rst). A bit
 * that appears during a case is evidence of kernel trouble even when the
 * message that set it was lost. Pure.
 */
export interface TaintFlag {
  bit: number;
  letter: string;
  meaning: string;
  /** Whether it says something went wrong, rather than where a module came from. */
  trouble: boolean;
}

export const TAINT_FLAGS: readonly TaintFlag[] = [
  { bit: 0, letter: 'P', meaning: 'proprietary module loaded', trouble: false },
  { bit: 1, letter: 'F', meaning: 'module force loaded', trouble: true },
  { bit: 2, letter: 'S', meaning: 'kernel running on an out of specification system', trouble: true },
  { bit: 3, letter: 'R', meaning: 'module force unloaded', trouble: true },
  { bit: 4, letter: 'M', meaning: 'machine check exception', trouble: true },
  { bit: 5, letter: 'B', meaning: 'bad page referenced or unexpected page flags', trouble: true },
  { bit: 6, letter: 'U', meaning: 'taint requested by user space', trouble: true },
  { bit: 7, letter: 'D', meaning: 'kernel died recently (an OOPS or BUG)', trouble: true },
  { bit: 8, letter: 'A', meaning: 'ACPI table overridden', trouble: false },
  { bit: 9, letter: 'W', meaning: 'kernel issued a warning', trouble: true },
  { bit: 10, letter: 'C', meaning: 'staging driver loaded', trouble: false },
  { bit: 11, letter: 'I', meaning: 'workaround for a platform firmware bug applied', trouble: false },
  { bit: 12, letter: 'O', meaning: 'out-of-tree module loaded', trouble: false },
  { bit: 13, letter: 'E', meaning: 'unsigned module loaded', trouble: false },
  { bit: 14, letter: 'L', meaning: 'soft lockup occurred', trouble: true },
  { bit: 15, letter: 'K', meaning: 'kernel live patched', trouble: false },
  { bit: 16, letter: 'X', meaning: 'auxiliary taint (distribution defined)', trouble: false },
  { bit: 17, letter: 'T', meaning: 'built with struct randomization', trouble: false },
  { bit: 18, letter: 'N', meaning: 'an in-kernel test has been run', trouble: false },
  { bit: 19, letter: 'J', meaning: 'userspace used a mutating debug operation in fwctl', trouble: true },
];

/** The mask of the bits that count as trouble. */
export const TROUBLE_TAINT_MASK = TAINT_FLAGS.filter((f) => f.trouble).reduce((m, f) => m | (1 << f.bit), 0);

/** "W (kernel issued a warning), L (soft lockup occurred)"; unknown bits by number. */
export function describeTaint(mask: number): string {
  const parts: string[] = [];
  for (let bit = 0; bit < 32; bit++) {
    if (!(mask & (1 << bit))) continue;
    const f = TAINT_FLAGS.find((x) => x.bit === bit);
    parts.push(f ? `${f.letter} (${f.meaning})` : `bit ${bit}`);
  }
  return parts.join(', ');
}

/** The letters of a mask, as the kernel prints them in an oops header ("WL"). */
export function taintLetters(mask: number): string {
  return TAINT_FLAGS.filter((f) => mask & (1 << f.bit)).map((f) => f.letter).join('') || '-';
}
