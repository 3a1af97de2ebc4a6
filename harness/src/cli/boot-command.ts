/**
 * `hilt boot`: boots the test kernel with the test initramfs on the plan's
 * target and hands the person's terminal to a shell in the guest, so a
 * failure can be reproduced by hand with the same kernel, modules and suite
 * binaries a run uses. Whatever the target (QEMU, a lab board, an SSH host),
 * the console comes through the Target interface. Ctrl-] leaves (and powers
 * the machine off).
 */
import { EXIT_INFRA, EXIT_OK } from '../errors.js';
import { cacheDir } from '../paths.js';
import { buildRunPlan, type RunOptions } from '../plan/plan.js';
import { prepareMachine } from '../run/prepare.js';
import { schemas } from '../schemas/registry.js';
import { loadCatalog } from '../suites/catalog.js';
import type { Machine } from '../targets/target.js';
import { stderrLog } from '../util/log.js';

const ESCAPE = 0x1d; // Ctrl-]

export async function bootCommand(opts: RunOptions): Promise<number> {
  const log = stderrLog();
  const registry = schemas();
  const catalog = loadCatalog(registry);
  const plan = await buildRunPlan({ ...opts, suites: opts.suites?.length ? opts.suites : catalog.filter((s) => s.default).map((s) => s.name) }, catalog, registry);
  const { kernel, where, target } = await prepareMachine(plan, { cacheDir: cacheDir(), log, consoleLevel: 0 });
  const stdout = process.stdout;
  try {
    const hosted = plan.machine.type === 'ssh' || plan.machine.type === 'local';
    log.info(
      hosted
        ? `a shell ${where} (${kernel.release}) in the folder with the agent and the suites (hilt/suites); Ctrl-] leaves`
        : `booting ${kernel.release} ${where}; the guest shell is yours, Ctrl-] leaves`,
    );
    const machine = await target.boot({ cmdline: ['hilt.mode=shell'], interactive: { cols: stdout.columns || 80, rows: stdout.rows || 24 } });
    const { code, escaped } = await attachTerminal(machine, process.stdin, stdout);
    const after = await target.afterBoot(machine);
    for (const note of after.notes) log.info(note);
    if (after.error) throw after.error;
    log.info(hosted ? 'shell closed' : 'machine off');
    return code === 0 || escaped ? EXIT_OK : EXIT_INFRA;
  } finally {
    await target.close();
  }
}

/** Wires a terminal to a machine's console until the machine is off or the person presses Ctrl-]. */
export async function attachTerminal(machine: Machine, stdin: NodeJS.ReadStream, stdout: NodeJS.WriteStream): Promise<{ code: number | null; escaped: boolean }> {
  const rawBefore = stdin.isTTY ? stdin.isRaw : false;
  if (stdin.isTTY) stdin.setRawMode(true);
  let escaped = false;
  const onInput = (data: Buffer) => {
    if (data.includes(ESCAPE)) {
      escaped = true;
      void machine.kill();
      return;
    }
    machine.write(data);
  };
  const onResize = () => machine.resize?.(stdout.columns || 80, stdout.rows || 24);
  stdin.on('data', onInput);
  stdin.resume();
  stdout.on('resize', onResize);
  machine.onConsole((chunk) => stdout.write(chunk));
  const exit = await machine.exited;
  stdin.off('data', onInput);
  stdout.off('resize', onResize);
  if (stdin.isTTY) stdin.setRawMode(rawBefore);
  stdin.pause();
  return { code: exit.code, escaped };
}
