/**
 * QEMU playing a lab board, for the lab target's tests: a real pdudaemon
 * (Debian's package) whose localcmdline outlet starts a QEMU when switched on
 * and kills it when switched off; the board network-boots (-boot n: SeaBIOS,
 * the NIC's iPXE ROM, QEMU's own DHCP and TFTP pointed at the folder hilt
 * stages into, which chains to boot.ipxe) and its serial console is a TCP
 * port. hilt serves the kernel and initramfs over HTTP (10.0.2.2 is this host
 * as the board sees it). The machine profile the test gives hilt is a plain
 * lab profile: nothing in it knows QEMU.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { processesMarked, settleProcesses } from '../e2e/processes.js';

export const PDUDAEMON = '/usr/sbin/pdudaemon';
const IPXE_ROM = ['/usr/share/qemu/efi-virtio.rom', '/usr/lib/ipxe/qemu/efi-virtio.rom'];

/** Why the board cannot be played here, or false. */
export function boardMissing(): string | false {
  if (!existsSync(PDUDAEMON)) return 'pdudaemon is not installed (apt-get install pdudaemon)';
  if (spawnSync('qemu-system-x86_64', ['--version']).status !== 0) return 'qemu-system-x86_64 is not installed';
  if (!IPXE_ROM.some((p) => existsSync(p))) return 'QEMU\'s iPXE ROMs are not installed (apt-get install ipxe-qemu)';
  return false;
}

/** A port nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface QemuBoard {
  dir: string;
  /** The lab machine profile to give hilt. */
  profile: string;
  /** "on 1 <time>" / "off 1 <time>", one line per request pdudaemon carried out. */
  powerLog(): string[];
  pduLog(): string;
  /** The board's QEMU, while it is on. */
  qemuPids(): number[];
  /** Cuts the board's power behind hilt's back (the QEMU dies). */
  yank(): void;
  stop(): Promise<void>;
}

/** The kernel words that make TCG boot fast, as the qemu target's profile has them (a real board needs none). */
const FAST_TCG = ['mitigations=off', 'cryptomgr.notests', 'initcall_blacklist=jent_mod_init,load_system_certificate_list,bpf_tcp_ca_kfunc_init,bpf_struct_ops_kfunc_init', 'tsc=reliable', 'no_timer_check'];

export async function startQemuBoard(dir: string, o: { name?: string; marker: string; extraProfile?: string } = { marker: 'board' }): Promise<QemuBoard> {
  const name = o.name ?? 'board';
  const [pduPort, consolePort, httpPort] = [await freePort(), await freePort(), await freePort()];
  const tftp = join(dir, 'tftp');
  const pidFile = join(dir, 'board-$P.pid');
  const qemu = [
    'qemu-system-x86_64 -daemonize -pidfile', pidFile,
    '-nodefaults -no-user-config -accel tcg,thread=single -m 1024 -smp 2 -display none -monitor none -no-reboot',
    `-boot n -netdev user,id=n0,tftp=${tftp},bootfile=${name}/boot.ipxe -device virtio-net-pci,netdev=n0 -device virtio-gpu-pci`,
    `-serial tcp:127.0.0.1:${consolePort},server=on,wait=off`,
  ].join(' ');
  // localcmdline formats each command with the outlet number (`cmd % port`): %d once, a literal % as %%.
  const log = join(dir, 'power.log');
  const config = {
    daemon: { hostname: '127.0.0.1', port: pduPort, logging_level: 'DEBUG', listener: 'http' },
    pdus: {
      'qemu-pdu': {
        driver: 'localcmdline',
        retries: 1,
        cmd_on: `P=%d; echo "on $P $(date +%%s.%%N)" >> ${log}; ${qemu}`,
        cmd_off: `P=%d; echo "off $P $(date +%%s.%%N)" >> ${log}; if [ -f ${pidFile} ]; then kill -9 $(cat ${pidFile}) 2>/dev/null; rm -f ${pidFile}; fi`,
      },
    },
  };
  writeFileSync(join(dir, 'pdudaemon.conf'), JSON.stringify(config, null, 2));
  const pduLogFile = join(dir, 'pdudaemon.log');
  const pdu: ChildProcess = spawn(PDUDAEMON, ['--conf', join(dir, 'pdudaemon.conf'), '--logfile', pduLogFile], {
    stdio: 'ignore',
    env: { ...process.env, HILT_TEST_MARK: o.marker },
  });
  const profile = join(dir, `${name}.yaml`);
  writeFileSync(
    profile,
    [
      'type: lab',
      `name: ${name}`,
      `cmdline: [${FAST_TCG.join(', ')}]`,
      'power:',
      `  pdudaemon: { url: "http://127.0.0.1:${pduPort}", hostname: qemu-pdu, port: 1 }`,
      '  timeout: 30',
      '  offTime: 0.1',
      `console: { tcp: "127.0.0.1:${consolePort}", kernel: ttyS0 }`,
      `boot: { root: tftp, url: "http://10.0.2.2:${httpPort}/", serve: "127.0.0.1:${httpPort}" }`,
      o.extraProfile ?? '',
    ].join('\n'),
  );
  // pdudaemon is up when it answers; switching the outlet off is a harmless first request.
  const started = Date.now();
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${pduPort}/power/control/off?hostname=qemu-pdu&port=1`, { signal: AbortSignal.timeout(5000) });
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 30_000) throw new Error(`pdudaemon did not come up: ${existsSync(pduLogFile) ? readFileSync(pduLogFile, 'utf8').slice(-2000) : 'no log'}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
  const isQemu = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('qemu-system');
    } catch {
      return false;
    }
  };
  const qemuPids = () => processesMarked(o.marker).filter(isQemu);
  return {
    dir,
    profile,
    powerLog: () => read(log).split('\n').filter(Boolean),
    pduLog: () => read(pduLogFile),
    qemuPids,
    yank() {
      for (const pid of qemuPids()) process.kill(pid, 'SIGKILL');
    },
    async stop() {
      pdu.kill('SIGKILL');
      for (const pid of qemuPids()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      await settleProcesses(o.marker);
    },
  };
}
