import t from 'tap';
import { LineSplitter, truncationSuffix, type LineSplitterOptions } from '../../src/text/line-splitter.js';

const enc = new TextEncoder();
const bytesOf = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...enc.encode(p)] : p)));

/** Feeds `bytes` in pieces cut at `cuts` and returns every line. */
function split(bytes: Uint8Array, cuts: number[] = [], opts: LineSplitterOptions = {}): { lines: string[]; s: LineSplitter } {
  const s = new LineSplitter(opts);
  const lines: string[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    lines.push(...s.push(bytes.subarray(from, cut)));
    from = cut;
  }
  lines.push(...s.end());
  return { lines, s };
}

/** The obvious, slow reference: split on LF, drop one CR before it, decode each line. */
function reference(bytes: Uint8Array): string[] {
  const out: string[] = [];
  let start = 0;
  const decode = (a: number, b: number) => {
    if (b > a && bytes[b - 1] === 0x0d) b--;
    out.push(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(a, b)));
  };
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      decode(start, i);
      start = i + 1;
    }
  }
  if (start < bytes.length) decode(start, bytes.length);
  return out;
}

t.test('splits on LF, keeps a last line without one', async (t) => {
  t.same(split(bytesOf('a\nb\n')).lines, ['a', 'b']);
  t.same(split(bytesOf('a\n\nb')).lines, ['a', '', 'b']);
  t.same(split(bytesOf('')).lines, []);
  const s = new LineSplitter();
  t.same(s.push(bytesOf('abc')), []);
  t.same(s.push(bytesOf('def\ngh')), ['abcdef']);
  t.same(s.end(), ['gh']);
  t.same(s.end(), [], 'nothing left');
});

t.test('CRLF: the CR before LF goes, a lone CR stays', async (t) => {
  t.same(split(bytesOf('a\r\nb\r\n')).lines, ['a', 'b']);
  t.same(split(bytesOf('50%\r100%\n')).lines, ['50%\r100%']);
  t.same(split(bytesOf('a\r\nb\r\n'), [2]).lines, ['a', 'b'], 'CR and LF in different chunks');
  t.same(split(bytesOf('x\r'), [1]).lines, ['x'], 'a CR ending the input');
  t.same(split(bytesOf('a\r\r\n')).lines, ['a\r']);
});

t.test('UTF-8 split across chunks at every position decodes the same', async (t) => {
  const bytes = bytesOf('é€😀 ok 1 café\nß\n');
  for (let cut = 0; cut <= bytes.length; cut++) {
    t.same(split(bytes, [cut]).lines, ['é€😀 ok 1 café', 'ß'], `cut at ${cut}`);
  }
  t.same(split(bytes, Array.from({ length: bytes.length }, (_, i) => i)).lines, ['é€😀 ok 1 café', 'ß'], 'a byte at a time');
});

t.test('invalid UTF-8 becomes U+FFFD', async (t) => {
  t.same(split(bytesOf([0xff], 'A\n')).lines, ['\ufffdA']);
  t.same(split(bytesOf('x', [0xe2, 0x82], '\ny\n')).lines, ['x\ufffd', 'y'], 'a sequence cut by the LF');
  t.same(split(bytesOf([0xc3], '\n', [0xa9], '\n')).lines, ['\ufffd', '\ufffd'], 'LF never joins a sequence');
  t.same(split(bytesOf([0, 0, 0x0a])).lines, ['\0\0'], 'NULs are kept');
});

t.test('a BOM opening the stream is dropped, one inside it kept', async (t) => {
  t.same(split(bytesOf([0xef, 0xbb, 0xbf], 'KTAP version 1\n', [0xef, 0xbb, 0xbf], 'x\n')).lines, ['KTAP version 1', '\ufeffx']);
  t.same(split(bytesOf([0xef, 0xbb, 0xbf], 'a\n'), [1, 2]).lines, ['a'], 'even split across chunks');
});

t.test('a line over maxLineBytes is cut once, with the count of dropped bytes', async (t) => {
  const { lines, s } = split(bytesOf('abcdefghijkl\nok\n'), [], { maxLineBytes: 8 });
  t.same(lines, ['abcdefgh' + truncationSuffix(4), 'ok']);
  t.equal(s.truncatedLines, 1);
  t.equal(s.droppedBytes, 4);
  t.equal(truncationSuffix(4), ' …[line truncated: 4 bytes dropped]');

  for (const cuts of [[1], [4, 8, 12], [9], [12], [13]]) {
    t.same(split(bytesOf('abcdefghijkl\nok\n'), cuts, { maxLineBytes: 8 }).lines, lines, `cut at ${cuts}`);
  }
  t.same(split(bytesOf('abcdefghijkl'), [5], { maxLineBytes: 8 }).lines, ['abcdefgh' + truncationSuffix(4)], 'cut at end()');
  t.same(split(bytesOf('abcdefghijkl\r\n'), [5], { maxLineBytes: 8 }).lines, ['abcdefgh' + truncationSuffix(4)], 'the CR is not counted');
});

t.test('a line of exactly maxLineBytes is whole, with or without CR', async (t) => {
  for (const cuts of [[], [4], [8], [9]]) {
    const { lines, s } = split(bytesOf('abcdefgh\r\nabcdefgh\n'), cuts, { maxLineBytes: 8 });
    t.same(lines, ['abcdefgh', 'abcdefgh'], `cut at ${cuts}`);
    t.equal(s.truncatedLines, 0);
  }
  t.same(split(bytesOf('abcdefghi\n'), [3], { maxLineBytes: 8 }).lines, ['abcdefgh' + truncationSuffix(1)]);
});

t.test('the cut never splits a character', async (t) => {
  // € is 3 bytes at offsets 7..9: keeping it would take 10 bytes.
  for (const cuts of [[], [8], [3, 11]]) {
    const { lines, s } = split(bytesOf('abcdefg€xyz\n'), cuts, { maxLineBytes: 8 });
    t.same(lines, ['abcdefg' + truncationSuffix(6)], `cut at ${cuts}`);
    t.equal(s.droppedBytes, 6);
  }
});

t.test('an endless line or a NUL flood does not grow memory', async (t) => {
  const s = new LineSplitter({ maxLineBytes: 1024 });
  const chunk = new Uint8Array(64 * 1024);
  let maxBuffered = 0;
  for (let i = 0; i < 320; i++) {
    chunk.fill(i === 0 ? 0x61 : 0); // the same buffer reused: the splitter must have copied what it keeps
    t.equal(s.push(chunk).length, 0);
    maxBuffered = Math.max(maxBuffered, s.bufferedBytes);
  }
  t.ok(maxBuffered <= 1025, `held at most ${maxBuffered} bytes of a 20 MiB line`);
  const [line, next] = [...s.push(bytesOf('\nnext\n'))];
  t.equal(line, 'a'.repeat(1024) + truncationSuffix(320 * 64 * 1024 - 1024));
  t.equal(next, 'next');
  t.equal(s.bufferedBytes, 0);
});

t.test('many lines in one chunk with a few long ones among them', async (t) => {
  const long = 'x'.repeat(100);
  const text = `a\n${long}\nb\r\n${long}é\nc\n`;
  const { lines, s } = split(bytesOf(text), [], { maxLineBytes: 60 });
  t.same(lines, ['a', 'x'.repeat(60) + truncationSuffix(40), 'b', 'x'.repeat(60) + truncationSuffix(42), 'c']);
  t.equal(s.truncatedLines, 2);
});

t.test('random bytes and random chunking agree with the reference', async (t) => {
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const alphabet = [0x0a, 0x0d, 0x41, 0x20, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xff, 0x00];
  for (let round = 0; round < 200; round++) {
    const bytes = Uint8Array.from({ length: rand(300) }, () => alphabet[rand(alphabet.length)]);
    const cuts = Array.from({ length: rand(6) }, () => rand(bytes.length + 1)).sort((a, b) => a - b);
    const got = split(bytes, cuts).lines;
    const want = reference(bytes);
    if (round === 0 || JSON.stringify(got) !== JSON.stringify(want)) t.same(got, want, `round ${round}`);
  }
});

t.test("encoding 'latin1': one char per byte, exactly as sent", async (t) => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i).filter((b) => b !== 0x0a && b !== 0x0d);
  const { lines } = split(bytesOf([...all], '\n', [0xef, 0xbb, 0xbf, 0xc3, 0xa9, 0x0a]), [100], { encoding: 'latin1' });
  t.equal(lines[0], String.fromCharCode(...all));
  t.equal(lines[1], '\u00ef\u00bb\u00bf\u00c3\u00a9', 'no BOM dropped, no UTF-8 decoding');
  const s = new LineSplitter({ maxLineBytes: 8, encoding: 'latin1' });
  t.same(s.push(bytesOf('abcdefg€xyz\n')), ['abcdefg\u00e2' + truncationSuffix(5)], 'cut at the byte, no character boundary');
});
