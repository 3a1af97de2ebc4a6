/**
 * What the local and ssh targets share: running the agent in hosted mode
 * (`agent --hosted --root DIR`, suites/agent/PROTOCOL.md) on a machine that is
 * already up, and telling which kernel that machine runs. Pure parts only.
 */
import { createHash } from 'node:crypto';
import type { KernelInfo } from '../kernel/types.js';

/** The hosted tree on this host (image/hosted-tree.ts): the folder, and the agent in it. */
export interface HostedFiles {
  dir: string;
  agent: string;
}

/** The agent's hosted arguments for a boot's hilt.* words (the kernel command line of a booted machine). */
export function hostedArgs(root: string, words: string[]): string[] {
  const args = ['--hosted', '--root', root];
  for (const w of words) {
    const m = /^hilt\.(mode|start|count)=(\S+)$/.exec(w);
    if (m) args.push(`--${m[1]}`, m[2]!);
  }
  return args;
}

/**
 * The running kernel as results record it: its release, and its
 * configuration's hash when the machine shows it; configFile, a file on this
 * host with that configuration (the config-aware skips read it), when there is one.
 */
export function runningKernel(machine: string, release: string, config: Buffer | null, configFile: string | null = null): KernelInfo {
  return {
    spec: `running:${machine}`,
    release,
    image: '',
    modulesDir: null,
    config: config && config.length ? configFile : null,
    configSha256: config && config.length ? createHash('sha256').update(config).digest('hex') : null,
    source: { type: 'running', machine },
  };
}
