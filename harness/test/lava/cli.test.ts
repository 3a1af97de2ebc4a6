/** `hilt lava job`, run as a person runs it. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import YAML from 'yaml';
import { runHilt, tempDir } from '../helpers.js';
import { lavaSchemaMissing, lavaValidate, pyYaml } from './lava-schema.js';

t.test('prints the job of a plan\'s boot; LAVA\'s schema takes it', async (t) => {
  const out = tempDir(t);
  const r = await runHilt(['lava', 'job', '--suite', 'drm-core:version,get-cap', '--boot-timeout', '90', '--out', out], { timeoutMs: 300_000 });
  t.equal(r.code, 0, r.stderr);
  const job = YAML.parse(r.stdout) as Record<string, any>;
  t.equal(job.device_type, 'qemu');
  t.match(job.job_name, /^hilt drm-core on 6\.12\.\S+ \(2 tests\)$/);
  t.same(job.actions[1].boot.timeout, { seconds: 90 }, '--boot-timeout is the boot action\'s timeout');
  t.match(job.actions[0].deploy.images.kernel.image_arg, /-append ".*hilt\.mode=run hilt\.start=0"$/);
  t.match(job.actions[0].deploy.images.ramdisk, { url: /^file:\/\/\/.*\.cpio$/, sha256sum: /^[0-9a-f]{64}$/ });
  const missing = lavaSchemaMissing();
  if (!missing) t.same(lavaValidate([r.stdout]), [null]);
  else t.comment(`not checked with LAVA's schema: ${missing}`);

  const second = await runHilt(['lava', 'job', '--suite', 'drm-core:version,get-cap', '--start', '1', '--count', '1', '--out', out], { timeoutMs: 300_000 });
  t.match(YAML.parse(second.stdout), { job_name: /\(test 2 of 2\)$/, actions: [{ deploy: { images: { kernel: { image_arg: /hilt\.start=1"$/ } } } }] }, 'the job of a later boot');
});

t.test('a lab profile: a board, its tags; a bad profile is a usage error naming the rule', async (t) => {
  const dir = tempDir(t);
  const lab = join(dir, 'lab.yaml');
  writeFileSync(lab, 'deviceType: x86\ntags: [hilt, nuc]\nartifacts: { url: "https://files.example.org/hilt", dir: ' + JSON.stringify(join(dir, 'www')) + ' }\n');
  const r = await runHilt(['lava', 'job', '--suite', 'drm-core:version', '--lab', lab, '--out', dir], { timeoutMs: 300_000 });
  t.equal(r.code, 0, r.stderr);
  const job = YAML.parse(r.stdout) as Record<string, any>;
  t.match(job, { device_type: 'x86', tags: ['hilt', 'nuc'], actions: [{ deploy: { to: 'tftp' } }, { boot: { method: 'ipxe', commands: 'ramdisk' } }] });
  const url = job.actions[0].deploy.ramdisk.url as string;
  t.match(url, /^https:\/\/files\.example\.org\/hilt\/[0-9a-f]{16}-[0-9a-f]{64}\.cpio$/, 'the initramfs published under its hash');
  t.ok(existsSync(join(dir, 'www', url.split('/').pop()!)), 'and copied into the folder that URL serves');
  if (!lavaSchemaMissing()) t.same(lavaValidate([r.stdout]), [null]);

  writeFileSync(lab, 'deviceType: my-board\n');
  const bad = await runHilt(['lava', 'job', '--suite', 'drm-core:version', '--lab', lab, '--out', dir]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /device type 'my-board' is not one hilt knows.*boot method/);
  t.equal(bad.stdout, '');
});

t.test('--files: the job, a QEMU device dictionary, the dispatcher configuration, the lava-run command', { skip: lavaSchemaMissing() ?? false }, async (t) => {
  const dir = tempDir(t);
  const r = await runHilt(['lava', 'job', '--suite', 'drm-core:version', '--files', dir], { timeoutMs: 300_000 });
  t.equal(r.code, 0, r.stderr);
  t.equal(readFileSync(join(dir, 'job.yaml'), 'utf8'), r.stdout);
  const device = pyYaml(readFileSync(join(dir, 'device.yaml'), 'utf8')) as Record<string, any>;
  const qemu = device.actions.boot.methods.qemu.parameters;
  t.equal(qemu.command, 'qemu-system-x86_64', 'rendered for context.arch amd64');
  t.notOk((qemu.options as string[]).some((o) => /enable-kvm/.test(o)), 'no_kvm: TCG');
  t.same(qemu.extra, YAML.parse(r.stdout).context.extra_options, 'the job\'s context went into the render');
  t.match(readFileSync(join(dir, 'dispatcher.yaml'), 'utf8'), /^dispatcher_ip: 127\.0\.0\.1$/m);
  t.match(r.stderr, new RegExp(`lava-run --job-id 1 --output-dir ${dir}/output --device ${dir}/device.yaml --dispatcher ${dir}/dispatcher.yaml ${dir}/job.yaml`));
});
