/**
 * Finds the shared libraries a program loads, as the host's dynamic loader
 * would, without running anything: no ldd, which runs the program's own
 * loader (wrong for a foreign architecture, unsafe on an untrusted file).
 * This is the edge that reads files; the ELF reader, the ld.so.cache reader
 * and the search order it drives are pure.
 *
 * Objects are loaded breadth first, as glibc's _dl_map_object_deps does: the
 * program's DT_NEEDED in order, then each library's. A name is looked up once
 * per program: a name that matches an object already loaded (the name it was
 * loaded under, its DT_SONAME, or the same file reached by another path) is
 * that object. The interpreter counts as loaded from the start. A candidate
 * of another ELF class or machine is skipped, as the loader skips it.
 */
import { readFile, realpath } from 'node:fs/promises';
import { usageError } from '../errors.js';
import { type LdCacheEntry, LdCacheFormatError, lookupLdCache, parseLdCache } from './ld-cache.js';
import { type ElfObject, elfIdentProblem, parseElf } from './parse.js';
import { type LoadedObject, type Route, type SearchSystem, searchCandidates, systemDirsFor } from './search.js';

export const DEFAULT_LD_CACHE = '/etc/ld.so.cache';

export interface ResolvedLibrary {
  /** The DT_NEEDED name it was first asked for by. */
  name: string;
  /** The path the loader would open (as ldd prints it: not normalised). */
  path: string;
  /** Its real path on this host: the file whose bytes go into an image. */
  file: string;
  route: Route;
  object: LoadedObject;
}

export interface LibraryClosure {
  /** The program as the loader sees it (its real path). */
  program: LoadedObject;
  /** PT_INTERP and its real path on this host; null for a static program. */
  interpreter: { path: string; file: string; elf: ElfObject } | null;
  /** In load order, the interpreter left out. */
  libraries: ResolvedLibrary[];
}

export interface ResolverOptions {
  /** Path of the loader's cache; null to search the directories alone. */
  ldCache?: string | null;
  /** The loader's system directories; by default a Debian loader's for the program's machine. */
  systemDirs?: string[];
}

interface FileInfo {
  file: string;
  elf: ElfObject;
}

export class LibraryResolver {
  private readonly files = new Map<string, Promise<FileInfo | null>>();
  private cache: Promise<LdCacheEntry[]> | null = null;

  constructor(private readonly opts: ResolverOptions = {}) {}

  /** An ELF64-LE file's real path and contents, read once; null when absent or not a readable ELF64-LE file. */
  private load(path: string): Promise<FileInfo | null> {
    let p = this.files.get(path);
    if (!p) {
      p = (async () => {
        let file: string;
        let data: Buffer;
        try {
          file = await realpath(path);
          data = await readFile(file);
        } catch {
          return null;
        }
        if (elfIdentProblem(data)) return null;
        try {
          return { file, elf: parseElf(data, path) };
        } catch {
          return null; // a damaged file: the loader would reject it and search on
        }
      })();
      this.files.set(path, p);
    }
    return p;
  }

  private ldCache(): Promise<LdCacheEntry[]> {
    const path = this.opts.ldCache === undefined ? DEFAULT_LD_CACHE : this.opts.ldCache;
    if (!this.cache) {
      this.cache = (async () => {
        if (path === null) return [];
        try {
          return parseLdCache(await readFile(path));
        } catch (e) {
          // No cache, or one hilt cannot read: the system directories still find the libraries.
          if ((e as NodeJS.ErrnoException).code === 'ENOENT' || e instanceof LdCacheFormatError) return [];
          throw e;
        }
      })();
    }
    return this.cache;
  }

  /** The program itself, read and refused with a clear message when it is not ELF64-LE. */
  async program(path: string): Promise<LoadedObject> {
    let file: string;
    let data: Buffer;
    try {
      file = await realpath(path);
      data = await readFile(file);
    } catch (e) {
      throw usageError(`${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
    return { path: file, elf: parseElf(data, path), loader: null };
  }

  async closure(programPath: string): Promise<LibraryClosure> {
    const program = await this.program(programPath);
    const machine = program.elf.machine;
    const entries = await this.ldCache();
    const system: SearchSystem = {
      cacheLookup: (name: string) => lookupLdCache(entries, name, machine),
      systemDirs: this.opts.systemDirs ?? systemDirsFor(machine),
    };

    // What is loaded, under every name it answers to, and by real path.
    const byName = new Map<string, LoadedObject>();
    const byFile = new Map<string, LoadedObject>();
    byFile.set(program.path, program);

    let interpreter: LibraryClosure['interpreter'] = null;
    if (program.elf.interpreter) {
      const interp = await this.load(program.elf.interpreter);
      if (!interp || interp.elf.machine !== machine) {
        throw usageError(`${programPath} needs the loader ${program.elf.interpreter}, which ${interp ? 'is for another machine' : 'this host does not have'}`);
      }
      interpreter = { path: program.elf.interpreter, file: interp.file, elf: interp.elf };
      const obj: LoadedObject = { path: program.elf.interpreter, elf: interp.elf, loader: null };
      byName.set(program.elf.interpreter, obj);
      if (interp.elf.soname) byName.set(interp.elf.soname, obj);
      byFile.set(interp.file, obj);
    }

    const libraries: ResolvedLibrary[] = [];
    const queue: LoadedObject[] = [program];
    for (let i = 0; i < queue.length; i++) {
      const needer = queue[i]!;
      for (const name of needer.elf.needed) {
        const known = byName.get(name);
        if (known) continue;
        const found = await this.find(name, needer, machine, system);
        if (!found) {
          const looked = searchCandidates(name, needer, system).map((c) => c.path);
          throw usageError(
            `${programPath}: cannot find ${name}, needed by ${needer.path}` + (looked.length ? `; looked in ${[...new Set(looked)].join(', ')}` : ''),
            'Install the library on this host, or give the program a RUNPATH (-Wl,-rpath) that leads to it.',
          );
        }
        const same = byFile.get(found.info.file);
        if (same) {
          byName.set(name, same); // the same file by another name or path: loaded once
          continue;
        }
        const obj: LoadedObject = { path: found.path, elf: found.info.elf, loader: needer };
        byName.set(name, obj);
        if (found.info.elf.soname) byName.set(found.info.elf.soname, obj);
        byFile.set(found.info.file, obj);
        libraries.push({ name, path: found.path, file: found.info.file, route: found.route, object: obj });
        queue.push(obj);
      }
    }
    return { program, interpreter, libraries };
  }

  private async find(
    name: string,
    needer: LoadedObject,
    machine: number,
    system: SearchSystem,
  ): Promise<{ path: string; route: Route; info: FileInfo } | null> {
    for (const c of searchCandidates(name, needer, system)) {
      const info = await this.load(c.path);
      if (info && info.elf.machine === machine && info.elf.type === 'shared') return { path: c.path, route: c.route, info };
    }
    return null;
  }
}
