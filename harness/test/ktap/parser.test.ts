import t from 'tap';
import { KtapParser, type KtapNode, type KtapParserOptions } from '../../src/ktap/index.js';
import { LineSplitter } from '../../src/text/line-splitter.js';

/** Parses text the way `hilt parse` does: bytes through the LineSplitter, lines into the parser. */
function parse(text: string | Uint8Array, opts: KtapParserOptions = {}): { root: KtapNode; parser: KtapParser } {
  const parser = new KtapParser(opts);
  const splitter = new LineSplitter();
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  for (const line of splitter.push(bytes)) parser.push(line);
  for (const line of splitter.end()) parser.push(line);
  return { root: parser.end(), parser };
}

const lines = (...l: string[]) => l.join('\n') + '\n';

/** "status number name" per node, children nested: the tree at a glance. */
type Shape = string | [string, Shape[]];
function shape(node: KtapNode): Shape[] {
  return node.children.map((c) => {
    const label = `${c.status} ${c.number ?? '-'} ${c.name}`;
    return c.children.length > 0 ? [label, shape(c)] : label;
  });
}

t.test('version lines: KTAP 1, TAP 13, TAP 14', async (t) => {
  for (const version of ['KTAP version 1', 'TAP version 13', 'TAP version 14']) {
    const { root } = parse(lines(version, '1..1', 'ok 1 a'));
    t.equal(root.version, version);
    t.same(shape(root), ['pass 1 a']);
    t.same(root.problems, []);
  }
});

t.test('plan before and after the cases', async (t) => {
  const before = parse(lines('KTAP version 1', '1..2', 'ok 1 a', 'ok 2 b')).root;
  const after = parse(lines('TAP version 14', 'ok 1 a', 'ok 2 b', '1..2')).root;
  for (const root of [before, after]) {
    t.equal(root.plan, 2);
    t.same(shape(root), ['pass 1 a', 'pass 2 b']);
    t.same(root.problems, []);
    t.equal(root.status, 'pass');
  }
});

t.test('result lines with and without numbers and " - "', async (t) => {
  const { root } = parse(lines('TAP version 13', 'ok 1 - dash', 'ok 2 plain', 'not ok - unnumbered dash', 'ok', 'ok 5 - name - with - dashes', 'ok 6'));
  t.same(shape(root), ['pass 1 dash', 'pass 2 plain', 'fail - unnumbered dash', 'pass - ', 'pass 5 name - with - dashes', 'pass 6 ']);
  t.same(root.problems, [], 'unnumbered results take the next number');
});

t.test('directives and the status they give', async (t) => {
  const { root } = parse(
    lines(
      'KTAP version 1',
      '1..10',
      'ok 1 a',
      'not ok 2 b',
      'ok 3 c # SKIP no device',
      'not ok 4 d # SKIP',
      'not ok 5 e # TODO not written yet',
      'ok 6 f # TODO surprise',
      'not ok 7 g # XFAIL known bug',
      'ok 8 h # XFAIL',
      'ok 9 i # skip lower case',
      'ok 10 # SKIPPED: no name',
    ),
  );
  t.same(
    root.children.map((c) => [c.status, c.directive, c.reason]),
    [
      ['pass', null, ''],
      ['fail', null, ''],
      ['skip', 'SKIP', 'no device'],
      ['skip', 'SKIP', ''],
      ['todo', 'TODO', 'not written yet'],
      ['pass', 'TODO', 'surprise'],
      ['xfail', 'XFAIL', 'known bug'],
      ['pass', 'XFAIL', ''],
      ['skip', 'SKIP', 'lower case'],
      ['skip', 'SKIP', 'no name'],
    ],
  );
  t.equal(root.children[9].name, '');
});

t.test('a comment that is not a directive stays out of the name and goes to diagnostics', async (t) => {
  const { root } = parse(lines('TAP version 13', 'not ok 1 selftests: gpu: drm_mm # TIMEOUT 45 seconds', 'ok 2 a \\# b', 'ok 3 c#d'));
  const [timeout, escaped, inner] = root.children;
  t.equal(timeout.name, 'selftests: gpu: drm_mm');
  t.equal(timeout.status, 'fail');
  t.equal(timeout.directive, null);
  t.equal(timeout.reason, '');
  t.same(timeout.diagnostics, ['TIMEOUT 45 seconds']);
  t.equal(escaped.name, 'a # b', 'TAP 14 escapes # in names');
  t.equal(inner.name, 'c#d', 'a # inside a word is part of the name');
});

t.test('KUnit nesting: 4 spaces a level, block opened by a version line and named by # Subtest', async (t) => {
  const { root } = parse(
    lines(
      'KTAP version 1',
      '1..1',
      '    KTAP version 1',
      '    # Subtest: suite',
      '    # module: suite_test',
      '    1..2',
      '    ok 1 a',
      '        KTAP version 1',
      '        # Subtest: params',
      '        ok 1 p0',
      '        not ok 2 p1',
      '    not ok 2 params',
      'not ok 1 suite',
    ),
  );
  t.same(shape(root), [['fail 1 suite', ['pass 1 a', ['fail 2 params', ['pass 1 p0', 'fail 2 p1']]]]]);
  const suite = root.children[0];
  t.equal(suite.version, 'KTAP version 1');
  t.equal(suite.plan, 2);
  t.same(suite.diagnostics, ['module: suite_test'], 'header lines describe the block');
  t.equal(suite.firstLine, 3);
  t.equal(suite.lastLine, 13);
});

t.test('old KUnit (TAP 14): the block is opened by an indented # Subtest line', async (t) => {
  const { root } = parse(
    lines(
      'TAP version 14',
      '1..1',
      '    # Subtest: ext4_inode_test',
      '    1..1',
      '        # Subtest: inode_test_xtimestamp_decoding',
      '        ok 1 - 1901-12-13 Lower bound of 32bit < 0 timestamp, no extra bits',
      '        ok 2 - 1969-12-31 Upper bound of 32bit < 0 timestamp, no extra bits',
      '    # inode_test_xtimestamp_decoding: pass:2 fail:0 skip:0 total:2',
      '    ok 1 - inode_test_xtimestamp_decoding',
      'ok 1 - ext4_inode_test',
    ),
  );
  t.same(shape(root), [
    [
      'pass 1 ext4_inode_test',
      [
        [
          'pass 1 inode_test_xtimestamp_decoding',
          ['pass 1 1901-12-13 Lower bound of 32bit < 0 timestamp, no extra bits', 'pass 2 1969-12-31 Upper bound of 32bit < 0 timestamp, no extra bits'],
        ],
      ],
    ],
  ]);
  t.same(root.children[0].children[0].diagnostics, ['inode_test_xtimestamp_decoding: pass:2 fail:0 skip:0 total:2']);
});

t.test('TAP 14: # Subtest at the parent level announces the indented block', async (t) => {
  const { root } = parse(
    lines(
      'TAP version 14',
      '# Subtest: outer',
      '    # Subtest: inner',
      '        ok 1 - x',
      '        1..1',
      '    ok 1 - inner',
      '    1..1',
      'ok 1 - outer',
      '# Subtest: unnamed result',
      '    ok 1 - y',
      '    1..1',
      'ok 2',
      '1..2',
    ),
  );
  t.same(shape(root), [
    ['pass 1 outer', [['pass 1 inner', ['pass 1 x']]]],
    ['pass 2 unnamed result', ['pass 1 y']],
  ]);
  t.same(root.problems, []);
});

t.test('any deeper indentation, used consistently, nests', async (t) => {
  const { root } = parse(lines('KTAP version 1', '1..1', '  KTAP version 1', '  1..1', '  \tok 1 tabbed', '  ok 1 two', 'ok 1 top'));
  t.same(shape(root), [['pass 1 top', [['pass 1 two', ['pass 1 tabbed']]]]]);
});

t.test('unexpected indentation is reported and the line kept as a diagnostic', async (t) => {
  const { root } = parse(lines('KTAP version 1', '1..1', '    KTAP version 1', '    1..2', '    ok 1 a', '  ok 2 b', '    ok 2 c', 'ok 1 s'));
  const s = root.children[0];
  t.same(shape(root), [['pass 1 s', ['pass 1 a', 'pass 2 c']]]);
  t.same(s.problems, ['unexpected indentation at line 6']);
  t.same(s.children[1].diagnostics, ['  ok 2 b']);
});

t.test("kselftest: a program's TAP prefixed with '# ', its result at the runner's level", async (t) => {
  const { root } = parse(
    lines(
      'TAP version 13',
      '1..2',
      '# selftests: dma-buf: udmabuf',
      '# TAP version 13',
      '# 1..2',
      '# # Testing udmabuf',
      '# ok 1 create',
      '# not ok 2 map',
      '# # Totals: pass:1 fail:1',
      'not ok 1 selftests: dma-buf: udmabuf # exit=1',
      '# selftests: dma-buf: nested',
      '# TAP version 13',
      '# 1..1',
      '# # TAP version 13',
      '# # 1..1',
      '# # ok 1 innermost',
      '# ok 1 middle',
      'ok 2 selftests: dma-buf: nested',
    ),
  );
  t.same(shape(root), [
    ['fail 1 selftests: dma-buf: udmabuf', ['pass 1 create', 'fail 2 map']],
    ['pass 2 selftests: dma-buf: nested', [['pass 1 middle', ['pass 1 innermost']]]],
  ]);
  const udmabuf = root.children[0];
  t.equal(udmabuf.version, 'TAP version 13');
  t.same(udmabuf.diagnostics, ['selftests: dma-buf: udmabuf', 'Totals: pass:1 fail:1', 'exit=1']);
  t.same(udmabuf.children[0].diagnostics, ['Testing udmabuf']);
});

t.test('diagnostics: before a result belong to it, after the last result to the block', async (t) => {
  const { root } = parse(
    lines(
      'boot noise before anything',
      'KTAP version 1',
      '# about the run',
      '1..2',
      '# for a',
      'ok 1 a',
      '# for b',
      'printk noise for b',
      'ok 2 b',
      '# trailing summary',
    ),
  );
  t.same(root.diagnostics, ['boot noise before anything', 'about the run', 'trailing summary']);
  t.same(root.children[0].diagnostics, ['for a']);
  t.same(root.children[1].diagnostics, ['for b', 'printk noise for b']);
  t.equal(root.children[1].firstLine, 7);
  t.equal(root.children[1].lastLine, 9);

  const trailingPlan = parse(lines('TAP version 14', '# for a', 'ok 1 a', '# after a', '1..1')).root;
  t.same(trailingPlan.children[0].diagnostics, ['for a']);
  t.same(trailingPlan.diagnostics, ['after a']);
});

t.test('kernel log lines interleaved inside nested blocks belong to the running test', async (t) => {
  const { root } = parse(
    lines(
      'KTAP version 1',
      '1..1',
      '    KTAP version 1',
      '    # Subtest: s',
      '    1..1',
      '[   12.345678] virtio_gpu virtio0: fence timeout',
      '  indented noise',
      '    ok 1 a',
      'ok 1 s',
    ),
  );
  t.same(root.children[0].children[0].diagnostics, ['[   12.345678] virtio_gpu virtio0: fence timeout', '  indented noise']);
});

t.test('kunit-style console log: every line carries a printk timestamp', async (t) => {
  const { root } = parse(
    lines(
      '[    0.000000] Linux version 6.12.9-amd64',
      '[    1.000000] KTAP version 1',
      '[    1.000001] 1..1',
      '[    1.000002]     KTAP version 1',
      '[    1.000003]     # Subtest: s',
      '[    1.000004]     1..1',
      '[    1.500000] virtio_gpu virtio0: noise',
      '[    2.000000]     ok 1 a',
      'unstamped console line',
      '[12345.000000] ok 1 s',
    ),
  );
  t.same(shape(root), [['pass 1 s', ['pass 1 a']]]);
  t.same(root.diagnostics, ['[    0.000000] Linux version 6.12.9-amd64'], 'lines before the version line are kept whole');
  t.same(root.children[0].children[0].diagnostics, ['virtio_gpu virtio0: noise']);
  t.same(root.children[0].diagnostics, ['unstamped console line']);

  const caller = parse(lines('[    1.000000][    T1] KTAP version 1', '[    1.000001][    T1] 1..1', '[    1.000002][   T42] ok 1 a')).root;
  t.same(shape(caller), ['pass 1 a'], 'CONFIG_PRINTK_CALLER stamps');
});

t.test('timestamped noise is not stripped when the KTAP lines carry no stamp', async (t) => {
  const { root } = parse(lines('KTAP version 1', '1..1', '[    1.0] ok 1 not a result', 'ok 1 a'));
  t.same(shape(root), ['pass 1 a']);
  t.same(root.children[0].diagnostics, ['[    1.0] ok 1 not a result']);
});

t.test('a plan promising more cases than arrive: numbered missing children', async (t) => {
  const { root, parser } = parse(lines('KTAP version 1', '1..6', 'ok 1 a', 'ok 2 b', 'ok 3 c', 'ok 5 e'));
  t.same(shape(root), ['pass 1 a', 'pass 2 b', 'pass 3 c', 'pass 5 e', 'missing 4 ', 'missing 6 ']);
  t.same(root.problems, ['test numbers out of order: 5 after 3', 'test 4 of 6 planned was never reported', 'test 6 of 6 planned was never reported']);
  t.equal(root.status, 'missing');
  t.equal(parser.counts.missing, 2);
  t.equal(parser.counts.total, 6);

  const range = parse(lines('KTAP version 1', '1..6', 'ok 1 a')).root;
  t.same(range.problems, ['tests 2-6 of 6 planned were never reported']);
});

t.test('a garbled huge plan does not build millions of nodes', async (t) => {
  const { root, parser } = parse(lines('KTAP version 1', '1..999999999', 'ok 1 a'));
  t.equal(root.children.length, 100_001);
  t.equal(root.problems[0], '999899998 more planned tests were never reported (not listed: at most 100000 per document and 100000 left in this run are made up)');
  t.equal(parser.counts.missing, 100_000);
  const tooLong = parse(lines('KTAP version 1', '1..99999999999', 'ok 1 a')).root;
  t.equal(tooLong.plan, null);
  t.same(tooLong.children[0].diagnostics, [], 'not taken for a diagnostic either');
  t.same(tooLong.problems, ['line 2: plan 1..99999999999 refused: more than 999999999 tests is not a plan']);
});

t.test('one budget of made-up missing cases across every parser of a run', async (t) => {
  const budget = { left: 150_000 };
  const counts = [1, 2, 3].map(() => {
    const p = new KtapParser({ missingBudget: budget });
    for (const l of ['KTAP version 1', '1..100000']) p.push(l);
    const root = p.end();
    return { missing: p.counts.missing, problems: root.problems };
  });
  t.same(counts.map((c) => c.missing), [100_000, 50_000, 0], 'the second parser gets what the first left, the third nothing');
  t.match(counts[2]!.problems[0], /^100000 more planned tests were never reported \(not listed: .* 0 left in this run/);
  t.equal(budget.left, 0);
});

t.test('a kernel crash in the log ends the test it came in as crash, or the next planned one', async (t) => {
  const isCrash = (l: string) => /Kernel panic|^BUG: /.test(l);
  const crashed = (...input: string[]) => {
    const p = new KtapParser({ isCrash });
    for (const l of input) p.push(l);
    return { root: p.end(), counts: p.counts };
  };
  const inside = crashed('KTAP version 1', '1..3', 'ok 1 a', '    KTAP version 1', '    # Subtest: b', '    1..1', '[   12.5] Kernel panic - not syncing: sysrq triggered crash');
  t.same(shape(inside.root), ['pass 1 a', ['crash 2 b', ['crash 1 ']], 'missing 3 '], 'b and the subtest it had planned next both crashed');
  t.match(inside.root.children[1]!.problems[0], /^the kernel crashed while it ran: .*Kernel panic - not syncing/);
  t.same({ crash: inside.counts.crash, missing: inside.counts.missing }, { crash: 1, missing: 1 }, 'case 3 never ran');
  t.equal(inside.root.status, 'crash');

  const between = crashed('KTAP version 1', '1..3', 'ok 1 a', 'BUG: kernel NULL pointer dereference, address: 0000000000000000');
  t.same(shape(between.root), ['pass 1 a', 'crash 2 ', 'missing 3 ']);
  t.same({ crash: between.counts.crash, missing: between.counts.missing }, { crash: 1, missing: 1 });

  const survived = crashed('KTAP version 1', '1..2', 'ok 1 a', 'BUG: sleeping function called from invalid context', 'ok 2 b');
  t.same(shape(survived.root), ['pass 1 a', 'pass 2 b'], 'a test that reports after the splat is not crashed');
  t.match(survived.root.problems[0], /^a kernel crash was logged between tests, and the tests went on: BUG: sleeping/);

  const unplanned = crashed('KTAP version 1', 'ok 1 a', 'Kernel panic - not syncing: x');
  t.equal(unplanned.root.status, 'crash');
  t.match(unplanned.root.problems[0], /no plan says which test came next/);

  const quiet = new KtapParser();
  for (const l of ['KTAP version 1', '1..2', 'ok 1 a', 'Kernel panic - not syncing: x']) quiet.push(l);
  t.same(shape(quiet.end()), ['pass 1 a', 'missing 2 '], 'without isCrash a panic is a diagnostic like any other');
});

t.test('nesting is bounded', async (t) => {
  const deep = Array.from({ length: 200 }, (_, d) => ' '.repeat(d + 1) + 'KTAP version 1');
  const { root } = parse(lines('KTAP version 1', ...deep, 'ok 1 top'));
  let node = root.children[0];
  let depth = 1;
  while (node.children.length > 0) {
    node = node.children[0];
    depth++;
  }
  t.equal(depth, 64);
  t.match(node.problems, [/^nesting deeper than 64 levels at line 66$/]);
});

t.test('more results than planned', async (t) => {
  const { root } = parse(lines('KTAP version 1', '1..1', 'ok 1 a', 'ok 2 b'));
  t.same(root.problems, ['plan 1..1 but 2 results']);
  t.equal(root.children.length, 2);
});

t.test('output that stops mid-case: the open block becomes incomplete, named from # Subtest', async (t) => {
  const { root, parser } = parse(
    lines(
      'KTAP version 1',
      '1..2',
      '    KTAP version 1',
      '    # Subtest: drm_buddy',
      '    1..1',
      '    ok 1 a',
      'ok 1 drm_buddy',
      '    KTAP version 1',
      '    # Subtest: drm_mm',
      '    1..3',
      '    ok 1 init',
      'BUG: kernel NULL pointer dereference',
    ),
  );
  t.same(shape(root), [
    ['pass 1 drm_buddy', ['pass 1 a']],
    ['incomplete 2 drm_mm', ['pass 1 init', 'missing 2 ', 'missing 3 ']],
  ]);
  const mm = root.children[1];
  t.same(mm.problems, ['output ended before test completed', 'tests 2-3 of 3 planned were never reported']);
  t.same(mm.diagnostics, ['BUG: kernel NULL pointer dereference']);
  t.equal(mm.lastLine, 12);
  t.same(root.problems, [], 'the incomplete block takes the number it was running under');
  t.equal(root.status, 'incomplete');
  t.same({ ...parser.counts }, { pass: 2, fail: 0, skip: 0, todo: 0, xfail: 0, missing: 2, incomplete: 0, crash: 0, total: 4 });

  const empty = parse(lines('KTAP version 1', '1..1', '    KTAP version 1', '    # Subtest: hung')).root;
  t.same(shape(empty), ['incomplete 1 hung']);
  t.equal(empty.children[0].status, 'incomplete');
});

t.test("a nested block left open when its parent's result arrives", async (t) => {
  const { root } = parse(lines('KTAP version 1', '1..1', '    KTAP version 1', '    1..1', '        KTAP version 1', '        # Subtest: deep', 'ok 1 top'));
  t.same(shape(root), [['pass 1 top', ['incomplete 1 deep']]]);
  t.same(root.children[0].children[0].problems, ['no result line before its parent reported']);
  t.same(root.children[0].problems, []);
});

t.test('numbers out of order: arrival order kept, a problem added', async (t) => {
  const { root } = parse(lines('KTAP version 1', '1..3', 'ok 2 b', 'ok 1 a', 'ok 3 c'));
  t.same(shape(root), ['pass 2 b', 'pass 1 a', 'pass 3 c']);
  t.same(root.problems, ['test numbers out of order: first test is 2', 'test numbers out of order: 1 after 2', 'test numbers out of order: 3 after 1']);
});

t.test('duplicate case names are both kept', async (t) => {
  const { root, parser } = parse(lines('KTAP version 1', '1..2', 'ok 1 same', 'not ok 2 same'));
  t.same(shape(root), ['pass 1 same', 'fail 2 same']);
  t.equal(parser.counts.total, 2);
});

t.test('Bail out!', async (t) => {
  const { root } = parse(lines('TAP version 13', '1..3', 'ok 1 a', 'Bail out! no /dev/dri/card0', '# after'));
  t.equal(root.bailOut, 'no /dev/dri/card0');
  t.same(shape(root), ['pass 1 a', 'missing 2 ', 'missing 3 ']);

  const nested = parse(lines('TAP version 13', '1..1', '# TAP version 13', '# 1..2', '# Bail out!', 'not ok 1 selftests: x: y')).root;
  t.equal(nested.children[0].bailOut, '');
  t.equal(nested.bailOut, null);
});

t.test('CRLF line endings', async (t) => {
  const { root } = parse('KTAP version 1\r\n1..1\r\n# diag\r\nok 1 a # SKIP why\r\n');
  t.equal(root.version, 'KTAP version 1');
  t.equal(root.children[0].reason, 'why');
  t.same(root.children[0].diagnostics, ['diag']);
});

t.test('invalid UTF-8 becomes U+FFFD', async (t) => {
  const enc = new TextEncoder();
  const bytes = new Uint8Array([...enc.encode('KTAP version 1\n1..1\n# bad '), 0xff, 0xc3, ...enc.encode('\nok 1 caf'), 0xc3, 0xa9, 0x0a]);
  const { root } = parse(bytes);
  t.same(root.children[0].diagnostics, ['bad \ufffd\ufffd']);
  t.equal(root.children[0].name, 'café');
});

t.test('TAP YAML blocks belong to the result before them', async (t) => {
  const { root } = parse(
    lines('TAP version 14', 'not ok 1 - a', '  ---', '  wanted: 1', '', '  found: 2', '  ...', 'ok 2 - b', '  --- not yaml', '1..2'),
  );
  t.same(root.children[0].diagnostics, ['wanted: 1', '', 'found: 2']);
  t.same(root.diagnostics, ['  --- not yaml']);
});

t.test('several KTAP documents at the top level (modules loaded one after another)', async (t) => {
  const { root } = parse(lines('KTAP version 1', '1..1', 'ok 1 a', 'KTAP version 1', '1..2', 'ok 1 b'));
  t.same(shape(root), ['pass 1 a', 'pass 1 b', 'missing 2 ']);
  t.equal(root.plan, 3);
  t.same(root.problems, ['test 2 of 2 planned was never reported']);
});

t.test('diagnostics are capped per node', async (t) => {
  const many = Array.from({ length: 10 }, (_, i) => `# d${i}`);
  const { root } = parse(lines('KTAP version 1', '1..1', ...many, 'ok 1 a', ...many), { maxDiagnostics: 3 });
  t.same(root.children[0].diagnostics, ['d0', 'd1', 'd2', '[7 more diagnostic lines dropped]']);
  t.same(root.diagnostics, ['d0', 'd1', 'd2', '[7 more diagnostic lines dropped]']);
});

t.test('onTest: children before parents, with the path of names; retain:false keeps only counts', async (t) => {
  const text = lines('KTAP version 1', '1..2', '    KTAP version 1', '    # Subtest: s', '    1..2', '    ok 1 a', '    not ok 2 b', 'not ok 1 s', 'ok 2 c # SKIP');
  const seen: string[] = [];
  const { root, parser } = parse(text, { retain: false, onTest: (node, path) => seen.push(`${path.join('/')}=${node.status}`) });
  t.same(seen, ['s/a=pass', 's/b=fail', 's=fail', 'c=skip']);
  t.same(root.children, []);
  t.equal(root.status, 'fail');
  t.same({ ...parser.counts }, { pass: 1, fail: 1, skip: 1, todo: 0, xfail: 0, missing: 0, incomplete: 0, crash: 0, total: 3 });
  const retained = parse(text).parser;
  t.same({ ...retained.counts }, { ...parser.counts });
});

t.test('empty input and input without KTAP', async (t) => {
  const empty = parse('').root;
  t.equal(empty.status, 'incomplete');
  t.same(empty.children, []);
  t.equal(empty.firstLine, 0);
  const skipped = parse(lines('KTAP version 1', '1..0 # SKIP no devices')).root;
  t.equal(skipped.status, 'skip');
  t.same(skipped.diagnostics, ['SKIP no devices']);
});

t.test('push after end throws; end twice returns the same root', async (t) => {
  const p = new KtapParser();
  p.push('ok 1 a');
  const root = p.end();
  t.equal(p.end(), root);
  t.throws(() => p.push('ok 2 b'));
});

t.test('any mix of KTAP-looking lines parses without throwing, counts matching the tree', async (t) => {
  const prefixes = ['', '', '    ', '        ', '# ', '# # ', '  ', '[    1.000000] ', '#     '];
  const bodies = ['KTAP version 1', 'TAP version 13', '1..3', '1..0', 'ok 1 a', 'ok 2 b # SKIP x', 'not ok 3 c', 'ok', 'not ok 7 d # TODO',
    '# Subtest: s', '# diag', 'Bail out! stop', 'noise', '---', '...', '  ---', '', 'ok 1 a # XFAIL'];
  let seed = 7;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const leaves = (n: KtapNode): number => n.children.reduce((sum, c) => sum + (c.children.length === 0 ? 1 : leaves(c)), 0);
  for (let round = 0; round < 300; round++) {
    const text = Array.from({ length: rand(40) }, () => prefixes[rand(prefixes.length)] + bodies[rand(bodies.length)]).join('\n');
    let nodes = 0;
    const { root, parser } = parse(text, { onTest: () => nodes++ });
    const streamed = parse(text, { retain: false }).parser;
    const ok = leaves(root) === parser.counts.total && streamed.counts.total === parser.counts.total;
    if (!ok || round === 0) t.ok(ok, `round ${round}: counts agree`);
  }
});
