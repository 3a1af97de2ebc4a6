/**
 * Host side of the console framing the agent writes (suites/agent/frame.h):
 *
 *   @hilt <seq> <kind> <crc32> <payload>
 *
 * Lines arrive as latin1 strings (one char per console byte) so that the CRC
 * is checked over the exact bytes sent; payloads are unescaped and decoded as
 * UTF-8 only after that. The decoder is pure and streaming: it tells agent
 * records from kernel printk lines, rejects corrupted frames, reports sequence
 * numbers that never arrived, and mends the common case of a printk message
 * landing in the middle of a frame.
 */
import { crc32 } from 'node:zlib';
import { PRINTK_STAMP_ANYWHERE } from '../console/printk.js';

export const FRAME_PREFIX = '@hilt ';

export interface FrameRecord {
  seq: number;
  kind: string;
  /** Unescaped and decoded as UTF-8 (invalid bytes become U+FFFD). */
  payload: string;
}

export type DecodedLine =
  | { type: 'record'; record: FrameRecord; repaired: boolean }
  /** A line that is not a frame: kernel printk output, firmware, a shell. */
  | { type: 'console'; text: string }
  /** Looked like a frame but failed its checks; its record is lost. */
  | { type: 'corrupt'; text: string; reason: string }
  /** Records from..to (inclusive) never arrived intact. */
  | { type: 'gap'; from: number; to: number };

const HEADER = /^@hilt (\d{1,10}) ([a-z]{1,16}) ([0-9a-f]{8})(?: (.*))?$/s;
/** How many kernel lines may separate the two halves of a cut frame before it is given up. */
const MAX_REPAIR_SPAN = 8;

export function latin1ToUtf8(text: string): string {
  return Buffer.from(text, 'latin1').toString('utf8');
}

export function escapePayload(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x5c) out += '\\\\';
    else if (b === 0x0a) out += '\\n';
    else if (b < 0x20 || b === 0x7f) out += '\\x' + b.toString(16).padStart(2, '0');
    else out += String.fromCharCode(b);
  }
  return out;
}

/** Inverse of the agent's escaping; input and output are latin1 (byte) strings. */
export function unescapePayload(escaped: string): string | null {
  if (escaped.indexOf('\\') < 0) return escaped;
  let out = '';
  for (let i = 0; i < escaped.length; i++) {
    const c = escaped[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = escaped[i + 1];
    if (next === '\\') {
      out += '\\';
      i += 1;
    } else if (next === 'n') {
      out += '\n';
      i += 1;
    } else if (next === 'x' && /^[0-9a-f]{2}$/.test(escaped.slice(i + 2, i + 4))) {
      out += String.fromCharCode(parseInt(escaped.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      return null;
    }
  }
  return out;
}

export function frameCrc(seq: number, kind: string, escapedPayload: string): number {
  return crc32(Buffer.from(`${seq} ${kind} ${escapedPayload}`, 'latin1'));
}

/** Encodes a record as the agent would; used by tests and by anything that replays records. */
export function encodeFrame(seq: number, kind: string, payload: string | Buffer): string {
  const escaped = escapePayload(typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload);
  const crc = frameCrc(seq, kind, escaped).toString(16).padStart(8, '0');
  return `${FRAME_PREFIX}${seq} ${kind} ${crc} ${escaped}`;
}

type Check = { ok: true; record: FrameRecord } | { ok: false; reason: string };

function checkFrame(line: string): Check {
  const m = HEADER.exec(line);
  if (!m) return { ok: false, reason: 'malformed frame header' };
  const seq = Number(m[1]);
  const kind = m[2]!;
  const escaped = m[4] ?? '';
  if (frameCrc(seq, kind, escaped) !== parseInt(m[3]!, 16)) return { ok: false, reason: 'checksum mismatch' };
  const raw = unescapePayload(escaped);
  if (raw === null) return { ok: false, reason: 'bad escape in payload' };
  return { ok: true, record: { seq, kind, payload: latin1ToUtf8(raw) } };
}

export class FrameDecoder {
  private expected = 0;
  /** The head of a frame cut short by a kernel line, waiting for its tail. */
  private pending: { head: string; span: number } | null = null;

  /** Feeds one console line (latin1, no line terminator); returns what it decodes to. */
  push(line: string): DecodedLine[] {
    const out: DecodedLine[] = [];
    if (this.pending) {
      const joined = this.pending.head + line;
      const check = joined.startsWith(FRAME_PREFIX) ? checkFrame(joined) : null;
      if (check?.ok) {
        this.pending = null;
        this.accept(check.record, true, out);
        return out;
      }
      if (!line.startsWith(FRAME_PREFIX) && PRINTK_STAMP_ANYWHERE.test(line) && ++this.pending.span <= MAX_REPAIR_SPAN) {
        out.push({ type: 'console', text: latin1ToUtf8(line) });
        return out;
      }
      out.push({ type: 'corrupt', text: latin1ToUtf8(this.pending.head), reason: 'frame cut short and never completed' });
      this.pending = null;
    }
    const at = line.indexOf(FRAME_PREFIX);
    if (at < 0) {
      out.push({ type: 'console', text: latin1ToUtf8(line) });
      return out;
    }
    if (at > 0) {
      // Something (a printk without newline, a shell prompt) preceded the frame on the same line.
      out.push({ type: 'console', text: latin1ToUtf8(line.slice(0, at)) });
      line = line.slice(at);
    }
    const check = checkFrame(line);
    if (check.ok) {
      this.accept(check.record, false, out);
      return out;
    }
    const stamp = PRINTK_STAMP_ANYWHERE.exec(line);
    if (stamp && stamp.index > FRAME_PREFIX.length) {
      // A kernel message landed inside the frame: keep the head, hand the kernel text on.
      this.pending = { head: line.slice(0, stamp.index), span: 0 };
      out.push({ type: 'console', text: latin1ToUtf8(line.slice(stamp.index)) });
      return out;
    }
    out.push({ type: 'corrupt', text: latin1ToUtf8(line), reason: check.reason });
    return out;
  }

  /** Call at the end of the stream: a frame still waiting for its tail is lost. */
  end(): DecodedLine[] {
    if (!this.pending) return [];
    const head = this.pending.head;
    this.pending = null;
    return [{ type: 'corrupt', text: latin1ToUtf8(head), reason: 'frame cut short at the end of the console stream' }];
  }

  /** The next sequence number expected; after end() it tells how many records arrived in order. */
  get nextSeq(): number {
    return this.expected;
  }

  private accept(record: FrameRecord, repaired: boolean, out: DecodedLine[]): void {
    if (record.seq > this.expected) out.push({ type: 'gap', from: this.expected, to: record.seq - 1 });
    if (record.seq < this.expected) {
      out.push({ type: 'corrupt', text: `seq ${record.seq} after ${this.expected - 1}`, reason: 'sequence number went backwards (replayed or stale record)' });
      return;
    }
    this.expected = record.seq + 1;
    out.push({ type: 'record', record, repaired });
  }
}
