/** What a kernel provider yields: everything later stages need, as plain data. */
export interface KernelInfo {
  /** The spec it came from, as typed. */
  spec: string;
  /** `uname -r` of the kernel, from the image header or the package. */
  release: string;
  image: string;
  /** lib/modules/<release>, with modules.dep; null for a kernel without modules. */
  modulesDir: string | null;
  config: string | null;
  /** A kernel build tree (`make -C DIR M=...` builds modules for it), when the provider has one; see kernel/headers.ts. */
  buildDir?: string | null;
  /** sha256 of the config file, so results say exactly which configuration ran. */
  configSha256: string | null;
  /** Where it came from, exactly enough to fetch or check the same build again (gate/repro.ts). */
  source:
    | { type: 'debian'; package: string; version: string }
    | { type: 'path'; sha256?: string }
    /** Built from a source tree: where, at which commit (null outside git); buildSeconds null when this run found it built. */
    | { type: 'tree'; path: string; commit: string | null; buildDir: string; buildLog: string; buildSeconds: number | null }
    /** The kernel a machine hilt did not boot is running (ssh, local); image is then ''. */
    | { type: 'running'; machine: string };
}
