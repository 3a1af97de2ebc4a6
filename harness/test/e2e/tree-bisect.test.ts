/**
 * hilt bisect, for real: three commits on top of the kernel tree, the middle
 * one a planted regression (vgem's FENCE_SIGNAL stops signalling the fence,
 * so fences/signal fails); hilt bisect builds, boots and judges each step and
 * names that commit. The tree is left on the commit it was on. Opt-in
 * (tree-fixture.ts); the first run makes the tree a git repository.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { StepRecord } from '../../src/bisect/verdict.js';
import { runHilt, tempDir } from '../helpers.js';
import { SKIP_REASON, ensureGit, git, testTree } from './tree-fixture.js';

const tree = testTree();
if (!tree) {
  t.plan(0, SKIP_REASON);
} else {
  t.test('hilt bisect finds the commit that broke fences/signal', async (t) => {
    const t0 = Date.now();
    ensureGit(tree);
    t.comment(`git repository ready in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    t.equal(git(tree, 'status', '--porcelain', '--untracked-files=no'), '', 'the tree is clean');
    const start = git(tree, 'rev-parse', 'HEAD');
    let original = start;
    try {
      original = git(tree, 'symbolic-ref', '-q', '--short', 'HEAD');
    } catch {
      // a detached HEAD: go back to the commit
    }
    const branch = `hilt-bisect-test-${process.pid}`;
    t.teardown(() => {
      git(tree, 'checkout', '-q', original);
      git(tree, 'branch', '-q', '-D', branch);
    });
    git(tree, 'checkout', '-q', '-b', branch);
    const edit = (file: string, from: string, to: string, message: string) => {
      const path = join(tree, file);
      const text = readFileSync(path, 'utf8');
      t.ok(text.includes(from), `${file} has the text to change`);
      writeFileSync(path, text.replace(from, to));
      git(tree, 'commit', '-q', '-a', '-m', message);
      return git(tree, 'rev-parse', 'HEAD');
    };
    edit('drivers/gpu/drm/vgem/vgem_drv.c', 'Virtual GEM provider', 'Virtual GEM provider (hilt bisect test)', 'vgem: a comment');
    const culprit = edit('drivers/gpu/drm/vgem/vgem_fence.c', '\n\tdma_fence_signal(fence);\n\tdma_fence_put(fence);\n\treturn ret;', '\n\tdma_fence_put(fence);\n\treturn ret;', 'vgem: signal ioctl forgets to signal');
    edit('drivers/gpu/drm/vgem/vgem_drv.c', '(hilt bisect test)', '(hilt bisect test, again)', 'vgem: another comment');

    const out = tempDir(t);
    const b0 = Date.now();
    const r = await runHilt(['bisect', '--good', start, '--bad', branch, '--case', 'fences:signal', '--kernel', `tree:${tree}`, '--accel', 'tcg', '--out', out], { timeoutMs: 60 * 60_000 });
    t.equal(r.code, 0, `found (stderr: ${r.stderr.slice(-3000)})`);
    t.match(r.stdout, new RegExp(`^first bad commit: ${culprit}\\n  [0-9a-f]+ vgem: signal ioctl forgets to signal\\n`));
    t.match(r.stdout, new RegExp(`reproduce it with:\\n  git -C ${tree} checkout ${culprit}\\n  hilt run --kernel tree:${tree} --suite fences:signal --accel tcg`));
    const steps = readFileSync(join(out, 'steps.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as StepRecord);
    t.ok(steps.length >= 1 && steps.length <= 3, `${steps.length} steps`);
    const bad = steps.find((s) => s.commit === culprit);
    t.match(bad, { verdict: 'bad', status: 'fail' }, 'the culprit itself failed the case');
    t.ok(steps.filter((s) => s.commit !== culprit).every((s) => s.verdict === 'good'), 'every other step passed');
    t.equal(git(tree, 'rev-parse', 'HEAD'), git(tree, 'rev-parse', branch), 'git bisect reset put the tree back');
    t.comment(`${steps.length} steps in ${((Date.now() - b0) / 1000).toFixed(0)} s: ${steps.map((s) => `${s.commit.slice(0, 8)} ${s.verdict} build ${s.buildSeconds.toFixed(0)} s run ${s.runSeconds.toFixed(0)} s step ${s.totalSeconds.toFixed(0)} s`).join('; ')}`);
  });
}
