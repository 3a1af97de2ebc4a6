/**
 * A lab machine's serial console, kept open for a boot: a TCP address (ser2net
 * in raw mode, a console server's port) or a command run under a
 * pseudo-terminal (telnet, socat, picocom, conmux-console), which node-pty
 * gives the terminal such programs insist on. Its bytes go to the same line
 * splitter and frame decoder as QEMU's serial port.
 *
 * hilt opens the console before it powers the machine on, and reconnects when
 * the connection drops (a console server restarting costs the lines sent
 * meanwhile, which the frame sequence numbers show as a gap). Before the first
 * connection it keeps trying (the console of a board that QEMU plays exists
 * only once the board is on). Once it had the console, a console that stays
 * unreachable for lostAfterMs is lost: the machine is gone (its console
 * server with it) and the boot is over.
 */
import { type Socket, connect } from 'node:net';
import type { ConsoleSettings } from '../plan/types.js';
import { forget, trackPid } from '../util/children.js';
import { loadPty } from './pty.js';

const RECONNECT_MS = 200;
/** A command console that ran this long counts as having been connected. */
const COMMAND_UP_MS = 1000;

export interface ConsoleLink {
  /** Every chunk from now on; chunks that came before the first listener are handed to it. */
  onData(cb: (chunk: Buffer) => void): void;
  write(data: string | Buffer): void;
  resize(cols: number, rows: number): void;
  /** Settles, with why, when the console is gone for good. */
  readonly lost: Promise<string>;
  close(): void;
}

export function describeConsole(c: ConsoleSettings): string {
  return c.tcp ? `tcp:${c.tcp.host}:${c.tcp.port}` : JSON.stringify(c.command);
}

interface Endpoint {
  write(data: string | Buffer): void;
  resize?(cols: number, rows: number): void;
  end(): void;
}

export function openConsole(settings: ConsoleSettings, o: { lostAfterMs?: number; size?: { cols: number; rows: number } } = {}): ConsoleLink {
  const lostAfterMs = o.lostAfterMs ?? 3000;
  const listeners: ((chunk: Buffer) => void)[] = [];
  const early: Buffer[] = [];
  const emit = (chunk: Buffer) => {
    if (listeners.length) for (const l of listeners) l(chunk);
    else early.push(chunk);
  };
  let closed = false;
  let endpoint: Endpoint | null = null;
  let everUp = false;
  let downSince: number | null = null;
  let retry: NodeJS.Timeout | null = null;
  let declareLost!: (why: string) => void;
  const lost = new Promise<string>((resolve) => (declareLost = resolve));
  let isLost = false;
  const what = describeConsole(settings);

  const dropped = (why: string) => {
    endpoint = null;
    if (closed || isLost) return;
    if (everUp) {
      downSince ??= Date.now();
      if (Date.now() - downSince >= lostAfterMs) {
        isLost = true;
        declareLost(`the console ${what} went away (${why}) and could not be reached again for ${lostAfterMs / 1000} s`);
        return;
      }
    }
    retry = setTimeout(attach, RECONNECT_MS);
  };
  const up = () => {
    everUp = true;
    downSince = null;
  };

  const attachTcp = (tcp: { host: string; port: number }) => {
    const socket: Socket = connect({ host: tcp.host, port: tcp.port });
    let failed = '';
    // A host that never answers would hold a connect for minutes.
    socket.setTimeout(2000, () => {
      failed = 'no answer';
      socket.destroy();
    });
    socket.on('connect', () => {
      socket.setTimeout(0);
      up();
      endpoint = { write: (d) => socket.write(d), end: () => socket.destroy() };
    });
    socket.on('data', emit);
    socket.on('error', (e: NodeJS.ErrnoException) => (failed = e.code ?? e.message));
    socket.on('close', () => dropped(failed || 'connection closed'));
  };

  const attachCommand = async (argv: string[]) => {
    const pty = await loadPty();
    if (closed) return;
    const size = o.size ?? { cols: 200, rows: 50 };
    const child = pty.spawn(argv[0]!, argv.slice(1), { name: 'xterm', cols: size.cols, rows: size.rows, env: process.env as Record<string, string> });
    trackPid(child.pid);
    const started = Date.now();
    const upTimer = setTimeout(up, COMMAND_UP_MS);
    let said = '';
    child.onData((d) => {
      const chunk = Buffer.from(d, 'utf8');
      if (said.length < 300) said += d;
      emit(chunk);
    });
    endpoint = { write: (d) => child.write(typeof d === 'string' ? d : d.toString('utf8')), resize: (c, r) => child.resize(c, r), end: () => child.kill('SIGKILL') };
    child.onExit(({ exitCode, signal }) => {
      clearTimeout(upTimer);
      forget(child.pid);
      if (Date.now() - started >= COMMAND_UP_MS) up();
      dropped(`${argv[0]} ended (${signal ? `signal ${signal}` : `exit code ${exitCode}`})${said.trim() ? `: ${said.trim().split('\n').pop()!.slice(0, 200)}` : ''}`);
    });
  };

  function attach() {
    retry = null;
    if (closed || isLost) return;
    if (settings.tcp) attachTcp(settings.tcp);
    else void attachCommand(settings.command!).catch((e: Error) => dropped(e.message));
  }
  attach();

  return {
    lost,
    onData(cb) {
      listeners.push(cb);
      for (const chunk of early.splice(0)) cb(chunk);
    },
    write(data) {
      endpoint?.write(data);
    },
    resize(cols, rows) {
      endpoint?.resize?.(cols, rows);
    },
    close() {
      closed = true;
      if (retry) clearTimeout(retry);
      endpoint?.end();
      endpoint = null;
    },
  };
}
