/**
 * The shared libraries of the dynamically linked programs an image carries,
 * as initramfs entries: each library goes where the guest's loader will look
 * for it, which is not always where the host's found it.
 *
 *  - the interpreter goes to its PT_INTERP path;
 *  - a library found through a DT_RUNPATH or DT_RPATH element goes to that
 *    element expanded with the guest's $ORIGIN (a test built with
 *    RUNPATH=$ORIGIN/../lib put at /hilt/bin/t gets /hilt/lib/);
 *  - a library found through ld.so.cache or a system directory goes to the
 *    same path when that is a system directory of the loader, else into the
 *    first system directory: the guest has no ld.so.cache to point elsewhere.
 *
 * One library reached by several programs at different guest paths is stored
 * once and linked from the others. placeLibraries is pure; libraryEntries
 * reads the files.
 */
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { usageError } from '../errors.js';
import type { LibraryClosure, LibraryResolver } from '../elf/resolve.js';
import { type LoadedObject, expandElement, joinDir, systemDirsFor } from '../elf/search.js';
import type { CpioEntry } from './cpio.js';

export interface GuestProgram {
  /** The program on this host. */
  host: string;
  /** Where the image puts it: an absolute guest path. */
  guest: string;
}

export interface PlacedFile {
  /** Absolute guest path. */
  guest: string;
  /** Real path of the file on this host. */
  file: string;
}

export interface LibraryPlacement {
  /** Files to store, in load order of the first program that needs them. */
  files: PlacedFile[];
  /** Further guest paths of a stored file: guest path -> the stored file's guest path. */
  links: { guest: string; target: string }[];
}

/** The guest path of each library of one program (the interpreter included), in load order. */
export function guestPaths(closure: LibraryClosure, programGuest: string, systemDirs = systemDirsFor(closure.program.elf.machine)): PlacedFile[] {
  const guestOf = new Map<LoadedObject, string>([[closure.program, programGuest]]);
  const out: PlacedFile[] = [];
  if (closure.interpreter) out.push({ guest: closure.interpreter.path, file: closure.interpreter.file });
  for (const lib of closure.libraries) {
    let guest: string;
    const route = lib.route;
    if (route.via === 'rpath' || route.via === 'runpath') {
      const ownerGuest = guestOf.get(route.owner);
      if (ownerGuest === undefined) throw new Error(`library placement: ${route.owner.path} is placed after ${lib.name}, which it brought in`);
      guest = joinDir(expandElement(route.element, posix.dirname(ownerGuest))!, lib.name);
    } else if (route.via === 'path') {
      guest = lib.path;
    } else {
      guest = systemDirs.includes(posix.dirname(lib.path)) ? lib.path : joinDir(systemDirs[0]!, lib.name);
    }
    guest = posix.normalize(posix.isAbsolute(guest) ? guest : `/${guest}`);
    guestOf.set(lib.object, guest);
    out.push({ guest, file: lib.file });
  }
  return out;
}

/** Merges the placements of several programs; two different files at one guest path is an error. */
export function placeLibraries(programs: { closure: LibraryClosure; guest: string }[], reserved: ReadonlySet<string> = new Set()): LibraryPlacement {
  const fileAt = new Map<string, string>(); // guest path -> host file
  const storedAt = new Map<string, string>(); // host file -> guest path of its stored copy
  const placement: LibraryPlacement = { files: [], links: [] };
  for (const p of programs) {
    for (const { guest, file } of guestPaths(p.closure, p.guest)) {
      const there = fileAt.get(guest);
      if (there === file) continue;
      if (there !== undefined || reserved.has(guest)) {
        throw usageError(
          `${p.closure.program.path} needs ${file} at ${guest} in the guest, where ${there ?? 'hilt puts one of its own files'} already is`,
          'Give the programs RUNPATHs that do not collide, or run them in separate runs.',
        );
      }
      fileAt.set(guest, file);
      const stored = storedAt.get(file);
      if (stored) {
        placement.links.push({ guest, target: stored });
      } else {
        storedAt.set(file, guest);
        placement.files.push({ guest, file });
      }
    }
  }
  return placement;
}

/** The closures of the dynamic programs among `programs` (static ones have none). */
export async function closuresOf(programs: GuestProgram[], resolver: LibraryResolver): Promise<{ closure: LibraryClosure; guest: string }[]> {
  const out: { closure: LibraryClosure; guest: string }[] = [];
  for (const p of programs) {
    const closure = await resolver.closure(p.host);
    if (closure.interpreter || closure.libraries.length) out.push({ closure, guest: p.guest });
  }
  return out;
}

/** Reads the placed files into initramfs entries (paths relative to the archive root). */
export async function libraryEntries(placement: LibraryPlacement): Promise<CpioEntry[]> {
  const entries: CpioEntry[] = [];
  for (const f of placement.files) entries.push({ type: 'file', path: f.guest.slice(1), mode: 0o755, data: await readFile(f.file) });
  for (const l of placement.links) entries.push({ type: 'symlink', path: l.guest.slice(1), target: l.target });
  return entries;
}
