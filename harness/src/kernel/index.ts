import type { Log } from '../util/log.js';
import { debianKernel } from './debian.js';
import { pathKernel } from './path.js';
import { parseKernelSpec } from './spec.js';
import { treeKernel } from './tree.js';
import type { KernelInfo } from './types.js';

export type { KernelInfo } from './types.js';
export { DEFAULT_KERNEL, parseKernelSpec } from './spec.js';

/** suites: the names of the suites the run selected; a tree: kernel gets their config fragments. */
export async function resolveKernel(specText: string, opts: { cacheDir: string; log: Log; suites?: string[] }): Promise<KernelInfo> {
  const spec = parseKernelSpec(specText);
  switch (spec.type) {
    case 'debian':
      return debianKernel(specText, spec.package, opts, spec.version);
    case 'path':
      return pathKernel(specText, spec);
    case 'tree':
      return treeKernel(specText, spec, opts);
  }
}
