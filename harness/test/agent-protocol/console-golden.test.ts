/**
 * A real console, byte for byte (console-1.log of a QEMU run in which the
 * kernel panicked during faults/panic): frames, kernel printk lines, the
 * panic and the log it printed again, CRLF line ends, in any chunking.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { type DecodedLine, FrameDecoder } from '../../src/agent-protocol/frame.js';
import { parseRecord } from '../../src/agent-protocol/records.js';
import { classifyKernelLine } from '../../src/console/kernel-events.js';
import { markerOf } from '../../src/agent-protocol/markers.js';
import { LineSplitter } from '../../src/text/line-splitter.js';
import { ROOT } from '../helpers.js';

const bytes = readFileSync(join(ROOT, 'harness/test/fixtures/console/qemu-panic-mid-run/console.log'));

function decode(chunk: number): DecodedLine[] {
  const splitter = new LineSplitter({ encoding: 'latin1' });
  const decoder = new FrameDecoder();
  const out: DecodedLine[] = [];
  for (let i = 0; i < bytes.length; i += chunk) for (const l of splitter.push(bytes.subarray(i, i + chunk))) out.push(...decoder.push(l));
  for (const l of splitter.end()) out.push(...decoder.push(l));
  out.push(...decoder.end());
  return out;
}

t.test('every record of a real boot decodes, in order, whatever the chunking', async (t) => {
  const whole = decode(bytes.length);
  for (const size of [1, 7, 4096]) t.same(decode(size), whole, `chunks of ${size} bytes`);
  const records = whole.flatMap((d) => (d.type === 'record' ? [d.record] : []));
  t.same(records.map((r) => r.seq), records.map((_, i) => i), 'sequence numbers without a gap');
  t.notOk(whole.some((d) => d.type === 'corrupt' || d.type === 'gap'), 'nothing corrupted');
  const typed = records.map(parseRecord);
  t.match(typed[0], { kind: 'hello', mode: 'run', release: /^6\.12\./ });
  t.ok(typed.some((r) => r.kind === 'mod' && r.module === 'vgem.ko' && r.result === 'ok'), 'vgem loaded');
  // The panic took the agent's last records with it (faults/panic is test 4): the markers below tell.
  t.ok(typed.filter((r) => r.kind === 'begin').every((r) => (r as { index: number }).index < 4), 'no record of a test after the panic');
});

t.test('the kernel lines around the frames tell the panic, and replay the log with the case markers', async (t) => {
  const text = decode(bytes.length).flatMap((d) => (d.type === 'console' ? [d.text] : []));
  t.same(text.map(classifyKernelLine).filter(Boolean)[0], 'panic');
  t.ok(text.some((l) => l.includes('sysrq: Trigger a crash')));
  const markers = text.flatMap((l) => markerOf(l) ?? []);
  t.same(markers, ['drm-core/version', 'faults/pass', 'faults/kmsg-warn', 'faults/panic'], 'panic_print=0x20 printed the markers of every case that began');
  t.ok(text.every((l) => !l.endsWith('\r')), 'CRLF line ends are taken off');
});
