/**
 * The accel suite on vaccel, for real: Debian's kernel in QEMU, vaccel built
 * against the matching headers package and loaded after its dependencies,
 * every case passing, every negative twin refused with the errno the module
 * or the accel core defines, the importer data path and implicit sync proven
 * by observations, a virtual device said to be one, and the Gaudi2 profile
 * refusing to be satisfied by it. Then a path: kernel without a build tree:
 * the cases needing vaccel skip with the reason.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { CaseResult, RunResult } from '../../src/results/model.js';
import { ROOT, runHilt, tempDir } from '../helpers.js';

interface Obs {
  type: string;
  data: Record<string, unknown>;
  verdicts: { ok: boolean; schema: string }[];
}

const allObservations = (c: CaseResult): Obs[] => [...(c.observations as unknown as Obs[]), ...c.subtests.flatMap(allObservations)];

/** The version vaccel's UAPI header states; the module reports the same through MODULE_VERSION. */
function uapiVersion(): string {
  const h = readFileSync(join(ROOT, 'suites/vaccel/vaccel_accel.h'), 'utf8');
  const v = (name: string) => new RegExp(`#define VACCEL_DRIVER_${name}\\s+(\\d+)`).exec(h)![1];
  return `${v('MAJOR')}.${v('MINOR')}.${v('PATCHLEVEL')}`;
}

// Each refusal the cases make, with the errno vaccel_accel.h or the DRM core defines for it (written by hand).
const REFUSALS: [string, string, string][] = [
  ['DRM_IOCTL_GET_CAP', 'DRM_CAP_DUMB_BUFFER (a KMS cap) on a compute accel node', 'EOPNOTSUPP'],
  ['DRM_IOCTL_SET_CLIENT_CAP', 'DRM_CLIENT_CAP_UNIVERSAL_PLANES on a compute accel node', 'EOPNOTSUPP'],
  ['DRM_IOCTL_MODE_GETRESOURCES', 'on a compute accel node', 'EOPNOTSUPP'],
  ['DRM_IOCTL_MODE_SETCRTC', 'a DRM_MASTER ioctl on a compute accel node', 'EACCES'],
  ['DRM_IOCTL_MODE_CREATE_DUMB', '64x64 32 bpp on a compute accel node', 'ENOSYS'],
  ['DRM_IOCTL_SET_MASTER', 'on a compute accel node (no master to become)', 'EINVAL'],
  ['DRM_IOCTL_DROP_MASTER', 'on a compute accel node (never master)', 'EINVAL'],
  ['DRM_IOCTL_AUTH_MAGIC', 'a DRM_MASTER ioctl on a compute accel node', 'EACCES'],
  ['DRM_IOCTL_VACCEL_GET_PARAM', 'param 0x7fff (unknown)', 'EINVAL'],
  ['DRM_IOCTL_VACCEL_GET_PARAM', 'index 1 (must be 0)', 'EINVAL'],
  ['DRM_IOCTL_BASE+0x60', 'a driver ioctl number vaccel does not have', 'EINVAL'],
  ["_IOWR('x', 0x40)", "an ioctl of another type than DRM's", 'ENOTTY'],
  ['DRM_IOCTL_VACCEL_BO_CREATE', 'size 0', 'EINVAL'],
  ['DRM_IOCTL_VACCEL_BO_CREATE', 'size VACCEL_PARAM_MAX_BO_SIZE + 1', 'E2BIG'],
  ['DRM_IOCTL_VACCEL_BO_CREATE', 'flags 0x100 (unknown)', 'EINVAL'],
  ['DRM_IOCTL_VACCEL_BO_CREATE', "flags VACCEL_BO_IMPORTED (BO_INFO's, not a creation flag)", 'EINVAL'],
  ['DRM_IOCTL_VACCEL_BO_INFO', 'handle 0xdead (never made)', 'ENOENT'],
  ['DRM_IOCTL_VACCEL_BO_INFO', 'pad 1 (reserved, must be 0)', 'EINVAL'],
  ['DRM_IOCTL_VACCEL_BO_INFO', 'a handle after GEM_CLOSE', 'ENOENT'],
  ['DRM_IOCTL_GEM_CLOSE', 'a handle closed already', 'EINVAL'],
  ['DRM_IOCTL_VACCEL_SUBMIT', 'pad 1 (reserved)', 'EINVAL'],
  ['DRM_IOCTL_VACCEL_SUBMIT', 'flags 0x80 (unknown)', 'EINVAL'],
  ['DRM_IOCTL_VACCEL_SUBMIT', 'op 0 (none)', 'EINVAL'],
  ['DRM_IOCTL_VACCEL_SUBMIT', 'op 3 (unknown)', 'EINVAL'],
  ['DRM_IOCTL_VACCEL_SUBMIT', "COPY with fill_value 1 (FILL's field)", 'EINVAL'],
  ['DRM_IOCTL_VACCEL_SUBMIT', "FILL with src_handle set (COPY's field)", 'EINVAL'],
  ['DRM_IOCTL_VACCEL_SUBMIT', "FILL with src_offset set (COPY's field)", 'EINVAL'],
  ['DRM_IOCTL_VACCEL_SUBMIT', 'size 0', 'EINVAL'],
  ['DRM_IOCTL_VACCEL_SUBMIT', 'stall_ms VACCEL_PARAM_MAX_STALL_MS + 1', 'EINVAL'],
  ['DRM_IOCTL_VACCEL_SUBMIT', 'dst_handle 0xdead (never made)', 'ENOENT'],
  ['DRM_IOCTL_VACCEL_SUBMIT', 'src_handle 0xdead (never made)', 'ENOENT'],
  ['DRM_IOCTL_VACCEL_SUBMIT', "src range past the buffer's end", 'EINVAL'],
  ['DRM_IOCTL_VACCEL_SUBMIT', "dst range past the buffer's end", 'EINVAL'],
  ['DRM_IOCTL_VACCEL_SUBMIT', 'size larger than the buffer', 'EINVAL'],
  ['DRM_IOCTL_VACCEL_SUBMIT', 'offset + size wrapping around 2^64', 'EINVAL'],
  ['DRM_IOCTL_VACCEL_SUBMIT', 'FILL at an offset not a multiple of 4', 'EINVAL'],
  ['DRM_IOCTL_VACCEL_SUBMIT', 'FILL of a size not a multiple of 4', 'EINVAL'],
  ['DRM_IOCTL_VACCEL_SUBMIT', 'COPY between overlapping ranges of one buffer', 'EINVAL'],
  ['DRM_IOCTL_VACCEL_SUBMIT', 'in_syncobj 0xdead (never made)', 'ENOENT'],
  ['DRM_IOCTL_VACCEL_SUBMIT', 'out_syncobj 0xdead (never made)', 'ENOENT'],
  ['DRM_IOCTL_VACCEL_SUBMIT', 'in_syncobj without a fence (drm_syncobj_find_fence())', 'EINVAL'],
  ['DRM_IOCTL_VACCEL_BO_WAIT', 'flags 1 (must be 0)', 'EINVAL'],
  ['DRM_IOCTL_VACCEL_BO_WAIT', 'timeout_ns -1', 'EINVAL'],
  ['DRM_IOCTL_VACCEL_BO_WAIT', 'handle 0xdead (never made)', 'ENOENT'],
  ['DRM_IOCTL_VGEM_FENCE_ATTACH', "WRITE on a buffer vaccel's pending job writes (vgem_fence_attach_ioctl())", 'EBUSY'],
];

t.test('the accel suite on vaccel in QEMU, and the Gaudi2 profile refusing it', async (t) => {
  const out = tempDir(t);
  const r = await runHilt(['run', '--accel', 'tcg', '--suite', 'accel', '--profile', 'habanalabs-gaudi2', '--out', out]);
  t.equal(r.code, 1, `exit 1: the named hardware profile is not satisfied (stderr: ${r.stderr.slice(-2000)})`);
  const run = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
  const accel = run.suites.find((s) => s.name === 'accel')!;
  for (const c of accel.cases) {
    if (c.name === 'habanalabs-hw-ip-info') t.match(c, { status: 'skip', message: 'skipped: no habanalabs accel device (accel drivers here: vaccel)' });
    else t.equal(c.status, 'pass', `accel/${c.name}: ${c.message}`);
  }
  t.ok(accel.cases.filter((c) => c.name.startsWith('vaccel-')).length >= 9, 'the vaccel cases ran');

  const requirement = run.suites.find((s) => s.name === 'profile-requirements')?.cases[0];
  t.match(requirement, { name: 'habanalabs-gaudi2', status: 'fail', message: /needs at least 1 device node of driver habanalabs; the suites saw none/ }, 'vaccel does not pass for a Gaudi2');

  const obs = accel.cases.flatMap(allObservations);
  for (const o of obs) t.ok(o.verdicts.every((v) => v.ok), `${o.type} judged ok: ${JSON.stringify(o.data).slice(0, 200)}`);

  // Honesty: the device is virtual, the module is the one hilt built, the kernel tainted by loading it.
  const device = obs.find((o) => o.type === 'accel.device')!;
  t.match(device.data, { device: /^accel\d+$/, driver: 'vaccel', virtual: true, module: 'vaccel', module_version: uapiVersion(), srcversion: /^[0-9A-F]+$/ });
  t.match(device.data.kernel_taint_flags, /O/, 'out-of-tree module taint');
  t.match(device.data.kernel_taint_flags, /E/, 'unsigned module taint');
  t.ok(device.verdicts.some((v) => v.schema.endsWith('profiles/vaccel.json#/observations/accel.device')), 'the vaccel profile judged it');
  const deviceCase = accel.cases.find((c) => c.name === 'device')!;
  t.match(deviceCase.subtests[0]!.console.join('\n'), /virtual device: accel\d+ is vaccel \d+\.\d+\.\d+, a test driver with no hardware behind it/);

  // Every negative twin, refused with its errno.
  const refusals = obs.filter((o) => o.type === 'ioctl.errno').map((o) => o.data as { ioctl: string; misuse: string; errname: string; expected?: string });
  for (const [ioctl, misuse, errname] of REFUSALS) {
    const seen = refusals.find((x) => x.ioctl === ioctl && x.misuse === misuse);
    t.match(seen, { errname, expected: errname }, `${ioctl}, ${misuse}: ${errname}`);
  }
  t.same(refusals.filter((x) => !x.expected).map((x) => `${x.ioctl}: ${x.misuse}`), [], 'every refusal on vaccel pins its errno');
  // Checked only while the job still stalls; a host too slow to look in time says so instead.
  const busy = refusals.find((x) => x.misuse === 'timeout 0 on a buffer a stalled job writes');
  const jobsConsole = accel.cases.find((c) => c.name === 'vaccel-jobs')!.console.join('\n');
  if (busy) t.match(busy, { ioctl: 'DRM_IOCTL_VACCEL_BO_WAIT', errname: 'ETIMEDOUT', expected: 'ETIMEDOUT' });
  else t.match(jobsConsole, /the stalled job was looked at only \d+ ms after SUBMIT/);

  // The importer's view and implicit sync, as the observations state them.
  t.match(obs.find((o) => o.type === 'vaccel.import')?.data, {
    exporter: 'vgem', exporter_dynamic: false, move_count: 0,
    read_matches_exporter: true, exporter_changes_seen: true, unaligned_copy_ok: true, write_seen_by_exporter: true,
  });
  t.match(obs.find((o) => o.type === 'vaccel.implicit-sync')?.data, {
    reader_waited_for_write_fence: true, read_data_from_under_fence: true, writer_waited_for_read_fence: true, no_implicit_ignored_fence: true,
  });
  t.match(obs.find((o) => o.type === 'vaccel.export-fence')?.data, { fence_driver: 'vaccel', export_sync_file_pending: true, dmabuf_poll_pending: true, vgem_write_fence_refused: true });
  t.match(obs.find((o) => o.type === 'vaccel.in-syncobj')?.data, { in_fence_driver: 'vgem', in_fence_status: 0, waited_for_in_fence: true, done_after_signal: true });

  // vaccel loaded last, after what its .modinfo depends= named, resolved through modules.dep.
  const console1 = readFileSync(join(out, 'console-1.log'), 'latin1');
  const loaded = [...console1.matchAll(/@hilt \d+ mod \S+ (\S+)\.ko (ok|present|err)/g)].map((m) => `${m[1]}:${m[2]}`);
  t.equal(loaded[loaded.length - 1], 'vaccel:ok', `load order: ${loaded.join(' ')}`);
  for (const dep of ['drm', 'drm_shmem_helper', 'drm_exec']) t.ok(loaded.indexOf(`${dep}:ok`) >= 0 && loaded.indexOf(`${dep}:ok`) < loaded.length - 1, `${dep} before vaccel`);
});

t.test('a path: kernel without a build tree: what needs vaccel skips, saying why', async (t) => {
  const { resolveKernel } = await import('../../src/kernel/index.js');
  const { cacheDir } = await import('../../src/paths.js');
  const { silentLog } = await import('../../src/util/log.js');
  const debian = await resolveKernel('debian:linux-image-6.12-amd64', { cacheDir: cacheDir(), log: silentLog });
  const spec = `path:${debian.image},modules=${debian.modulesDir}`;
  const out = tempDir(t);
  const r = await runHilt(['run', '--accel', 'tcg', '--kernel', spec, '--suite', 'accel:device,vaccel-jobs', '--out', out]);
  t.equal(r.code, 0, `exit 0: skips are no failures (stderr: ${r.stderr.slice(-2000)})`);
  t.match(r.stderr, /vaccel cannot be built: path: kernel \S+ has no build tree/);
  const run = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
  const cases = run.suites.find((s) => s.name === 'accel')!.cases;
  const reason = `path: kernel ${debian.release} has no build tree (lib/modules/${debian.release}/build with Module.symvers) to build test modules against`;
  t.match(cases.find((c) => c.name === 'device'), { status: 'skip', message: `skipped: no /dev/accel node; vaccel is unavailable: ${reason}` });
  t.match(cases.find((c) => c.name === 'vaccel-jobs'), { status: 'skip', message: `skipped: vaccel is unavailable: ${reason}` });
});
