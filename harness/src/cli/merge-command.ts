/** `hilt merge OUT RESULTS...`: the shards of a plan joined into one report. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { EXIT_CONFORMANCE, EXIT_INFRA, EXIT_OK } from '../errors.js';
import { gateBlocks } from '../gate/classify.js';
import { mergeResults } from '../gate/merge.js';
import { gateSummary } from '../gate/summary.js';
import type { RunPlan } from '../plan/types.js';
import { schemas } from '../schemas/registry.js';
import { checkOutDir } from '../util/out-dir.js';
import { readResults } from './gate-files.js';
import { countsLine, writeReports } from './reports.js';
import { type GatedPlan, gateInputs, judgeRun } from './run-command.js';
import { collect } from './options.js';

export async function mergeCommand(out: string, files: string[], o: { baseline?: string[]; compare?: string }, stderr: NodeJS.WritableStream): Promise<number> {
  const registry = schemas();
  const parts = files.map((f) => {
    const { run, path } = readResults(f, registry);
    return { run, source: path };
  });
  const dir = checkOutDir(resolve(out), 'OUT');
  let merged = mergeResults(parts, { out: dir });
  const plan = merged.plan as GatedPlan;
  // The shards' own verdicts stand unless the merge is told what to judge them by.
  if (o.baseline?.length || o.compare) merged = judgeRun(merged, plan, await gateInputs(o, (plan as RunPlan).profiles ?? [], registry));
  const written = await writeReports(dir, merged, registry);
  stderr.write(`hilt: merged ${parts.length} results: ${countsLine(merged)}; reports: ${written.join(', ')}\n`);
  for (const p of merged.problems.filter((x) => /missing from the merge|left out/.test(x))) stderr.write(`hilt: ${p}\n`);
  for (const line of gateSummary(merged)) stderr.write(`hilt: ${line}\n`);
  return merged.status !== 'complete' ? EXIT_INFRA : gateBlocks(merged) ? EXIT_CONFORMANCE : EXIT_OK;
}


export function registerMergeCommand(program: Command, setCode: (code: number) => void): void {
  program
    .command('merge')
    .description('join the results of a plan’s shards (hilt run --shard K/N) into one results.json, junit.xml and report.html; refuses results of another plan, kernel, machine or hilt')
    .argument('<out>', 'the folder for the merged reports')
    .argument('<results...>', 'each shard’s results.json or report folder')
    .option('--baseline <file>', 'judge the merged run against this baseline (default: keep each shard’s verdicts); repeatable', collect)
    .option('--compare <old>', 'compare the merged run with an earlier run (results.json or its folder)')
    .action(async (out: string, files: string[], o: { baseline?: string[]; compare?: string }) => setCode(await mergeCommand(out, files, o, process.stderr)));
}
