/**
 * Recognizers for the shapes of KTAP/TAP lines, each looking at `line` from
 * offset `o` (past any prefix the parser has already matched). They test
 * character codes rather than run regexes: the parser calls them on every
 * line of logs hundreds of megabytes long.
 */
import type { KtapDirective, KtapStatus } from './types.js';

const SPACE = 0x20;
const TAB = 0x09;
const HASH = 0x23;
const DOT = 0x2e;
const DASH = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

export function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

/** End of line or a blank: what may follow a keyword. */
function endsWord(line: string, i: number): boolean {
  return i >= line.length || isBlank(line.charCodeAt(i));
}

export function skipBlanks(line: string, i: number): number {
  while (i < line.length && isBlank(line.charCodeAt(i))) i++;
  return i;
}

/** `KTAP version 1`, `TAP version 13`...: the version as printed, or null. */
export function versionAt(line: string, o: number): string | null {
  if (line.startsWith('KTAP version ', o) || line.startsWith('TAP version ', o)) return line.slice(o).trimEnd();
  return null;
}

/** A plan line with more tests than this is garbage or a crafted line, not a plan: it is refused. */
export const MAX_PLAN = 999_999_999;
/** planAt() for a plan line whose count is absurd. */
export const ABSURD_PLAN = -2;

/** N from a `1..N` plan line (at most 9 digits), ABSURD_PLAN for a longer count, or -1. */
export function planAt(line: string, o: number): number {
  if (line.charCodeAt(o) !== 0x31 || line.charCodeAt(o + 1) !== DOT || line.charCodeAt(o + 2) !== DOT) return -1;
  let i = o + 3;
  let n = 0;
  while (i < line.length && isDigit(line.charCodeAt(i))) n = n * 10 + line.charCodeAt(i++) - ZERO;
  if (i === o + 3) return -1;
  if (i < line.length && !isBlank(line.charCodeAt(i)) && line.charCodeAt(i) !== HASH) return -1;
  // Ten digits is a garbled or crafted line, not a plan.
  return i > o + 12 ? ABSURD_PLAN : n;
}

/** The comment after a plan (`1..0 # SKIP no device`), '' if none. */
export function planComment(line: string, o: number): string {
  const hash = line.indexOf('#', o);
  return hash < 0 ? '' : line.slice(skipBlanks(line, hash + 1)).trimEnd();
}

/** The name in `# Subtest: name`, or null. */
export function subtestAt(line: string, o: number): string | null {
  if (!line.startsWith('# Subtest:', o)) return null;
  return line.slice(o + 10).trim();
}

/** The reason after `Bail out!`, or null. */
export function bailOutAt(line: string, o: number): string | null {
  if (!line.startsWith('Bail out!', o)) return null;
  return line.slice(o + 9).trim();
}

/** 0 if no result line starts at `o`; else the offset just past `ok` / `not ok`, negated for `not ok`. */
export function resultKeywordAt(line: string, o: number): number {
  const c = line.charCodeAt(o);
  if (c === 0x6f) {
    if (line.charCodeAt(o + 1) === 0x6b && endsWord(line, o + 2)) return o + 2;
  } else if (c === 0x6e) {
    if (line.startsWith('not ok', o) && endsWord(line, o + 6)) return -(o + 6);
  }
  return 0;
}

export interface ResultLine {
  number: number | null;
  name: string;
  status: KtapStatus;
  directive: KtapDirective | null;
  reason: string;
  /** A comment that is not a directive (`TIMEOUT 45 seconds`), '' if none. */
  comment: string;
}

/** Parses a result line; `keyword` is what resultKeywordAt returned for it. */
export function parseResult(line: string, keyword: number): ResultLine {
  const ok = keyword > 0;
  const len = line.length;
  let i = skipBlanks(line, ok ? keyword : -keyword);
  let number: number | null = null;
  if (i < len && isDigit(line.charCodeAt(i))) {
    let j = i;
    let n = 0;
    while (j < len && isDigit(line.charCodeAt(j))) n = n * 10 + line.charCodeAt(j++) - ZERO;
    if (endsWord(line, j) || line.charCodeAt(j) === HASH) {
      number = n;
      i = skipBlanks(line, j);
    }
  }
  if (line.charCodeAt(i) === DASH && endsWord(line, i + 1)) i = skipBlanks(line, i + 1);
  const hash = directiveHash(line, i);
  let name = (hash < 0 ? line.slice(i) : line.slice(i, hash)).trimEnd();
  if (name.indexOf('\\') >= 0) name = name.replace(/\\([\\#])/g, '$1');
  let directive: KtapDirective | null = null;
  let reason = '';
  let comment = '';
  if (hash >= 0) {
    const text = line.slice(skipBlanks(line, hash + 1)).trimEnd();
    directive = directiveOf(text);
    if (directive === null) comment = text;
    else reason = reasonAfterDirective(text);
  }
  return { number, name, status: statusOf(ok, directive), directive, reason, comment };
}

/** The `#` opening a directive: at the start of the description or after a blank, not escaped. */
function directiveHash(line: string, from: number): number {
  let h = line.indexOf('#', from);
  while (h >= 0) {
    // An escaped `\#` has a backslash, not a blank, before it.
    if (h === from || isBlank(line.charCodeAt(h - 1))) return h;
    h = line.indexOf('#', h + 1);
  }
  return -1;
}

/** TAP's rule: the directive word is matched case-insensitively and may run on (`SKIPPED:`). */
function directiveOf(text: string): KtapDirective | null {
  const head = text.slice(0, 5).toUpperCase();
  if (head.startsWith('SKIP')) return 'SKIP';
  if (head.startsWith('TODO')) return 'TODO';
  if (head === 'XFAIL') return 'XFAIL';
  return null;
}

function reasonAfterDirective(text: string): string {
  let i = 0;
  while (i < text.length && !isBlank(text.charCodeAt(i))) i++;
  return text.slice(skipBlanks(text, i));
}

export function statusOf(ok: boolean, directive: KtapDirective | null): KtapStatus {
  if (directive === 'SKIP') return 'skip';
  if (ok) return 'pass';
  if (directive === 'TODO') return 'todo';
  if (directive === 'XFAIL') return 'xfail';
  return 'fail';
}
