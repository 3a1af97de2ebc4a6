/**
 * `hilt run --resume DIR`: the journal of an interrupted run, read once and
 * checked whole before anything boots. A reports folder may be a CI artifact
 * from someone else, so nothing in it is trusted: every entry must match its
 * schema, the plan must be a plan hilt could have made (its kernel spec, its
 * suites in today's catalog, its programs on disk), and a resume never runs a
 * host program the person's own command line does not name: the machine
 * settings QEMU is started with must be those of the default machine, or of
 * the --machine file given with --resume.
 */
import { appendFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { usageError } from '../errors.js';
import { JOURNAL_FILE, type JournalEntry, parseJournal } from '../journal/index.js';
import { parseKernelSpec } from '../kernel/spec.js';
import { withIgtMachine } from '../plan/igt.js';
import type { MachineProfile, RunPlan } from '../plan/types.js';
import type { SchemaRegistry } from '../schemas/registry.js';
import { type SuiteInfo, requireBuilt } from '../suites/catalog.js';
import { MiB, checkInputFile, readInputText } from '../util/input-file.js';

export interface InterruptedRun {
  plan: RunPlan;
  entries: JournalEntry[];
  /** A torn last line, reported and skipped (a power cut mid-write). */
  problems: string[];
}

/** A journal bigger than this was not written by hilt (the writer stops keeping bulk at 384 MiB). */
const JOURNAL_MAX = 500 * MiB;

/** The machine settings that decide what runs on the host: the program and every argument it gets. */
const HOST_FIELDS = ['qemu', 'devices', 'extraArgs'] as const;

export function readInterruptedRun(dir: string, o: { registry: SchemaRegistry; catalog: SuiteInfo[]; machine: MachineProfile }): InterruptedRun {
  const path = join(dir, JOURNAL_FILE);
  const flag = `--resume ${dir}`;
  if (!existsSync(path)) throw usageError(`${flag}: no ${JOURNAL_FILE} there`, 'Give the output folder of the interrupted run.');
  const text = readInputText(path, `${flag}:`, JOURNAL_MAX);
  const { entries, problems } = parseJournal(text);
  const torn = problems.filter((p) => p.includes('(torn last line)'));
  const corrupt = problems.filter((p) => !p.includes('(torn last line)'));
  if (corrupt.length) throw usageError(`${flag}: the journal is damaged: ${corrupt[0]}${corrupt.length > 1 ? ` (and ${corrupt.length - 1} more)` : ''}`, 'A journal hilt wrote has no such line; this one cannot be resumed.');
  entries.forEach((entry, i) => {
    const errors = o.registry.validate('journal-entry.schema.json', entry);
    if (errors.length) {
      const e = errors[0]!;
      throw usageError(`${flag}: journal entry ${i + 1} (${String((entry as { t?: unknown }).t)}) breaks ${o.registry.resolveId('journal-entry.schema.json')} at ${e.path || '/'}: ${e.message}`, 'It cannot be resumed; start the run again.');
    }
  });
  const first = entries[0];
  if (!first || first.t !== 'run') throw usageError(`${flag}: the journal does not start with a run entry; it cannot be resumed`);
  if (entries.some((e, i) => i > 0 && e.t === 'run')) throw usageError(`${flag}: the journal holds more than one run`);
  const end = [...entries].reverse().find((e) => e.t === 'end');
  if (end?.t === 'end' && end.status === 'complete') {
    throw usageError(`nothing to resume: the run in ${dir} is complete (its reports are there)`, 'Start a new run with hilt run, or regenerate the reports with hilt report.');
  }
  const plan = checkPlan(first.plan as RunPlan, flag, o);
  // A torn last line must not swallow the first entry appended now.
  if (text.length && !text.endsWith('\n')) appendFileSync(path, '\n');
  return { plan: { ...plan, out: resolve(dir) }, entries, problems: torn };
}

/** The journal's plan, checked as if it came from a stranger; suites point at today's programs. */
function checkPlan(plan: RunPlan, flag: string, o: { catalog: SuiteInfo[]; machine: MachineProfile }): RunPlan {
  parseKernelSpec(plan.kernel);
  // An IGT run adds its display device to the machine the command line names, as it did when it started.
  const machine = plan.igt ? withIgtMachine(o.machine) : o.machine;
  for (const field of HOST_FIELDS) {
    const theirs = JSON.stringify(plan.machine[field]);
    const ours = JSON.stringify(machine[field]);
    if (theirs !== ours) {
      throw usageError(
        `${flag}: the journal's plan starts QEMU with machine.${field} ${theirs}, which this command line does not (it gives ${ours}); hilt will not run a host program or argument a journal names`,
        'Resume with the machine profile the run was started with: hilt run --resume DIR --machine FILE.',
      );
    }
  }
  const byName = new Map(o.catalog.map((s) => [s.name, s]));
  const suites = plan.suites.map((s) => {
    if (s.mode === 'whole' || s.mode === 'igt') {
      checkInputFile(s.binary, `${flag}: the program of suite ${s.name}`, 2048 * MiB);
      return s;
    }
    const known = byName.get(s.name);
    if (!known) throw usageError(`${flag}: the journal's plan runs suite ${s.name}, which this hilt does not have`);
    requireBuilt(known);
    const gone = plan.tests.filter((t) => t.suite === s.name && !known.cases.includes(t.case)).map((t) => t.case);
    if (gone.length) throw usageError(`${flag}: suite ${s.name} no longer has case${gone.length > 1 ? 's' : ''} ${gone.join(', ')}; the run cannot be resumed with this build`);
    return { ...known };
  });
  const names = new Set(suites.map((s) => s.name));
  plan.tests.forEach((t, i) => {
    if (t.index !== i || !names.has(t.suite)) throw usageError(`${flag}: the journal's plan has a malformed test list at test ${i + 1}`);
  });
  return { ...plan, suites };
}
