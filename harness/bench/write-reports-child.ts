/**
 * Times what `hilt run` spends writing a finished run's reports: results.json
 * (validated), junit.xml and report.html from the RunResult it already holds,
 * here read back from a results.json. The schemas are compiled first, as the
 * executor does while the kernel boots. Prints seconds as JSON.
 *
 *   node dist/harness/bench/write-reports-child.js RESULTS.json OUT_DIR
 */
import { performance } from 'node:perf_hooks';
import { readResults } from '../src/cli/gate-files.js';
import { writeReports } from '../src/cli/reports.js';
import { schemas } from '../src/schemas/registry.js';

const [resultsPath, out] = process.argv.slice(2);
if (!resultsPath || !out) {
  process.stderr.write('usage: write-reports-child RESULTS.json OUT_DIR\n');
  process.exit(2);
}
const registry = schemas();
registry.compileAll();
const { run } = readResults(resultsPath, registry);
const t0 = performance.now();
await writeReports(out, run, registry);
process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - t0) / 1000 })}\n`);
