/**
 * Kernel specs as a person types them on the command line, parsed into data.
 *   debian:PACKAGE[=VERSION]                a Debian kernel package, meta-packages resolved through apt;
 *                                           =VERSION pins that exact build (what a reproduction names)
 *   path:IMAGE[,modules=DIR][,config=FILE][,sha256=HEX]  a kernel a developer just built;
 *                                           sha256= refuses any image but that one
 *   tree:PATH[,config=FRAGMENT...][,base=FILE|defconfig]
 *                                           a kernel source tree hilt builds (kernel/tree.ts)
 */
import { usageError } from '../errors.js';

export const DEFAULT_KERNEL = 'debian:linux-image-6.12-amd64';

export type KernelSpec =
  | { type: 'debian'; package: string; version: string | null }
  | { type: 'path'; image: string; modules: string | null; config: string | null; sha256: string | null }
  | TreeSpec;

/**
 * A source tree to build. `configs` are fragments applied in order after the
 * base and the suites' own fragments: a file, or the name of a fragment hilt
 * ships (kasan). `base` null is hilt's own small QEMU config; 'defconfig' is
 * the architecture's defconfig; anything else is a complete .config to start from.
 */
export interface TreeSpec {
  type: 'tree';
  path: string;
  configs: string[];
  base: string | null;
}

const DEBIAN_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
/** Debian policy: [epoch:]upstream[-revision], digits first. */
const DEBIAN_VERSION = /^(\d+:)?\d[A-Za-z0-9.+~:-]*$/;

export function parseKernelSpec(text: string): KernelSpec {
  const colon = text.indexOf(':');
  const scheme = colon < 0 ? '' : text.slice(0, colon);
  const rest = colon < 0 ? text : text.slice(colon + 1);
  const known = 'debian:PACKAGE, path:IMAGE[,modules=DIR][,config=FILE] or tree:PATH[,config=FRAGMENT][,base=FILE|defconfig] (debian:PACKAGE=VERSION and path:IMAGE,sha256=HEX name one exact build)';
  if (scheme === 'debian') {
    const eq = rest.indexOf('=');
    const pkg = eq < 0 ? rest : rest.slice(0, eq);
    const version = eq < 0 ? null : rest.slice(eq + 1);
    if (!DEBIAN_NAME.test(pkg)) {
      throw usageError(`kernel spec '${text}': '${pkg}' is not a Debian package name`, `Use ${known}, e.g. ${DEFAULT_KERNEL}.`);
    }
    if (version !== null && !DEBIAN_VERSION.test(version)) {
      throw usageError(`kernel spec '${text}': '${version}' is not a Debian version`, 'Give the version as apt-cache policy shows it, e.g. debian:linux-image-6.12.117+deb12-amd64=6.12.117-1~deb12u1.');
    }
    return { type: 'debian', package: pkg, version };
  }
  if (scheme === 'path') {
    const [image, ...opts] = rest.split(',');
    if (!image) throw usageError(`kernel spec '${text}' names no image`, 'Use path:/path/to/bzImage[,modules=DIR][,config=FILE].');
    const spec: KernelSpec = { type: 'path', image, modules: null, config: null, sha256: null };
    for (const opt of opts) {
      const eq = opt.indexOf('=');
      const key = eq < 0 ? opt : opt.slice(0, eq);
      const value = eq < 0 ? '' : opt.slice(eq + 1);
      if ((key !== 'modules' && key !== 'config' && key !== 'sha256') || !value) {
        throw usageError(`kernel spec '${text}': unknown option '${opt}'`, 'path: takes modules=DIR, config=FILE and sha256=HEX.');
      }
      if (key === 'sha256' && !/^[0-9a-f]{64}$/.test(value)) throw usageError(`kernel spec '${text}': sha256=${value} is not 64 lowercase hex digits`);
      spec[key] = value;
    }
    return spec;
  }
  if (scheme === 'tree') return parseTreeSpec(text, rest);
  throw usageError(
    `kernel spec '${text}' has ${scheme ? `an unknown scheme '${scheme}:'` : 'no scheme'}`,
    `Use ${known}.`,
  );
}

const TREE_USAGE = 'Use tree:PATH[,config=FRAGMENT][,base=FILE|defconfig], e.g. tree:~/linux,config=kasan.';

function parseTreeSpec(text: string, rest: string): TreeSpec {
  const [path, ...opts] = rest.split(',');
  if (!path) throw usageError(`kernel spec '${text}' names no source tree`, TREE_USAGE);
  const spec: TreeSpec = { type: 'tree', path, configs: [], base: null };
  for (const opt of opts) {
    const eq = opt.indexOf('=');
    const key = eq < 0 ? opt : opt.slice(0, eq);
    const value = eq < 0 ? '' : opt.slice(eq + 1);
    if (key === 'config' && value) spec.configs.push(value);
    else if (key === 'base' && value && spec.base === null) spec.base = value;
    else if (key === 'base' && value) throw usageError(`kernel spec '${text}' names two bases`, 'Give base= once; add the rest as config= fragments.');
    else throw usageError(`kernel spec '${text}': unknown option '${opt}'`, `tree: takes config=FRAGMENT (repeatable) and base=FILE|defconfig. ${TREE_USAGE}`);
  }
  return spec;
}

/** A tree spec as text again, e.g. after its paths were made absolute. */
export function formatTreeSpec(spec: TreeSpec): string {
  return ['tree:' + spec.path, ...spec.configs.map((c) => `config=${c}`), ...(spec.base === null ? [] : [`base=${spec.base}`])].join(',');
}
