import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { JournalWriter, parseJournal } from '../../src/journal/index.js';
import { tempDir } from '../helpers.js';

t.test('a corrupt line is reported and skipped, not fatal', async (t) => {
  const text = ['{"t":"note","text":"a"}', 'garbage{', '{"t":"note","text":"b"}', '{"no":"type"}', '{"t":"note","te'].join('\n');
  const r = parseJournal(text);
  t.same(r.entries.map((e) => (e as { text: string }).text), ['a', 'b']);
  t.equal(r.problems.length, 3);
  t.match(r.problems[0], /journal line 2 skipped/);
  t.match(r.problems[2], /journal line 5 skipped \(torn last line\)/);
});

t.test('the writer appends whole lines that a reader gets back', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'journal.jsonl');
  const w = new JournalWriter(path);
  w.append({ t: 'note', text: 'one' });
  w.append({ t: 'rec', boot: 1, seq: 0, kind: 'out', p: 'x\ny "quoted" \u0000', ms: 1 });
  // Readable before close: a SIGKILL now would lose nothing.
  t.equal(readFileSync(path, 'utf8').split('\n').length, 3);
  w.close();
  writeFileSync(path, readFileSync(path, 'utf8') + '{"t":"no');
  const r = parseJournal(readFileSync(path, 'utf8'));
  t.equal(r.entries.length, 2);
  t.match(r.entries[1], { p: 'x\ny "quoted" \u0000' });
  t.equal(r.problems.length, 1);
});

t.test('a full disk is an infrastructure error naming the journal, never a crash', async (t) => {
  const w = new JournalWriter('/dev/full');
  t.throws(() => w.append({ t: 'note', text: 'x' }), { message: /cannot write the journal \/dev\/full: the disk is full/ });
});

t.test('past its caps the journal keeps what steers the fold and drops bulk, saying so once', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'journal.jsonl');
  const w = new JournalWriter(path, { soft: 1000, hard: 3000 });
  for (let i = 0; i < 200; i++) w.append({ t: 'con', boot: 1, text: `console line ${i}`, ms: i });
  for (let i = 0; i < 200; i++) w.append({ t: 'rec', boot: 1, seq: i, kind: 'out', p: `output line ${i}`, ms: i });
  w.append({ t: 'rec', boot: 1, seq: 999, kind: 'end', p: '0 1', ms: 1 });
  w.close();
  const { entries } = parseJournal(readFileSync(path, 'utf8'));
  const notes = entries.filter((e) => e.t === 'note').map((e) => (e as { text: string }).text);
  t.equal(notes.length, 2, 'one note per cap');
  t.match(notes[0], /passed 0 MiB: console lines that are not agent records are no longer kept/);
  t.ok(entries.filter((e) => e.t === 'con').length < 200, 'console lines stopped at the soft cap');
  t.ok(entries.filter((e) => e.t === 'rec' && e.kind === 'out').length < 200, 'bulk records stopped at the hard cap');
  t.match(entries[entries.length - 1], { t: 'rec', kind: 'end' }, 'a record that steers the fold is always kept');
});
