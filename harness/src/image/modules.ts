/**
 * Kernel module closure from modules.dep, in an order insmod accepts. Pure.
 *
 * modules.dep lists, for each module, every module it needs, the ones loaded
 * last first ("vgem.ko: drm_shmem_helper.ko drm_kms_helper.ko drm.ko"), so
 * loading a module's list front to back fails (drm_shmem_helper before
 * drm_kms_helper). A depth-first walk that places each module after all of
 * its own dependencies gives a valid order whatever the listing order.
 */
export interface ModuleIndex {
  /** Normalised name (dashes as underscores) to path relative to the modules dir. */
  paths: Map<string, string>;
  /** Path to the paths of the modules it depends on. */
  deps: Map<string, string[]>;
  /** Normalised names of modules built into the kernel image. */
  builtin: Set<string>;
}

export function moduleName(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.replace(/\.ko(\.(xz|zst|gz))?$/, '').replace(/-/g, '_');
}

export function parseModulesDep(depText: string, builtinText = ''): ModuleIndex {
  const index: ModuleIndex = { paths: new Map(), deps: new Map(), builtin: new Set() };
  for (const line of depText.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const path = line.slice(0, colon).trim();
    const deps = line.slice(colon + 1).trim().split(/\s+/).filter(Boolean);
    index.paths.set(moduleName(path), path);
    index.deps.set(path, deps);
  }
  for (const line of builtinText.split('\n')) {
    if (line.trim()) index.builtin.add(moduleName(line.trim()));
  }
  return index;
}

export interface ModuleClosure {
  /** Paths to load, each after everything it depends on. */
  load: string[];
  /** Requested names that are built into the kernel: nothing to load. */
  builtin: string[];
  /** Requested names the kernel has neither as a module nor built in. */
  missing: string[];
}

export function resolveModules(requested: string[], index: ModuleIndex): ModuleClosure {
  const closure: ModuleClosure = { load: [], builtin: [], missing: [] };
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const visit = (path: string) => {
    if (placed.has(path) || visiting.has(path)) return; // a cycle cannot load anyway; depmod rejects them
    visiting.add(path);
    for (const dep of index.deps.get(path) ?? []) visit(dep);
    visiting.delete(path);
    placed.add(path);
    closure.load.push(path);
  };
  for (const raw of requested) {
    const name = moduleName(raw);
    const path = index.paths.get(name);
    if (path) visit(path);
    else if (index.builtin.has(name)) closure.builtin.push(raw);
    else closure.missing.push(raw);
  }
  return closure;
}
