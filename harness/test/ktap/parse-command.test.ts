import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parseCommand } from '../../src/cli/parse-command.js';
import { KtapParser } from '../../src/ktap/index.js';

const LOG = ['KTAP version 1', '1..3', '# before a', 'ok 1 a', 'not ok 2 b', 'ok 3 c # SKIP no device', ''].join('\n');

async function run(file: string, summary: boolean, stdinText = '') {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  stdout.on('data', (d: Buffer) => chunks.push(d));
  stderr.on('data', (d: Buffer) => errChunks.push(d));
  const code = await parseCommand({ file, summary }, { stdout, stderr, stdin: Readable.from([Buffer.from(stdinText)]) });
  return { code, out: Buffer.concat(chunks).toString('utf8'), err: Buffer.concat(errChunks).toString('utf8') };
}

const dir = mkdtempSync(join(tmpdir(), 'hilt-parse-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const logPath = join(dir, 'console.log');
writeFileSync(logPath, LOG);
writeFileSync(join(dir, 'empty.log'), '');

t.test('--summary: one line counting leaf cases, every status present', async (t) => {
  const { code, out, err } = await run(logPath, true);
  t.equal(code, 1, 'a failed case: exit 1');
  t.equal(err, '');
  t.equal(out, '{"pass":1,"fail":1,"skip":1,"todo":0,"xfail":0,"missing":0,"incomplete":0,"crash":0,"total":3}\n');
});

t.test('without --summary: the tree as pretty JSON', async (t) => {
  const { code, out } = await run(logPath, false);
  t.equal(code, 1);
  const parser = new KtapParser();
  for (const line of LOG.split('\n').slice(0, -1)) parser.push(line);
  t.equal(out, JSON.stringify(parser.end(), null, 2) + '\n');
  t.match(out, /^\{\n {2}"name": ""/);
});

t.test('the streamed JSON is exactly JSON.stringify(root, null, 2)', async (t) => {
  for (const name of ['kunit-nested', 'node-tap-14', 'kselftest-nested']) {
    const file = fileURLToPath(new URL(`../../../../harness/test/fixtures/ktap/${name}/input.log`, import.meta.url));
    const { out } = await run(file, false);
    const expected = JSON.parse(readFileSync(file.replace(/input\.log$/, 'expected.json'), 'utf8'));
    t.equal(out, JSON.stringify(expected, null, 2) + '\n', name);
  }
  const empty = await run(join(dir, 'empty.log'), false);
  t.same(JSON.parse(empty.out).children, []);
});

t.test("'-' reads standard input", async (t) => {
  const { code, out } = await run('-', true, LOG);
  t.equal(code, 1);
  t.equal(JSON.parse(out).total, 3);
});

t.test('exit status: 0 only when every case passed or skipped; a log ending in a panic marks the case it was in', async (t) => {
  t.equal((await run('-', true, 'KTAP version 1\n1..2\nok 1 a\nok 2 b # SKIP none\n')).code, 0);
  const panic = ['KTAP version 1', '1..3', 'ok 1 first', '# second: writing c to sysrq-trigger', '[   31.000001] sysrq: Trigger a crash', '[   31.000123] Kernel panic - not syncing: sysrq triggered crash', ''].join('\n');
  const summary = await run('-', true, panic);
  t.equal(summary.code, 1, 'today a log whose kernel panicked exits 1');
  t.same(JSON.parse(summary.out), { pass: 1, fail: 0, skip: 0, todo: 0, xfail: 0, missing: 1, incomplete: 0, crash: 1, total: 3 });
  const tree = JSON.parse((await run('-', false, panic)).out);
  t.same(tree.children.map((c: { status: string; number: number }) => `${c.number} ${c.status}`), ['1 pass', '2 crash', '3 missing']);
  t.match(tree.children[1].problems[0], /^the kernel crashed while it ran: .*Kernel panic - not syncing: sysrq triggered crash/);
  t.equal((await run('-', true, 'KTAP version 1\n1..2\nok 1 a\n')).code, 1, 'a planned case never reported: exit 1');
});

t.test('an unreadable file exits 2 naming the file and the reason', async (t) => {
  const missing = join(dir, 'nope.log');
  const gone = await run(missing, true);
  t.equal(gone.code, 2);
  t.equal(gone.out, '');
  t.equal(gone.err, `hilt parse: cannot read ${missing}: no such file\n`);

  const isDir = await run(dir, false);
  t.equal(isDir.code, 2);
  t.equal(isDir.err, `hilt parse: cannot read ${dir}: it is a directory\n`);
});
