/**
 * The case markers: as each test begins, the suite (or, for a program run
 * whole, the agent) writes "hilt: begin <suite>/<case>" into the kernel log.
 * They stay off the console while the kernel lives; a panicking kernel prints
 * its whole log again (panic_print=0x20), markers included, which tells the
 * host the case it died in even when the 'begin' record never left the tty.
 * run/ watches for them live; results/ folds them from the journal.
 */
import { stripPrintkStamp, stampLength } from '../console/printk.js';

export const MARKER_TEXT = 'hilt: begin ';

/** "suite/case" of a console line that is a case marker, or null. Only a timestamped kernel line can be one. */
export function markerOf(line: string): string | null {
  if (!stampLength(line.trimStart())) return null;
  const text = stripPrintkStamp(line);
  if (!text.startsWith(MARKER_TEXT)) return null;
  const id = text.slice(MARKER_TEXT.length);
  return id && !/\s/.test(id) ? id : null;
}

/**
 * Plan index of the test a marker names. One test may be planned several
 * times (--repeat): markers come in run order, so the one meant is the first
 * at or after `from` (the test the machine had reached), else the first.
 */
export function testOfMarker(id: string, tests: readonly { index: number; suite: string; case: string }[], from = 0): number | null {
  let first: number | null = null;
  for (const t of tests) {
    if (`${t.suite}/${t.case}` !== id) continue;
    if (t.index >= from) return t.index;
    first ??= t.index;
  }
  return first;
}

/** Plan index of the test a console line marks as begun, or null. */
export function markedTest(line: string, tests: readonly { index: number; suite: string; case: string }[], from = 0): number | null {
  const id = markerOf(line);
  return id === null ? null : testOfMarker(id, tests, from);
}
