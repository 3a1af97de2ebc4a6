/**
 * Two runs side by side (hilt compare OLD NEW, hilt run --compare OLD):
 * which cases were fixed, regressed, added, vanished or otherwise changed,
 * and, below the verdicts, every observed value that changed (an errno, a
 * capability, a size, a flag) even where both runs passed: the UAPI
 * behaviour diff between two kernels. Pure.
 *
 * Observations are paired by where they were seen (suite/case and subtest)
 * and by type, in the order the suite printed them: hilt's suites print the
 * same observations in the same order on every run. Values that differ on
 * every run (timestamps, elapsed times) are left out.
 */
import type { CaseChange, CaseResult, Comparison, ObservationChange, RunResult, Status } from '../results/model.js';
import { OK_STATUSES } from '../results/model.js';
import type { Baseline } from './baseline.js';

/** Field names whose values change from run to run on the same kernel: times. */
export const VOLATILE_FIELD = /^(timestamp|elapsed)|(_ns|_us|_ms|Ns|Us|Ms)$/;

export interface CompareOptions {
  /** Where the old run was read from, for the report. */
  source: string;
  /** Its acknowledgedChanges and its rule for observation changes. */
  baseline?: Baseline;
  /** Whether an observed value is left out of the diff; default: VOLATILE_FIELD on its field name. */
  volatile?: (type: string, field: string) => boolean;
}

const failing = (s: Status) => !OK_STATUSES.has(s);

/** Cases by suite/case; a name printed twice by one program gets #2, #3... */
export function casesByName(run: RunResult): Map<string, CaseResult> {
  const out = new Map<string, CaseResult>();
  for (const s of run.suites) {
    for (const c of s.cases) {
      const base = `${s.name}/${c.name}`;
      let key = base;
      for (let n = 2; out.has(key); n++) key = `${base}#${n}`;
      out.set(key, c);
    }
  }
  return out;
}

/** Keys that name an observation among others of its type, in the order tried. */
const NAMING_FIELDS = ['cap', 'ioctl', 'misuse', 'scenario', 'probe', 'what', 'stage', 'usage', 'heap', 'into', 'flags', 'source', 'name', 'requested'];

function describeWhich(i: number, data: unknown): string {
  const d = data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  const names = NAMING_FIELDS.filter((k) => typeof d[k] === 'string' || typeof d[k] === 'number')
    .slice(0, 2)
    .map((k) => `${k}=${d[k]}`);
  return `#${i + 1}${names.length ? ` (${names.join(', ')})` : ''}`;
}

const pointerPart = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Every leaf that differs between a and b, as JSON Pointers; absent counts as null. */
function diffValues(a: unknown, b: unknown, path: string, skip: (field: string) => boolean, out: { path: string; old: unknown; new: unknown }[]): void {
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!skip(k)) diffValues(a[k] ?? null, b[k] ?? null, `${path}/${pointerPart(k)}`, skip, out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) diffValues(i < a.length ? a[i] : null, i < b.length ? b[i] : null, `${path}/${i}`, skip, out);
    return;
  }
  if (a === b) return;
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b)) return;
  out.push({ path, old: a, new: b });
}

function byType(c: CaseResult): Map<string, unknown[]> {
  const m = new Map<string, unknown[]>();
  for (const o of c.observations) {
    const list = m.get(o.type);
    if (list) list.push(o.data);
    else m.set(o.type, [o.data]);
  }
  return m;
}

function diffCase(where: string, a: CaseResult | null, b: CaseResult | null, volatile: (type: string, field: string) => boolean, out: ObservationChange[]): void {
  const ta = a ? byType(a) : new Map<string, unknown[]>();
  const tb = b ? byType(b) : new Map<string, unknown[]>();
  for (const type of new Set([...ta.keys(), ...tb.keys()])) {
    const la = ta.get(type) ?? [];
    const lb = tb.get(type) ?? [];
    for (let i = 0; i < Math.max(la.length, lb.length); i++) {
      const which = describeWhich(i, i < lb.length ? lb[i] : la[i]);
      if (i >= la.length || i >= lb.length) {
        out.push({ case: where, type, which, path: '', old: i < la.length ? la[i] : null, new: i < lb.length ? lb[i] : null });
        continue;
      }
      const leaves: { path: string; old: unknown; new: unknown }[] = [];
      diffValues(la[i], lb[i], '', (field) => volatile(type, field), leaves);
      for (const l of leaves) out.push({ case: where, type, which, ...l });
    }
  }
  const subs = new Map<string, [CaseResult | null, CaseResult | null]>();
  for (const s of a?.subtests ?? []) subs.set(s.name, [s, null]);
  for (const s of b?.subtests ?? []) subs.set(s.name, [subs.get(s.name)?.[0] ?? null, s]);
  for (const [name, [sa, sb]] of subs) diffCase(`${where}/${name}`, sa, sb, volatile, out);
}

function acknowledge(changes: ObservationChange[], baseline: Baseline | undefined): void {
  const acks = (baseline?.acknowledged ?? []).map((a) => ({ ...a, re: a.case !== undefined ? new RegExp(a.case) : null }));
  if (!acks.length) return;
  for (const c of changes) {
    const hit = acks.find((a) => (!a.re || a.re.test(c.case)) && (a.type === undefined || a.type === c.type) && (!a.path || c.path === a.path || c.path.startsWith(`${a.path}/`)));
    if (hit) c.acknowledged = `${hit.reason}${hit.reference ? ` [${hit.reference}]` : ''} (${hit.source})`;
  }
}

export function compareRuns(old: RunResult, next: RunResult, o: CompareOptions): Comparison {
  const volatile = o.volatile ?? ((_type: string, field: string) => VOLATILE_FIELD.test(field));
  const before = casesByName(old);
  const after = casesByName(next);
  const cmp: Comparison = {
    against: { id: old.id, kernel: old.environment.kernel?.release ?? '', source: o.source },
    fixed: [],
    regressed: [],
    added: [],
    vanished: [],
    changed: [],
    observations: [],
    uapiRule: o.baseline?.observationChanges ?? 'report',
    uapiBlocks: false,
  };
  const change = (name: string, a: CaseResult | undefined, b: CaseResult | undefined): CaseChange => ({ case: name, old: a?.status ?? null, new: b?.status ?? null });
  for (const [name, b] of after) {
    const a = before.get(name);
    if (!a) {
      cmp.added.push(change(name, a, b));
      continue;
    }
    if (!failing(a.status) && failing(b.status)) cmp.regressed.push(change(name, a, b));
    else if (failing(a.status) && b.status === 'pass') cmp.fixed.push(change(name, a, b));
    else if (a.status !== b.status) cmp.changed.push(change(name, a, b));
    diffCase(name, a, b, volatile, cmp.observations);
  }
  for (const [name, a] of before) if (!after.has(name)) cmp.vanished.push(change(name, a, undefined));
  acknowledge(cmp.observations, o.baseline);
  cmp.uapiBlocks = cmp.uapiRule === 'empty' ? cmp.observations.length > 0 : cmp.uapiRule === 'acknowledged' ? cmp.observations.some((c) => !c.acknowledged) : false;
  return cmp;
}

const show = (v: unknown) => (v === null ? 'absent' : typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v));

/** One line for an observation change: "drm-core/get-cap/card0 drm.cap #1 (cap=DRM_CAP_DUMB_BUFFER) /errno: 95 -> 0". */
export function describeObservationChange(c: ObservationChange): string {
  const what = c.path ? `${c.path}: ${show(c.old)} -> ${show(c.new)}` : c.old === null ? `new: ${show(c.new)}` : `gone: ${show(c.old)}`;
  return `${c.case} ${c.type} ${c.which} ${what}${c.acknowledged ? `  [acknowledged: ${c.acknowledged}]` : ''}`;
}

/** The comparison as text for a terminal. */
export function comparisonText(cmp: Comparison, max = 200): string {
  const lines: string[] = [`compared with ${cmp.against.source} (run ${cmp.against.id}, kernel ${cmp.against.kernel || 'unknown'})`];
  const section = (title: string, list: CaseChange[]) => {
    lines.push(`${title}: ${list.length}`);
    for (const c of list.slice(0, max)) lines.push(`  ${c.case}: ${c.old ?? 'absent'} -> ${c.new ?? 'absent'}`);
    if (list.length > max) lines.push(`  ... and ${list.length - max} more`);
  };
  section('regressed', cmp.regressed);
  section('fixed', cmp.fixed);
  section('new cases', cmp.added);
  section('vanished cases', cmp.vanished);
  section('other status changes', cmp.changed);
  const unack = cmp.observations.filter((c) => !c.acknowledged).length;
  lines.push(`observed values that changed: ${cmp.observations.length}${cmp.observations.length ? ` (${unack} not acknowledged by the baseline)` : ''}; rule: ${cmp.uapiRule}${cmp.uapiBlocks ? ' — BROKEN' : ''}`);
  for (const c of cmp.observations.slice(0, max)) lines.push(`  ${describeObservationChange(c)}`);
  if (cmp.observations.length > max) lines.push(`  ... and ${cmp.observations.length - max} more`);
  return lines.join('\n');
}

/** Whether the comparison should fail whoever asked for it: a regression, a new failing case, or observation changes the baseline forbids. */
export function comparisonFails(cmp: Comparison): boolean {
  return cmp.regressed.length > 0 || cmp.added.some((c) => c.new !== null && failing(c.new)) || cmp.uapiBlocks;
}
