/**
 * /lib/modules/<release> in the guest, for programs that load and unload
 * modules themselves through libkmod (IGT's vgem_basic@unload unloads vgem
 * and loads it again; IGT loads a missing driver on open). libkmod finds a
 * module through modules.dep.bin, so the tree holds the modules the image
 * carries (links to their decompressed copies in /hilt/modules) and the
 * indexes depmod makes of exactly those: a few hundred KB, not the several
 * MB of the whole kernel's indexes. depmod runs on the host over a temporary
 * tree of the decompressed modules.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { infraError } from '../errors.js';
import { lazyExeca } from '../util/exec.js';
import type { CpioEntry } from './cpio.js';

export interface TreeModule {
  /** Path relative to the modules dir, as modules.dep names it (kernel/drivers/.../vgem.ko.xz). */
  rel: string;
  /** Absolute guest path of its decompressed copy (/hilt/modules/vgem.ko). */
  guest: string;
  data: Buffer;
}

/** Kernel files depmod reads beside the modules, copied when the kernel has them. */
const KERNEL_FILES = ['modules.order', 'modules.builtin', 'modules.builtin.modinfo'];

function depmodPath(): string {
  for (const p of ['/usr/sbin/depmod', '/sbin/depmod']) if (existsSync(p)) return p;
  return 'depmod';
}

/** A decompressed module keeps its place in the tree under a .ko name. */
export const treePath = (rel: string) => rel.replace(/\.ko\.(xz|zst|gz)$/, '.ko');

export async function moduleTreeEntries(release: string, modulesDir: string, modules: readonly TreeModule[]): Promise<CpioEntry[]> {
  const tmp = await mkdtemp(join(tmpdir(), 'hilt-modtree-'));
  try {
    const dir = join(tmp, 'lib', 'modules', release);
    await mkdir(dir, { recursive: true });
    for (const f of KERNEL_FILES) if (existsSync(join(modulesDir, f))) await copyFile(join(modulesDir, f), join(dir, f));
    for (const m of modules) {
      const at = join(dir, treePath(m.rel));
      await mkdir(dirname(at), { recursive: true });
      await writeFile(at, m.data);
    }
    const execa = await lazyExeca();
    const r = await execa(depmodPath(), ['-b', tmp, release], { reject: false });
    if ((r as { code?: string }).code === 'ENOENT') throw infraError('depmod is needed to index the modules of an IGT run but is not installed', { hint: 'apt-get install kmod' });
    if (r.exitCode !== 0) throw infraError(`depmod -b ${tmp} ${release} failed`, { detail: r.stderr });
    const guestDir = `lib/modules/${release}`;
    const entries: CpioEntry[] = [];
    for (const f of (await readdir(dir)).sort()) {
      if (!f.startsWith('modules.')) continue;
      entries.push({ type: 'file', path: `${guestDir}/${f}`, mode: 0o644, data: await readFile(join(dir, f)) });
    }
    for (const m of modules) entries.push({ type: 'symlink', path: `${guestDir}/${treePath(m.rel)}`, target: m.guest });
    return entries;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
