/**
 * Building a kernel tree with hilt's default base config: a cold build (into
 * an empty cache), a run that finds nothing to build, and a warm rebuild after
 * one .c file was touched. The tree comes from HILT_BENCH_KERNEL_TREE (or
 * HILT_TEST_KERNEL_TREE); without one the section says so and measures nothing.
 *
 *   node dist/harness/bench/tree-bench.js [TREE]     this section alone
 *   treeBench({ tree, progress })                    from bench/main.ts
 *
 * The cold build takes 5-10 minutes on two cores; its folder (about 400 MB)
 * is deleted afterwards.
 */
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseKernelSpec, type TreeSpec } from '../src/kernel/spec.js';
import { treeKernel } from '../src/kernel/tree.js';
import { silentLog } from '../src/util/log.js';
import { type Section, fmtS, renderTable } from './table.js';

/** The file the warm rebuild touches: built into vmlinux, so the image is linked again. */
export const TOUCHED = join('drivers', 'dma-buf', 'sw_sync.c');

export async function treeBench(opts: { tree?: string; progress: (m: string) => void }): Promise<Section> {
  const tree = opts.tree ?? process.env.HILT_BENCH_KERNEL_TREE ?? process.env.HILT_TEST_KERNEL_TREE;
  const title = 'tree: kernel build, default base config (x86_64-qemu.config)';
  if (!tree) return { title, rows: [], notes: ['not measured: set HILT_BENCH_KERNEL_TREE to a kernel source tree (e.g. linux-source-6.12 unpacked)'] };
  const spec = parseKernelSpec(`tree:${tree}`) as TreeSpec;
  const cache = mkdtempSync(join(tmpdir(), 'hilt-tree-bench-'));
  const build = async () => {
    const t0 = Date.now();
    const k = await treeKernel(`tree:${tree}`, spec, { cacheDir: cache, log: silentLog });
    return { ms: Date.now() - t0, built: k.source.type === 'tree' && k.source.buildSeconds !== null };
  };
  try {
    opts.progress(`tree: cold build of ${tree} into ${cache} (5-10 minutes on two cores)`);
    const cold = await build();
    opts.progress('tree: the same again, nothing changed');
    const noop = await build();
    opts.progress(`tree: touching ${TOUCHED}, then a warm rebuild`);
    const now = new Date();
    utimesSync(join(tree, TOUCHED), now, now);
    const warm = await build();
    return {
      title,
      rows: [
        { label: 'cold build', value: fmtS(cold.ms) },
        { label: 'unchanged: no build', value: fmtS(noop.ms), target: '< 5 s, nothing built', pass: noop.ms < 5000 && !noop.built },
        { label: `warm: ${TOUCHED} touched`, value: fmtS(warm.ms), target: '< 60 s', pass: warm.ms < 60_000 && warm.built },
      ],
      notes: [`niced make -j on ${tree}; configuration (merge_config.sh, allnoconfig) included in each time`],
    };
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  treeBench({ tree: process.argv[2], progress: (m) => process.stderr.write(`bench: ${m}\n`) }).then(
    (section) => process.stdout.write(renderTable([section])),
    (e: Error) => {
      process.stderr.write(`bench: ${e.stack ?? e}\n`);
      process.exit(2);
    },
  );
}
