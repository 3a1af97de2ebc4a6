/**
 * Reading a journal back: hilt's own after a crash, or one handed over as a
 * CI artifact. Pure: text in, entries and the problems met out.
 */
import type { JournalEntry } from './types.js';

export interface JournalRead {
  entries: JournalEntry[];
  /** Lines that were not JSON entries (a torn last line after a power cut), reported and skipped. */
  problems: string[];
}

/** Parses journal text; a corrupt line is reported and skipped, never fatal. Pure. */
export function parseJournal(text: string): JournalRead {
  const entries: JournalEntry[] = [];
  const problems: string[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const entry = JSON.parse(line) as JournalEntry;
      if (!entry || typeof entry !== 'object' || typeof (entry as { t?: unknown }).t !== 'string') throw new Error('not a journal entry');
      entries.push(entry);
    } catch (e) {
      const torn = i === lines.length - 1 || (i === lines.length - 2 && lines[lines.length - 1] === '');
      problems.push(`journal line ${i + 1} skipped (${torn ? 'torn last line' : (e as Error).message}): ${line.slice(0, 120)}`);
    }
  });
  return { entries, problems };
}
