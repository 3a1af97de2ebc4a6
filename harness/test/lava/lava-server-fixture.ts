/**
 * A real LAVA server on loopback, from Debian's packages, for the opt-in
 * integration test (test/e2e/lava-server.test.ts): a private PostgreSQL
 * cluster, lava-server's migrations, a superuser with a REST token, the
 * `qemu` device type (health checks off) with one device whose dictionary is
 * `{% extends 'qemu.jinja2' %}` + `no_kvm`, a worker, lava-server under
 * gunicorn, lava-scheduler, and lava-worker (which runs lava-run for each
 * job), lava-publisher between them. Every path the server writes is under the fixture's folder: its
 * settings come from the environment (DATABASE_URL, LAVA_JSON_SETTINGS), so
 * nothing under /etc is changed and nothing is left running afterwards.
 *
 * The worker fetches the job's kernel and initramfs over HTTP from a small
 * static server of the test's own: the lab profile's `artifacts:` (url + dir),
 * as a real lab serves them.
 *
 * lava-publisher carries the server's events to the scheduler and the worker:
 * without it the scheduler looks for work every 20 s and the worker every 20 s
 * (its ping), which a job (and a cancel) waits for.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readdirSync, statSync, writeFileSync, chmodSync, chownSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const LAVA_SERVER_ENV = 'HILT_TEST_LAVA_SERVER';

const INITDB_GLOB = '/usr/lib/postgresql';

function postgresBin(): string | null {
  if (!existsSync(INITDB_GLOB)) return null;
  const versions = readdirSync(INITDB_GLOB).filter((v) => existsSync(join(INITDB_GLOB, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(INITDB_GLOB, versions[0]!, 'bin') : null;
}

const has = (cmd: string, args: string[] = ['--help']) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

/** Why the test cannot run here, or false. */
export function whyNoLavaServer(env: NodeJS.ProcessEnv = process.env): string | false {
  if (env[LAVA_SERVER_ENV] !== '1') return `opt-in: set ${LAVA_SERVER_ENV}=1 to start a real lava-server (PostgreSQL, gunicorn, lava-scheduler, lava-worker; ~1 minute, root)`;
  if (process.getuid?.() !== 0) return 'lava-server, PostgreSQL and lava-run need root, and this test is not root';
  if (!existsSync('/usr/bin/lava-server')) return 'lava-server is not installed (apt-get install --no-install-recommends lava-server)';
  if (!existsSync('/usr/bin/gunicorn3')) return 'gunicorn3 is not installed (lava-server pulls it in)';
  if (!has('lava-worker')) return 'lava-worker is not installed (apt-get install lava-dispatcher)';
  if (!postgresBin()) return 'PostgreSQL is not installed (apt-get install postgresql)';
  if (spawnSync('id', ['postgres'], { stdio: 'ignore' }).status !== 0) return 'there is no postgres user (apt-get install postgresql)';
  if (!has('qemu-system-x86_64', ['--version'])) return 'qemu-system-x86_64 is not installed';
  return false;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, what: string, input?: string): string {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', ...(input !== undefined ? { input } : {}), maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`${what} failed (${cmd} ${args.join(' ')}: exit ${r.status ?? r.signal}):\n${(r.stderr || r.stdout || '').slice(-3000)}`);
  return r.stdout;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | null>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms / 1000} s`);
    await sleep(250);
  }
}

// Run by `lava-server manage shell`: one Django start-up for all the objects the test needs.
const SETUP = `
import json, os
from django.contrib.auth.models import User
from linaro_django_xmlrpc.models import AuthToken
from lava_scheduler_app.models import Device, DeviceType, Worker
req = json.loads(os.environ["HILT_FIXTURE_SETUP"])
user = User.objects.create_superuser(req["user"], "hilt@example.org", req["password"])
AuthToken.objects.create(user=user, description="hilt test", secret=req["token"])
dt = DeviceType.objects.create(name="qemu", display=True, disable_health_check=True)
worker = Worker.objects.create(hostname=req["worker"], health=Worker.HEALTH_ACTIVE)
Device.objects.create(hostname=req["device"], device_type=dt, state=Device.STATE_IDLE, health=Device.HEALTH_GOOD, worker_host=worker)
print(json.dumps({"workerToken": worker.token}))
`;

export interface LavaServer {
  /** http://127.0.0.1:PORT */
  url: string;
  user: string;
  /** The superuser's REST/XML-RPC token. */
  token: string;
  device: string;
  /** Where the lab profile's artifacts go (dir) and where the worker fetches them (url). */
  artifacts: { url: string; dir: string };
  /** Seconds: PostgreSQL up, migrations, objects, HTTP answering, worker online. */
  timings: Record<string, number>;
  /** lavacli against this server (XML-RPC, user:token in the URI). */
  lavacli(args: string[]): { code: number | null; stdout: string; stderr: string };
  /** A REST GET with the token, parsed as JSON. */
  get(path: string): Promise<unknown>;
  /** The server's processes' logs, for a failing test's comment. */
  logs(): string;
  stop(): Promise<void>;
}

function serveDir(dir: string): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    const path = join(dir, name);
    if (!name || name.includes('/') || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Length': statSync(path).size, 'Content-Type': 'application/octet-stream' });
    if (req.method === 'HEAD') res.end();
    else createReadStream(path).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port })));
}

export async function startLavaServer(dir: string): Promise<LavaServer> {
  const timings: Record<string, number> = {};
  const t0 = Date.now();
  const lap = (name: string, since: number) => (timings[name] = (Date.now() - since) / 1000);
  const children: { name: string; child: ChildProcess }[] = [];
  const pgBin = postgresBin()!;
  const pgData = join(dir, 'pg', 'data');
  const paths = { media: join(dir, 'media'), devices: join(dir, 'devices'), health: join(dir, 'health-checks'), dispatcherD: join(dir, 'dispatcher.d'), worker: join(dir, 'worker'), www: join(dir, 'www'), logs: join(dir, 'logs') };
  for (const p of Object.values(paths)) mkdirSync(p, { recursive: true });
  // postgres must reach its data folder (dir's parents must let it through too).
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'pg'));
  const pg = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  chownSync(join(dir, 'pg'), Number(pg.stdout.trim()), -1);

  const [pgPort, httpPort, eventPort, wsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const secret = (n: number) => randomBytes(n).toString('hex');
  const req = { user: 'hilt-admin', password: secret(12), token: `hilt${secret(20)}`, worker: 'hilt-worker', device: 'qemu-hilt-01' };
  const dbPassword = secret(12);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    HOME: dir,
    DATABASE_URL: `postgres://lavaserver:${dbPassword}@127.0.0.1:${pgPort}/lavaserver`,
    DJANGO_SETTINGS_MODULE: 'lava_server.settings.prod',
    SECRET_KEY: secret(32),
    LAVA_JSON_SETTINGS: Buffer.from(
      JSON.stringify({
        MEDIA_ROOT: `${paths.media}/`,
        DEVICES_PATH: paths.devices,
        HEALTH_CHECKS_PATH: paths.health,
        DISPATCHER_CONFIG_PATH: paths.dispatcherD,
        DJANGO_LOGFILE: join(paths.logs, 'django.log'),
        // lavacli over plain http on loopback
        HTTPS_XML_RPC: false,
        // lava-publisher: the server's events reach the scheduler (zmq) and the worker (websocket) at once
        EVENT_NOTIFICATION: true,
        INTERNAL_EVENT_SOCKET: `ipc://${join(dir, 'lava.events')}`,
        EVENT_SOCKET: `tcp://127.0.0.1:${eventPort}`,
      }),
    ).toString('base64'),
  };
  let www: Server | null = null;

  const stop = async () => {
    for (const { child } of children.reverse()) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const gone = new Promise((r) => child.once('close', r));
        if ((await Promise.race([gone.then(() => true), sleep(15_000).then(() => false)])) === false) child.kill('SIGKILL');
      }
    }
    if (existsSync(join(pgData, 'postmaster.pid'))) spawnSync('runuser', ['-u', 'postgres', '--', join(pgBin, 'pg_ctl'), '-D', pgData, '-m', 'fast', '-w', 'stop'], { stdio: 'ignore' });
    await new Promise((r) => (www ? www.close(r) : r(null)));
  };

  try {
    let t = Date.now();
    run('runuser', ['-u', 'postgres', '--', join(pgBin, 'initdb'), '-D', pgData, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale', 'C.UTF-8'], env, 'initdb');
    run('runuser', ['-u', 'postgres', '--', join(pgBin, 'pg_ctl'), '-D', pgData, '-l', join(dir, 'pg', 'log'), '-w', '-o', `-p ${pgPort} -k ${join(dir, 'pg')} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start'], env, 'starting PostgreSQL');
    run('psql', ['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-q'], env, 'creating the database', `CREATE ROLE lavaserver LOGIN PASSWORD '${dbPassword}';\nCREATE DATABASE lavaserver OWNER lavaserver TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8';\n`);
    lap('postgres', t);

    t = Date.now();
    run('lava-server', ['manage', 'migrate', '--noinput'], env, 'lava-server migrations');
    lap('migrate', t);

    t = Date.now();
    writeFileSync(join(paths.devices, `${req.device}.jinja2`), "{% extends 'qemu.jinja2' %}\n{% set no_kvm = True %}\n");
    writeFileSync(join(paths.dispatcherD, `${req.worker}.yaml`), 'dispatcher_ip: 127.0.0.1\n');
    const out = run('lava-server', ['manage', 'shell', '-c', SETUP], { ...env, HILT_FIXTURE_SETUP: JSON.stringify(req) }, 'creating the user, token, device type, worker and device');
    const { workerToken } = JSON.parse(out.trim().split('\n').pop()!) as { workerToken: string };
    lap('objects', t);

    const start = (name: string, cmd: string, args: string[]) => {
      const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'ignore'] });
      children.push({ name, child });
      child.once('error', () => {});
    };
    t = Date.now();
    start('gunicorn', '/usr/bin/gunicorn3', ['lava_server.wsgi', '--bind', `127.0.0.1:${httpPort}`, '--workers', '2', '--worker-class', 'eventlet', '--log-level', 'info', '--log-file', join(paths.logs, 'gunicorn.log')]);
    const daemon = ['--user', userInfo().username, '--group', 'root', '--level', 'DEBUG'];
    start('lava-publisher', 'lava-server', ['manage', 'lava-publisher', ...daemon, '--host', '127.0.0.1', '--port', String(wsPort), '--log-file', join(paths.logs, 'lava-publisher.log')]);
    start('lava-scheduler', 'lava-server', ['manage', 'lava-scheduler', ...daemon, '--event-url', `tcp://127.0.0.1:${eventPort}`, '--log-file', join(paths.logs, 'lava-scheduler.log')]);
    const url = `http://127.0.0.1:${httpPort}`;
    const get = async (path: string) => {
      const res = await fetch(`${url}${path}`, { headers: { Authorization: `Token ${req.token}`, Accept: 'application/json' } });
      if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
      return res.json() as Promise<unknown>;
    };
    await waitFor('lava-server answering on HTTP', 120_000, async () => ((await get('/api/v0.2/system/version/')) ? true : null));
    lap('http', t);

    t = Date.now();
    start('lava-worker', 'lava-worker', ['--name', req.worker, '--url', `${url}/`, '--ws-url', `http://127.0.0.1:${wsPort}/ws/`, '--token', workerToken, '--worker-dir', paths.worker, '--level', 'DEBUG', '--log-file', join(paths.logs, 'lava-worker.log')]);
    await waitFor('lava-worker online', 60_000, async () => ((await get(`/api/v0.2/workers/${req.worker}/`)) as { state?: string }).state === 'Online' ? true : null);
    lap('worker', t);

    const served = await serveDir(paths.www);
    www = served.server;
    timings.total = (Date.now() - t0) / 1000;

    return {
      url,
      user: req.user,
      token: req.token,
      device: req.device,
      artifacts: { url: `http://127.0.0.1:${served.port}/`, dir: paths.www },
      timings,
      get,
      lavacli(args) {
        const r = spawnSync('lavacli', ['--uri', `http://${req.user}:${req.token}@127.0.0.1:${httpPort}/RPC2`, ...args], { encoding: 'utf8' });
        return { code: r.status, stdout: r.stdout, stderr: r.stderr };
      },
      logs() {
        return readdirSync(paths.logs)
          .map((f) => {
            const r = spawnSync('tail', ['-n', '30', join(paths.logs, f)], { encoding: 'utf8' });
            return `== ${f}\n${r.stdout}`;
          })
          .join('\n');
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
