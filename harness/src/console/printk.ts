/**
 * The printk timestamp, the one pattern every kernel console line may start
 * with ("[    1.234567] ", optionally followed by a caller id such as
 * "[    T123]" with CONFIG_PRINTK_CALLER). Every module that looks at kernel
 * lines asks this one. Pure, and linear in the line's length.
 */
const OPEN = 0x5b;
const CLOSE = 0x5d;
const DOT = 0x2e;
const SPACE = 0x20;
const TAB = 0x09;

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** A printk timestamp anywhere in a line (where a kernel message cut into other output). */
export const PRINTK_STAMP_ANYWHERE = /\[\s{0,12}\d{1,12}\.\d{6}\]/;

/** Length of the printk timestamp prefix of a line (with the space after it), 0 if none. */
export function stampLength(line: string): number {
  if (line.charCodeAt(0) !== OPEN) return 0;
  let i = 1;
  while (line.charCodeAt(i) === SPACE || line.charCodeAt(i) === TAB) i++;
  const digits = i;
  while (isDigit(line.charCodeAt(i))) i++;
  if (i === digits || line.charCodeAt(i) !== DOT) return 0;
  const fraction = ++i;
  while (isDigit(line.charCodeAt(i))) i++;
  if (i === fraction || line.charCodeAt(i) !== CLOSE) return 0;
  i++;
  if (line.charCodeAt(i) === OPEN) {
    const close = line.indexOf(']', i);
    if (close > 0 && close - i <= 16) i = close + 1;
  }
  if (line.charCodeAt(i) === SPACE) i++;
  return i;
}

/** The seconds of a line's printk timestamp, or null when it has none. */
export function stampSeconds(line: string): number | null {
  const n = stampLength(line);
  if (!n) return null;
  return Number(line.slice(1, line.indexOf(']')).trim());
}

/** The text of a console or kmsg line without its printk timestamp. */
export function stripPrintkStamp(line: string): string {
  const trimmed = line.charCodeAt(0) === SPACE ? line.trimStart() : line;
  const n = stampLength(trimmed);
  return n ? trimmed.slice(n) : trimmed;
}
