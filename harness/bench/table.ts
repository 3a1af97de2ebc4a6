/** A plain text table for the bench: sections of rows, each a measurement and, where there is one, its target and verdict. */
export interface Row {
  label: string;
  value: string;
  /** e.g. "<= 1.15"; empty for a row that is information only. */
  target?: string;
  /** true PASS, false MISS, undefined: no target. */
  pass?: boolean;
}

export interface Section {
  title: string;
  rows: Row[];
  notes?: string[];
}

export const fmtS = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
export const fmtMs = (ms: number) => `${Math.round(ms)} ms`;
export const fmtMiB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function renderTable(sections: Section[]): string {
  const all = sections.flatMap((s) => s.rows);
  const w0 = Math.max(20, ...all.map((r) => r.label.length));
  const w1 = Math.max(11, ...all.map((r) => r.value.length));
  const w2 = Math.max(6, ...all.map((r) => (r.target ?? '').length));
  const line = (a: string, b: string, c: string, d: string) => `  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c.padEnd(w2)}  ${d}`.trimEnd();
  const out: string[] = [];
  for (const s of sections) {
    out.push('', s.title, line('', 'measured', 'target', ''), `  ${'-'.repeat(w0 + w1 + w2 + 12)}`);
    for (const r of s.rows) out.push(line(r.label, r.value, r.target ?? '', r.pass === undefined ? '' : r.pass ? 'PASS' : 'MISS'));
    for (const n of s.notes ?? []) out.push(`  ${n}`);
  }
  return out.join('\n') + '\n';
}
