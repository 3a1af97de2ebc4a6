/** Reads the captured IGT runs of harness/test/fixtures/igt/ (see its README). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants } from 'node:os';
import { parseDmesgRawLine } from '../../src/igt/kmsg.js';
import type { IgtProcessRun, IgtResult } from '../../src/igt/verdicts.js';
import { ROOT } from '../helpers.js';

export const CAPTURE = join(ROOT, 'harness/test/fixtures/igt/qemu-6.12-bochs-vgem');

/** A file of a run; absent files were empty. */
export function text(rel: string): string {
  const p = join(CAPTURE, rel);
  return existsSync(p) ? readFileSync(p, 'utf8') : '';
}

export const runs = (folder: string) => readdirSync(join(CAPTURE, folder)).filter((e) => !e.includes('.runner'));

/** The shell's $? as the process ended: 128+N is signal N. */
function exitOf(status: number): IgtProcessRun['exit'] {
  if (status <= 128) return { code: status, signal: null };
  const name = Object.entries(constants.signals).find(([, n]) => n === status - 128)?.[0] ?? null;
  return { code: null, signal: name };
}

/** A run folder as the verdict rules take it. A run under `timeout -s KILL` that died of SIGKILL is the watchdog's. */
export function loadRun(rel: string): IgtProcessRun {
  const cmd = text(`${rel}/cmd`).trim().split(/\s+/);
  const bin = cmd.find((w) => w.startsWith('/igt/tests/'))!;
  const at = cmd.indexOf('--run-subtest');
  const exit = exitOf(Number(text(`${rel}/exit`).trim()));
  return {
    binary: bin.slice('/igt/tests/'.length),
    requested: at >= 0 ? cmd[at + 1]! : null,
    stdout: text(`${rel}/stdout`),
    stderr: text(`${rel}/stderr`),
    exit,
    timedOut: cmd[0] === 'timeout' && exit.signal === 'SIGKILL',
    kmsg: text(`${rel}/dmesg`)
      .split('\n')
      .map(parseDmesgRawLine)
      .filter((m) => m !== null),
  };
}

export interface RunnerTest {
  result: IgtResult;
  out: string;
  err: string;
  dmesg: string;
  'dmesg-warnings'?: string;
}

/** igt_runner's results.json tests, by name. */
export function runnerTests(rel: string): Record<string, RunnerTest> {
  return (JSON.parse(text(`${rel}/results.json`)) as { tests: Record<string, RunnerTest> }).tests;
}
