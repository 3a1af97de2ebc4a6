/**
 * Mesa CI / deqp-runner expectation lists: read into baseline entries as a
 * person reads them (the comment above a block is its reason), written back
 * so deqp-runner still takes them, and round trips. The lists in fixtures/
 * are written after Mesa's own (deqp-*-fails.txt, -flakes.txt, -skips.txt).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { BASELINE_SCHEMA } from '../../src/gate/baseline.js';
import { exportLists, formatList, importLists, parseList } from '../../src/gate/expectations.js';
import { SchemaRegistry } from '../../src/schemas/registry.js';
import { ROOT } from '../helpers.js';

const FIXTURES = join(ROOT, 'harness/test/gate/fixtures');
const read = (f: string) => readFileSync(join(FIXTURES, f), 'utf8');

t.test('a fails list: name,Status lines, the comments above a block its reason', async (t) => {
  const entries = parseList('fails', read('mesa-fails.txt'), 'mesa-fails.txt');
  const bug = 'https://gitlab.freedesktop.org/mesa/mesa/-/issues/4242';
  const hang = 'Hangs the GPU on first use after resume\n(bisected to the scheduler change in 6.11)';
  t.same(entries, [
    { case: 'dEQP-GLES2.functional.clipping.point.wide_point_clip', reason: bug },
    { case: 'dEQP-GLES2.functional.clipping.point.wide_point_clip_viewport_center', reason: bug },
    { case: 'dEQP-GLES3.functional.fbo.msaa.2_samples.depth24_stencil8', status: 'crash', reason: hang },
    { case: 'dEQP-VK.memory.allocation.random.1', status: 'timeout', reason: hang },
    { case: 'piglit@spec@arb_timer_query@timestamp-get', status: 'warn', reason: hang },
    { case: 'igt@kms_flip@flip-vs-suspend', status: 'incomplete', reason: hang },
    { case: 'dEQP-GLES31.functional.image_load_store.with,comma', reason: hang },
  ]);
});

t.test('flakes and skips lists: regular expressions; ^name$ with escapes is an exact name', async (t) => {
  t.same(parseList('flakes', read('mesa-flakes.txt'), 'mesa-flakes.txt'), [
    { pattern: 'dEQP-GLES31.functional.layout_binding.ssbo.fragment_binding_array', reason: 'Flakes reported more than once during Jan-Feb 2020' },
    { pattern: 'dEQP-VK.pipeline.spec_constant.compute.composite.matrix.mat3x2', reason: 'Flakes reported more than once during Jan-Feb 2020' },
    { pattern: 'dEQP-GLES[0-9]*.functional.flush_finish.*', reason: 'Sysmem flakes' },
  ]);
  t.same(parseList('skips', read('mesa-skips.txt'), 'mesa-skips.txt'), [
    { pattern: 'dEQP-GLES[0-9]*.performance.*', reason: 'Skip the perf/stress tests to keep runtime manageable' },
    { pattern: 'dEQP-GLES[0-9]*.stress.*', reason: 'Skip the perf/stress tests to keep runtime manageable' },
    { case: 'dEQP-VK.api.smoke.triangle', reason: 'Skip the perf/stress tests to keep runtime manageable' },
  ]);
  t.same(parseList('flakes', 'a.b\n', 'x-flakes.txt'), [{ pattern: 'a.b', reason: 'imported from x-flakes.txt, which gives no reason' }], 'no comment: the reason says so');
});

t.test('round trip: every list reads, writes and reads back to the same entries; a written list reads back to what was written', async (t) => {
  for (const [kind, file] of [
    ['fails', 'mesa-fails.txt'],
    ['flakes', 'mesa-flakes.txt'],
    ['skips', 'mesa-skips.txt'],
  ] as const) {
    const once = parseList(kind, read(file), file);
    const text = formatList(kind, once);
    t.same(parseList(kind, text, file), once, `${file}: read, written, read again`);
    t.equal(formatList(kind, parseList(kind, text, file)), text, `${file}: the written list is stable`);
  }
  // What the Mesa format cannot say travels in a note deqp-runner reads as a comment.
  const rich = [
    { case: 'dma-buf/mmap-offset', status: 'dmesg-fail' as const, driver: 'vgem', reason: 'shmem helpers ignore vm_pgoff\n\nsee the thread', reference: 'https://lore.kernel.org/x' },
    { case: 'faults/kmsg-warn', status: 'dmesg-warn' as const, reason: 'shmem helpers ignore vm_pgoff\n\nsee the thread' },
    { case: 'odd name,with commas', reason: 'another' },
  ];
  const text = formatList('fails', rich);
  t.equal(
    text,
    [
      '# shmem helpers ignore vm_pgoff',
      '#',
      '# see the thread',
      '# hilt: {"status":"dmesg-fail","driver":"vgem","reference":"https://lore.kernel.org/x"}',
      'dma-buf/mmap-offset,Fail',
      '# hilt: {"status":"dmesg-warn"}',
      'faults/kmsg-warn,Warn',
      '',
      '# another',
      'odd name,with commas,Fail',
      '',
    ].join('\n'),
    'written line by line as expected',
  );
  t.same(parseList('fails', text, 'x'), rich, 'and read back whole');
  const flakes = [
    { case: 'suite/case.with[meta]*chars', driver: 'virtio_gpu', reason: 'r' },
    { pattern: '^igt@gem_.*$', reason: 'r' },
  ];
  t.equal(formatList('flakes', flakes), '# r\n# hilt: {"driver":"virtio_gpu"}\n^suite/case\\.with\\[meta\\]\\*chars$\n^igt@gem_.*$\n');
  t.same(parseList('flakes', formatList('flakes', flakes), 'x'), flakes, 'an exact name survives as an exact name, a pattern as a pattern');
});

t.test('import: the three lists as one baseline the schema accepts; export: back to the three lists', async (t) => {
  const doc = importLists('radv-navi10', [
    { kind: 'fails', text: read('mesa-fails.txt'), file: 'mesa-fails.txt' },
    { kind: 'flakes', text: read('mesa-flakes.txt'), file: 'mesa-flakes.txt' },
    { kind: 'skips', text: read('mesa-skips.txt'), file: 'mesa-skips.txt' },
  ]);
  t.same([doc.name, doc.expectedFailures?.length, doc.flakes?.length, doc.skips?.length], ['radv-navi10', 7, 3, 3]);
  t.same(new SchemaRegistry().validate(BASELINE_SCHEMA, doc), [], 'a valid baseline');
  const lists = exportLists(doc);
  t.same(parseList('fails', lists.fails, 'mesa-fails.txt'), parseList('fails', read('mesa-fails.txt'), 'mesa-fails.txt'));
  t.same(parseList('flakes', lists.flakes, 'mesa-flakes.txt'), parseList('flakes', read('mesa-flakes.txt'), 'mesa-flakes.txt'));
  t.same(parseList('skips', lists.skips, 'mesa-skips.txt'), parseList('skips', read('mesa-skips.txt'), 'mesa-skips.txt'));
  t.same(lists.left, []);
  t.same(exportLists({ ...doc, rules: { unexpectedPass: 'block' }, acknowledgedChanges: [{ reason: 'x' }] }).left, ['rules (unexpectedPass: block)', '1 acknowledged observation change(s)'], 'what the lists cannot hold is named');
});

t.test('what a list cannot be is refused, naming the file and line', async (t) => {
  t.throws(() => parseList('fails', '# ok\nx,Fail\ny,Broken\n', 'a-fails.txt'), { kind: 'usage', message: "a-fails.txt:3: status 'Broken' of y is not one hilt knows" });
  t.throws(() => parseList('fails', 'no-status\n', 'a-fails.txt'), { kind: 'usage', message: /a-fails\.txt:1: 'no-status' is not a name,Status line/ });
  t.throws(() => parseList('skips', 'dEQP-(unclosed\n', 'a-skips.txt'), { kind: 'usage', message: /a-skips\.txt:1: \/dEQP-\(unclosed\/ is not a valid regular expression/ });
  t.throws(() => parseList('skips', '# hilt: {"driver":"vgem"}\nx\n', 'a-skips.txt'), { kind: 'usage', message: /a-skips\.txt:1: hilt note field driver="vgem" is not one a skips list can carry/ });
  t.throws(() => parseList('fails', '# hilt: {"status":"crash"}\nx,Fail\n', 'a-fails.txt'), { kind: 'usage', message: /the hilt note says crash, which is not written Fail/ });
  t.throws(() => formatList('fails', [{ pattern: 'a.*', reason: 'r' }]), { kind: 'usage', message: /expected failure \/a\.\*\/ is a pattern; a fails list names cases exactly/ });
  t.same(parseList('fails', '# hilt: is a word here, not a note\nx,Fail\n', 'f'), [{ case: 'x', reason: 'hilt: is a word here, not a note' }], 'a comment that only starts like a note is a comment');
});
