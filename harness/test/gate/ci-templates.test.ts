/**
 * The CI templates in ci/: valid YAML, a GitLab image with Node 20 or newer
 * (Debian 12's own node is 18), every hilt flag they use one hilt has, and
 * their hilt command lines the README's, word for word.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse, parseDocument } from 'yaml';
import { HILT, ROOT, cleanEnv } from '../helpers.js';

const GITLAB = join(ROOT, 'ci/gitlab-ci.yml');
const GITHUB = join(ROOT, 'ci/github-actions.yml');

/** Flags the templates may use before hilt has them (none now): each names what adds it. */
const PENDING: Record<string, string> = {};

/** The README the commands must come from. */
function readme(): string {
  return readFileSync(join(ROOT, 'README.md'), 'utf8');
}

type Job = { image?: string; script?: string[]; steps?: { run?: string }[] };

/** Every shell line the templates run. */
function shellLines(): { file: string; line: string }[] {
  const out: { file: string; line: string }[] = [];
  const gitlab = parse(readFileSync(GITLAB, 'utf8')) as Record<string, Job>;
  for (const job of Object.values(gitlab)) for (const l of job?.script ?? []) out.push({ file: 'gitlab-ci.yml', line: l });
  const github = parse(readFileSync(GITHUB, 'utf8')) as { jobs: Record<string, Job> };
  for (const job of Object.values(github.jobs)) for (const step of job.steps ?? []) for (const l of (step.run ?? '').split('\n')) if (l.trim() && !l.trim().startsWith('#')) out.push({ file: 'github-actions.yml', line: l.trim() });
  return out;
}

/** The hilt command a line runs and the flags it gives, or null. */
function hiltCall(line: string): { command: string; flags: string[]; text: string } | null {
  const m = /("\$HILT\/quickstart\.sh"|"\$HILT\/bin\/hilt") (\S+)(.*)/.exec(line);
  if (!m) return null;
  const text = `${m[1]} ${m[2]}${m[3]}`.replace(/ \|\| \[ \$\? -eq 1 \]$/, '');
  return { command: m[2]!, flags: [...m[3]!.matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)].map((f) => f[1]!), text };
}

t.test('both templates are valid YAML', async (t) => {
  for (const file of [GITLAB, GITHUB]) {
    const doc = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true });
    t.same(doc.errors.map((e) => e.message), [], `${file} parses`);
    t.same(doc.warnings.map((e) => e.message), [], `${file}: no warnings`);
  }
});

t.test('GitLab: every job runs in an image with Node.js 20 or newer on Debian', async (t) => {
  const gitlab = parse(readFileSync(GITLAB, 'utf8')) as Record<string, Job & { stage?: string }>;
  const jobs = Object.entries(gitlab).filter(([, j]) => j && typeof j === 'object' && 'script' in j);
  t.ok(jobs.length >= 3, 'build, run, report');
  for (const [name, job] of jobs) {
    const m = /^node:(\d+)-(bookworm|trixie)$/.exec(job.image ?? '');
    t.ok(m, `${name}: image ${job.image} is node:NN-<Debian release>`);
    t.ok(Number(m?.[1]) >= 20, `${name}: Node ${m?.[1]} >= 20`);
  }
  t.notMatch(readFileSync(GITLAB, 'utf8'), /image: debian:12/, 'not debian:12, whose node is 18');
  t.match(readFileSync(GITLAB, 'utf8'), /junit: hilt-reports\/junit\.xml/, 'junit.xml is the test report');
  t.match(readFileSync(GITHUB, 'utf8'), /node-version: 20/);
});

t.test('every hilt flag the templates use is one hilt has', async (t) => {
  const calls = shellLines().map((l) => ({ ...l, call: hiltCall(l.line) })).filter((l) => l.call);
  t.same([...new Set(calls.map((c) => `${c.file} ${c.call!.command}`))].sort(), ['github-actions.yml merge', 'github-actions.yml run', 'gitlab-ci.yml merge', 'gitlab-ci.yml run']);
  const help = new Map<string, string>();
  const helpOf = (command: string) => {
    if (!help.has(command)) help.set(command, execFileSync('/usr/bin/env', ['-u', 'NODE_OPTIONS', HILT, command, '--help'], { encoding: 'utf8', env: cleanEnv() }));
    return help.get(command)!;
  };
  for (const { file, call } of calls) {
    for (const flag of call!.flags) {
      const known = new RegExp(`(^|[\\s,])${flag}[\\s<]`).test(helpOf(call!.command));
      if (known) t.pass(`${file}: hilt ${call!.command} ${flag}`);
      else t.ok(PENDING[flag], `${file}: hilt ${call!.command} has no ${flag}${PENDING[flag] ? ` (pending: ${PENDING[flag]})` : ''}`);
    }
  }
  for (const [flag, what] of Object.entries(PENDING)) {
    if (new RegExp(`(^|[\\s,])${flag}[\\s<]`).test(helpOf('run'))) t.fail(`${flag} exists now (${what}): remove it from PENDING`);
  }
});

t.test('the templates run the README’s command lines, word for word', async (t) => {
  const text = readme();
  const lines = shellLines()
    .map((l) => ({ ...l, text: hiltCall(l.line)?.text ?? (/^(git clone|\(cd "\$HILT")/.test(l.line) ? l.line : null) }))
    .filter((l) => l.text);
  t.ok(lines.length >= 8, 'clone, run and merge lines in both');
  for (const l of lines) t.ok(text.includes(l.text!), `${l.file}: ${l.text} is in the README`);
});
