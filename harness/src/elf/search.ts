/**
 * Where glibc's dynamic loader looks for a library a loaded object needs, in
 * the order it looks (elf/dl-load.c, _dl_map_object), as a list of candidate
 * paths. Pure: the loaded objects and the cache lookup come in as data; the
 * caller (resolve.ts) tries each candidate on disk.
 *
 *   1. a name with a '/' is a path, used as it is;
 *   2. when the needing object has no DT_RUNPATH: the DT_RPATH of that object,
 *      then of the object that loaded it, and so on up to the program (an object
 *      with a DT_RUNPATH contributes no DT_RPATH);
 *   3. (LD_LIBRARY_PATH: hilt does not pass the host's environment on, so none);
 *   4. the needing object's own DT_RUNPATH (not inherited);
 *   5. unless the needing object is DF_1_NODEFLIB: /etc/ld.so.cache, then the
 *      loader's system directories.
 * $ORIGIN in a path element is the directory of the object that carries the
 * element. A path element with another substitution ($LIB, $PLATFORM) or an
 * empty one is skipped: what they mean depends on the machine the loader runs on.
 */
import type { ElfObject } from './parse.js';
import { EM_AARCH64, EM_PPC64, EM_RISCV, EM_X86_64 } from './parse.js';

/** An object as the loader holds it: where it was opened and who loaded it. */
export interface LoadedObject {
  /** The path it was opened at; for the program, its real path, as /proc/self/exe gives it. */
  path: string;
  elf: ElfObject;
  /** The object whose DT_NEEDED brought it in; null for the program. */
  loader: LoadedObject | null;
}

/** How a library was found: what the guest image needs to put it where the loader will look again. */
export type Route =
  | { via: 'path' }
  | { via: 'rpath' | 'runpath'; element: string; owner: LoadedObject }
  | { via: 'cache' }
  | { via: 'system'; dir: string };

export interface Candidate {
  path: string;
  route: Route;
}

const TRIPLETS: Record<number, string> = {
  [EM_X86_64]: 'x86_64-linux-gnu',
  [EM_AARCH64]: 'aarch64-linux-gnu',
  [EM_RISCV]: 'riscv64-linux-gnu',
  [EM_PPC64]: 'powerpc64le-linux-gnu',
};

/**
 * The system directories of a Debian loader for a machine, in its order
 * (`ld.so --help` on Debian 12 lists the multiarch pair, then /lib and /usr/lib).
 */
export function systemDirsFor(machine: number): string[] {
  const triplet = TRIPLETS[machine];
  return [...(triplet ? [`/lib/${triplet}`, `/usr/lib/${triplet}`] : []), '/lib', '/usr/lib'];
}

const dirname = (path: string) => {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
};

/** A path element with $ORIGIN replaced, or null when the loader would skip it. */
export function expandElement(element: string, origin: string): string | null {
  if (element === '') return null;
  const expanded = element.replace(/\$(\{ORIGIN\}|ORIGIN(?![A-Za-z0-9_]))/g, origin);
  if (expanded.includes('$')) return null;
  const trimmed = expanded.length > 1 ? expanded.replace(/\/+$/, '') : expanded;
  return trimmed || '/';
}

export const originOf = (obj: LoadedObject) => dirname(obj.path);

export function joinDir(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

export interface SearchSystem {
  /** The path /etc/ld.so.cache gives the name, or null (also when there is no cache). */
  cacheLookup(name: string): string | null;
  systemDirs: readonly string[];
}

export function searchCandidates(name: string, needer: LoadedObject, sys: SearchSystem): Candidate[] {
  if (name.includes('/')) return [{ path: name, route: { via: 'path' } }];
  const out: Candidate[] = [];
  const fromList = (owner: LoadedObject, list: string[], via: 'rpath' | 'runpath') => {
    for (const element of list) {
      const dir = expandElement(element, originOf(owner));
      if (dir !== null) out.push({ path: joinDir(dir, name), route: { via, element, owner } });
    }
  };
  if (needer.elf.runpath === null) {
    for (let o: LoadedObject | null = needer; o; o = o.loader) {
      if (o.elf.runpath === null && o.elf.rpath) fromList(o, o.elf.rpath, 'rpath');
    }
  }
  if (needer.elf.runpath) fromList(needer, needer.elf.runpath, 'runpath');
  if (!needer.elf.noDefaultLib) {
    const cached = sys.cacheLookup(name);
    if (cached) out.push({ path: cached, route: { via: 'cache' } });
    for (const dir of sys.systemDirs) out.push({ path: joinDir(dir, name), route: { via: 'system', dir } });
  }
  return out;
}
