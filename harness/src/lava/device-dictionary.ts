/**
 * Device dictionaries for running jobs locally with lava-run, rendered the
 * way a LAVA server renders them: the device's dictionary extends a device
 * type template (`{% extends 'qemu.jinja2' %}`) and is rendered by Jinja2 in a
 * sandbox, with trim_blocks, without autoescape, with the job's `context` as
 * the render context (lava_scheduler_app: Device.load_configuration).
 *
 * The templates come from Debian's lava-server package, downloaded and
 * unpacked into hilt's cache (the server itself, and PostgreSQL, are not
 * needed for this), or from an installed lava-server.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { infraError } from '../errors.js';
import { lazyExeca } from '../util/exec.js';
import type { Log } from '../util/log.js';

export const PYTHON = '/usr/bin/python3';
const INSTALLED_TEMPLATES = '/usr/share/lava-server/device-types';
const TEMPLATES_IN_PACKAGE = 'usr/share/lava-server/device-types';

/** The dictionary of a QEMU device under TCG (a worker without KVM, like a CI runner). */
export function qemuDeviceDictionary(o: { noKvm: boolean }): string {
  return `{% extends 'qemu.jinja2' %}\n${o.noKvm ? '{% set no_kvm = True %}\n' : ''}`;
}

// Python reads what to render from stdin as JSON: no shell, no quoting.
const RENDER = `
import json, sys
from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment
req = json.load(sys.stdin)
env = SandboxedEnvironment(loader=FileSystemLoader([req["templates"]]), autoescape=False, trim_blocks=True)
sys.stdout.write(env.from_string(req["dictionary"]).render(**req["context"]))
`;

export async function renderDeviceDictionary(templates: string, dictionary: string, context: Record<string, unknown>): Promise<string> {
  const execa = await lazyExeca();
  const r = await execa(PYTHON, ['-c', RENDER], { input: JSON.stringify({ templates, dictionary, context }), reject: false });
  if (r.exitCode !== 0) {
    throw infraError(`rendering the LAVA device dictionary failed (${PYTHON} with Jinja2, exit ${r.exitCode ?? r.signal})`, {
      hint: 'apt-get install python3-jinja2 (lava-dispatcher pulls it in).',
      detail: r.stderr.trim(),
    });
  }
  return r.stdout;
}

/**
 * The folder of LAVA's device type templates: an installed lava-server's, or
 * the lava-server package's unpacked into the cache once (`apt-get download`,
 * `dpkg-deb -x`).
 */
export async function lavaTemplates(cacheDir: string, log: Log): Promise<string> {
  if (existsSync(join(INSTALLED_TEMPLATES, 'qemu.jinja2'))) return INSTALLED_TEMPLATES;
  const base = join(cacheDir, 'lava-server');
  const unpacked = existsSync(base) ? readdirSync(base).filter((d) => d.startsWith('lava-server_')).sort() : [];
  for (const d of unpacked.reverse()) {
    const dir = join(base, d, TEMPLATES_IN_PACKAGE);
    if (existsSync(join(dir, 'qemu.jinja2'))) return dir;
  }
  mkdirSync(base, { recursive: true });
  const tmp = mkdtempSync(join(base, 'download-'));
  try {
    log.progress('downloading the lava-server package for its device type templates');
    const execa = await lazyExeca();
    const dl = await execa('apt-get', ['download', 'lava-server'], { cwd: tmp, reject: false });
    const deb = readdirSync(tmp).find((f) => f.endsWith('.deb'));
    if (dl.exitCode !== 0 || !deb) {
      throw infraError('apt-get download lava-server failed: the LAVA device type templates are in that package', {
        hint: 'Run apt-get update first, or install lava-server.',
        detail: dl.stderr.trim(),
      });
    }
    const into = join(tmp, 'root');
    const x = await execa('dpkg-deb', ['-x', join(tmp, deb), into], { reject: false });
    if (x.exitCode !== 0) throw infraError(`dpkg-deb -x ${deb} failed`, { detail: x.stderr.trim() });
    const final = join(base, deb.replace(/\.deb$/, ''));
    rmSync(final, { recursive: true, force: true });
    renameSync(into, final);
    log.info(`LAVA device type templates from ${deb}`);
    return join(final, TEMPLATES_IN_PACKAGE);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
