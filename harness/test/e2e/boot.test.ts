/** `hilt boot` hands a real terminal to a shell in the real guest. */
import * as pty from 'node-pty';
import t from 'tap';
import { HILT, ROOT, cleanEnv } from '../helpers.js';

// busybox ash redraws the prompt with the # escaped when it queries the cursor position
const PROMPT = /hilt:\/\\?# /;

t.test('hilt boot: a shell in the guest, the suites there, exit powers off', async (t) => {
  const term = pty.spawn(HILT, ['boot', '--accel', 'tcg', '--suite', 'drm-core'], { cwd: ROOT, env: cleanEnv() as Record<string, string>, cols: 120, rows: 40 });
  let screen = '';
  term.onData((d) => (screen += d));
  const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
  const waitFor = async (re: RegExp, what: string, ms = 120_000) => {
    const start = Date.now();
    while (!re.test(screen)) {
      if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}; screen so far:\n${screen.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  try {
    await waitFor(PROMPT, 'the guest shell prompt');
    screen = '';
    term.write('cat /proc/sys/kernel/osrelease; ls /dev/dri; drm-core --list | head -2\r');
    await waitFor(new RegExp(`renderD129[\\s\\S]*version\\s[\\s\\S]*${PROMPT.source}`), 'the command output');
    t.match(screen, /6\.12\.\d+/, 'the test kernel answers');
    t.match(screen, /card0\s+card1\s+renderD128\s+renderD129/, 'vgem and virtio-gpu nodes are there');
    t.match(screen, /open\s+version/, 'the suite binaries are on PATH');
    term.write('exit\r');
    t.equal(await exited, 0, 'leaving the shell powers the machine off and hilt exits 0');
  } finally {
    term.kill('SIGKILL');
  }
});
