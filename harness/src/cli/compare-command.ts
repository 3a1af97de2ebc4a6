/** `hilt compare OLD NEW`: fixed, regressed, new and vanished cases, and every observed value that changed. */
import type { Command } from 'commander';
import { EXIT_CONFORMANCE, EXIT_OK } from '../errors.js';
import { type Baseline, baselineFromDocument, emptyBaseline } from '../gate/baseline.js';
import { compareRuns, comparisonFails, comparisonText } from '../gate/compare.js';
import { schemas } from '../schemas/registry.js';
import { readBaselineDocument, readResults } from './gate-files.js';

export async function compareCommand(oldPath: string, newPath: string, o: { json?: boolean; baseline?: string; max?: number }, stdout: NodeJS.WritableStream): Promise<number> {
  const registry = schemas();
  const old = readResults(oldPath, registry, 'OLD');
  const next = readResults(newPath, registry, 'NEW');
  const baseline: Baseline = o.baseline ? baselineFromDocument(await readBaselineDocument(o.baseline, registry), o.baseline) : emptyBaseline();
  const cmp = compareRuns(old.run, next.run, { source: old.path, baseline });
  stdout.write(o.json ? `${JSON.stringify(cmp, null, 1)}\n` : `${comparisonText(cmp, o.max ?? 200)}\n`);
  return comparisonFails(cmp) ? EXIT_CONFORMANCE : EXIT_OK;
}

export function registerCompareCommand(program: Command, setCode: (code: number) => void): void {
  program
    .command('compare')
    .description('compare two runs: fixed, regressed, new and vanished cases, and every observed value that changed (the UAPI behaviour diff); exit 1 on a regression, a new failing case, or observation changes the baseline forbids')
    .argument('<old>', 'the earlier run: results.json or its report folder')
    .argument('<new>', 'the later run: results.json or its report folder')
    .option('--json', 'print the comparison as JSON')
    .option('--baseline <file>', 'acknowledged observation changes and the rule for them (rules.observationChanges)')
    .action(async (a: string, b: string, o: { json?: boolean; baseline?: string }) => setCode(await compareCommand(a, b, o, process.stdout)));
}
