/**
 * The machine's inventory in every report: results.json (schema-checked),
 * the JUnit properties, the HTML header and environment; a hostile string
 * from the machine (a driver name, firmware text) escaped like any other.
 */
import t from 'tap';
import { buildHtml } from '../../src/report/html.js';
import { buildJunit } from '../../src/report/junit.js';
import type { Inventory } from '../../src/results/inventory.js';
import type { RunResult } from '../../src/results/model.js';
import { schemas } from '../../src/schemas/registry.js';
import { aCase, runOf } from './fixture.js';

const INVENTORY: Inventory = {
  boot: 1,
  release: '6.12.117+deb12-amd64',
  hosted: false,
  cmdline: 'console=ttyS0 hilt.mode=run',
  pci: [{ slot: '0000:41:00.0', vendor: '1da3', device: '1020', subsystemVendor: '1da3', subsystemDevice: '1020', class: '120000', driver: 'habanalabs', firmware: { fw_version: '1.16.0 <b>"x"</b>' } }],
  nodes: [{ path: '/dev/accel/accel0', driver: 'habanalabs', version: '1.16.0', error: null }],
};

const run = (): RunResult => {
  const r = runOf([{ name: 'accel', mode: 'cases', status: 'pass', durationMs: 1, exits: [], cases: [aCase('version', 'pass')] }]);
  return { ...r, environment: { ...r.environment, inventory: INVENTORY } };
};

t.test('results.json holds it, and its schema checks it', async (t) => {
  const registry = schemas();
  t.same(registry.validate('results.schema.json', run()), []);
  const bad = run();
  bad.environment.inventory = { ...INVENTORY, pci: [{ ...INVENTORY.pci[0]!, vendor: 'nvidia' }] };
  t.ok(registry.validate('results.schema.json', bad).some((e) => e.path === '/environment/inventory/pci/0/vendor'), 'a vendor that is not a PCI id is refused');
  const none = run();
  none.environment.inventory = null;
  t.same(registry.validate('results.schema.json', none), [], 'null when no boot got that far');
});

t.test('JUnit properties', async (t) => {
  const xml = buildJunit(run());
  t.match(xml, '<property name="inventory.release" value="6.12.117+deb12-amd64"/>');
  t.match(xml, '<property name="inventory.pci.0000:41:00.0" value="1da3:1020, subsystem 1da3:1020, class 120000, driver habanalabs, fw_version 1.16.0 &lt;b&gt;&quot;x&quot;&lt;/b&gt;"/>');
  t.match(xml, '<property name="inventory.node./dev/accel/accel0" value="habanalabs 1.16.0"/>');
});

t.test('HTML: what the machine shows in the header, every item in the environment', async (t) => {
  const html = buildHtml(run());
  t.match(html, /<span>shows <b>0000:41:00\.0 1da3:1020 \(habanalabs\); \/dev\/accel\/accel0 habanalabs 1\.16\.0<\/b><\/span>/);
  t.match(html, /<dt>inventory pci 0000:41:00\.0<\/dt><dd>1da3:1020, subsystem 1da3:1020, class 120000, driver habanalabs, fw_version 1\.16\.0 &lt;b&gt;&quot;x&quot;&lt;\/b&gt;<\/dd>/);
  t.notMatch(html, /<b>"x"<\/b>/, 'escaped');
});
