/**
 * A new run in a folder that holds an older run's reports: they are moved
 * into DIR/previous (replacing what an even older run left there), so a CI
 * job that collects junit.xml after a killed run never publishes the older
 * run's verdicts, and a run started by mistake (a mistyped --kernel) does
 * not destroy a run that could have been resumed: `--resume DIR/previous`.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { infraError } from '../errors.js';
import { JOURNAL_FILE } from '../journal/index.js';

export const PREVIOUS_DIR = 'previous';
const RUN_FILES = /^(journal\.jsonl|results\.json|junit\.xml|report\.html|console-\d+\.log)$/;

/** Moves an older run's files aside; says where they went and whether that run can be resumed, or null when there were none. */
export function moveAsidePreviousRun(out: string): { dir: string; resumable: boolean } | null {
  if (!existsSync(out)) return null;
  const files = readdirSync(out).filter((f) => RUN_FILES.test(f));
  if (!files.length) return null;
  const aside = join(out, PREVIOUS_DIR);
  try {
    rmSync(aside, { recursive: true, force: true });
    mkdirSync(aside);
    for (const f of files) renameSync(join(out, f), join(aside, f));
  } catch (e) {
    throw infraError(`cannot move the previous run's reports in ${out} aside: ${(e as Error).message}`, { cause: e });
  }
  return { dir: aside, resumable: files.includes(JOURNAL_FILE) };
}
