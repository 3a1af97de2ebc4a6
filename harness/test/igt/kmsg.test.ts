/**
 * Kernel log records and their attribution, on the raw /dev/kmsg records
 * igt_runner kept in the captured boot: hilt must print and share them out
 * exactly as igt_runner did in its results.json.
 */
import t from 'tap';
import { attributeDmesg, formatKernelMessage, IGT_DMESG_IGNORE, parseDmesgRawLine, parseKmsgRecord } from '../../src/igt/kmsg.js';
import { runnerTests, text } from './fixture.js';

const records = (rel: string) =>
  text(rel)
    .split('\n')
    .map(parseKmsgRecord)
    .filter((m) => m !== null);
const lines = (s: string) => s.split('\n').filter(Boolean);

t.test("igt_runner's raw records read and print as it printed them", async (t) => {
  const ref = runnerTests('runner-all');
  const auth = records('runner-all/2/dmesg.txt');
  t.same(text('runner-all/joblist.txt').split('\n')[2], 'core_auth getclient-simple');
  t.same(auth.map(formatKernelMessage), lines(ref['igt@core_auth@getclient-simple']!.dmesg));
  t.same(auth[1], { level: 6, usec: auth[1]!.usec, continuation: false, text: '[IGT] core_auth: executing' }, 'facility bits are not part of the level');
});

t.test("a subtest's and its dynamic subtest's share of the log, as igt_runner made them", async (t) => {
  const ref = runnerTests('runner-all');
  const flip = attributeDmesg(records('runner-all/79/dmesg.txt'));
  t.same(flip.subtests.get('basic')!.messages.map(formatKernelMessage), lines(ref['igt@kms_flip_event_leak@basic']!.dmesg));
  t.same(flip.dynamic.get('basic@pipe-a-virtual-1')!.messages.map(formatKernelMessage), lines(ref['igt@kms_flip_event_leak@basic@pipe-a-virtual-1']!.dmesg));
});

t.test('dmesg -r lines: level without the facility, timestamp in microseconds', async (t) => {
  t.same(parseDmesgRawLine('<14>[   62.935429] [IGT] vgem_basic: executing'), { level: 6, usec: 62935429, text: '[IGT] vgem_basic: executing' });
  t.same(parseDmesgRawLine('<4>warning without a timestamp'), { level: 4, text: 'warning without a timestamp' });
  t.equal(parseDmesgRawLine('no priority'), null);
  t.equal(parseKmsgRecord(' SUBSYSTEM=drm'), null, "a record's key=value lines are not messages");
  t.same(parseKmsgRecord('4,10,20,c;more\\x20text\\x01'), { level: 4, usec: 20, continuation: true, text: 'more text\\x01' }, 'printable escapes restored, others kept');
});

t.test("each pattern on IGT runner's ignore list ignores the message it was written for", async (t) => {
  const samples = [
    'ACPI: button: The lid device is not compliant to SW_LID.',
    'ACPI: \\_SB_.PCI0: Unable to dock!',
    'IRQ 24: no longer affine to CPU3',
    'IRQ fixup: irq 9 move in progress, old vector 33',
    'Setting dangerous option enable_guc - tainting kernel',
    'Suspending console(s) (use no_console_suspend to debug)',
    'atkbd serio0: Failed to deactivate keyboard on isa0060/serio0',
    'cache: parent cpu1 should not be sleeping',
    'hpet1: lost 7 rtc interrupts',
    'i915: probe of 0000:00:02.0 failed with error -25',
    'mock: DMA: Out of SW-IOMMU space for 4096 bytes',
    'usb usb2: root hub lost power or was reset',
  ];
  t.equal(samples.length, IGT_DMESG_IGNORE.length);
  samples.forEach((text, i) => {
    const share = attributeDmesg([{ level: 4, text: '[IGT] x: starting subtest s' }, { level: 4, text }]).subtests.get('s')!;
    t.same(share.warnings.map((m) => m.text), ['[IGT] x: starting subtest s'], `${IGT_DMESG_IGNORE[i]} (the marker itself is at level 4 here, and counts)`);
  });
});
