/**
 * The vaccel test module's build for the default kernel (Debian's 6.12,
 * against its linux-headers package): cold, into a fresh cache folder, then
 * looked up the way `hilt run` does (externalModulesFor) with the module
 * built. The cached lookup must not rebuild: it runs with make taken off
 * the PATH (a rebuild would fail "make is not installed"), and the cached
 * .ko is the same file, untouched, afterwards.
 *
 * The kernel and its headers come from hilt's own cache (downloaded once,
 * like any run); only the module cache is fresh.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildExternalModule, externalModulesFor } from '../src/image/extmod.js';
import { kernelBuildIdentity, kernelBuildTree } from '../src/kernel/headers.js';
import { DEFAULT_KERNEL, resolveKernel } from '../src/kernel/index.js';
import { SUITES_DIR, cacheDir } from '../src/paths.js';
import { silentLog } from '../src/util/log.js';
import { type Section, fmtMs, fmtS, median } from './table.js';

/** A run that finds the module built should cost next to nothing next to a boot. */
export const VACCEL_CACHED_TARGET_MS = 500;
const CACHED_LOOKUPS = 5;

/** fn with make unreachable: PATH emptied for the call, restored after. */
async function withoutMake<T>(fn: () => Promise<T>): Promise<T> {
  const saved = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    return await fn();
  } finally {
    process.env.PATH = saved;
  }
}

export async function vaccelBench(progress: (m: string) => void): Promise<Section> {
  progress(`vaccel: resolving ${DEFAULT_KERNEL} and its headers (downloaded once into ${cacheDir()})`);
  const kernel = await resolveKernel(DEFAULT_KERNEL, { cacheDir: cacheDir(), log: silentLog });
  const tree = await kernelBuildTree(kernel, { cacheDir: cacheDir(), log: silentLog });
  if (!tree.ok) throw new Error(`no build tree for ${kernel.release}: ${tree.reason}`);
  const kernelId = await kernelBuildIdentity(kernel);
  const fresh = mkdtempSync(join(tmpdir(), 'hilt-bench-vaccel-'));
  try {
    progress(`vaccel: cold build for ${kernel.release} into a fresh cache`);
    const t0 = performance.now();
    const cold = await buildExternalModule({
      name: 'vaccel',
      sourceDir: join(SUITES_DIR, 'vaccel'),
      release: kernel.release,
      buildTree: tree.tree.dir,
      ...(kernelId ? { kernelId } : {}),
      cacheDir: fresh,
      log: silentLog,
    });
    const coldMs = performance.now() - t0;
    if (cold.cached) throw new Error('the cold build found a module in a fresh cache folder');
    const before = statSync(cold.path);

    progress(`vaccel: ${CACHED_LOOKUPS} cached lookups as hilt run makes them, make off the PATH`);
    const cachedMs: number[] = [];
    let rebuilt = false;
    for (let i = 0; i < CACHED_LOOKUPS; i++) {
      const t1 = performance.now();
      const plans = await withoutMake(() => externalModulesFor(kernel, ['vaccel'], { cacheDir: fresh, log: silentLog }));
      cachedMs.push(performance.now() - t1);
      const m = plans[0]?.module;
      rebuilt ||= !m || !m.cached || m.path !== cold.path;
    }
    const after = statSync(cold.path);
    rebuilt ||= after.ino !== before.ino || after.mtimeMs !== before.mtimeMs;
    const cachedMedian = median(cachedMs);
    return {
      title: `vaccel test module for ${kernel.release}, built against ${tree.tree.dir.replace(cacheDir(), '~cache')} (${availableParallelism()} host cores)`,
      rows: [
        { label: 'cold build (fresh cache)', value: fmtS(coldMs) },
        { label: `cached lookup (median of ${CACHED_LOOKUPS})`, value: fmtMs(cachedMedian), target: `<= ${VACCEL_CACHED_TARGET_MS} ms`, pass: cachedMedian <= VACCEL_CACHED_TARGET_MS },
        { label: 'cached run rebuilt the module', value: rebuilt ? 'yes' : 'no', target: 'no', pass: !rebuilt },
      ],
      notes: [
        `vaccel ${cold.version ?? '(no version)'} srcversion ${cold.srcversion ?? '?'}, ${(before.size / 1024).toFixed(0)} KiB stripped; cached lookups ${cachedMs.map((x) => x.toFixed(0)).join(' ')} ms, each with make off the PATH`,
      ],
    };
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
}
