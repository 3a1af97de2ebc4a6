/**
 * LAVA's job log back into the device's console bytes (pure, streaming).
 *
 * lava-run writes its log to stderr, and a LAVA server serves it at
 * /api/v0.2/jobs/N/logs/, one YAML flow mapping per line (`- ` in front on
 * the server): `{"dt": ..., "lvl": "target", "msg": "<console line>"}`. The
 * dump is YAML, not JSON (`\x1b`, `\e`, `\N` escapes appear): lines are read
 * as JSON where they are JSON, which reads them exactly as YAML does, and
 * with the YAML parser otherwise.
 *
 * What LAVA did to the console on the way (lava_dispatcher/shell.py,
 * ShellLogger.write), and what that means here:
 * - split into lines at `\n`, `\r` dropped, `\n\n` folded: blank lines and
 *   carriage returns are gone; hilt's console reader ignores both anyway.
 * - every `"` escaped as `\"` before the dump: undone here (the inserted
 *   backslash always sits right before the quote, so replacing `\"` with `"`
 *   left to right restores the text exactly). Agent records carry JSON
 *   observations: without this their CRCs would not match.
 * - ESC bytes removed; bytes that are not UTF-8 became U+FFFD (pexpect decodes
 *   with errors=replace). Agent records escape control bytes, so only records
 *   with invalid UTF-8 in a payload are affected: they fail their CRC and are
 *   reported as corrupt, as a damaged record from any console is.
 * - `target` lines are the console while an action reads it; `feedback` lines
 *   are the same console read while LAVA finalises (after the monitor ended).
 */
import YAML from 'yaml';

export interface LavaLogEntry {
  dt: string;
  lvl: string;
  msg: unknown;
  ns?: string;
}

/** How the job ended, from its last `results` entry (definition lava, case job). */
export interface LavaJobEnd {
  result: string;
  errorType: string | null;
  errorMsg: string | null;
}

export type LavaLogEvent =
  | { type: 'console'; bytes: Buffer }
  | { type: 'end'; end: LavaJobEnd }
  /** A line LAVA logged at error level (what went wrong, in LAVA's words). */
  | { type: 'error'; text: string }
  /** An action started or ended (`start: 2 boot-image-retry (timeout 00:02:00) [common]`): progress. */
  | { type: 'action'; text: string }
  | { type: 'bad'; line: string; reason: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One log line as LAVA wrote it, or a reason it is not one. */
export function parseLavaLogLine(line: string): LavaLogEntry | { bad: string } | null {
  let text = line.trim();
  if (text.startsWith('- ')) text = text.slice(2);
  if (!text) return null;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    try {
      data = YAML.parse(text);
    } catch (e) {
      return { bad: `not a YAML mapping: ${(e as Error).message.split('\n')[0]}` };
    }
  }
  if (!isRecord(data) || typeof data.lvl !== 'string') return { bad: 'no lvl field' };
  return { dt: String(data.dt ?? ''), lvl: data.lvl, msg: data.msg, ...(typeof data.ns === 'string' ? { ns: data.ns } : {}) };
}

/** The console line a log entry carries, as the device sent it, or null. */
export function consoleText(entry: LavaLogEntry): string | null {
  if ((entry.lvl !== 'target' && entry.lvl !== 'feedback') || typeof entry.msg !== 'string') return null;
  return entry.msg.replaceAll('\\"', '"');
}

export function jobEnd(entry: LavaLogEntry): LavaJobEnd | null {
  if (entry.lvl !== 'results' || !isRecord(entry.msg)) return null;
  const m = entry.msg;
  if (m.definition !== 'lava' || m.case !== 'job') return null;
  const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  return { result: String(m.result ?? ''), errorType: text(m.error_type), errorMsg: text(m.error_msg) };
}

export function eventsOf(entry: LavaLogEntry): LavaLogEvent[] {
  const line = consoleText(entry);
  if (line !== null) return [{ type: 'console', bytes: Buffer.from(`${line}\n`, 'utf8') }];
  const end = jobEnd(entry);
  if (end) return [{ type: 'end', end }];
  if ((entry.lvl === 'error' || entry.lvl === 'exception') && typeof entry.msg === 'string') return [{ type: 'error', text: entry.msg }];
  if (entry.lvl === 'info' && typeof entry.msg === 'string' && /^(start|end): \d/.test(entry.msg)) return [{ type: 'action', text: entry.msg }];
  return [];
}

/**
 * Reads a LAVA log as it grows, in chunks cut anywhere: lava-run's stderr as
 * it comes, or pages of the server's log. Console bytes of consecutive lines
 * come out as one event.
 */
export class LavaLogReader {
  private partial = '';
  lines = 0;

  push(text: string): LavaLogEvent[] {
    const all = this.partial + text;
    const cut = all.lastIndexOf('\n');
    if (cut < 0) {
      this.partial = all;
      return [];
    }
    this.partial = all.slice(cut + 1);
    return this.read(all.slice(0, cut).split('\n'));
  }

  end(): LavaLogEvent[] {
    const rest = this.partial;
    this.partial = '';
    return rest ? this.read([rest]) : [];
  }

  private read(lines: string[]): LavaLogEvent[] {
    const out: LavaLogEvent[] = [];
    let console: Buffer[] = [];
    const flush = () => {
      if (console.length) out.push({ type: 'console', bytes: Buffer.concat(console) });
      console = [];
    };
    for (const line of lines) {
      const entry = parseLavaLogLine(line);
      if (entry === null) continue;
      this.lines++;
      if ('bad' in entry) {
        flush();
        out.push({ type: 'bad', line, reason: entry.bad });
        continue;
      }
      for (const e of eventsOf(entry)) {
        if (e.type === 'console') console.push(e.bytes);
        else {
          flush();
          out.push(e);
        }
      }
    }
    flush();
    return out;
  }
}

/** A whole log at once: the console bytes, how the job ended, LAVA's error lines. */
export function readLavaLog(text: string): { console: Buffer; end: LavaJobEnd | null; errors: string[]; bad: { line: string; reason: string }[] } {
  const reader = new LavaLogReader();
  const events = [...reader.push(text), ...reader.end()];
  const console: Buffer[] = [];
  let end: LavaJobEnd | null = null;
  const errors: string[] = [];
  const bad: { line: string; reason: string }[] = [];
  for (const e of events) {
    if (e.type === 'console') console.push(e.bytes);
    else if (e.type === 'end') end = e.end;
    else if (e.type === 'error') errors.push(e.text);
    else if (e.type === 'bad') bad.push({ line: e.line, reason: e.reason });
  }
  return { console: Buffer.concat(console), end, errors, bad };
}
