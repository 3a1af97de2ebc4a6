/**
 * Choosing subtests as igt_runner -t/-x does: on the real listings of the
 * captured boot, against the job lists igt_runner wrote there, and on rules
 * written here by hand.
 */
import t from 'tap';
import { HiltError } from '../../src/errors.js';
import { igtName, parseIgtName } from '../../src/igt/names.js';
import { type SubtestListing, compileFilters, parseSubtestListing, selectJobs } from '../../src/igt/select.js';
import { text } from './fixture.js';

const binaries = text('test-list.txt').split('\n').filter(Boolean);
const listing = (b: string): SubtestListing => parseSubtestListing(text(`list/${b}/stdout`), { code: Number(text(`list/${b}/exit`).trim()), signal: null });
const all = binaries.map((binary) => ({ binary, listing: listing(binary) }));
const jobs = (include: string[], exclude: string[] = []) => selectJobs(all, compileFilters(include, exclude)).jobs.map((j) => (j.subtest === null ? j.binary : `${j.binary} ${j.subtest}`));
const joblist = (rel: string) => text(`${rel}/joblist.txt`).split('\n').filter(Boolean);

t.test('the real listings: subtests, and a binary without any (exit 79)', async (t) => {
  t.same(listing('core_auth'), { kind: 'subtests', names: ['getclient-simple', 'getclient-master-drop', 'basic-auth', 'many-magics'] });
  t.same(listing('core_setmaster_vs_auth'), { kind: 'none' });
  t.same(parseSubtestListing('', { code: 98, signal: null }), { kind: 'error', reason: '--list-subtests exited with 98' });
  t.same(parseSubtestListing('', { code: null, signal: 'SIGSEGV' }), { kind: 'error', reason: '--list-subtests was killed by SIGSEGV' });
});

t.test("the same jobs igt_runner chose in the captured boot, for the same patterns", async (t) => {
  t.same(jobs([], ['^igt@vgem_basic@unload$']), joblist('runner-all'), `-x '^igt@vgem_basic@unload$': ${joblist('runner-all').length} jobs`);
  t.same(jobs(['^igt@vgem_basic@unload$']), joblist('runner-unload'));
  t.same(jobs(['^igt@core_auth@getclient-simple$']), joblist('provoked/dmesg-warn.runner'));
  t.same(jobs(['^igt@kms_flip_event_leak@basic$']), joblist('provoked/dynamic-dmesg-warn.runner'));
});

t.test('the rules, by hand', async (t) => {
  t.same(jobs(['core_auth']), ['core_auth getclient-simple', 'core_auth getclient-master-drop', 'core_auth basic-auth', 'core_auth many-magics'], 'a binary name: all of it');
  t.same(jobs(['core_auth'], ['magic']), ['core_auth getclient-simple', 'core_auth getclient-master-drop', 'core_auth basic-auth'], 'minus excluded subtests');
  t.same(jobs(['IGT@CORE_AUTH@BASIC']), ['core_auth basic-auth'], 'patterns ignore case and match anywhere');
  t.same(jobs(['auth'], ['^core_auth$']), ['core_setmaster_vs_auth'], 'an excluded binary name leaves the binary out whole');
  t.same(jobs(['setmaster']), ['core_setmaster_vs_auth'], 'a binary without subtests, by its name');
  t.same(jobs(['igt@core_setmaster_vs_auth']), ['core_setmaster_vs_auth'], '...or by igt@binary');
  t.same(jobs(['setmaster'], ['igt@core_setmaster']), [], '...and excluded by igt@binary');
  t.equal(jobs([]).length, 82, 'no pattern: everything (81 subtests and a binary without any)');
  const unlisted = selectJobs([{ binary: 'broken', listing: { kind: 'error', reason: '--list-subtests exited with 1' } }], compileFilters([], []));
  t.same(unlisted, { jobs: [], unlisted: [{ binary: 'broken', reason: '--list-subtests exited with 1' }] }, 'a binary that cannot list is named, not dropped');
});

t.test('a pattern JavaScript cannot compile is a usage error naming its option', async (t) => {
  let err: unknown;
  try {
    compileFilters(['ok'], ['(unclosed']);
  } catch (e) {
    err = e;
  }
  t.ok(err instanceof HiltError && err.kind === 'usage');
  t.match((err as Error).message, /^--igt-exclude '\(unclosed' is not a valid regular expression: /);
});

t.test("IGT's names", async (t) => {
  t.equal(igtName('Core_Auth'), 'igt@core_auth');
  t.equal(igtName('kms_rmfb', 'rmfb-ioctl', 'pipe-A-Virtual-1'), 'igt@kms_rmfb@rmfb-ioctl@pipe-a-virtual-1');
  t.equal(igtName('x', 'two words'), 'igt@x@two', 'cut at white space, as IGT cuts');
  t.same(parseIgtName('igt@kms_rmfb@rmfb-ioctl@pipe-a-virtual-1'), { binary: 'kms_rmfb', subtest: 'rmfb-ioctl', dynamic: 'pipe-a-virtual-1' });
  t.same(parseIgtName('igt@core_auth'), { binary: 'core_auth', subtest: null, dynamic: null });
  t.equal(parseIgtName('core_auth@basic'), null);
  t.equal(parseIgtName('igt@@x'), null);
});
