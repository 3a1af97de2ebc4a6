/**
 * execa, loaded on first use: only the cold paths (downloading a kernel,
 * decompressing modules, listing busybox applets) run commands, and loading
 * execa costs a run that needs none of them ~60 ms before its machine starts.
 */
import type { execa as Execa } from 'execa';

let loading: Promise<typeof Execa> | null = null;

export function lazyExeca(): Promise<typeof Execa> {
  loading ??= import('execa').then((m) => m.execa);
  return loading;
}
