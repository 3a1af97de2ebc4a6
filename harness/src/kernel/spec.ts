/**
 * Kernel specs as a person types them on the command line, parsed into data.
 *   debian:PACKAGE                          a Debian kernel package, meta-packages resolved through apt
 *   path:IMAGE[,modules=DIR][,config=FILE]  a kernel a developer just built
 *   tree:PATH[,config=FRAGMENT...][,base=FILE|defconfig]
 *                                           a kernel source tree hilt builds (kernel/tree.ts)
 */
import { usageError } from '../errors.js';

export const DEFAULT_KERNEL = 'debian:linux-image-6.12-amd64';

export type KernelSpec =
  | { type: 'debian'; package: string }
  | { type: 'path'; image: string; modules: string | null; config: string | null }
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

export function parseKernelSpec(text: string): KernelSpec {
  const colon = text.indexOf(':');
  const scheme = colon < 0 ? '' : text.slice(0, colon);
  const rest = colon < 0 ? text : text.slice(colon + 1);
  const known = 'debian:PACKAGE or path:IMAGE[,modules=DIR][,config=FILE] or tree:PATH[,config=FRAGMENT][,base=FILE|defconfig]';
  if (scheme === 'debian') {
    if (!DEBIAN_NAME.test(rest)) {
      throw usageError(`kernel spec '${text}': '${rest}' is not a Debian package name`, `Use ${known}, e.g. ${DEFAULT_KERNEL}.`);
    }
    return { type: 'debian', package: rest };
  }
  if (scheme === 'path') {
    const [image, ...opts] = rest.split(',');
    if (!image) throw usageError(`kernel spec '${text}' names no image`, 'Use path:/path/to/bzImage[,modules=DIR][,config=FILE].');
    const spec: KernelSpec = { type: 'path', image, modules: null, config: null };
    for (const opt of opts) {
      const eq = opt.indexOf('=');
      const key = eq < 0 ? opt : opt.slice(0, eq);
      const value = eq < 0 ? '' : opt.slice(eq + 1);
      if ((key !== 'modules' && key !== 'config') || !value) {
        throw usageError(`kernel spec '${text}': unknown option '${opt}'`, 'path: takes modules=DIR and config=FILE.');
      }
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
