/**
 * The machine's identity as the agent saw it (pure): its `inv` records (PCI
 * display controllers, 3D controllers and accelerators with their ids,
 * subsystem ids, bound drivers and firmware versions; DRM and accel nodes
 * with what DRM_IOCTL_VERSION says; the kernel command line) and the release
 * its `hello` named, gathered per boot. A run keeps its first boot's
 * inventory; a later boot that shows something else is a problem of the run
 * (a GPU that fell off the bus after a crash).
 *
 * The check a machine profile asks for lives here too: the accelerators the
 * machine must show, so a certification run stops before any suite on the
 * wrong hardware, saying what it found instead.
 */
import { type AgentRecord, type InventoryItem, parseRecord } from '../agent-protocol/records.js';
import type { AcceleratorDemand } from '../plan/types.js';

export interface PciDevice {
  slot: string;
  vendor: string;
  device: string;
  subsystemVendor: string;
  subsystemDevice: string;
  /** PCI class, six hex digits (030000 VGA, 038000 display, 120000 accelerator). */
  class: string;
  /** The bound driver, or null when none is. */
  driver: string | null;
  /** What sysfs shows of its firmware (vbios_version, fw_version...). */
  firmware: Record<string, string>;
}

export interface DeviceNode {
  path: string;
  driver: string | null;
  version: string | null;
  /** Why DRM_IOCTL_VERSION could not be asked (the node would not open). */
  error: string | null;
}

export interface Inventory {
  /** The boot it was taken on. */
  boot: number;
  release: string | null;
  /** Taken by the agent on a machine that was already up (ssh, local). */
  hosted: boolean;
  cmdline: string | null;
  pci: PciDevice[];
  nodes: DeviceNode[];
  /** The files the plan asked about (nodes the suites require), error null where they exist; absent from agents before it asked. */
  paths?: { path: string; error: string | null }[];
}

type Item = InventoryItem;

function empty(boot: number): Inventory {
  return { boot, release: null, hosted: false, cmdline: null, pci: [], nodes: [] };
}

function add(inv: Inventory, item: Item): void {
  if (item.what === 'cmdline') inv.cmdline = item.cmdline;
  else if (item.what === 'node') inv.nodes.push({ path: item.path, driver: item.driver, version: item.version, error: item.error });
  else if (item.what === 'path') (inv.paths ??= []).push({ path: item.path, error: item.error });
  else {
    inv.pci.push({
      slot: item.slot,
      vendor: item.vendor,
      device: item.device,
      subsystemVendor: item.subsystemVendor,
      subsystemDevice: item.subsystemDevice,
      class: item.class,
      driver: item.driver === '-' ? null : item.driver,
      firmware: { ...item.firmware },
    });
  }
}

/**
 * Gathers each boot's inventory from its journaled records. The agent says
 * the command line last; a suite starting (or the run ending) also closes
 * the inventory, for an agent that said less.
 */
export class InventoryCollector {
  private readonly boots = new Map<number, Inventory>();
  private readonly closed = new Set<number>();

  /** Feeds one agent record of a boot; 'complete' when this record closed the boot's inventory. */
  push(boot: number, record: AgentRecord): 'complete' | null {
    if (this.closed.has(boot)) return null;
    let inv = this.boots.get(boot);
    if (record.kind === 'hello') {
      inv = empty(boot);
      inv.release = record.release || null;
      inv.hosted = record.fields.hosted === '1';
      this.boots.set(boot, inv);
      return null;
    }
    if (record.kind === 'inv') {
      if (!inv) this.boots.set(boot, (inv = empty(boot)));
      add(inv, record.item);
      if (record.item.what !== 'cmdline') return null;
    } else if (record.kind !== 'spawn' && record.kind !== 'begin' && record.kind !== 'done') return null;
    if (!inv) return null;
    this.closed.add(boot);
    return 'complete';
  }

  /** A journal entry's record ({t: 'rec', boot, seq, kind, p}). */
  pushEntry(entry: { boot: number; seq: number; kind: string; p: string }): 'complete' | null {
    if (entry.kind !== 'hello' && entry.kind !== 'inv' && entry.kind !== 'spawn' && entry.kind !== 'begin' && entry.kind !== 'done') return null;
    return this.push(entry.boot, parseRecord({ seq: entry.seq, kind: entry.kind, payload: entry.p }));
  }

  of(boot: number): Inventory | null {
    return this.boots.get(boot) ?? null;
  }

  /** The first boot's inventory that holds anything beyond a hello. */
  first(): Inventory | null {
    for (const inv of [...this.boots.values()].sort((a, b) => a.boot - b.boot)) if (inv.cmdline !== null || inv.pci.length || inv.nodes.length) return inv;
    return null;
  }

  /** Boots that showed a different machine from the first: each a sentence for the run's problems. */
  changes(): string[] {
    const first = this.first();
    if (!first) return [];
    const out: string[] = [];
    const key = (inv: Inventory) => identityLines(inv).join('\n');
    for (const inv of this.boots.values()) {
      if (inv.boot <= first.boot || !this.closed.has(inv.boot)) continue;
      if (key(inv) !== key(first)) {
        out.push(`boot ${inv.boot} showed a different machine from boot ${first.boot}: ${describeInventory(inv)} (boot ${first.boot}: ${describeInventory(first)})`);
      }
    }
    return out;
  }
}

/** What identifies the hardware: PCI ids and drivers, node drivers; not the command line, which differs per boot. */
function identityLines(inv: Inventory): string[] {
  return [
    ...inv.pci.map((p) => `${p.slot} ${p.vendor}:${p.device} ${p.subsystemVendor}:${p.subsystemDevice} ${p.class} ${p.driver ?? '-'} ${JSON.stringify(p.firmware)}`),
    ...inv.nodes.map((n) => `${n.path} ${n.driver ?? '-'} ${n.version ?? ''}`),
  ].sort();
}

const pciText = (p: PciDevice) => `${p.slot} ${p.vendor}:${p.device} (${p.driver ?? 'no driver'})`;
const nodeText = (n: DeviceNode) => (n.driver ? `${n.path} ${n.driver} ${n.version}` : `${n.path} (${n.error ?? 'unknown'})`);

/** One line a person reads: "0000:00:02.0 1af4:1050 (virtio-pci); /dev/dri/card0 vgem 1.0.0". */
export function describeInventory(inv: Inventory): string {
  const parts = [...inv.pci.map(pciText), ...inv.nodes.map(nodeText)];
  return parts.length ? parts.join('; ') : 'no display controller, 3D controller or accelerator on PCI, and no DRM or accel node';
}

function demandText(d: AcceleratorDemand): string {
  const what = d.vendor || d.device ? `PCI device ${d.vendor ?? '*'}:${d.device ?? '*'}${d.driver ? ` bound to ${d.driver}` : ''}` : `DRM or accel node of driver ${d.driver}`;
  return d.count > 1 ? `${d.count} × ${what}` : what;
}

/** How many of the machine's devices meet a demand. */
export function countMatching(inv: Inventory, d: AcceleratorDemand): number {
  if (d.vendor || d.device) {
    return inv.pci.filter((p) => (!d.vendor || p.vendor === d.vendor) && (!d.device || p.device === d.device) && (!d.driver || p.driver === d.driver)).length;
  }
  return inv.nodes.filter((n) => n.driver === d.driver).length;
}

/**
 * What the profile demands and the machine does not show, as the message of
 * the error that stops the run; null when it shows everything.
 */
export function checkAccelerators(inv: Inventory, demands: readonly AcceleratorDemand[], machine: string): string | null {
  const missing = demands.filter((d) => countMatching(inv, d) < d.count);
  if (!missing.length) return null;
  const wanted = missing.map((d) => `${demandText(d)} (found ${countMatching(inv, d)})`).join(', ');
  return `machine ${machine} must show ${wanted}; boot ${inv.boot} shows ${describeInventory(inv)}`;
}

/** The inventory as name/value pairs (JUnit properties). */
export function inventoryProperties(inv: Inventory | null | undefined): [string, string][] {
  if (!inv) return [];
  return [
    ['inventory.release', inv.release ?? ''],
    ['inventory.cmdline', inv.cmdline ?? ''],
    ...inv.pci.map((p): [string, string] => [
      `inventory.pci.${p.slot}`,
      [`${p.vendor}:${p.device}`, `subsystem ${p.subsystemVendor}:${p.subsystemDevice}`, `class ${p.class}`, `driver ${p.driver ?? '-'}`, ...Object.entries(p.firmware).map(([k, v]) => `${k} ${v}`)].join(', '),
    ]),
    ...inv.nodes.map((n): [string, string] => [`inventory.node.${n.path}`, n.driver ? `${n.driver} ${n.version}` : `error: ${n.error ?? ''}`]),
  ];
}
