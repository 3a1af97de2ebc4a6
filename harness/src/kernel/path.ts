/**
 * path:IMAGE[,modules=DIR][,config=FILE] — a kernel a developer just built.
 * DIR may be lib/modules/<release> itself or the INSTALL_MOD_PATH root that
 * `make modules_install` filled; without config=, the .config of the tree the
 * image was built in is used when the image sits at arch/x86/boot/bzImage.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { usageError } from '../errors.js';
import { checkInputFile, readInputBytes } from '../util/input-file.js';
import { BZIMAGE_HEAD_BYTES, inspectBzImage } from './bzimage.js';
import type { KernelInfo } from './types.js';

async function imageHead(path: string): Promise<Buffer> {
  return readInputBytes(path, 'kernel image', 1024 * 1024 * 1024, BZIMAGE_HEAD_BYTES);
}

function findModulesDir(dir: string, release: string): string {
  const candidates = [dir, join(dir, 'lib', 'modules', release), join(dir, 'usr', 'lib', 'modules', release)];
  const found = candidates.find((c) => existsSync(join(c, 'modules.dep')));
  if (found) return found;
  throw usageError(
    `modules=${dir}: no modules.dep there or under lib/modules/${release}`,
    `Install the modules first: make modules_install INSTALL_MOD_PATH=${dir}`,
  );
}

export async function pathKernel(
  spec: string,
  parts: { image: string; modules: string | null; config: string | null; sha256?: string | null },
): Promise<KernelInfo> {
  const image = resolve(parts.image);
  const info = inspectBzImage(await imageHead(image));
  // The whole image is hashed (a few MB, milliseconds): a reproduction names the build by it.
  const sha256 = createHash('sha256').update(readInputBytes(image, 'kernel image', 1024 * 1024 * 1024)).digest('hex');
  if (parts.sha256 && parts.sha256 !== sha256) {
    throw usageError(`kernel image ${image} has sha256 ${sha256}, not the ${parts.sha256} the spec names`, 'It is another build than the one the run being reproduced used: rebuild that commit with the same config, or drop sha256= to run this one.');
  }
  if (!info.ok) {
    throw usageError(`kernel image ${image} is not a bzImage: ${info.reason}`, 'hilt boots x86 bzImages (arch/x86/boot/bzImage), not vmlinux or compressed modules.');
  }
  if (!info.release) throw usageError(`kernel image ${image} carries no version string`, 'Build it with a kernel_version pointer (any upstream kernel has one).');
  const modulesDir = parts.modules ? findModulesDir(resolve(parts.modules), info.release) : null;
  let config = parts.config ? resolve(parts.config) : null;
  if (config) checkInputFile(config, 'config=', 64 * 1024 * 1024);
  if (!config && image.endsWith(join('arch', 'x86', 'boot', 'bzImage'))) {
    const treeConfig = join(dirname(image), '..', '..', '..', '.config');
    if (existsSync(treeConfig)) config = resolve(treeConfig);
  }
  return {
    spec,
    release: info.release,
    image,
    modulesDir,
    config,
    configSha256: config ? createHash('sha256').update(await readFile(config)).digest('hex') : null,
    source: { type: 'path', sha256 },
  };
}
