/**
 * Per-architecture QEMU knowledge as data. The x86-64 profile boots with
 * qboot (much faster than SeaBIOS for -kernel boots, as kunit_tool does) and
 * a kernel command line tuned for TCG: the expensive self-tests and
 * self-setup initcalls (jitter entropy, certificate lists, BPF struct_ops)
 * are skipped, and the kernel powers off rather than reboots on panic.
 * panic_print=0x20 makes a panicking kernel print its whole log again, where
 * the agent's case markers tell the host which case was running.
 */
export interface QemuArchProfile {
  arch: string;
  /** Firmware for -bios, used when the file exists. */
  firmware: string | null;
  /** The serial console device the guest writes to. */
  console: string;
  cmdline: string[];
  /**
   * TCG options by threading. 'single' is the default: multi-threaded TCG
   * (one host thread per vCPU) is a few percent faster but lets live kernel
   * text patching race a second vCPU, and the guest oopses ("int3" at a
   * static-key patch site) about once in a hundred boots: a crash the kernel
   * under test did not cause. `npm run bench -- tcg` counts them.
   */
  tcg: { single: string[]; multi: string[] };
  kvm: string[];
}

export const X86_64: QemuArchProfile = {
  arch: 'x86_64',
  firmware: '/usr/share/qemu/qboot.rom',
  console: 'ttyS0',
  cmdline: [
    'console=ttyS0',
    'panic=-1',
    'panic_print=0x20',
    'quiet',
    'mitigations=off',
    'cryptomgr.notests',
    'initcall_blacklist=jent_mod_init,load_system_certificate_list,bpf_tcp_ca_kfunc_init,bpf_struct_ops_kfunc_init',
    'tsc=reliable',
    'no_timer_check',
  ],
  tcg: { single: ['-accel', 'tcg,thread=single'], multi: ['-accel', 'tcg,thread=multi'] },
  kvm: ['-accel', 'kvm', '-cpu', 'host'],
};
