/**
 * The plain-text expectation lists of Mesa CI and deqp-runner, read and
 * written: `*-fails.txt` (`name,Status` lines: Fail, Crash, Timeout, Warn,
 * Missing), `*-flakes.txt` and `*-skips.txt` (one regular expression a line,
 * searched in the name). `#` starts a comment; the comment lines just above a
 * block of entries are their reason (Mesa lists put the bug link there), a
 * blank line ends the block. What the lists cannot say (a driver, a
 * reference, hilt's dmesg-warn and dmesg-fail statuses) travels in a `# hilt: {json}` line
 * just above its entry, which deqp-runner reads as a comment, so a list hilt
 * writes is still one deqp-runner takes. Pure: text in, documents out.
 *
 * Round trip: a list hilt wrote reads back to the entries it was written
 * from; any list reads, writes and reads back to the same entries.
 */
import { usageError } from '../errors.js';
import type { BaselineDocument, ExpectedStatus } from './baseline.js';

export type ListKind = 'fails' | 'flakes' | 'skips';

/** Mesa's status words in fails.txt and hilt's statuses they stand for (Warn: piglit's and IGT's warn). */
const MESA_STATUS: Record<string, ExpectedStatus> = { Fail: 'fail', Crash: 'crash', Timeout: 'timeout', Warn: 'warn', Missing: 'incomplete' };
/** And back: hilt's dmesg-warn and dmesg-fail have no Mesa word; they are written Warn and Fail with a hilt note. */
const TO_MESA: Record<ExpectedStatus, string> = { fail: 'Fail', crash: 'Crash', timeout: 'Timeout', warn: 'Warn', incomplete: 'Missing', 'dmesg-warn': 'Warn', 'dmesg-fail': 'Fail' };
/** Statuses only a note can say. */
const NOTED = (s: ExpectedStatus) => MESA_STATUS[TO_MESA[s]] !== s;

const NOTE = '# hilt: ';

interface Extra {
  status?: ExpectedStatus;
  driver?: string;
  reference?: string;
}

type ListEntry = { case?: string; pattern?: string; status?: ExpectedStatus; driver?: string; reason: string; reference?: string };

/** The reason an entry gets when its list gives none. */
export function noReason(file: string): string {
  return `imported from ${file}, which gives no reason`;
}

const REGEX_META = /[.*+?^${}()|[\]\\]/g;

export function escapeRegex(text: string): string {
  return text.replace(REGEX_META, '\\$&');
}

/** `^name$` with every metacharacter escaped is an exact name; anything else stays a pattern. */
function exactName(pattern: string): string | null {
  const m = /^\^(.*)\$$/s.exec(pattern);
  if (!m) return null;
  const inner = m[1]!;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i]!;
    if (ch === '\\') {
      const next = inner[i + 1];
      if (next === undefined || !/[.*+?^${}()|[\]\\]/.test(next)) return null;
      out += next;
      i++;
    } else if (/[.*+?^${}()|[\]]/.test(ch)) return null;
    else out += ch;
  }
  return out.length ? out : null;
}

function parseNote(text: string, where: string, kind: ListKind): Extra {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw usageError(`${where}: the hilt note is not JSON: ${(e as Error).message}`, 'A note is `# hilt: {"driver":"vgem"}` on the line above its entry.');
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw usageError(`${where}: the hilt note must be a JSON object`);
  const out: Extra = {};
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (typeof v !== 'string' || !v) throw usageError(`${where}: hilt note field ${k} must be a non-empty string`);
    if (k === 'status' && kind === 'fails' && v in TO_MESA) out.status = v as ExpectedStatus;
    else if (k === 'driver' && kind !== 'skips' && /^[a-z0-9_-]+$/.test(v)) out.driver = v;
    else if (k === 'reference') out.reference = v;
    else throw usageError(`${where}: hilt note field ${k}=${JSON.stringify(v)} is not one a ${kind} list can carry`, 'fails: status, driver, reference; flakes: driver, reference; skips: reference.');
  }
  return out;
}

/** Reads one list; file names it in messages and in the reason of entries that have none. */
export function parseList(kind: ListKind, text: string, file: string): ListEntry[] {
  const out: ListEntry[] = [];
  let reason: string[] = [];
  let lastWasEntry = false;
  let note: Extra | null = null;
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '').trim();
    const where = `${file}:${i + 1}`;
    if (!line) {
      reason = [];
      note = null;
      lastWasEntry = false;
      return;
    }
    if (line.startsWith(`${NOTE}{`)) {
      note = parseNote(line.slice(NOTE.length), where, kind);
      return;
    }
    if (line.startsWith('#')) {
      if (lastWasEntry) reason = [];
      lastWasEntry = false;
      reason.push(line.slice(1).replace(/^ /, ''));
      return;
    }
    const extra: Extra = note ?? {};
    note = null;
    lastWasEntry = true;
    const why = reason.length ? reason.join('\n') : noReason(file);
    const tail = { reason: why, ...(extra.reference ? { reference: extra.reference } : {}) };
    if (kind === 'fails') {
      const comma = line.lastIndexOf(',');
      if (comma <= 0) throw usageError(`${where}: '${line}' is not a name,Status line`, `A fails list has lines like dEQP-GLES2.functional.foo,Fail (statuses: ${Object.keys(MESA_STATUS).join(', ')}).`);
      const name = line.slice(0, comma).trim();
      const word = line.slice(comma + 1).trim();
      const status = MESA_STATUS[word];
      if (!status) throw usageError(`${where}: status '${word}' of ${name} is not one hilt knows`, `Use ${Object.keys(MESA_STATUS).join(', ')}.`);
      if (extra.status && TO_MESA[extra.status] !== word) throw usageError(`${where}: the hilt note says ${extra.status}, which is not written ${word}`);
      const st = extra.status ?? status;
      out.push({ case: name, ...(st !== 'fail' ? { status: st } : {}), ...(extra.driver ? { driver: extra.driver } : {}), ...tail });
      return;
    }
    try {
      new RegExp(line);
    } catch (e) {
      throw usageError(`${where}: /${line}/ is not a valid regular expression: ${(e as Error).message}`);
    }
    const name = exactName(line);
    out.push({ ...(name !== null ? { case: name } : { pattern: line }), ...(extra.driver ? { driver: extra.driver } : {}), ...tail });
  });
  return out;
}

/** Mesa lists as a baseline document named name. Each list is optional. */
export function importLists(name: string, lists: { kind: ListKind; text: string; file: string }[]): BaselineDocument {
  const doc: BaselineDocument = { $schema: 'https://hilt.dev/schemas/v1/baseline.schema.json', name };
  for (const l of lists) {
    const entries = parseList(l.kind, l.text, l.file);
    if (l.kind === 'fails') (doc.expectedFailures ??= []).push(...(entries as NonNullable<BaselineDocument['expectedFailures']>));
    if (l.kind === 'flakes') (doc.flakes ??= []).push(...(entries as NonNullable<BaselineDocument['flakes']>));
    if (l.kind === 'skips') (doc.skips ??= []).push(...entries.map(({ driver: _d, ...e }) => e as NonNullable<BaselineDocument['skips']>[number]));
  }
  return doc;
}

function commentLines(reason: string): string[] {
  return reason.split('\n').map((l) => (l ? `# ${l}` : '#'));
}

/** One list as text; entries it cannot hold are refused, naming them. */
export function formatList(kind: ListKind, entries: ListEntry[]): string {
  const out: string[] = [];
  let reason: string | null = null;
  for (const e of entries) {
    const name = e.case ?? null;
    if (name !== null && (name !== name.trim() || name.includes('\n'))) {
      throw usageError(`case name ${JSON.stringify(name)} has white space at an end or a line break, which a ${kind} list cannot hold`);
    }
    let line: string;
    if (kind === 'fails') {
      if (name === null) {
        throw usageError(`expected failure /${e.pattern}/ is a pattern; a fails list names cases exactly`, 'List the cases it stands for, or keep the baseline in hilt’s format.');
      }
      line = `${name},${TO_MESA[e.status ?? 'fail']}`;
    } else line = name !== null ? `^${escapeRegex(name)}$` : e.pattern!;
    if (e.reason !== reason) {
      if (out.length) out.push('');
      out.push(...commentLines(e.reason));
      reason = e.reason;
    }
    const extra: Extra = {};
    if (kind === 'fails' && e.status && NOTED(e.status)) extra.status = e.status;
    if (kind !== 'skips' && e.driver) extra.driver = e.driver;
    if (e.reference) extra.reference = e.reference;
    if (Object.keys(extra).length) out.push(`${NOTE}${JSON.stringify(extra)}`);
    out.push(line);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

/** A baseline document as the three lists, and what they cannot carry. */
export function exportLists(doc: BaselineDocument): { fails: string; flakes: string; skips: string; left: string[] } {
  const left: string[] = [];
  if (doc.rules && Object.keys(doc.rules).length) left.push(`rules (${Object.entries(doc.rules).map(([k, v]) => `${k}: ${v}`).join(', ')})`);
  if (doc.acknowledgedChanges?.length) left.push(`${doc.acknowledgedChanges.length} acknowledged observation change(s)`);
  return {
    fails: formatList('fails', doc.expectedFailures ?? []),
    flakes: formatList('flakes', doc.flakes ?? []),
    skips: formatList('skips', doc.skips ?? []),
    left,
  };
}
