/**
 * hilt bisect's reading of git: what a step's outcome tells `git bisect run`,
 * and what git answered, checked against the output of a real `git bisect
 * run` on a small repository (found, only skipped commits left, stopped).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { exitCodeFor, parseBisectRun, stepsTable, verdictForStatus } from '../../src/bisect/verdict.js';
import { tempDir } from '../helpers.js';

t.test('a case status as a bisect verdict and exit code', async (t) => {
  t.same(['pass', 'skip', 'fail', 'crash', 'timeout', 'dmesg-warn', 'incomplete', 'abort'].map(verdictForStatus), ['good', 'skip', 'bad', 'bad', 'bad', 'bad', 'bad', 'abort']);
  t.same((['good', 'bad', 'skip', 'abort'] as const).map(exitCodeFor), [0, 1, 125, 128]);
});

/** A repository of commits 1..n, where `bad` marks the commits from the regression on and `skip` the unbuildable ones. */
function repo(t: Parameters<typeof tempDir>[0], n: number, firstBad: number, skips: number[] = []): { dir: string; commits: string[] } {
  const dir = tempDir(t);
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { encoding: 'utf8' }).trim();
  git('init', '-q');
  const commits: string[] = [];
  for (let i = 1; i <= n; i++) {
    writeFileSync(join(dir, 'state'), `${i >= firstBad ? 'bad' : 'good'}${skips.includes(i) ? ' skip' : ''}\n`);
    writeFileSync(join(dir, 'number'), `${i}\n`);
    git('add', 'state', 'number');
    git('commit', '-q', '-m', `commit ${i}`);
    commits.push(git('rev-parse', 'HEAD'));
  }
  return { dir, commits };
}

/** `git bisect run` with a step that reads the state file: 125 to skip, 1 bad, 0 good, or the given abort code. */
function bisectRun(dir: string, good: string, bad: string, abortAt: string | null = null): string {
  const git = (...args: string[]) => spawnSync('git', ['-C', dir, ...args], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  git('bisect', 'start', bad, good);
  const step = `s=$(cat state); case "$s" in *skip*) exit 125;; esac; ${abortAt ? `[ "$(git rev-parse HEAD)" = "${abortAt}" ] && exit 128; ` : ''}[ "$s" = good ]`;
  const r = git('bisect', 'run', 'sh', '-c', step);
  git('bisect', 'reset');
  return r.stdout + r.stderr;
}

t.test("git's answers: the first bad commit, only skipped commits left, a stopped run", async (t) => {
  const found = repo(t, 8, 5);
  const out = bisectRun(found.dir, found.commits[0]!, found.commits[7]!);
  t.same(parseBisectRun(out), { kind: 'found', commit: found.commits[4] });

  const skipped = repo(t, 6, 4, [3, 4]);
  const out2 = bisectRun(skipped.dir, skipped.commits[0]!, skipped.commits[5]!);
  const s = parseBisectRun(out2);
  t.equal(s.kind, 'skipped-only', out2);
  t.same(s.kind === 'skipped-only' ? [...s.candidates].sort() : [], [skipped.commits[2], skipped.commits[3], skipped.commits[4]].sort());

  const aborted = repo(t, 8, 5);
  const out3 = bisectRun(aborted.dir, aborted.commits[0]!, aborted.commits[7]!, aborted.commits[3]!);
  t.match(parseBisectRun(out3), { kind: 'aborted', reason: /bisect run failed/ });
});

t.test('the steps table: one line a step', async (t) => {
  const table = stepsTable([
    { step: 1, commit: 'a'.repeat(40), subject: 'vgem: x', verdict: 'bad', status: 'fail', message: 'm', built: true, buildSeconds: 52.4, runSeconds: 9.6, totalSeconds: 64.2 },
    { step: 2, commit: 'b'.repeat(40), subject: 'vgem: y', verdict: 'good', status: 'pass', message: '', built: false, buildSeconds: 0, runSeconds: 7, totalSeconds: 9 },
  ]);
  t.equal(
    table,
    '   1. aaaaaaaaaaaa bad   fail       build 0:52, run 0:10, step 1:04  vgem: x\n' + '   2. bbbbbbbbbbbb good  pass       build none, run 0:07, step 0:09  vgem: y',
  );
});
