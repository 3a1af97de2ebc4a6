/**
 * The layering of harness/src, written down and checked: which folder may
 * import which (DESIGN.md's flow: results/ folds a journal and never imports
 * run/; cli/ is the only door), and which folders stay pure (no files, no
 * processes: the parser, the result model, the verdict rules).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';
import { ROOT } from './helpers.js';

const SRC = join(ROOT, 'harness/src');

/** Each folder and the folders it may import from (top-level files such as errors.ts and paths.ts are open to all). */
const DEPS: Record<string, string[]> = {
  console: [],
  journal: [],
  text: [],
  util: [],
  schemas: [],
  ktap: ['console'],
  elf: [],
  igt: [],
  bisect: [],
  'agent-protocol': ['console'],
  kernel: ['util'],
  suites: ['elf', 'schemas', 'util'],
  image: ['elf', 'kernel', 'suites', 'util'],
  plan: ['agent-protocol', 'igt', 'kernel', 'schemas', 'suites', 'util'],
  results: ['agent-protocol', 'console', 'igt', 'journal', 'ktap', 'plan', 'schemas'],
  report: ['gate', 'results', 'schemas'],
  gate: ['plan', 'results', 'suites'],
  targets: ['agent-protocol', 'kernel', 'lava', 'plan', 'text', 'util'],
  lava: ['agent-protocol', 'kernel', 'plan', 'schemas', 'suites', 'targets', 'text', 'util'],
  run: ['agent-protocol', 'console', 'igt', 'image', 'journal', 'kernel', 'plan', 'results', 'schemas', 'suites', 'targets', 'text', 'util'],
  cli: ['*'],
};

/** Folders that never touch files or processes. */
const PURE = ['console', 'ktap', 'agent-protocol', 'results', 'text', 'igt', 'gate', 'bisect'];
const IMPURE_MODULES = /^node:(fs|fs\/promises|child_process|net|http|https|dgram)$|^(execa|node-pty)$/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const sources = files(SRC);
t.ok(sources.length > 50, 'the sources are found');

t.test('every folder imports only what its layer allows', async (t) => {
  const folders = new Set(sources.map((f) => relative(SRC, f).split('/')).filter((p) => p.length > 1).map((p) => p[0]!));
  for (const folder of folders) t.ok(DEPS[folder], `folder ${folder} has its allowed imports written down here`);
  const broken: string[] = [];
  for (const file of sources) {
    const rel = relative(SRC, file).split('/');
    if (rel.length < 2) continue;
    const folder = rel[0]!;
    const allowed = DEPS[folder] ?? [];
    for (const m of readFileSync(file, 'utf8').matchAll(/from '\.\.\/([a-z-]+)\//g)) {
      const to = m[1]!;
      if (to !== folder && !allowed.includes('*') && !allowed.includes(to)) broken.push(`${relative(ROOT, file)} imports ${to}/`);
    }
  }
  t.same(broken, [], 'no import breaks the layering');
});

t.test('the pure folders touch no files and start no processes', async (t) => {
  const impure: string[] = [];
  for (const file of sources) {
    if (!PURE.includes(relative(SRC, file).split('/')[0]!)) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import\() ?'([^']+)'/g)) if (IMPURE_MODULES.test(m[1]!)) impure.push(`${relative(ROOT, file)} imports ${m[1]}`);
  }
  t.same(impure, []);
});

t.test('the check itself can fail', async (t) => {
  const deps = DEPS.results!;
  t.notOk(deps.includes('run'), 'results/ may not import run/');
  t.ok(IMPURE_MODULES.test('node:fs'));
});
