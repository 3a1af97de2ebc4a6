/** The configuration of a resolved kernel, read from its config file (a package's, or a tree's .config). */
import { readFile } from 'node:fs/promises';
import { readKernelConfig } from './config-needs.js';
import type { ConfigValues } from './kconfig.js';
import type { KernelInfo } from './types.js';

/** null when the kernel came without a config file (a bare path: image): nothing can then be skipped for want of an option. */
export async function kernelConfig(kernel: Pick<KernelInfo, 'config'>): Promise<ConfigValues | null> {
  if (!kernel.config) return null;
  return readKernelConfig(await readFile(kernel.config));
}
