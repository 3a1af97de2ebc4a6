/** What make would look at in a tree, as one hash: an unchanged tree needs no build. */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every file's path, size and mtime, hashed: what make would look at, without
 * reading a byte. About half a second for a whole kernel tree.
 */
export function treeFingerprint(tree: string): string {
  const h = createHash('sha256');
  const walk = (dir: string, rel: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name === '.git') continue;
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path, `${rel}${e.name}/`);
      else {
        const st = lstatSync(path, { bigint: true });
        h.update(`${rel}${e.name}\0${st.size}\0${st.mtimeNs}\n`);
      }
    }
  };
  walk(tree, '');
  return h.digest('hex');
}
