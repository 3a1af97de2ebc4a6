/**
 * A cpio "newc" archive writer, the format the kernel unpacks as an initramfs
 * (Documentation/driver-api/early-userspace/buffer-format.rst). Pure: entries
 * in, buffers out. Parent directories are added when missing, every entry is
 * owned by root with mtime 0, so equal inputs give byte-identical archives.
 */
export type CpioEntry =
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'file'; path: string; mode?: number; data: Buffer }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'char'; path: string; mode?: number; major: number; minor: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

const pad4 = (n: number) => (4 - (n % 4)) % 4;
const hex8 = (n: number) => n.toString(16).padStart(8, '0');

function normalise(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) throw new Error(`cpio: path '${path}' leaves the archive root`);
  return parts.join('/');
}

function header(fields: { ino: number; mode: number; nlink: number; size: number; rmajor: number; rminor: number; nameLen: number }): string {
  return (
    '070701' +
    hex8(fields.ino) +
    hex8(fields.mode) +
    hex8(0) + // uid
    hex8(0) + // gid
    hex8(fields.nlink) +
    hex8(0) + // mtime
    hex8(fields.size) +
    hex8(0) + // devmajor
    hex8(0) + // devminor
    hex8(fields.rmajor) +
    hex8(fields.rminor) +
    hex8(fields.nameLen) +
    hex8(0) // check
  );
}

function record(ino: number, name: string, mode: number, data: Buffer, nlink: number, rmajor = 0, rminor = 0): Buffer[] {
  const nameBuf = Buffer.from(name + '\0', 'utf8');
  const head = Buffer.from(header({ ino, mode, nlink, size: data.length, rmajor, rminor, nameLen: nameBuf.length }), 'latin1');
  const chunks: Buffer[] = [head, nameBuf, Buffer.alloc(pad4(head.length + nameBuf.length))];
  if (data.length) chunks.push(data, Buffer.alloc(pad4(data.length)));
  return chunks;
}

export function cpioArchive(entries: CpioEntry[]): Buffer[] {
  const out: Buffer[] = [];
  const seen = new Set<string>();
  let ino = 1;
  const dir = (path: string, mode = 0o755) => {
    out.push(...record(ino++, path, S_IFDIR | (mode & 0o7777), Buffer.alloc(0), 2));
    seen.add(path);
  };
  const parents = (path: string) => {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (!seen.has(p)) dir(p);
    }
  };
  for (const entry of entries) {
    const path = normalise(entry.path);
    if (!path) continue;
    if (seen.has(path)) throw new Error(`cpio: '${path}' is in the archive twice`);
    parents(path);
    switch (entry.type) {
      case 'dir':
        dir(path, entry.mode);
        break;
      case 'file':
        out.push(...record(ino++, path, S_IFREG | ((entry.mode ?? 0o644) & 0o7777), entry.data, 1));
        seen.add(path);
        break;
      case 'symlink':
        out.push(...record(ino++, path, S_IFLNK | 0o777, Buffer.from(entry.target, 'utf8'), 1));
        seen.add(path);
        break;
      case 'char':
        out.push(...record(ino++, path, S_IFCHR | ((entry.mode ?? 0o600) & 0o7777), Buffer.alloc(0), 1, entry.major, entry.minor));
        seen.add(path);
        break;
    }
  }
  out.push(...record(ino, 'TRAILER!!!', 0, Buffer.alloc(0), 1));
  return out;
}
