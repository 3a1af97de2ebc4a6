import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { type DecodedLine, FrameDecoder, encodeFrame, latin1ToUtf8 } from '../../src/agent-protocol/frame.js';
import { parseRecord } from '../../src/agent-protocol/records.js';
import { ROOT } from '../helpers.js';

const feed = (lines: string[]) => {
  const d = new FrameDecoder();
  const out: DecodedLine[] = [];
  for (const l of lines) out.push(...d.push(l));
  out.push(...d.end());
  return out;
};
const records = (out: DecodedLine[]) => out.flatMap((d) => (d.type === 'record' ? [d.record] : []));

t.test('the agent\'s C framing and the host decoder agree, escapes and UTF-8 included', async (t) => {
  const lines = ['ok 1 version', 'tab\there', 'back\\slash', 'ünïcødé ✓', 'ctrl \x01\x7f end', ''];
  const framed = execFileSync(join(ROOT, 'suites', 'build', 'frame-encode'), { input: lines.join('\n') + '\n' }).toString('latin1');
  const got = records(feed(framed.split('\n').filter(Boolean)));
  t.same(got.map((r) => r.payload), lines);
  t.same(got.map((r) => r.seq), [0, 1, 2, 3, 4, 5]);
  // and the TS encoder writes exactly what the agent writes
  t.same(lines.map((l, i) => encodeFrame(i, 'out', l)), framed.split('\n').filter(Boolean));
});

t.test('several lines in one record: the agent escapes the newlines, the host splits them', async (t) => {
  const text = 'KTAP version 1\n1..2\n    # obs drm.cap {"a":"b\\\\c"}\nok 1 x';
  const framed = execFileSync(join(ROOT, 'suites', 'build', 'frame-encode'), ['--whole'], { input: text }).toString('latin1');
  t.equal(framed, encodeFrame(0, 'out', text) + '\n', 'the same bytes from C and from TypeScript');
  t.notMatch(framed.slice(0, -1), /\n/, 'one console line');
  const [rec] = records(feed([framed.slice(0, -1)]));
  t.same(parseRecord(rec!), { kind: 'out', lines: text.split('\n') });
});

t.test('kernel printk lines between frames are console lines, not records', async (t) => {
  const out = feed([encodeFrame(0, 'hello', 'v=1 mode=run'), '[    1.234567] vgem: loaded', encodeFrame(1, 'done', '4')]);
  t.same(out.map((d) => d.type), ['record', 'console', 'record']);
  t.equal((out[1] as { text: string }).text, '[    1.234567] vgem: loaded');
});

t.test('a bad checksum is reported and its record dropped; the gap shows the loss', async (t) => {
  const good = encodeFrame(1, 'out', 'drm-core ok 1 version');
  const bad = good.replace('ok 1', 'ok 7');
  const out = feed([encodeFrame(0, 'hello', ''), bad, encodeFrame(2, 'end', '0 3')]);
  t.same(out.map((d) => d.type), ['record', 'corrupt', 'gap', 'record']);
  t.match(out[1], { reason: 'checksum mismatch' });
  t.same(out[2], { type: 'gap', from: 1, to: 1 });
});

t.test('a missing sequence number is reported as a gap', async (t) => {
  const out = feed([encodeFrame(0, 'hello', ''), encodeFrame(1, 'hb', '5'), encodeFrame(4, 'hb', '7')]);
  t.same(out.filter((d) => d.type === 'gap'), [{ type: 'gap', from: 2, to: 3 }]);
  t.same(records(out).map((r) => r.seq), [0, 1, 4]);
});

t.test('a frame cut in half by a printk line is mended', async (t) => {
  const frame = encodeFrame(3, 'out', 'drm-core     ok 2 renderD128');
  const cut = frame.indexOf('renderD');
  // The kernel message lands mid-frame; the rest of the frame follows on the next line.
  const out = feed([encodeFrame(0, 'hello', ''), encodeFrame(1, 'a', ''), encodeFrame(2, 'a', ''), frame.slice(0, cut) + '[   12.000001] virtio_gpu: fence timeout', frame.slice(cut)]);
  const rec = out.find((d) => d.type === 'record' && d.record.seq === 3);
  t.ok(rec, 'record 3 recovered');
  t.match(rec, { repaired: true, record: { payload: 'drm-core     ok 2 renderD128' } });
  t.ok(out.some((d) => d.type === 'console' && d.text === '[   12.000001] virtio_gpu: fence timeout'));
  t.notOk(out.some((d) => d.type === 'gap' || d.type === 'corrupt'));
});

t.test('the two halves may be separated by whole kernel lines', async (t) => {
  const frame = encodeFrame(0, 'out', 'suite ok 1 case-with-a-long-name');
  const cut = frame.length - 8;
  const out = feed([frame.slice(0, cut) + '[    2.000000] first', '[    2.000001] second', frame.slice(cut)]);
  t.same(records(out).map((r) => r.payload), ['suite ok 1 case-with-a-long-name']);
  t.equal(out.filter((d) => d.type === 'console').length, 2);
});

t.test('a frame cut and never completed is corrupt, and the next record shows the gap', async (t) => {
  const frame = encodeFrame(0, 'out', 'suite ok 1 x');
  const out = feed([frame.slice(0, 20) + '[    3.000000] Kernel panic - not syncing: sysrq', encodeFrame(1, 'hb', '1')]);
  t.same(out.map((d) => d.type), ['console', 'corrupt', 'gap', 'record']);
});

t.test('a line cut in half without a printk marker is corrupt', async (t) => {
  const frame = encodeFrame(0, 'out', 'suite ok 1 x');
  const out = feed([frame.slice(0, 25), frame.slice(25)]);
  t.equal(out[0]!.type, 'corrupt');
  t.equal(out[1]!.type, 'console');
});

t.test('text before a frame on the same line is kept as console text', async (t) => {
  const out = feed(['hilt:/# ' + encodeFrame(0, 'note', 'x')]);
  t.same(out.map((d) => d.type), ['console', 'record']);
});

t.test('invalid UTF-8 in a payload survives the checksum and decodes with U+FFFD', async (t) => {
  const line = encodeFrame(0, 'out', Buffer.from([0x73, 0x20, 0xff, 0xfe, 0x41]));
  const [d] = feed([line]);
  t.match(d, { type: 'record', record: { payload: 's \ufffd\ufffdA' } });
  t.equal(latin1ToUtf8('\xc3\xa9'), 'é');
});

t.test('a replayed (older) record is refused', async (t) => {
  const out = feed([encodeFrame(0, 'a', ''), encodeFrame(1, 'a', ''), encodeFrame(1, 'a', '')]);
  t.same(out.map((d) => d.type), ['record', 'record', 'corrupt']);
});

t.test('records parse into typed values; a malformed payload stays unknown', async (t) => {
  const r = (kind: string, payload: string) => parseRecord({ seq: 0, kind, payload });
  t.same(r('begin', '7'), { kind: 'begin', index: 7 });
  t.same(r('kmsg', '12 1234567 hilt-fault: warning text'), { kind: 'kmsg', level: 4, facility: 1, tsUs: 1234567, text: 'hilt-fault: warning text' });
  t.same(r('exit', 'prime signal 11 40'), { kind: 'exit', suite: 'prime', code: null, signal: 11, ms: 40 });
  t.same(r('out', '    ok 1 card0\r\nok 1 version'), { kind: 'out', lines: ['    ok 1 card0', 'ok 1 version'] });
  t.match(r('hello', 'v=1 mode=run release=6.12.117+deb12-amd64 start=3 tests=9'), { kind: 'hello', start: 3, tests: 9, release: '6.12.117+deb12-amd64' });
  t.match(r('begin', 'x y'), { kind: 'unknown' });
  t.match(r('brandnew', 'x'), { kind: 'unknown', rawKind: 'brandnew' });
});
