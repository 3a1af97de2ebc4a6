/**
 * `hilt boot`: boots the test kernel with the test initramfs and hands the
 * person's terminal to a shell in the guest, through a pseudo-terminal, so a
 * failure can be reproduced by hand with the same kernel, modules and suite
 * binaries a run uses. Ctrl-] leaves (and powers the machine off).
 */
import { EXIT_INFRA, EXIT_OK, infraError } from '../errors.js';
import { resolveKernel } from '../kernel/index.js';
import { cacheDir } from '../paths.js';
import { buildRunPlan, type RunOptions } from '../plan/plan.js';
import { buildRunImage, decideAccel } from '../run/executor.js';
import { schemas } from '../schemas/registry.js';
import { loadCatalog } from '../suites/catalog.js';
import { qemuArgs } from '../targets/qemu.js';
import { dieWithParent, forget, trackPid } from '../util/children.js';
import { stderrLog } from '../util/log.js';

const ESCAPE = 0x1d; // Ctrl-]

export async function bootCommand(opts: RunOptions): Promise<number> {
  const log = stderrLog();
  const registry = schemas();
  const catalog = loadCatalog(registry);
  const plan = await buildRunPlan({ ...opts, suites: opts.suites?.length ? opts.suites : catalog.filter((s) => s.default).map((s) => s.name) }, catalog, registry);
  const cache = cacheDir();
  const kernel = await resolveKernel(plan.kernel, { cacheDir: cache, log, suites: plan.suites.map((s) => s.name) });
  const image = await buildRunImage(plan, kernel, { cacheDir: cache, log, consoleLevel: 0 });
  const accel = await decideAccel(plan, kernel, image.path, { cacheDir: cache, log });
  const args = qemuArgs({ machine: plan.machine, kernelImage: kernel.image, initrd: image.path, accel }, { cmdline: ['hilt.mode=shell'] });

  let pty: typeof import('node-pty');
  try {
    pty = await import('node-pty');
  } catch (e) {
    throw infraError(`node-pty could not be loaded (${(e as Error).message})`, { hint: 'Reinstall the dependencies: npm ci (it builds node-pty with node-gyp).' });
  }
  const [cmd, argv] = dieWithParent(plan.machine.qemu, args);
  const stdin = process.stdin;
  const stdout = process.stdout;
  log.info(`booting ${kernel.release} (${accel.toUpperCase()}); the guest shell is yours, Ctrl-] leaves`);
  const child = pty.spawn(cmd, argv, {
    name: process.env.TERM ?? 'xterm',
    cols: stdout.columns || 80,
    rows: stdout.rows || 24,
    env: process.env as Record<string, string>,
  });
  trackPid(child.pid);
  const rawBefore = stdin.isTTY ? stdin.isRaw : false;
  if (stdin.isTTY) stdin.setRawMode(true);
  let escaped = false;
  const onInput = (data: Buffer) => {
    if (data.includes(ESCAPE)) {
      escaped = true;
      child.kill('SIGKILL');
      return;
    }
    child.write(data.toString('utf8'));
  };
  stdin.on('data', onInput);
  stdin.resume();
  const onResize = () => child.resize(stdout.columns || 80, stdout.rows || 24);
  stdout.on('resize', onResize);
  child.onData((d) => stdout.write(d));
  const code = await new Promise<number>((resolve) => child.onExit(({ exitCode }) => resolve(exitCode)));
  forget(child.pid);
  stdin.off('data', onInput);
  stdout.off('resize', onResize);
  if (stdin.isTTY) stdin.setRawMode(rawBefore);
  stdin.pause();
  log.info('machine off');
  return code === 0 || escaped ? EXIT_OK : EXIT_INFRA;
}
