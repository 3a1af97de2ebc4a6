/**
 * `hilt baseline update`: the baseline a run implies, for a reviewer to
 * commit. Starting from the baseline the run was judged against, a new
 * failure becomes an expected failure (with the status it ended with and a
 * reason to fill in), an unknown flake becomes a flake entry, an unexpected
 * pass drops its entry, and an expected failure that now fails more mildly
 * gets its status updated. Entries naming cases the run did not run stay.
 * Pure: a judged run and a document in, a document and a list of changes out.
 */
import { driverOf } from '../results/known-issues.js';
import type { CaseResult, RunResult, Status } from '../results/model.js';
import { BASELINE_SCHEMA_ID, type BaselineDocument, EXPECTED_STATUSES, type ExpectedStatus } from './baseline.js';
import { gateClassOf } from './classify.js';

/** The note a new entry gets: a reviewer replaces it with the bug and its link. */
export function todoReason(run: RunResult, c: CaseResult): string {
  const first = c.message.split('\n', 1)[0]!.slice(0, 300);
  return `TODO: why does it fail? First seen in run ${run.id} on ${run.environment.kernel?.release || 'an unknown kernel'}${first ? `: ${first}` : ''}`;
}

const asExpected = (s: Status): ExpectedStatus => ((EXPECTED_STATUSES as readonly string[]).includes(s) ? (s as ExpectedStatus) : 'crash');

export interface BaselineUpdate {
  doc: BaselineDocument;
  /** What changed, one line each, for the person who runs it. */
  changes: string[];
}

export function updateBaseline(run: RunResult, old: BaselineDocument | null, o: { name?: string; source?: string } = {}): BaselineUpdate {
  const doc: BaselineDocument = structuredClone(old ?? { $schema: BASELINE_SCHEMA_ID, name: o.name ?? 'baseline' });
  doc.$schema ??= BASELINE_SCHEMA_ID;
  if (o.name) doc.name = o.name;
  const fails = (doc.expectedFailures ??= []);
  const flakes = (doc.flakes ??= []);
  const changes: string[] = [];
  const mine = (c: CaseResult) => c.gate?.entry && (o.source === undefined || c.gate.entry.source === o.source) && !c.gate.entry.source.startsWith('profile ');
  const seen = new Set<string>();
  for (const suite of run.suites) {
    for (const c of suite.cases) {
      const name = `${suite.name}/${c.name}`;
      if (seen.has(name)) continue;
      seen.add(name);
      const cls = gateClassOf(c);
      const worst = asExpected(c.gate?.outcomes ? c.gate.outcomes.map((x) => x.status).find((s) => s !== 'pass' && s !== 'skip') ?? c.status : c.status);
      if (cls === 'new-failure') {
        const existing = fails.find((e) => e.case === name);
        if (existing && mine(c)) {
          changes.push(`${name}: expected ${existing.status ?? 'fail'}, now ${worst}: status updated`);
          existing.status = worst;
          if (existing.status === 'fail') delete existing.status;
          continue;
        }
        const failingDrivers = [...new Set(c.subtests.filter((s) => s.status !== 'pass' && s.status !== 'skip').map(driverOf))];
        const passingDrivers = new Set(c.subtests.filter((s) => s.status === 'pass').map(driverOf));
        // Name the driver only where the case passes on others' devices: an entry for all would hide a new failure on them.
        const drivers = failingDrivers.length && failingDrivers.every((d) => d && !passingDrivers.has(d)) && passingDrivers.size ? (failingDrivers as string[]) : [null];
        for (const d of drivers) {
          fails.push({ case: name, ...(worst !== 'fail' ? { status: worst } : {}), ...(d ? { driver: d } : {}), reason: todoReason(run, c) });
          changes.push(`${name}: new failure (${worst}${d ? ` on ${d}` : ''}): added as an expected failure; write its reason`);
        }
      } else if (cls === 'unexpected-pass' && mine(c)) {
        const i = fails.findIndex((e) => e.case === name);
        if (i >= 0) {
          fails.splice(i, 1);
          changes.push(`${name}: passed: expected failure removed`);
        } else changes.push(`${name}: passed, but the pattern ${c.gate!.entry!.match} expects it to fail: narrow the pattern`);
      } else if (cls === 'unexpected-pass' && c.gate?.entry?.source.startsWith('profile ')) {
        changes.push(`${name}: passed, but ${c.gate.entry.source} lists it as a known issue: remove it there if the kernel is fixed`);
      } else if (cls === 'expected-failure' && mine(c) && /milder than the/.test(c.gate!.reason)) {
        const e = fails.find((x) => x.case === name);
        if (e) {
          changes.push(`${name}: expected ${e.status ?? 'fail'}, now ${worst}: status updated`);
          e.status = worst;
          if (e.status === 'fail') delete e.status;
        }
      } else if (cls === 'flake' && !c.gate?.entry) {
        flakes.push({ case: name, reason: `TODO: why is it flaky? It ran ${c.gate?.outcomes?.map((x) => x.status).join(', ') ?? c.status} in run ${run.id}` });
        changes.push(`${name}: flaked: added as a flake; write its reason`);
      }
    }
  }
  if (!fails.length) delete doc.expectedFailures;
  if (!flakes.length) delete doc.flakes;
  return { doc, changes };
}
