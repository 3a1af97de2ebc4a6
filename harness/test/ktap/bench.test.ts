import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { benchKtapParse, generateKtapLog } from '../../bench/ktap-bench.js';

t.test('the synthetic log parses into the cases it was written with', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hilt-ktap-bench-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'log');
  const log = generateKtapLog(path, 2 << 20, 1234);
  t.equal(log.cases, 1234);
  t.equal(log.suites, 13);
  t.ok(Math.abs(log.bytes - (2 << 20)) < 4096, `about the size asked (${log.bytes})`);
  t.equal(log.counts.pass + log.counts.fail + log.counts.skip, 1234);
  t.match(readFileSync(path, 'latin1').slice(0, 200), /^KTAP version 1\n1\.\.13\n {4}KTAP version 1\n/);

  const result = await benchKtapParse(path);
  t.equal(result.cases, 1234);
  t.equal(result.bytes, log.bytes);
  t.ok(result.seconds > 0 && result.mbPerSec > 0);
  t.ok(result.peakRssMb > 10 && result.peakRssMb < 1000, `peak RSS ${result.peakRssMb.toFixed(1)} MiB`);
});
