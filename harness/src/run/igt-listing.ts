/**
 * Lists the subtests of a run's IGT programs in the guest, before the run:
 * one boot of the run's own kernel and machine with `hilt.mode=list`, in
 * which the agent runs every IGT program with `--list-subtests` (its stdout
 * comes back as `out` records between the program's `spawn` and `exit`).
 * The programs may be built for another machine than this one, and a
 * program's list is what it says where it runs. The plan then gets one test
 * per selected subtest (plan/igt.ts, expandIgtPlan), before the journal
 * starts, so a resumed run goes on at the next subtest.
 *
 * Nothing of the listing boot is journaled: it decides the plan the journal
 * opens with. Its console goes to console-list.log beside the reports. A
 * listing boot that fails ends the run before it starts, with the console's
 * last lines.
 */
import { join } from 'node:path';
import { AGENT_LIMITS } from '../agent-protocol/limits.js';
import { parseRecord } from '../agent-protocol/records.js';
import { infraError, usageError } from '../errors.js';
import { type SubtestListing, parseSubtestListing } from '../igt/select.js';
import type { JournalEntry } from '../journal/index.js';
import { expandIgtPlan, isIgtSuite } from '../plan/igt.js';
import { checkAgentLimits } from '../plan/plan.js';
import type { RunPlan } from '../plan/types.js';
import type { Log } from '../util/log.js';
import { runBoot } from './boot-session.js';
import { prepareMachine } from './prepare.js';
import { RawConsoleLog } from './raw-console.js';

/** Listings by suite name, from the agent records of one listing boot. Pure. */
export function listingsFromRecords(records: readonly { kind: string; p: string; seq: number }[]): Map<string, SubtestListing> {
  const listings = new Map<string, SubtestListing>();
  let suite: string | null = null;
  let out: string[] = [];
  for (const rec of records) {
    const r = parseRecord({ seq: rec.seq, kind: rec.kind, payload: rec.p });
    if (r.kind === 'spawn') {
      suite = r.suite;
      out = [];
    } else if (r.kind === 'out' && suite !== null) {
      out.push(...r.lines);
    } else if (r.kind === 'exit' && suite === r.suite) {
      const signal = r.signal === null ? null : `signal ${r.signal}`;
      listings.set(r.suite, parseSubtestListing(out.join('\n'), { code: r.code, signal }));
      suite = null;
    }
  }
  return listings;
}

export const LISTING_CONSOLE = 'console-list.log';

/** One listing boot for some IGT suites of the plan. */
async function listingBoot(plan: RunPlan, batch: number, o: { cacheDir: string; log: Log; signal: AbortSignal }): Promise<Map<string, SubtestListing>> {
  const { kernel, accel, target } = await prepareMachine(plan, { cacheDir: o.cacheDir, log: o.log, consoleLevel: 1, signal: o.signal });
  o.log.progress(`listing the subtests of ${plan.suites.length} IGT program${plan.suites.length === 1 ? '' : 's'}: booting ${kernel.release} under ${accel.toUpperCase()}`);
  const machine = await target.boot({ cmdline: ['hilt.mode=list'] });
  const records: { kind: string; p: string; seq: number }[] = [];
  const notes: string[] = [];
  const journal = (e: JournalEntry) => {
    if (e.t === 'rec') {
      records.push(e);
      if (e.kind === 'note') notes.push(e.p);
    } else if (e.t === 'note') notes.push(e.text);
  };
  const raw = new RawConsoleLog(join(plan.out, batch ? LISTING_CONSOLE.replace('.log', `-${batch + 1}.log`) : LISTING_CONSOLE));
  const outcome = await runBoot({
    machine,
    boot: 0,
    journal,
    raw: (chunk) => raw.write(chunk),
    bootTimeoutMs: plan.timeouts.bootMs,
    silenceTimeoutMs: plan.timeouts.silenceMs,
    caseGraceMs: plan.timeouts.caseGraceMs,
    runDeadline: null,
    timeoutOf: () => 0,
    signal: o.signal,
  });
  raw.close();
  if (outcome.reason === 'interrupted') throw infraError('interrupted while listing the IGT subtests', { hint: 'Nothing ran; start the run again when you are ready.' });
  if (!outcome.done) {
    throw infraError(`the boot that lists the IGT subtests ended (${outcome.reason}) before the agent had listed them all`, {
      hint: '`hilt boot --igt DIR` gives a shell in the same guest: run a program there with --list-subtests.',
      detail: [outcome.tail.length ? `last console lines:\n${outcome.tail.map((l) => `  ${l}`).join('\n')}` : 'the console said nothing', ...notes.map((n) => `agent: ${n}`)].join('\n'),
    });
  }
  for (const n of notes) o.log.warn(`while listing: ${n}`);
  return listingsFromRecords(records);
}

/**
 * The plan with its IGT subtests listed in the guest and selected: one boot
 * per AGENT_LIMITS.maxSuites programs (a whole IGT build has more than one
 * boot's worth). Programs that could not be listed are left out, with a
 * warning (igt_runner leaves them out silently).
 */
export async function planIgtTests(plan: RunPlan, o: { cacheDir: string; log: Log; signal: AbortSignal }): Promise<RunPlan> {
  const igtSuites = plan.suites.filter(isIgtSuite);
  const listings = new Map<string, SubtestListing>();
  for (let i = 0; i < igtSuites.length; i += AGENT_LIMITS.maxSuites) {
    const batch = igtSuites.slice(i, i + AGENT_LIMITS.maxSuites);
    for (const [k, v] of await listingBoot({ ...plan, suites: batch, tests: [] }, i / AGENT_LIMITS.maxSuites, o)) listings.set(k, v);
  }
  const { plan: expanded, unlisted } = expandIgtPlan(plan, listings);
  for (const u of unlisted) o.log.warn(`IGT program ${u.program} left out: ${u.reason}`);
  const subtests = [...listings.values()].reduce((n, l) => n + (l.kind === 'subtests' ? l.names.length : l.kind === 'none' ? 1 : 0), 0);
  const igtTests = expanded.tests.filter((t) => expanded.suites.some((s) => s.name === t.suite && isIgtSuite(s))).length;
  o.log.info(`IGT: ${igtSuites.length} programs list ${subtests} subtests; ${igtTests} selected from ${expanded.suites.filter(isIgtSuite).length} programs`);
  if (!expanded.tests.length) {
    const igt = plan.igt;
    throw usageError(
      `no IGT subtest matches${igt?.tests.length ? ` --igt-test ${igt.tests.join(', ')}` : ''}${igt?.exclude.length ? ` with --igt-exclude ${igt.exclude.join(', ')}` : ''}`,
      'Patterns are searched in names like igt@core_auth@basic-auth, without regard to case, as igt_runner -t/-x search them.',
    );
  }
  checkAgentLimits(expanded.suites, expanded.tests);
  return expanded;
}
