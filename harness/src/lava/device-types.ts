/**
 * What hilt knows about LAVA device types, as data: how a kernel and an
 * initramfs reach the device (deploy) and how the device starts them (boot).
 *
 * A device type name is the lab's own (`x86`, `beaglebone-black`,
 * `minnowboard-turbot-E3826`...), so only a few well-known names have
 * defaults here; a lab profile names the boot method of any other one.
 *
 * - `qemu`: LAVA starts QEMU on the worker (`deploy: tmpfs`, `boot: qemu`);
 *   the QEMU options come from the job's `context` (memory, extra_options).
 * - boards: the worker serves the files over TFTP (`deploy: tftp`) and the
 *   bootloader fetches them (`boot: ipxe`, `u-boot` or `grub`) with the
 *   device dictionary's `ramdisk` command set; hilt's kernel command line
 *   words travel as `context.extra_kernel_args`, which those command sets
 *   append.
 */
export type LavaBootMethod = 'qemu' | 'ipxe' | 'u-boot' | 'grub';

export interface LavaDeviceType {
  /** The LAVA device type name (`device_type:` of the job). */
  name: string;
  boot: LavaBootMethod;
  /** LAVA's architecture name (`context.arch`, needed by QEMU device types). */
  arch: string;
  /** The serial console the kernel writes to; null leaves it to the device dictionary (boards set their own). */
  console: string | null;
  /** For `deploy: tftp`: LAVA's kernel image type (u-boot's bootz/booti/bootm), or null to leave it out. */
  kernelType: 'image' | 'zimage' | 'uimage' | null;
  /** u-boot's bootm wants a u-boot header on the ramdisk. */
  ramdiskHeader: 'u-boot' | null;
  /** The device dictionary's command set for an initramfs boot. */
  commands: string;
}

export const LAVA_BOOT_METHODS: readonly LavaBootMethod[] = ['qemu', 'ipxe', 'u-boot', 'grub'];

/** Defaults for device type names every LAVA installation ships a template for. */
const KNOWN: Record<string, Omit<LavaDeviceType, 'name'>> = {
  qemu: { boot: 'qemu', arch: 'amd64', console: 'ttyS0', kernelType: null, ramdiskHeader: null, commands: '' },
  x86: { boot: 'ipxe', arch: 'amd64', console: null, kernelType: null, ramdiskHeader: null, commands: 'ramdisk' },
};

/** hilt's architecture names (uname -m) to LAVA's. */
const LAVA_ARCH: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64', arm64: 'arm64', amd64: 'amd64' };

export function lavaArch(arch: string): string {
  return LAVA_ARCH[arch] ?? arch;
}

export interface DeviceTypeChoice {
  name: string;
  boot?: LavaBootMethod;
  arch?: string;
  console?: string | null;
  kernelType?: 'image' | 'zimage' | 'uimage' | null;
  ramdiskHeader?: 'u-boot' | null;
  commands?: string;
}

/**
 * The device type a lab profile describes: a well-known name's defaults with
 * the profile's words on top; an unknown name must say how it boots.
 * Returns an error message instead of throwing, for the caller to word.
 */
export function resolveDeviceType(choice: DeviceTypeChoice): LavaDeviceType | string {
  const known = KNOWN[choice.name];
  const boot = choice.boot ?? known?.boot;
  if (!boot) {
    return `device type '${choice.name}' is not one hilt knows (${Object.keys(KNOWN).join(', ')}); name its boot method (${LAVA_BOOT_METHODS.join(', ')})`;
  }
  const board = boot !== 'qemu';
  return {
    name: choice.name,
    boot,
    arch: choice.arch ?? known?.arch ?? 'amd64',
    console: choice.console !== undefined ? choice.console : known ? known.console : board ? null : 'ttyS0',
    kernelType: choice.kernelType !== undefined ? choice.kernelType : (known?.kernelType ?? null),
    ramdiskHeader: choice.ramdiskHeader !== undefined ? choice.ramdiskHeader : (known?.ramdiskHeader ?? null),
    commands: choice.commands ?? (board ? (known?.commands ?? 'ramdisk') : ''),
  };
}
