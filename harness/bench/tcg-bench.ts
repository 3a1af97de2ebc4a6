/**
 * `npm run bench -- --only tcg [--boots N]`: how often the emulator itself
 * crashes the guest kernel, single- against multi-threaded TCG. Each boot is
 * the default plan's real kernel and initramfs, run up to the point where the
 * agent has loaded every module (the kernel patches its own text there, which
 * is what races a second vCPU) and powers off. Boots alternate between the
 * two modes so that load on the host falls on both alike. A rare event needs
 * hundreds of boots: this is a bench part, never a CI test.
 */
import { classifyKernelLine } from '../src/console/kernel-events.js';
import { FrameDecoder } from '../src/agent-protocol/frame.js';
import { cacheDir } from '../src/paths.js';
import { buildRunPlan } from '../src/plan/plan.js';
import { prepareMachine } from '../src/run/prepare.js';
import { schemas } from '../src/schemas/registry.js';
import { loadCatalog } from '../src/suites/catalog.js';
import { createTarget } from '../src/targets/index.js';
import { LineSplitter } from '../src/text/line-splitter.js';
import { silentLog } from '../src/util/log.js';
import { type Section, fmtS, median } from './table.js';

type Mode = 'single' | 'multi';

interface Tally {
  boots: number;
  oops: number;
  failed: number;
  ms: number[];
  first: string[];
}

const BOOT_LIMIT_MS = 60_000;

/** A 95% upper bound on a rate from k events in n trials (the rule of three when k is 0). */
function upper95(k: number, n: number): number {
  if (k === 0) return 3 / n;
  const p = k / n;
  return p + 1.96 * Math.sqrt((p * (1 - p)) / n);
}

export async function tcgBench(o: { boots: number; progress: (m: string) => void }): Promise<Section> {
  const registry = schemas();
  const plan = await buildRunPlan({ accel: 'tcg', out: '/nonexistent' }, loadCatalog(registry), registry);
  const { kernel, image } = await prepareMachine(plan, { cacheDir: cacheDir(), log: silentLog, consoleLevel: 1 });
  const tally: Record<Mode, Tally> = { single: { boots: 0, oops: 0, failed: 0, ms: [], first: [] }, multi: { boots: 0, oops: 0, failed: 0, ms: [], first: [] } };
  for (let i = 0; i < o.boots * 2; i++) {
    const mode: Mode = i % 2 ? 'multi' : 'single';
    const target = createTarget({ ...plan.machine, tcgThreads: mode }, { kernelImage: kernel.image, initrd: image!.path, accel: 'tcg' });
    const t0 = Date.now();
    const machine = await target.boot({ cmdline: ['hilt.mode=run', `hilt.start=${plan.tests.length}`] });
    const splitter = new LineSplitter({ encoding: 'latin1' });
    const decoder = new FrameDecoder();
    let done = false;
    let oops: string | null = null;
    machine.onConsole((chunk) => {
      for (const line of splitter.push(chunk)) {
        for (const d of decoder.push(line)) {
          if (d.type === 'record' && d.record.kind === 'done') done = true;
          if (d.type === 'console' && !oops && ['oops', 'bug', 'panic'].includes(classifyKernelLine(d.text) ?? '')) oops = d.text;
        }
      }
    });
    const timer = setTimeout(() => void machine.kill(), BOOT_LIMIT_MS);
    const exit = await machine.exited;
    clearTimeout(timer);
    const t = tally[mode];
    if (oops) {
      t.boots++;
      t.ms.push(Date.now() - t0);
      t.oops++;
      if (t.first.length < 3) t.first.push(oops);
    } else if (!done) {
      // Not a boot the emulator could have oopsed in (QEMU did not start, the image was gone): not counted.
      t.failed++;
      if (t.first.length < 3) t.first.push(`never reached done (exit ${exit.code ?? exit.signal}, ${Date.now() - t0} ms): ${exit.stderr.trim().split('\n').pop() ?? ''}`);
    } else {
      t.boots++;
      t.ms.push(Date.now() - t0);
    }
    if ((i + 1) % 20 === 0) o.progress(`tcg: ${i + 1}/${o.boots * 2} boots; oopses single ${tally.single.oops}, multi ${tally.multi.oops}`);
  }
  const row = (mode: Mode) => {
    const t = tally[mode];
    return [
      { label: `thread=${mode}: oopses in ${t.boots} boots`, value: `${t.oops} (<= ${(upper95(t.oops, t.boots) * 100).toFixed(1)}% at 95%)`, ...(mode === 'single' ? { target: '0', pass: t.oops === 0 } : {}) },
      { label: `thread=${mode}: boots that never reached done (not counted)`, value: String(t.failed), target: '0', pass: t.failed === 0 },
      { label: `thread=${mode}: boot to power-off, median`, value: fmtS(median(t.ms)) },
    ];
  };
  return {
    title: 'TCG threading: guest oopses the emulator causes (default single; multi is opt-in with --tcg-threads multi)',
    rows: [...row('single'), ...row('multi'), { label: 'multi/single boot time', value: (median(tally.multi.ms) / median(tally.single.ms)).toFixed(3) }],
    notes: [...tally.single.first.map((l) => `single: ${l}`), ...tally.multi.first.map((l) => `multi: ${l}`)],
  };
}
