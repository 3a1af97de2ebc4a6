/**
 * The hosted variant of the test image, for a machine that is already up (an
 * SSH host, this workstation): the layout of the initramfs without a kernel's
 * parts, as a folder. The agent (run as `agent --hosted --root DIR`), its plan
 * at hilt/plan and the suite programs where the initramfs has them
 * (hilt/suites/NAME, hilt/bin/NAME, hilt/igt/PROGRAM), with the libraries a
 * program finds through its own RUNPATH (an IGT build's libigt.so through
 * $ORIGIN/../lib: hilt/lib), which travel with it; the machine's own system
 * libraries are used as they are. No busybox, no modules (the machine's own
 * kernel has what it has), no init. Named by a hash of its contents in the
 * cache, so an unchanged plan costs nothing; the ssh target copies the folder
 * as it is.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { infraError } from '../errors.js';
import type { SuiteInfo } from '../suites/catalog.js';
import { type AgentPlan, renderAgentPlan } from './agent-plan.js';
import { suiteGuestPath, suiteLibraries } from './build.js';

export interface HostedInputs {
  suites: SuiteInfo[];
  agentBinary: string;
  agent: Omit<AgentPlan, 'modules' | 'suites'>;
  cacheDir: string;
}

export interface HostedTree {
  /** The folder: give it to the agent as --root. */
  dir: string;
  /** The agent program under dir. */
  agent: string;
  sha256: string;
  cached: boolean;
}

/** Where a suite's program lives under the root: the initramfs's rule (image/build.ts). */
const suitePath = (suite: SuiteInfo) => suiteGuestPath(suite).slice(1);
/** Files placed under this guest folder belong to the tree; the rest are the machine's own. */
const TREE_PREFIX = '/hilt/';

export const HOSTED_AGENT = 'agent';

async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw infraError(`${what} ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { hint: 'Build it: make -C suites' });
  }
}

export async function buildHostedTree(inputs: HostedInputs): Promise<HostedTree> {
  const files: { path: string; mode: number; data: Buffer }[] = [{ path: HOSTED_AGENT, mode: 0o755, data: await readInput(inputs.agentBinary, 'agent') }];
  const suites: AgentPlan['suites'] = [];
  for (const s of inputs.suites) {
    files.push({ path: suitePath(s), mode: 0o755, data: await readInput(s.binary, `suite ${s.name}`) });
    suites.push({ name: s.name, path: `/${suitePath(s)}`, mode: s.mode });
  }
  const libraries = await suiteLibraries(inputs.suites);
  const ours = new Map<string, Buffer>();
  for (const lib of libraries.files) {
    if (!lib.guest.startsWith(TREE_PREFIX)) continue;
    const data = await readInput(lib.file, 'library');
    ours.set(lib.guest, data);
    files.push({ path: lib.guest.slice(1), mode: 0o755, data });
  }
  // A library needed under a second name (a soname link): a copy, since the ssh target copies plain files.
  for (const link of libraries.links) {
    const data = ours.get(link.target);
    if (link.guest.startsWith(TREE_PREFIX) && data) files.push({ path: link.guest.slice(1), mode: 0o755, data });
  }
  // No module is loaded on a machine that is up: the agent checks by name that each is loaded already.
  const modules = [...new Set(inputs.suites.flatMap((s) => s.modules))];
  files.push({ path: 'hilt/plan', mode: 0o644, data: Buffer.from(renderAgentPlan({ ...inputs.agent, modules, suites })) });
  const key = createHash('sha256').update('hilt-hosted-v2\n');
  for (const f of files) key.update(`${f.path} ${f.mode.toString(8)} ${createHash('sha256').update(f.data).digest('hex')}\n`);
  const sha256 = key.digest('hex');
  const dir = join(inputs.cacheDir, 'hosted', sha256.slice(0, 32));
  const result = { dir, agent: join(dir, HOSTED_AGENT), sha256 };
  if (existsSync(join(dir, 'hilt', 'plan'))) return { ...result, cached: true };
  const tmp = `${dir}.${process.pid}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  for (const f of files) {
    const path = join(tmp, f.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, f.data);
    await chmod(path, f.mode);
  }
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  return { ...result, cached: false };
}
