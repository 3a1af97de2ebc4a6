/**
 * Where a LAVA job runs: this host's own lava-run (a device dictionary
 * rendered from the job's context, as a server would render it), or a LAVA
 * server through its REST API. Either way a started job is a RunningLavaJob:
 * its log as it grows, its end, a way to cancel it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Log } from '../util/log.js';
import { lavaTemplates, qemuDeviceDictionary, renderDeviceDictionary } from './device-dictionary.js';
import type { LavaJob } from './job.js';
import { type RunningLavaJob, localDispatcherYaml, startLavaRun } from './lava-run.js';
import { type LavaClient, type LavaJobStatus, submitAndFollow } from './rest.js';

export interface LavaDispatcher {
  readonly kind: 'lava-run' | 'server';
  describe(): Record<string, string>;
  /** Starts the job already written to jobFile (as yaml). */
  start(job: LavaJob, yaml: string, jobFile: string): Promise<RunningLavaJob>;
}

export class LocalDispatcher implements LavaDispatcher {
  readonly kind = 'lava-run';
  private templates: Promise<string> | null = null;
  private seq = 0;

  constructor(private readonly o: { workDir: string; cacheDir: string; log: Log; noKvm: boolean; lavaRun?: string }) {}

  describe(): Record<string, string> {
    return { dispatcher: 'lava-run (this host)' };
  }

  async start(job: LavaJob, _yaml: string, jobFile: string): Promise<RunningLavaJob> {
    const n = ++this.seq;
    this.templates ??= lavaTemplates(this.o.cacheDir, this.o.log);
    const context = (job.context ?? {}) as Record<string, unknown>;
    const device = await renderDeviceDictionary(await this.templates, qemuDeviceDictionary({ noKvm: this.o.noKvm }), context);
    mkdirSync(this.o.workDir, { recursive: true });
    const deviceFile = join(this.o.workDir, `lava-device-${n}.yaml`);
    const dispatcherFile = join(this.o.workDir, 'lava-dispatcher.yaml');
    writeFileSync(deviceFile, device);
    writeFileSync(dispatcherFile, localDispatcherYaml());
    return startLavaRun({
      jobId: String(process.pid * 1000 + n),
      outputDir: join(this.o.workDir, `lava-output-${n}`),
      device: deviceFile,
      dispatcher: dispatcherFile,
      job: jobFile,
      ...(this.o.lavaRun ? { lavaRun: this.o.lavaRun } : {}),
    });
  }
}

export class ServerDispatcher implements LavaDispatcher {
  readonly kind = 'server';

  constructor(
    private readonly client: LavaClient,
    private readonly o: { pollMs?: number; onState?: (s: LavaJobStatus) => void } = {},
  ) {}

  describe(): Record<string, string> {
    return { dispatcher: 'LAVA server', server: this.client.root };
  }

  start(_job: LavaJob, yaml: string): Promise<RunningLavaJob> {
    return submitAndFollow(this.client, yaml, this.o);
  }
}
