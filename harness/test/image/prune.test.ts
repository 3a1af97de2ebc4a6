/** The image cache's pruning: the most recently used images stay, and none used lately, however many. */
import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { IMAGE_IN_USE_MS, pruneImages, touchUsed } from '../../src/image/build.js';
import { tempDir } from '../helpers.js';

function images(dir: string, ages: number[]): string[] {
  return ages.map((age, i) => {
    const p = join(dir, `${String(i).padStart(2, '0')}.cpio`);
    writeFileSync(p, 'x');
    const at = new Date(Date.now() - age);
    utimesSync(p, at, at);
    return p;
  });
}

t.test('past 16 images the oldest go, but never one used within the in-use window', async (t) => {
  const dir = tempDir(t);
  const old = IMAGE_IN_USE_MS + 3600_000;
  // 10 used lately, 10 long ago (the older the higher the index).
  const paths = images(dir, [...Array(10).keys()].map((i) => i * 60_000).concat([...Array(10).keys()].map((i) => old + i * 60_000)));
  await pruneImages(dir, paths[0]!);
  t.same(paths.map((p) => existsSync(p)), [...Array(16).fill(true), false, false, false, false], 'the 16 most recent kept, the 4 oldest gone');

  const busy = tempDir(t);
  const lately = images(busy, [...Array(20).keys()].map((i) => i * 60_000));
  await pruneImages(busy, lately[0]!);
  t.ok(lately.every((p) => existsSync(p)), '20 images all used lately: none deleted, a run may still boot any of them');
});

t.test('a use makes an old image young again', async (t) => {
  const dir = tempDir(t);
  const paths = images(dir, [...Array(16).keys()].map((i) => i * 60_000).concat([IMAGE_IN_USE_MS * 2]));
  await touchUsed(paths[16]!);
  await pruneImages(dir, paths[0]!);
  t.ok(existsSync(paths[16]!), 'the image a run just used stays');
});
