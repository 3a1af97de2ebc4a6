/**
 * The typed meaning of each agent record (suites/agent/PROTOCOL.md). Parsing
 * is strict: a payload that does not fit its kind becomes an 'unknown' record
 * carrying the raw text, so a newer agent never crashes an older host.
 */
import type { FrameRecord } from './frame.js';

export type AgentRecord =
  | { kind: 'hello'; mode: string; release: string; start: number; tests: number; fields: Record<string, string> }
  | { kind: 'kmsg'; level: number; facility: number; tsUs: number; text: string }
  | { kind: 'mod'; module: string; result: 'ok' | 'present' | 'err'; ms: number; errno: number; message: string }
  | { kind: 'spawn'; suite: string; pid: number }
  | { kind: 'begin'; index: number }
  /** Output of the running suite process: the whole lines read at once (a CR before each LF taken off). */
  | { kind: 'out' | 'err'; lines: string[] }
  | { kind: 'end'; index: number; ms: number }
  | { kind: 'timeout'; index: number; timeoutMs: number }
  | { kind: 'exit'; suite: string; code: number | null; signal: number | null; ms: number }
  | { kind: 'notrun'; index: number; reason: string }
  | { kind: 'hb'; uptimeMs: number }
  | { kind: 'note'; text: string }
  | { kind: 'done'; ran: number }
  /** The kernel's taint mask now (/proc/sys/kernel/tainted): first after the modules load, then whenever it changes. */
  | { kind: 'taint'; mask: number }
  /** Lockdep's debug_locks switched (off: it found a bug and stopped checking). */
  | { kind: 'lockdep'; on: boolean }
  /** A stuck task of a test the agent is about to kill: its state, wchan and kernel stack. */
  | { kind: 'stack'; index: number; text: string }
  /** hilt.mode=serve: waiting for the host to hand out tests; it has this many planned. */
  | { kind: 'ready'; tests: number }
  /** hilt.mode=serve: the tests start..start+count-1 the host handed out run now, in order. */
  | { kind: 'unit'; start: number; count: number }
  /** What the machine is, said once after the modules load: see Inventory. */
  | { kind: 'inv'; item: InventoryItem }
  | { kind: 'unknown'; rawKind: string; payload: string; damaged: boolean };

/** One line of the machine's inventory. */
export type InventoryItem =
  /** A display controller, 3D controller or processing accelerator on PCI: ids as lowercase hex, driver '-' when unbound. */
  | { what: 'pci'; slot: string; vendor: string; device: string; subsystemVendor: string; subsystemDevice: string; class: string; driver: string; firmware: Record<string, string> }
  /** A DRM or accel node and what DRM_IOCTL_VERSION said (driver null and the error when it could not be asked). */
  | { what: 'node'; path: string; driver: string | null; version: string | null; error: string | null }
  /** A file the plan asked about (`path` lines: nodes the suites require): error null when it exists. */
  | { what: 'path'; path: string; error: string | null }
  | { what: 'cmdline'; cmdline: string };

/** Splits off n space-separated words; the rest of the payload is the last element. */
function words(payload: string, n: number): string[] | null {
  const out: string[] = [];
  let rest = payload;
  for (let i = 0; i < n; i++) {
    const sp = rest.indexOf(' ');
    if (sp < 0) {
      if (i === n - 1) {
        out.push(rest);
        rest = '';
        break;
      }
      return null;
    }
    out.push(rest.slice(0, sp));
    rest = rest.slice(sp + 1);
  }
  out.push(rest);
  return out;
}

const KNOWN_KINDS = new Set(['hello', 'kmsg', 'mod', 'spawn', 'begin', 'out', 'err', 'end', 'timeout', 'exit', 'notrun', 'hb', 'note', 'done', 'taint', 'lockdep', 'stack', 'inv', 'ready', 'unit']);

const HEX_PAIR = /^([0-9a-f]{4}):([0-9a-f]{4})$/;

function inventoryItem(p: string): InventoryItem | null {
  const w = p.split(' ');
  if (w[0] === 'cmdline') return { what: 'cmdline', cmdline: p.slice('cmdline '.length) };
  if (w[0] === 'path' && w[1] && w[2]) {
    if (w[2] === 'ok') return { what: 'path', path: w[1], error: null };
    return w[2] === '-' ? { what: 'path', path: w[1], error: w.slice(3).join(' ') || 'absent' } : null;
  }
  if (w[0] === 'node' && w[1] && w[2]) {
    if (w[2] === '-') return { what: 'node', path: w[1], driver: null, version: null, error: w.slice(3).join(' ') };
    return /^\d+\.\d+\.\d+$/.test(w[3] ?? '') ? { what: 'node', path: w[1], driver: w[2], version: w[3]!, error: null } : null;
  }
  if (w[0] === 'pci' && w.length >= 6) {
    const id = HEX_PAIR.exec(w[2]!);
    const sub = HEX_PAIR.exec(w[3]!);
    if (!id || !sub || !/^[0-9a-f]{6}$/.test(w[4]!)) return null;
    const firmware: Record<string, string> = {};
    for (const kv of w.slice(6)) {
      const eq = kv.indexOf('=');
      if (eq > 0) firmware[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    return { what: 'pci', slot: w[1]!, vendor: id[1]!, device: id[2]!, subsystemVendor: sub[1]!, subsystemDevice: sub[2]!, class: w[4]!, driver: w[5]!, firmware };
  }
  return null;
}

const int = (s: string | undefined): number | null => (s !== undefined && /^-?\d+$/.test(s) ? Number(s) : null);

export function parseRecord(rec: FrameRecord): AgentRecord {
  const unknown: AgentRecord = { kind: 'unknown', rawKind: rec.kind, payload: rec.payload, damaged: KNOWN_KINDS.has(rec.kind) };
  const p = rec.payload;
  switch (rec.kind) {
    case 'hello': {
      const fields: Record<string, string> = {};
      for (const w of p.split(' ')) {
        const eq = w.indexOf('=');
        if (eq > 0) fields[w.slice(0, eq)] = w.slice(eq + 1);
      }
      return {
        kind: 'hello',
        mode: fields.mode ?? 'run',
        release: fields.release ?? '',
        start: int(fields.start) ?? 0,
        tests: int(fields.tests) ?? 0,
        fields,
      };
    }
    case 'kmsg': {
      const w = words(p, 2);
      const prio = int(w?.[0]);
      const ts = int(w?.[1]);
      if (!w || prio === null || ts === null) return unknown;
      return { kind: 'kmsg', level: prio & 7, facility: prio >> 3, tsUs: ts, text: w[2] ?? '' };
    }
    case 'mod': {
      const w = p.split(' ');
      const [module, result] = w;
      if (!module || (result !== 'ok' && result !== 'present' && result !== 'err')) return unknown;
      if (int(w[2]) === null) return unknown;
      if (result === 'err') return { kind: 'mod', module, result, ms: 0, errno: int(w[2])!, message: w.slice(3).join(' ') };
      return { kind: 'mod', module, result, ms: int(w[2])!, errno: 0, message: '' };
    }
    case 'spawn': {
      const [suite, pid] = p.split(' ');
      return suite && int(pid) !== null ? { kind: 'spawn', suite, pid: int(pid)! } : unknown;
    }
    case 'begin': {
      const index = int(p.split(' ')[0]);
      return index !== null ? { kind: 'begin', index } : unknown;
    }
    case 'out':
    case 'err':
      return { kind: rec.kind, lines: p.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)) };
    case 'end': {
      const [index, ms] = p.split(' ');
      return int(index) !== null && int(ms) !== null ? { kind: 'end', index: int(index)!, ms: int(ms)! } : unknown;
    }
    case 'timeout': {
      const [index, ms] = p.split(' ');
      return int(index) !== null && int(ms) !== null ? { kind: 'timeout', index: int(index)!, timeoutMs: int(ms)! } : unknown;
    }
    case 'exit': {
      const [suite, how, value, ms] = p.split(' ');
      const v = int(value);
      if (!suite || v === null || int(ms) === null || (how !== 'code' && how !== 'signal')) return unknown;
      return { kind: 'exit', suite, code: how === 'code' ? v : null, signal: how === 'signal' ? v : null, ms: int(ms)! };
    }
    case 'notrun': {
      const w = words(p, 1);
      return w && int(w[0]) !== null ? { kind: 'notrun', index: int(w[0])!, reason: w[1] ?? '' } : unknown;
    }
    case 'hb':
      return int(p) !== null ? { kind: 'hb', uptimeMs: int(p)! } : unknown;
    case 'note':
      return { kind: 'note', text: p };
    case 'done':
      return int(p) !== null ? { kind: 'done', ran: int(p)! } : unknown;
    case 'taint':
      return int(p) !== null && int(p)! >= 0 ? { kind: 'taint', mask: int(p)! } : unknown;
    case 'lockdep':
      return p === 'on' || p === 'off' ? { kind: 'lockdep', on: p === 'on' } : unknown;
    case 'ready':
      return int(p) !== null ? { kind: 'ready', tests: int(p)! } : unknown;
    case 'unit': {
      const [start, count] = p.split(' ');
      return int(start) !== null && int(count) !== null ? { kind: 'unit', start: int(start)!, count: int(count)! } : unknown;
    }
    case 'inv': {
      const item = inventoryItem(p);
      return item ? { kind: 'inv', item } : unknown;
    }
    case 'stack': {
      const w = words(p, 1);
      return w && int(w[0]) !== null && w[1] ? { kind: 'stack', index: int(w[0])!, text: w[1] } : unknown;
    }
    default:
      return unknown;
  }
}
