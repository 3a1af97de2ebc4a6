/**
 * debian:PACKAGE — a Debian kernel package fetched through the host's own apt:
 * meta-package resolved with apt-cache, the image package fetched with
 * `apt-get download`, unpacked with `dpkg-deb -x`, modules.dep generated with
 * depmod (Debian generates it at install time, so the package lacks it), and
 * all of it cached under the cache dir by package and version.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { infraError, usageError } from '../errors.js';
import { lazyExeca } from '../util/exec.js';
import { readHead } from '../util/read-head.js';
import type { Log } from '../util/log.js';
import { kernelImageDependency, parseAptDepends, parseAptShow } from './apt.js';
import { BZIMAGE_HEAD_BYTES, inspectBzImage } from './bzimage.js';
import type { KernelInfo } from './types.js';

interface Resolved {
  package: string;
  version: string;
}

const APT_HINT = 'Run `apt-get update`, or look for the right name with `apt-cache search linux-image`.';

/** Runs an apt tool; a host without it is an infrastructure error that says what to do instead. */
export async function runApt(cmd: string, args: string[]) {
  const execa = await lazyExeca();
  const r = await execa(cmd, args, { reject: false, env: { LC_ALL: 'C' } });
  if ((r as { code?: string }).code === 'ENOENT') {
    throw infraError(`${cmd} is not installed; debian: kernels need the host's apt`, {
      hint: 'Run on a Debian or Ubuntu host, or give a kernel with path:IMAGE.',
    });
  }
  return r;
}

export async function apt(args: string[], what: string): Promise<string> {
  const [cmd, ...rest] = args;
  const r = await runApt(cmd!, rest);
  if (r.exitCode !== 0) {
    throw infraError(`${what} failed (${args.join(' ')} exited ${r.exitCode})`, { detail: r.stderr });
  }
  return r.stdout;
}

async function showPackage(pkg: string): Promise<Record<string, string>> {
  const r = await runApt('apt-cache', ['show', '--no-all-versions', pkg]);
  const fields = parseAptShow(r.stdout);
  if (r.exitCode !== 0 || !fields.Package) {
    throw usageError(`apt has no package '${pkg}' (apt-cache show: ${r.stderr.trim() || 'no record'})`, APT_HINT);
  }
  return fields;
}

/** Follows meta-packages down to the image package apt would install. */
async function resolvePackage(pkg: string): Promise<Resolved> {
  let name = pkg;
  for (let hops = 0; hops < 4; hops++) {
    const fields = await showPackage(name);
    const depends = parseAptDepends(await apt(['apt-cache', 'depends', name], `resolving ${name}`));
    const next = kernelImageDependency(name, depends);
    if (!next) return { package: name, version: fields.Version! };
    name = next;
  }
  throw usageError(`'${pkg}' does not resolve to a kernel image package within 4 dependency hops`, APT_HINT);
}

/**
 * Resolution asks apt twice per hop; the answer only changes when the package
 * lists do, so it is remembered per lists-directory mtime.
 */
async function resolveCached(pkg: string, cache: string): Promise<Resolved> {
  let key = '';
  try {
    key = String((await stat('/var/lib/apt/lists')).mtimeMs);
  } catch {
    return resolvePackage(pkg);
  }
  const file = join(cache, 'resolved', `${pkg}.json`);
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as Resolved & { key: string };
    if (saved.key === key) return { package: saved.package, version: saved.version };
  } catch {
    // not cached yet
  }
  const resolved = await resolvePackage(pkg);
  await mkdir(join(cache, 'resolved'), { recursive: true });
  await writeFile(file, JSON.stringify({ ...resolved, key }));
  return resolved;
}

function depmodPath(): string {
  for (const p of ['/usr/sbin/depmod', '/sbin/depmod']) if (existsSync(p)) return p;
  return 'depmod';
}

async function unpack(resolved: Resolved, dest: string, log: Log): Promise<void> {
  const parent = join(dest, '..');
  await mkdir(parent, { recursive: true });
  const tmp = await mkdtemp(join(parent, '.tmp-'));
  const execa = await lazyExeca();
  try {
    log.progress(`downloading ${resolved.package} ${resolved.version} with apt-get download`);
    await execa('apt-get', ['download', '-q', `${resolved.package}=${resolved.version}`], { cwd: tmp, env: { LC_ALL: 'C' } }).catch(
      (e: { stderr?: string }) => {
        throw infraError(`apt-get download ${resolved.package}=${resolved.version} failed`, { detail: e.stderr });
      },
    );
    const deb = (await readdir(tmp)).find((f) => f.endsWith('.deb'));
    if (!deb) throw infraError(`apt-get download ${resolved.package} produced no .deb file`);
    log.progress(`unpacking ${deb}`);
    const root = join(tmp, 'root');
    await execa('dpkg-deb', ['-x', join(tmp, deb), root]).catch((e: { stderr?: string }) => {
      throw infraError(`dpkg-deb -x ${deb} failed`, { detail: e.stderr });
    });
    await rm(join(tmp, deb));
    const modules = join(root, 'lib', 'modules');
    for (const release of existsSync(modules) ? await readdir(modules) : []) {
      if (!existsSync(join(modules, release, 'modules.dep'))) {
        log.progress(`generating modules.dep for ${release} with depmod`);
        await execa(depmodPath(), ['-b', root, release]).catch((e: { stderr?: string }) => {
          throw infraError(`depmod -b ${root} ${release} failed`, {
            detail: e.stderr,
            hint: 'depmod comes with the kmod package: apt-get install kmod.',
          });
        });
      }
    }
    await rm(dest, { recursive: true, force: true });
    await rename(tmp, dest);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** version pins the exact build (debian:PACKAGE=VERSION): no resolution, apt-get download fetches that one. */
export async function debianKernel(spec: string, pkg: string, opts: { cacheDir: string; log: Log }, version: string | null = null): Promise<KernelInfo> {
  const cache = join(opts.cacheDir, 'kernels');
  const resolved = version ? { package: pkg, version } : await resolveCached(pkg, cache);
  const dir = join(cache, `${resolved.package}_${resolved.version}`.replace(/[^A-Za-z0-9+._-]/g, '_'));
  if (!existsSync(join(dir, 'root'))) {
    opts.log.info(`fetching kernel ${resolved.package} ${resolved.version} (cached for later runs)`);
    await unpack(resolved, dir, opts.log);
  }
  const root = join(dir, 'root');
  const vmlinuz = (await readdir(join(root, 'boot'))).find((f) => f.startsWith('vmlinuz-'));
  if (!vmlinuz) {
    throw usageError(`package ${resolved.package} ${resolved.version} holds no boot/vmlinuz-*: not a kernel image package`, APT_HINT);
  }
  const release = vmlinuz.slice('vmlinuz-'.length);
  const image = join(root, 'boot', vmlinuz);
  const head = await readHead(image, BZIMAGE_HEAD_BYTES);
  const info = inspectBzImage(head);
  if (!info.ok) throw infraError(`${image} from ${resolved.package} is not a bzImage: ${info.reason}`);
  const config = join(root, 'boot', `config-${release}`);
  const modulesDir = join(root, 'lib', 'modules', release);
  const hasConfig = existsSync(config);
  return {
    spec,
    release,
    image,
    modulesDir: existsSync(join(modulesDir, 'modules.dep')) ? modulesDir : null,
    config: hasConfig ? config : null,
    configSha256: hasConfig ? createHash('sha256').update(await readFile(config)).digest('hex') : null,
    source: { type: 'debian', package: resolved.package, version: resolved.version },
  };
}
