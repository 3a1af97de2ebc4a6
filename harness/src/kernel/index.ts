import type { Log } from '../util/log.js';
import { debianKernel } from './debian.js';
import { pathKernel } from './path.js';
import { parseKernelSpec } from './spec.js';
import type { KernelInfo } from './types.js';

export type { KernelInfo } from './types.js';
export { DEFAULT_KERNEL, parseKernelSpec } from './spec.js';

export async function resolveKernel(specText: string, opts: { cacheDir: string; log: Log }): Promise<KernelInfo> {
  const spec = parseKernelSpec(specText);
  switch (spec.type) {
    case 'debian':
      return debianKernel(specText, spec.package, opts, spec.version);
    case 'path':
      return pathKernel(specText, spec);
  }
}
