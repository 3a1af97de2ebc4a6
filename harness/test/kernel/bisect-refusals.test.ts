/** hilt bisect refuses, before git is touched, what it cannot bisect. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { runHilt, tempDir } from '../helpers.js';

function gitTree(t: Parameters<typeof tempDir>[0]): { tree: string; git: (...a: string[]) => string } {
  const tree = tempDir(t);
  const git = (...args: string[]) => execFileSync('git', ['-C', tree, '-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { encoding: 'utf8' }).trim();
  git('init', '-q');
  writeFileSync(join(tree, 'Makefile'), 'all:\n');
  git('add', 'Makefile');
  git('commit', '-q', '-m', 'one');
  return { tree, git };
}

t.test('what hilt bisect refuses', async (t) => {
  const { tree, git } = gitTree(t);
  const head = git('rev-parse', 'HEAD');
  const bisect = (...args: string[]) => runHilt(['bisect', '--good', head, '--bad', head, '--case', 'fences:signal', ...args]);

  let r = await bisect('--kernel', 'debian:linux-image-6.12-amd64');
  t.equal(r.code, 2);
  t.match(r.stderr, /hilt bisect builds each commit, so it takes a tree: kernel/);

  const plain = tempDir(t);
  mkdirSync(join(plain, 'x'));
  r = await bisect('--kernel', `tree:${join(plain, 'x')}`);
  t.match(r.stderr, /is not in a git repository, so there are no commits to bisect/);

  r = await runHilt(['bisect', '--good', 'nonesuch', '--bad', head, '--case', 'fences:signal', '--kernel', `tree:${tree}`]);
  t.match(r.stderr, /--good nonesuch is not a commit/);

  r = await bisect('--kernel', `tree:${tree}`, '--case', 'fences');
  t.match(r.stderr, /--case fences: name one case, as SUITE:CASE/);

  r = await bisect('--kernel', `tree:${tree}`, '--case', 'fences:no-such-case');
  t.match(r.stderr, /suite fences has no case 'no-such-case'/);

  writeFileSync(join(tree, 'Makefile'), 'all: changed\n');
  r = await bisect('--kernel', `tree:${tree}`);
  t.match(r.stderr, /has uncommitted changes/);
  t.notOk(existsSync(join(tree, '.git', 'BISECT_START')), 'git bisect never started');
});
