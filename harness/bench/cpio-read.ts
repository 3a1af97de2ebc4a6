/**
 * Reads a cpio "newc" archive back into entries: the bench uses it to check
 * that the floor image carries byte for byte the same busybox, modules and
 * suite programs as the image `hilt run` booted. Pure.
 */
export interface CpioMember {
  path: string;
  mode: number;
  data: Buffer;
}

const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;

export function readCpio(archive: Buffer): CpioMember[] {
  const out: CpioMember[] = [];
  let off = 0;
  const field = (i: number) => parseInt(archive.toString('latin1', off + 6 + i * 8, off + 14 + i * 8), 16);
  while (off + 110 <= archive.length) {
    const magic = archive.toString('latin1', off, off + 6);
    if (magic !== '070701' && magic !== '070702') throw new Error(`cpio: bad magic '${magic}' at byte ${off}`);
    const mode = field(1);
    const size = field(6);
    const nameLen = field(11);
    const nameStart = off + 110;
    const path = archive.toString('utf8', nameStart, nameStart + nameLen - 1);
    const dataStart = nameStart + nameLen + ((4 - ((110 + nameLen) % 4)) % 4);
    if (path === 'TRAILER!!!') break;
    out.push({ path, mode, data: archive.subarray(dataStart, dataStart + size) });
    off = dataStart + size + ((4 - (size % 4)) % 4);
  }
  return out;
}

export function isFile(m: CpioMember): boolean {
  return (m.mode & S_IFMT) === S_IFREG;
}
