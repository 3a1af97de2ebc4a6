/**
 * Machine profiles at the door: each kind read from YAML into the resolved
 * plan (paths relative to the profile, defaults filled in, the machine's
 * timeouts and profiles under the plan's), checked by the run-plan schema;
 * profiles that are wrong refused naming the file and the rule; secrets only
 * by reference; --lab; and a resume that would reach another machine refused.
 */
import { writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { buildRunPlan, machineOf } from '../../src/plan/plan.js';
import { readInterruptedRun } from '../../src/run/resume.js';
import { schemas } from '../../src/schemas/registry.js';
import { loadCatalog } from '../../src/suites/catalog.js';
import { tempDir } from '../helpers.js';

const registry = schemas();
const catalog = loadCatalog(registry);

function profile(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const plan = (machine: string, extra: Record<string, unknown> = {}) => buildRunPlan({ machine, suites: ['drm-core:version'], out: '/tmp/x', ...extra }, catalog, registry);

t.test('a lab board: power, console, network boot resolved; the machine\'s timeouts and profiles', async (t) => {
  const dir = tempDir(t);
  const file = profile(
    dir,
    'board.yaml',
    `type: lab
name: gaudi-07
accelerators:
  - { vendor: "0x1DA3", device: "1020", driver: habanalabs, count: 8 }
profiles: [habanalabs-gaudi2]
timeouts: { boot: 600, silence: 90 }
cmdline: [iommu=pt]
power:
  pdudaemon: { url: "http://pdu.lab:16421/", hostname: pdu-rack3, port: 7 }
  retries: 3
console: { tcp: "ser2net.lab:7007" }
boot: { root: ./tftp, url: "http://10.0.0.1/hilt/" }
`,
  );
  const p = await plan(file, { bootTimeout: 900 });
  t.same(p.machine, {
    type: 'lab',
    name: 'gaudi-07',
    memoryMb: 1024,
    cpus: 2,
    accel: 'auto',
    tcgThreads: 'single',
    qemu: 'qemu-system-x86_64',
    devices: ['virtio-gpu-pci'],
    extraArgs: [],
    cmdline: ['iommu=pt'],
    accelerators: [{ vendor: '1da3', device: '1020', driver: 'habanalabs', count: 8 }],
    lab: {
      power: { pdudaemon: { url: 'http://pdu.lab:16421', hostname: 'pdu-rack3', port: 7 }, commands: null, timeoutMs: 60_000, retries: 3, offMs: 1000, secrets: {} },
      console: { tcp: { host: 'ser2net.lab', port: 7007 }, command: null, kernel: 'ttyS0,115200' },
      boot: { method: 'ipxe', root: join(dir, 'tftp'), dir: 'gaudi-07', url: 'http://10.0.0.1/hilt/', serve: null },
    },
    ssh: null,
    lava: null,
  });
  t.equal(p.timeouts.bootMs, 900_000, 'the flag over the machine');
  t.equal(p.timeouts.silenceMs, 90_000, 'the machine over the default');
  t.same(p.profiles, ['habanalabs-gaudi2'], 'the profile it is judged by');
  t.same(registry.validate('run-plan.schema.json', JSON.parse(JSON.stringify(p))), [], 'the resolved plan passes its schema');
});

t.test('an ssh host and this host; commands and secrets by reference', async (t) => {
  const dir = tempDir(t);
  const ssh = await plan(
    profile(
      dir,
      'ssh.yaml',
      `type: ssh
ssh: { host: gpu-box.lab, user: ci, identity: ~/.ssh/hilt_ed25519, knownHosts: keys/known_hosts }
power:
  on: [snmpset, -v3, -u, hilt, pdu.lab, outlet.7, i, "1"]
  off: [snmpset, -v3, -u, hilt, pdu.lab, outlet.7, i, "2"]
  secrets: { SNMP_AUTH: { env: LAB_SNMP_AUTH }, SNMP_PRIV: { file: secrets/snmp-priv } }
`,
    ),
  );
  t.same(ssh.machine.ssh, {
    host: 'gpu-box.lab',
    user: 'ci',
    port: 22,
    identity: join(homedir(), '.ssh/hilt_ed25519'),
    knownHosts: join(dir, 'keys/known_hosts'),
    workDir: '/tmp',
    power: {
      pdudaemon: null,
      commands: { on: ['snmpset', '-v3', '-u', 'hilt', 'pdu.lab', 'outlet.7', 'i', '1'], off: ['snmpset', '-v3', '-u', 'hilt', 'pdu.lab', 'outlet.7', 'i', '2'] },
      timeoutMs: 60_000,
      retries: 1,
      offMs: 1000,
      secrets: { SNMP_AUTH: { env: 'LAB_SNMP_AUTH' }, SNMP_PRIV: { file: join(dir, 'secrets/snmp-priv') } },
    },
  });
  t.equal(ssh.machine.name, 'ssh-gpu-box.lab');
  t.same(registry.validate('run-plan.schema.json', JSON.parse(JSON.stringify(ssh))), []);
  const local = await plan(profile(dir, 'local.yaml', 'type: local\n'));
  t.match(local.machine, { type: 'local', name: 'local', lab: null, ssh: null, lava: null });
});

t.test('--lab sends the run to a LAVA lab; not with a machine of another kind', async (t) => {
  const dir = tempDir(t);
  const p = await buildRunPlan({ lab: join(dir, 'lab.yaml'), suites: ['drm-core:version'], out: '/tmp/x' }, catalog, registry);
  t.match(p.machine, { type: 'lava', name: 'lava', lava: { lab: join(dir, 'lab.yaml') }, memoryMb: 1024 });
  await t.rejects(plan(profile(dir, 'local.yaml', 'type: local\n'), { lab: 'lab.yaml' }), { kind: 'usage', message: /--lab lab\.yaml sends the run to a LAVA lab, but the machine profile is a local machine/ });
});

t.test('profiles that are wrong are refused, naming the file and the rule', async (t) => {
  const dir = tempDir(t);
  const refused = async (name: string, text: string, message: RegExp) => t.rejects(plan(profile(dir, name, text)), { kind: 'usage', message }, name);
  await refused('no-console.yaml', 'type: lab\npower: { on: [a], off: [b] }\nboot: { root: /srv, url: "http://x/" }\n', /no-console\.yaml/);
  await refused('shell-string.yaml', 'type: lab\npower: { on: "ipmitool power on", off: [b] }\nconsole: { tcp: "h:1" }\nboot: { root: /srv, url: "http://x/" }\n', /shell-string\.yaml[\s\S]*\/power\/on: must be array/);
  await refused('both-powers.yaml', 'type: lab\npower: { pdudaemon: { url: "http://p", hostname: h, port: 1 }, on: [a], off: [b] }\nconsole: { tcp: "h:1" }\nboot: { root: /srv, url: "http://x/" }\n', /both-powers\.yaml/);
  await refused('password.yaml', 'type: ssh\nssh: { host: h, password: hunter2 }\n', /password\.yaml[\s\S]*unknown property .password./);
  await refused('secret-value.yaml', 'type: lab\npower: { on: [a], off: [b], secrets: { PDU_PASSWORD: hunter2 } }\nconsole: { tcp: "h:1" }\nboot: { root: /srv, url: "http://x/" }\n', /secret-value\.yaml/);
  await refused('qemu-power.yaml', 'power: { on: [a], off: [b] }\n', /qemu-power\.yaml/);
  await refused('ssh-console.yaml', 'type: ssh\nssh: { host: h }\nconsole: { tcp: "h:1" }\n', /ssh-console\.yaml/);
  await refused('bad-port.yaml', 'type: lab\npower: { on: [a], off: [b] }\nconsole: { tcp: "h:99999" }\nboot: { root: /srv, url: "http://x/" }\n', /console\.tcp "h:99999" is not HOST:PORT/);
  await refused('bad-ids.yaml', 'type: local\naccelerators: [{ vendor: nvidia }]\n', /bad-ids\.yaml[\s\S]*\/accelerators\/0\/vendor/);
});

t.test('a resume never reaches a machine the command line does not name', async (t) => {
  const dir = tempDir(t);
  const board = (off: string) => `type: lab\nname: b\npower: { on: [pdu, on], off: [${off}] }\nconsole: { tcp: "h:1" }\nboot: { root: /srv, url: "http://x/" }\n`;
  const p = await buildRunPlan({ machine: profile(dir, 'a.yaml', board('pdu, off')), suites: ['drm-core:version'], out: join(dir, 'out') }, catalog, registry);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(dir, 'out'));
  writeFileSync(join(dir, 'out', 'journal.jsonl'), `${JSON.stringify({ t: 'run', v: 1, at: new Date().toISOString(), id: 'x', plan: p, env: {} })}\n`);
  const same = await machineOf(join(dir, 'a.yaml'), registry);
  t.match(readInterruptedRun(join(dir, 'out'), { registry, catalog, machine: same }).plan.machine, { type: 'lab' }, 'the same profile resumes');
  const other = await machineOf(profile(dir, 'b.yaml', board('rm, -rf, /')), registry);
  t.throws(() => readInterruptedRun(join(dir, 'out'), { registry, catalog, machine: other }), { kind: 'usage', message: /the journal's plan has machine\.lab .*"off":\["pdu","off"\].*which this command line does not/ });
  const qemu = await machineOf(undefined, registry);
  t.throws(() => readInterruptedRun(join(dir, 'out'), { registry, catalog, machine: qemu }), { kind: 'usage', message: /machine\.type "lab"/ }, 'nor the default QEMU for a board');
});

t.test('--jobs N: QEMU machines and LAVA jobs at once; a board or a host is one machine, refused with what to do instead', async (t) => {
  const dir = tempDir(t);
  t.equal((await plan(profile(dir, 'q.yaml', 'type: qemu\n'), { jobs: 2 })).jobs, 2);
  t.equal((await buildRunPlan({ lab: join(dir, 'lab.yaml'), suites: ['drm-core:version'], out: '/tmp/x', jobs: 3 }, catalog, registry)).jobs, 3);
  await t.rejects(plan(profile(dir, 'local.yaml', 'type: local\n'), { jobs: 2 }), {
    kind: 'usage',
    message: /--jobs 2 needs QEMU machines or a LAVA lab; machine local is a local machine, of which there is one/,
  });
});
