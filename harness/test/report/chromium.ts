/**
 * Renders a page in headless Chromium (Debian's chromium package) the way a
 * person opens report.html: from a file, offline. Gives back the DOM after
 * parsing, a screenshot, and every network request the page itself made,
 * read from Chromium's NetLog.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';

export const CHROMIUM = process.env.HILT_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing: apt-get install chromium (./quickstart.sh test installs it)`;
}

export interface Rendered {
  dom: string;
  png: Buffer;
  /** URLs of the requests the page made (not Chromium's own background traffic). */
  pageRequests: string[];
}

/** Requests whose network isolation key is a file:// site came from a page opened from a file. */
function pageRequests(netLogPath: string): string[] {
  const log = JSON.parse(readFileSync(netLogPath, 'utf8')) as {
    constants: { logEventTypes: Record<string, number> };
    events: { type: number; params?: { url?: string; network_isolation_key?: string } }[];
  };
  const start = log.constants.logEventTypes.URL_REQUEST_START_JOB;
  return log.events
    .filter((e) => e.type === start && e.params?.url && (e.params.network_isolation_key ?? '').includes('file://'))
    .map((e) => e.params!.url!);
}

export async function render(htmlPath: string, size: { width: number; height: number }): Promise<Rendered> {
  const dir = mkdtempSync(join(tmpdir(), 'hilt-chromium-'));
  try {
    const shot = join(dir, 'shot.png');
    const netLog = join(dir, 'net.json');
    const args = [
      '--headless',
      '--no-sandbox', // root in CI and on developer VMs
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      `--user-data-dir=${join(dir, 'profile')}`,
      `--window-size=${size.width},${size.height}`,
      `--log-net-log=${netLog}`,
      `--screenshot=${shot}`,
      '--dump-dom',
      pathToFileURL(htmlPath).href,
    ];
    const dom = await new Promise<string>((resolve, reject) => {
      execFile(CHROMIUM, args, { timeout: 90_000, maxBuffer: 64 << 20, env: { ...process.env, NODE_OPTIONS: '' } }, (err, stdout, stderr) => {
        if (err) reject(new Error(`chromium failed: ${err.message}\n${stderr.slice(-2000)}`));
        else resolve(stdout);
      });
    });
    return { dom, png: readFileSync(shot), pageRequests: pageRequests(netLog) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Image {
  width: number;
  height: number;
  /** [r, g, b] of a pixel. */
  at(x: number, y: number): [number, number, number];
}

/** Decodes an 8-bit RGB or RGBA PNG, what Chromium writes, with node:zlib only. */
export function decodePng(png: Buffer): Image {
  if (png.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error('not a PNG');
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  for (let off = 8; off < png.length; ) {
    const len = png.readUInt32BE(off);
    const type = png.toString('latin1', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[12] !== 0 || (data[9] !== 2 && data[9] !== 6)) throw new Error('only 8-bit RGB/RGBA PNGs without interlace');
      channels = data[9] === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const px = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? px[y * stride + i - channels]! : 0;
      const b = y > 0 ? px[(y - 1) * stride + i]! : 0;
      const c = i >= channels && y > 0 ? px[(y - 1) * stride + i - channels]! : 0;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      px[y * stride + i] = (line[i]! + pred) & 0xff;
    }
  }
  return {
    width,
    height,
    at: (x, y) => {
      const o = y * stride + x * channels;
      return [px[o]!, px[o + 1]!, px[o + 2]!];
    },
  };
}

/** How many pixels have exactly the colour #rrggbb. */
export function countColour(img: Image, hex: string): number {
  const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let n = 0;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const [r, g, b] = img.at(x, y);
      if (r === want[0] && g === want[1] && b === want[2]) n++;
    }
  }
  return n;
}
