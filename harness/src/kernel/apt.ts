/** Pure readers of apt-cache output. */

/** Fields of the first stanza of `apt-cache show` (continuation lines folded in). */
export function parseAptShow(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  let last = '';
  for (const line of text.split('\n')) {
    if (line === '') {
      if (Object.keys(fields).length) break;
      continue;
    }
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
      fields[last] += '\n' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon);
    fields[last] = line.slice(colon + 1).trim();
  }
  return fields;
}

/** Packages named on `Depends:` lines of `apt-cache depends`, in order; virtual ones (<name>) left out. */
export function parseAptDepends(text: string): string[] {
  const deps: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*\|?Depends:\s*(\S+)/.exec(line);
    if (m && !m[1]!.startsWith('<')) deps.push(m[1]!);
  }
  return deps;
}

/**
 * A kernel meta-package (linux-image-6.12-amd64) depends on the concrete image
 * package (linux-image-6.12.117+deb12-amd64); the concrete one depends on no
 * other kernel image. Returns the image package a meta-package points at, or
 * null when pkg is itself concrete.
 */
export function kernelImageDependency(pkg: string, depends: string[]): string | null {
  return depends.find((d) => d !== pkg && /^linux-image-/.test(d) && !/-dbg$/.test(d)) ?? null;
}
