/**
 * Network boot for a lab board: the kernel, the initramfs and an iPXE script
 * staged into the folder the lab's TFTP/HTTP server serves (root/dir), and,
 * when the machine profile asks, an HTTP server of hilt's own serving that
 * folder while the run lasts. The board's DHCP answer or boot loader chains
 * to dir/boot.ipxe; the script fetches the kernel and initramfs from the
 * profile's URL and boots them with this boot's command line, so a crash
 * followed by a power-cycle boots the next script: the one that resumes.
 */
import { createReadStream } from 'node:fs';
import { copyFile, link, mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import { join, normalize, sep } from 'node:path';
import { infraError, usageError } from '../errors.js';
import type { NetworkBoot } from '../plan/types.js';

export const SCRIPT_NAME = 'boot.ipxe';
export const KERNEL_NAME = 'vmlinuz';
export const INITRD_NAME = 'initrd.cpio';

const joinUrl = (base: string, ...parts: string[]) => [base.replace(/\/+$/, ''), ...parts].join('/');

/**
 * The iPXE script of one boot (pure). `initrd=` names the initramfs for a
 * kernel booted through EFI, which ignores it otherwise.
 */
export function ipxeScript(boot: Pick<NetworkBoot, 'url' | 'dir'>, words: string[]): string {
  for (const w of words) {
    // iPXE expands ${...} and splits at white space: a word must reach the kernel as it is.
    if (!w || /\s/.test(w) || w.includes('${')) throw usageError(`kernel command line word ${JSON.stringify(w)} cannot go into an iPXE script (white space or \${)`);
  }
  return [
    '#!ipxe',
    '# written by hilt for one boot; the next boot overwrites it',
    `kernel ${joinUrl(boot.url, boot.dir, KERNEL_NAME)} initrd=${INITRD_NAME} ${words.join(' ')}`,
    `initrd ${joinUrl(boot.url, boot.dir, INITRD_NAME)}`,
    'boot',
    '',
  ].join('\n');
}

/** A file put in place whole: a board fetching it never reads half of it. */
async function placeFile(src: string, dest: string): Promise<void> {
  const tmp = `${dest}.${process.pid}.tmp`;
  await unlink(tmp).catch(() => {});
  try {
    await link(src, tmp); // same file system: no copy
  } catch {
    await copyFile(src, tmp);
  }
  await rename(tmp, dest);
}

/** Stages the kernel and the initramfs into root/dir (once per run: they do not change between boots). */
export async function stageBootFiles(boot: NetworkBoot, kernel: string, initrd: string): Promise<{ dir: string }> {
  const dir = join(boot.root, boot.dir);
  try {
    await mkdir(dir, { recursive: true });
    await placeFile(kernel, join(dir, KERNEL_NAME));
    await placeFile(initrd, join(dir, INITRD_NAME));
  } catch (e) {
    throw infraError(`cannot stage the boot files into ${dir}: ${(e as Error).message}`, { hint: 'boot.root of the machine profile must be a folder hilt can write (the lab TFTP/HTTP server serves it).' });
  }
  return { dir };
}

/** Writes this boot's iPXE script; returns its path. */
export async function stageBootScript(boot: NetworkBoot, words: string[]): Promise<string> {
  const path = join(boot.root, boot.dir, SCRIPT_NAME);
  const text = ipxeScript(boot, words);
  try {
    await writeFile(`${path}.${process.pid}.tmp`, text);
    await rename(`${path}.${process.pid}.tmp`, path);
  } catch (e) {
    throw infraError(`cannot write the boot script ${path}: ${(e as Error).message}`);
  }
  return path;
}

export interface FileServer {
  /** What it served, for the journal: "GET /board/vmlinuz 200". */
  readonly served: string[];
  readonly port: number;
  close(): Promise<void>;
}

/** The file under root a request path names, or null for anything outside root. Pure. */
export function servedPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const full = normalize(join(root, decoded));
  return full === root || full.startsWith(root.endsWith(sep) ? root : root + sep) ? full : null;
}

/** Serves root's files over HTTP (GET and HEAD, nothing else) until closed. */
export function serveFolder(root: string, at: { host: string; port: number }): Promise<FileServer> {
  const served: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = req.method === 'GET' || req.method === 'HEAD' ? servedPath(root, req.url ?? '/') : null;
    const answer = (code: number, text: string) => {
      served.push(`${req.method} ${req.url} ${code}`);
      res.writeHead(code, { 'Content-Type': 'text/plain' }).end(`${text}\n`);
    };
    if (!path) return answer(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405, 'no');
    stat(path).then(
      (st) => {
        if (!st.isFile()) return answer(404, 'not a file');
        served.push(`${req.method} ${req.url} 200`);
        res.writeHead(200, { 'Content-Length': st.size, 'Content-Type': 'application/octet-stream' });
        if (req.method === 'HEAD') return res.end();
        createReadStream(path).on('error', () => res.destroy()).pipe(res);
      },
      () => answer(404, 'no such file'),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(infraError(`cannot serve the boot files at ${at.host}:${at.port}: ${e.code ?? e.message}`, { hint: 'boot.serve of the machine profile names an address this host can listen on and nothing else uses.' })),
    );
    server.listen(at.port, at.host, () => {
      const address = server.address();
      resolve({
        served,
        port: typeof address === 'object' && address ? address.port : at.port,
        close: () => new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        }),
      });
    });
  });
}
