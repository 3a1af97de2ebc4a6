/**
 * `hilt baseline update|import|export`: a baseline from a run (for a
 * reviewer to commit), from Mesa CI / deqp-runner lists, and back to them.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { EXIT_OK, usageError } from '../errors.js';
import { BASELINE_SCHEMA, type BaselineDocument, baselineFromDocument, baselineFromProfiles, combineBaselines } from '../gate/baseline.js';
import { applyGate } from '../gate/classify.js';
import { exportLists, importLists, type ListKind } from '../gate/expectations.js';
import { updateBaseline } from '../gate/update.js';
import { writeFileAtomic } from '../report/atomic.js';
import { loadProfiles } from '../schemas/profiles.js';
import { schemas } from '../schemas/registry.js';
import { MiB, readInputText } from '../util/input-file.js';
import { readBaselineDocument, readResults } from './gate-files.js';
import { collect } from './options.js';

const LIST_MAX = 64 * MiB;

async function toYaml(doc: BaselineDocument): Promise<string> {
  const { stringify } = await import('yaml');
  return stringify(doc, { lineWidth: 0 });
}

function writeOut(path: string | undefined, text: string, stdout: NodeJS.WritableStream): void {
  if (!path || path === '-') stdout.write(text);
  else writeFileAtomic(path, text);
}

export async function baselineUpdate(results: string, o: { baseline?: string; out?: string; name?: string }, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  const registry = schemas();
  const { run, path } = readResults(results, registry);
  const old = o.baseline ? await readBaselineDocument(o.baseline, registry) : null;
  const profiles = ((run.plan as { profiles?: string[] } | null)?.profiles ?? []).filter((p) => typeof p === 'string');
  const inEffect = loadProfiles(registry, profiles).filter((p) => p.named || p.doc.automatic !== false);
  const baseline = combineBaselines([baselineFromProfiles(inEffect), ...(old ? [baselineFromDocument(old, o.baseline!)] : [])]);
  // Judged again against this baseline: the one the run was judged by may have been another.
  const judged = applyGate(run, baseline);
  const { doc, changes } = updateBaseline(judged, old, { ...(o.name ? { name: o.name } : {}), ...(o.baseline ? { source: o.baseline } : {}) });
  registry.check(BASELINE_SCHEMA, doc, 'the updated baseline (a hilt bug)');
  const out = o.out ?? o.baseline;
  writeOut(out, await toYaml(doc), io.stdout);
  io.stderr.write(`hilt: ${path}: ${changes.length ? `${changes.length} change${changes.length === 1 ? '' : 's'}` : 'nothing to change'}${out && out !== '-' ? `; written to ${out}` : ''}\n`);
  for (const c of changes) io.stderr.write(`  ${c}\n`);
  if (changes.some((c) => c.includes('TODO') || c.includes('write its reason'))) io.stderr.write('hilt: new entries say TODO: write each one’s reason (the bug and its link) before you commit it\n');
  return EXIT_OK;
}

export async function baselineImport(o: { fails?: string[]; flakes?: string[]; skips?: string[]; name?: string; out?: string }, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  const lists: { kind: ListKind; text: string; file: string }[] = [];
  for (const kind of ['fails', 'flakes', 'skips'] as const) for (const file of o[kind] ?? []) lists.push({ kind, text: readInputText(file, `--${kind}`, LIST_MAX), file });
  if (!lists.length) throw usageError('nothing to import', 'Give at least one of --fails FILE, --flakes FILE, --skips FILE (Mesa CI’s *-fails.txt, *-flakes.txt, *-skips.txt).');
  const name = o.name ?? lists[0]!.file.replace(/^.*\//, '').replace(/-(fails|flakes|skips)\.txt$/, '').replace(/\.txt$/, '');
  const doc = importLists(name, lists);
  schemas().check(BASELINE_SCHEMA, doc, `the baseline imported from ${lists.map((l) => l.file).join(', ')}`);
  writeOut(o.out, await toYaml(doc), io.stdout);
  const n = (doc.expectedFailures?.length ?? 0) + (doc.flakes?.length ?? 0) + (doc.skips?.length ?? 0);
  io.stderr.write(`hilt: imported ${doc.expectedFailures?.length ?? 0} expected failures, ${doc.flakes?.length ?? 0} flakes, ${doc.skips?.length ?? 0} skips (${n} entries)${o.out && o.out !== '-' ? ` into ${o.out}` : ''}\n`);
  return EXIT_OK;
}

export async function baselineExport(file: string, o: { outDir?: string; prefix?: string }, io: { stderr: NodeJS.WritableStream }): Promise<number> {
  const doc = await readBaselineDocument(file, schemas());
  const lists = exportLists(doc);
  const prefix = o.prefix ?? doc.name.replace(/[^A-Za-z0-9_.-]+/g, '-');
  const dir = o.outDir ?? '.';
  const written: string[] = [];
  for (const kind of ['fails', 'flakes', 'skips'] as const) {
    const path = join(dir, `${prefix}-${kind}.txt`);
    writeFileAtomic(path, lists[kind]);
    written.push(path);
  }
  io.stderr.write(`hilt: wrote ${written.join(', ')}\n`);
  for (const l of lists.left) io.stderr.write(`hilt: warning: the Mesa lists cannot hold ${l}; they stay only in ${file}\n`);
  return EXIT_OK;
}


export function registerBaselineCommand(program: Command, setCode: (code: number) => void): void {
  const io = { stdout: process.stdout, stderr: process.stderr };
  const baseline = program.command('baseline').description('baselines of expected failures, flakes and skips: from a run, from Mesa CI lists, back to them');
  baseline
    .command('update')
    .description('write the baseline a run implies, for a reviewer to commit: new failures become expected failures (reason TODO), unexpected passes drop their entry')
    .argument('<results>', 'results.json, or the report folder that holds it')
    .option('--baseline <file>', 'the baseline the run is judged against and the update starts from')
    .option('--out <file>', "where to write it (default: the --baseline file, else standard output; '-' for standard output)")
    .option('--name <name>', 'the baseline’s name (what it covers)')
    .action(async (results: string, o: { baseline?: string; out?: string; name?: string }) => setCode(await baselineUpdate(results, o, io)));
  baseline
    .command('import')
    .description('a baseline from Mesa CI / deqp-runner lists (name,Status lines; regular expressions)')
    .option('--fails <file>', '*-fails.txt: expected failures; repeatable', collect)
    .option('--flakes <file>', '*-flakes.txt: known flakes; repeatable', collect)
    .option('--skips <file>', '*-skips.txt: cases not to run; repeatable', collect)
    .option('--name <name>', 'the baseline’s name (default: the first list’s file name without -fails.txt)')
    .option('--out <file>', 'where to write the baseline (default: standard output)')
    .action(async (o: { fails?: string[]; flakes?: string[]; skips?: string[]; name?: string; out?: string }) => setCode(await baselineImport(o, io)));
  baseline
    .command('export')
    .description('a baseline as Mesa CI / deqp-runner lists: PREFIX-fails.txt, PREFIX-flakes.txt, PREFIX-skips.txt')
    .argument('<baseline>', 'the baseline file (YAML or JSON)')
    .option('--out-dir <dir>', 'where to write the lists (default: the current folder)')
    .option('--prefix <prefix>', 'file name prefix (default: the baseline’s name)')
    .action(async (file: string, o: { outDir?: string; prefix?: string }) => setCode(await baselineExport(file, o, io)));
}
