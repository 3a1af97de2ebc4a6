/**
 * Streaming bytes → lines. Pure: it holds at most one partial line, capped.
 *
 * - Lines end at LF; a CR right before the LF is dropped (CRLF consoles), a lone
 *   CR stays in the line (serial consoles print progress bars with it).
 * - Bytes are decoded as UTF-8 with U+FFFD for invalid sequences. LF never occurs
 *   inside a multibyte sequence, so a line's bytes are complete when its LF
 *   arrives and each line decodes on its own, whatever the chunk boundaries.
 *   Decoding line by line (rather than a chunk at once, then slicing) also gives
 *   each line a string of its own: a slice would pin its whole chunk in memory
 *   for as long as anyone keeps the line, or a test name taken from it.
 * - `encoding: 'latin1'` maps each byte to one char (U+0000..U+00FF) instead,
 *   for callers that must see the exact bytes (the agent frames' checksums).
 * - A line over `maxLineBytes` is emitted once, cut on a character boundary, with
 *   a suffix saying how many bytes were dropped; the dropped bytes are counted,
 *   never stored, so an endless line or a NUL flood cannot grow memory.
 */

const LF = 0x0a;
const CR = 0x0d;

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

export interface LineSplitterOptions {
  maxLineBytes?: number;
  /** 'utf-8' (default) or 'latin1': one char per byte, nothing replaced, no BOM dropped. */
  encoding?: 'utf-8' | 'latin1';
}

export function truncationSuffix(droppedBytes: number): string {
  return ` …[line truncated: ${droppedBytes} bytes dropped]`;
}

export class LineSplitter {
  readonly maxLineBytes: number;
  readonly encoding: 'utf-8' | 'latin1';
  private readonly latin1: boolean;
  private _truncatedLines = 0;
  private _droppedBytes = 0;
  // ignoreBOM keeps a U+FEFF inside the stream; only the one opening it is dropped (see emitFirst).
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  /** The partial line: up to maxLineBytes + 1 bytes, the extra one telling "exactly full" from "over". */
  private readonly partial: Uint8Array;
  private partialLen = 0;
  /** Bytes of the partial line beyond what `partial` holds: counted, not kept. */
  private overflow = 0;
  /** The partial line's last byte (-1 when empty), to spot the CR of a CRLF split across chunks. */
  private lastByte = -1;
  private atStart = true;

  constructor(opts: LineSplitterOptions = {}) {
    const max = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    if (!Number.isInteger(max) || max < 4) throw new RangeError(`maxLineBytes must be an integer >= 4, got ${max}`);
    this.maxLineBytes = max;
    this.encoding = opts.encoding ?? 'utf-8';
    this.latin1 = this.encoding === 'latin1';
    this.partial = new Uint8Array(max + 1);
  }

  /** Lines cut short so far. */
  get truncatedLines(): number {
    return this._truncatedLines;
  }

  /** Bytes dropped from those lines so far. */
  get droppedBytes(): number {
    return this._droppedBytes;
  }

  /** Bytes of the current partial line held in memory (never more than maxLineBytes + 1). */
  get bufferedBytes(): number {
    return this.partialLen;
  }

  push(chunk: Uint8Array): string[] {
    const out: string[] = [];
    const n = chunk.length;
    if (n === 0) return out;
    let pos = 0;
    if (this.partialLen > 0 || this.overflow > 0) {
      const nl = chunk.indexOf(LF);
      if (nl < 0) {
        this.hold(chunk, 0, n);
        return out;
      }
      this.hold(chunk, 0, nl);
      out.push(this.takePartial());
      pos = nl + 1;
    }
    const max = this.maxLineBytes;
    for (let nl = chunk.indexOf(LF, pos); nl >= 0; nl = chunk.indexOf(LF, pos)) {
      let stop = nl;
      if (stop > pos && chunk[stop - 1] === CR) stop--;
      if (stop === pos) out.push('');
      else if (stop - pos <= max) out.push(this.decode(chunk, pos, stop));
      else out.push(this.finish(chunk, pos, stop, stop - pos));
      pos = nl + 1;
    }
    if (pos < n) this.hold(chunk, pos, n);
    return this.emitFirst(out);
  }

  /** The last line when the input does not end with LF; resets the splitter for reuse. */
  end(): string[] {
    const out: string[] = [];
    if (this.partialLen > 0 || this.overflow > 0) out.push(this.takePartial());
    this.emitFirst(out);
    this.atStart = true;
    return out;
  }

  private decode(bytes: Uint8Array, start: number, end: number): string {
    if (this.latin1) return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
    return this.decoder.decode(bytes.subarray(start, end));
  }

  private emitFirst(out: string[]): string[] {
    if (this.atStart && out.length > 0 && !this.latin1) {
      this.atStart = false;
      if (out[0].charCodeAt(0) === 0xfeff) out[0] = out[0].slice(1);
    }
    return out;
  }

  /** Appends bytes of the current partial line, keeping no more than the cap. */
  private hold(chunk: Uint8Array, start: number, end: number): void {
    if (end <= start) return;
    this.lastByte = chunk[end - 1];
    const room = this.partial.length - this.partialLen;
    const take = Math.min(room, end - start);
    if (take > 0) {
      this.partial.set(chunk.subarray(start, start + take), this.partialLen);
      this.partialLen += take;
    }
    this.overflow += end - start - take;
  }

  private takePartial(): string {
    let total = this.partialLen + this.overflow;
    let held = this.partialLen;
    if (this.lastByte === CR) {
      total--;
      if (this.overflow === 0) held--;
    }
    const line = this.finish(this.partial, 0, held, total);
    this.partialLen = 0;
    this.overflow = 0;
    this.lastByte = -1;
    return line;
  }

  /**
   * One line whose first `held - start` bytes are in `bytes` (at least the cap's
   * worth when it is too long) and whose full length is `total`.
   */
  private finish(bytes: Uint8Array, start: number, held: number, total: number): string {
    const max = this.maxLineBytes;
    if (total <= max) return this.decode(bytes, start, held);
    let keep = start + max;
    if (!this.latin1) {
      // Cut before a character that would straddle the cut rather than leave half of it.
      for (let back = 0; back < 3 && keep > start && (bytes[keep] & 0xc0) === 0x80; back++) keep--;
      if ((bytes[keep] & 0xc0) === 0x80) keep = start + max;
    }
    const dropped = total - (keep - start);
    this._truncatedLines++;
    this._droppedBytes += dropped;
    return this.decode(bytes, start, keep) + truncationSuffix(dropped);
  }
}
