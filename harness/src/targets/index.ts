/** The one place that turns a machine profile into a Target. */
import type { MachineProfile } from '../plan/types.js';
import { QemuTarget } from './qemu.js';
import type { Target } from './target.js';

export type { BootRequest, Machine, MachineExit, Target } from './target.js';

export interface TargetInputs {
  kernelImage: string;
  initrd: string;
  accel: 'tcg' | 'kvm';
}

export function createTarget(machine: MachineProfile, inputs: TargetInputs): Target {
  switch (machine.type) {
    case 'qemu':
      return new QemuTarget({ machine, ...inputs });
  }
}
