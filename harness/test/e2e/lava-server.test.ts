/**
 * hilt against a real LAVA server (opt-in: HILT_TEST_LAVA_SERVER=1, root):
 * Debian's lava-server 2023.01 on loopback with PostgreSQL, gunicorn,
 * lava-scheduler and a lava-worker that runs the jobs with lava-run and QEMU
 * (test/lava/lava-server-fixture.ts). `hilt run --lab` with `server:` and a
 * token from the environment goes through LAVA's REST API v0.2: submit,
 * follow the state and the log, cancel on Ctrl-C.
 *
 * Too heavy for CI (about a minute to start the server, and each job waits
 * for the scheduler's and the worker's polls): run it by hand with
 *   HILT_TEST_LAVA_SERVER=1 npx tap --jobs=1 dist/harness/test/e2e/lava-server.test.js
 */
import { chmodSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { RunResult } from '../../src/results/model.js';
import { runHilt, startHilt, tempDir } from '../helpers.js';
import { type LavaServer, startLavaServer, whyNoLavaServer } from '../lava/lava-server-fixture.js';

const skip = whyNoLavaServer();
const TOKEN_VAR = 'HILT_TEST_LAVA_TOKEN';
const SUITE = 'drm-core:version,get-cap';

/** Every file under dir, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

async function jobOnServer(server: LavaServer, id: string, until: (j: { state: string; health: string }) => boolean, ms = 90_000) {
  const end = Date.now() + ms;
  for (;;) {
    const j = (await server.get(`/api/v0.2/jobs/${id}/`)) as { state: string; health: string; end_time: string | null };
    if (until(j) || Date.now() > end) return j;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

t.test('hilt run --lab with a real lava-server', { skip, timeout: 900_000 }, async (t) => {
  const dir = tempDir(t, 'hilt-lavasrv-');
  chmodSync(dir, 0o755); // PostgreSQL runs as postgres and keeps its data under here
  const started = Date.now();
  const server = await startLavaServer(join(dir, 'server'));
  t.teardown(() => server.stop());
  t.comment(`lava-server up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(server.timings)}`);
  const env = { [TOKEN_VAR]: server.token };
  const lab = (extra = '') => {
    const file = join(dir, `lab-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(
      file,
      `name: loopback\nserver: ${server.url}\ntoken: { env: ${TOKEN_VAR} }\ndeviceType: qemu\nartifacts: { url: '${server.artifacts.url}', dir: ${server.artifacts.dir} }\n${extra}`,
    );
    return file;
  };

  await t.test('a job through the REST API: the qemu target\'s verdicts, the job id and URL recorded, the token nowhere', async (t) => {
    const out = join(dir, 'out');
    const begin = Date.now();
    const r = await runHilt(['run', '--lab', lab(), '--out', out, '--suite', SUITE], { env });
    const took = (Date.now() - begin) / 1000;
    t.equal(r.code, 0, 'passes');
    if (r.code !== 0) t.comment(`${r.stderr.slice(-4000)}\n${server.logs()}`);
    const run = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
    const verdicts = (x: RunResult) => x.suites.flatMap((s) => s.cases.map((c) => `${s.name}/${c.name} ${c.status}`));

    const local = join(dir, 'out-qemu');
    const q = await runHilt(['run', '--out', local, '--suite', SUITE]);
    t.equal(q.code, 0, 'the qemu target passes too');
    t.same(verdicts(run), verdicts(JSON.parse(readFileSync(join(local, 'results.json'), 'utf8')) as RunResult), 'the same cases and verdicts as the qemu target');
    t.same(verdicts(run), ['drm-core/version pass', 'drm-core/get-cap pass']);

    const jobs = String(run.environment.machine.lavaJobs);
    const m = /^(\d+) (\S+)$/.exec(jobs);
    t.ok(m, `machine.lavaJobs is "ID URL": ${jobs}`);
    const [, id, url] = m ?? [];
    t.equal(url, `${server.url}/scheduler/job/${id}`);
    t.match(run.environment.machine, { type: 'lava', dispatcher: 'LAVA server', server: server.url });
    t.match(readFileSync(join(out, 'junit.xml'), 'utf8'), `<property name="machine.lavaJobs" value="${id} ${url}"/>`);
    t.match(readFileSync(join(out, 'journal.jsonl'), 'utf8'), `"text":"boot 1: LAVA job ${id} ${url} (`);

    // The log hilt kept is the server's log, line for line.
    const log = await fetch(`${server.url}/api/v0.2/jobs/${id}/logs/`, { headers: { Authorization: `Token ${server.token}` } }).then((x) => x.text());
    t.equal(readFileSync(join(out, 'lava-log-1.yaml'), 'utf8'), log, 'lava-log-1.yaml is the whole LAVA log');

    for (const f of filesUnder(out)) t.notOk(readFileSync(f, 'latin1').includes(server.token), `the token is not in ${f}`);
    t.notOk(r.stdout.includes(server.token) || r.stderr.includes(server.token), 'nor in what hilt printed');

    const job = (await server.get(`/api/v0.2/jobs/${id}/`)) as Record<string, string>;
    t.match(job, { state: 'Finished', health: 'Complete', actual_device: server.device, submitter: server.user });
    const shown = server.lavacli(['jobs', 'show', id!]);
    t.equal(shown.code, 0, 'lavacli jobs show');
    t.match(shown.stdout, /state\s+: Finished/);
    t.match(shown.stdout, /Health\s+: Complete/);
    const seconds = (a: string, b: string) => ((Date.parse(b) - Date.parse(a)) / 1000).toFixed(1);
    t.comment(`hilt run took ${took.toFixed(1)} s; LAVA: queued ${seconds(job.submit_time!, job.start_time!)} s, ran ${seconds(job.start_time!, job.end_time!)} s`);
    t.comment(`lavacli jobs show ${id}:\n${shown.stdout}`);
  });

  await t.test('a job LAVA fails: exit 2 with LAVA\'s error_msg, the job Incomplete on the server', async (t) => {
    const out = join(dir, 'out-fail');
    const r = await runHilt(['run', '--lab', lab('qemu: { firmware: /nonexistent/bios.rom }\n'), '--out', out, '--suite', 'drm-core:version'], { env });
    t.equal(r.code, 2);
    const m = /hilt: LAVA job (\d+) \((\S+)\) failed with a LAVA Infrastructure error: Connection closed/.exec(r.stderr);
    t.ok(m, 'LAVA\'s error type and message, with the job\'s URL');
    if (!m) t.comment(r.stderr.slice(-3000));
    const run = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
    t.match(run, { status: 'aborted', error: { kind: 'infrastructure', message: /failed with a LAVA Infrastructure error: Connection closed/ } });
    t.match(run.suites[0]!.cases[0], { status: 'incomplete' });
    if (m) t.match(await server.get(`/api/v0.2/jobs/${m[1]}/`), { state: 'Finished', health: 'Incomplete' });
  });

  await t.test('Ctrl-C: hilt cancels the job, which ends Canceled on the server', async (t) => {
    const out = join(dir, 'out-int');
    const h = startHilt(['run', '--lab', lab(), '--out', out, '--suite', SUITE], { env });
    let stderr = '';
    h.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const end = Date.now() + 120_000;
    let id: string | undefined;
    while (!(id = /LAVA job (\d+): Running/.exec(stderr)?.[1]) && Date.now() < end && h.child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    t.ok(id, 'the job runs');
    h.child.kill('SIGINT');
    const r = await h.done;
    t.equal(r.code, 2, 'an interrupted run is incomplete');
    t.match(r.stderr, /LAVA job \d+: Canceling/);
    if (id) {
      const job = await jobOnServer(server, id, (j) => j.state === 'Finished');
      t.match(job, { state: 'Finished', health: 'Canceled' }, 'LAVA canceled the job');
      t.match(server.lavacli(['jobs', 'show', id]).stdout, /Health\s+: Canceled/);
    }
  });
});
