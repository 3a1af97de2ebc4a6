/**
 * The gate's part of the terminal summary: the count of each class, then the
 * cases of every class but pass and skip with why, and under each failure
 * the command line that reproduces it. Pure: lines out, the caller prints.
 */
import type { CaseResult, GateClass, RunResult } from '../results/model.js';
import { CLASS_WORDS, classCountsLine, countClasses, gateBlocks, gateClassOf } from './classify.js';
import { shellQuote } from './repro.js';

const SHOWN: GateClass[] = ['new-failure', 'unexpected-pass', 'flake', 'expected-failure'];

function firstLine(s: string): string {
  const line = s.split('\n', 1)[0] ?? '';
  return line.length > 240 ? `${line.slice(0, 240)}…` : line;
}

export function gateSummary(run: RunResult, o: { max?: number } = {}): string[] {
  const max = o.max ?? 20;
  const counts = run.gate?.counts ?? countClasses(run);
  const sources = run.gate?.sources.length ? ` (expectations from ${run.gate.sources.join(', ')})` : '';
  const verdict = gateBlocks(run) ? `fails: ${run.gate?.blocking ?? counts['new-failure']} blocking case${(run.gate?.blocking ?? 0) === 1 ? '' : 's'}${run.gate?.comparison?.uapiBlocks ? ' and observation changes the baseline does not allow' : ''}` : 'passes';
  const lines = [`gate: ${classCountsLine(counts)}${sources}; the gate ${verdict}`];
  const byClass = new Map<GateClass, [string, CaseResult][]>();
  for (const s of run.suites) {
    for (const c of s.cases) {
      const k = gateClassOf(c);
      if (!SHOWN.includes(k)) continue;
      const list = byClass.get(k) ?? [];
      list.push([s.name, c]);
      byClass.set(k, list);
    }
  }
  for (const k of SHOWN) {
    const list = byClass.get(k) ?? [];
    for (const [suite, c] of list.slice(0, max)) {
      const why = c.gate?.reason || c.message;
      const blocks = k === 'unexpected-pass' && c.gate?.blocks ? ' (blocks)' : '';
      lines.push(`  ${CLASS_WORDS[k][0]}${blocks}: ${suite}/${c.name} (${c.status})${why ? ` — ${firstLine(why)}` : ''}`);
      if (c.gate?.repro && k !== 'expected-failure') lines.push(`    reproduce: ${shellQuote(c.gate.repro)}`);
    }
    if (list.length > max) lines.push(`  … and ${list.length - max} more ${CLASS_WORDS[k][1]} (report.html lists them all)`);
  }
  const cmp = run.gate?.comparison;
  if (cmp) {
    const unack = cmp.observations.filter((c) => !c.acknowledged).length;
    lines.push(
      `compared with ${cmp.against.source}: ${cmp.regressed.length} regressed, ${cmp.fixed.length} fixed, ${cmp.added.length} new, ${cmp.vanished.length} vanished, ${cmp.changed.length} other changes; ${cmp.observations.length} observed values changed (${unack} not acknowledged; rule ${cmp.uapiRule})`,
    );
  }
  return lines;
}
