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
