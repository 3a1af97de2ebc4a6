/**
 * Reads the x86 boot protocol header of a bzImage (Documentation/arch/x86/boot.rst):
 * the 0xAA55 boot flag at 0x1FE, "HdrS" at 0x202, the protocol version at 0x206 and
 * a pointer at 0x20E to the kernel version string, which starts with the release.
 */
export type BzImageInfo =
  | { ok: true; protocol: string; version: string; release: string }
  | { ok: false; reason: string };

export function inspectBzImage(head: Buffer): BzImageInfo {
  if (head.length < 0x210) return { ok: false, reason: `only ${head.length} bytes long` };
  if (head.readUInt16LE(0x1fe) !== 0xaa55) return { ok: false, reason: 'no 0xAA55 boot flag at offset 0x1FE' };
  if (head.toString('latin1', 0x202, 0x206) !== 'HdrS') return { ok: false, reason: 'no "HdrS" boot header at offset 0x202' };
  const proto = head.readUInt16LE(0x206);
  const protocol = `${proto >> 8}.${(proto & 0xff).toString().padStart(2, '0')}`;
  const ptr = head.readUInt16LE(0x20e);
  let version = '';
  if (ptr) {
    const at = ptr + 0x200;
    const end = head.indexOf(0, at);
    if (at < head.length) version = head.toString('latin1', at, end < 0 ? Math.min(head.length, at + 256) : end);
  }
  return { ok: true, protocol, version, release: version.split(' ')[0] ?? '' };
}

/** How many leading bytes inspectBzImage needs to see the version string. */
export const BZIMAGE_HEAD_BYTES = 64 * 1024;
