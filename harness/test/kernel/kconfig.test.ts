/**
 * .config and fragment reading, the survival check, and the explanation of a
 * dropped option from a small Kconfig tree written in the shapes the kernel's
 * own files use (an `if` block around a whole file, menus with dependencies, a
 * choice, selects, help texts that look like keywords, macros, continuations).
 */
import t from 'tap';
import { evaluate, parseExpr, showExpr } from '../../src/kernel/kconfig-expr.js';
import { explainDropped, formatDropped, symbolValues } from '../../src/kernel/kconfig-explain.js';
import { parseKconfigTree } from '../../src/kernel/kconfig-menu.js';
import { droppedOptions, mergeRequests, parseConfig, parseFragment } from '../../src/kernel/kconfig.js';

const FILES: Record<string, string> = {
  Kconfig: `# SPDX-License-Identifier: GPL-2.0
mainmenu "Linux/$(ARCH) Kernel Configuration"

source "scripts/Kconfig.include"
source "arch/$(SRCARCH)/Kconfig"

config MODULES
	bool "Enable loadable module support"
	modules

config DEBUG_KERNEL
	bool "Kernel debugging"

config DEBUG_FS
	bool "Debug Filesystem"
	help
	  debugfs is a virtual file system.
	  config NOT_A_SYMBOL
	  if this help text were read as Kconfig, NOT_A_SYMBOL would exist.

comment "LKDTM needs debugfs"
	depends on !DEBUG_FS

menuconfig RUNTIME_TESTING_MENU
	bool "Runtime Testing"
	default y

if RUNTIME_TESTING_MENU
source "lib/Kconfig.test"
endif # RUNTIME_TESTING_MENU

menu "Device Drivers"
	depends on HAS_IOMEM
rsource "drivers/Kconfig"
endmenu

choice
	prompt "Preemption Model"
	depends on SMP

config PREEMPT_NONE
	bool "No Forced Preemption"

config PREEMPT
	bool "Preemptible Kernel"

endchoice

config SMP
	bool "Symmetric multi-processing support"

config HAS_IOMEM
	def_bool y

config NR_UARTS
	int "Maximum number of UARTs"
	range 1 32
	default 4
	depends on SMP && \\
		   DEBUG_KERNEL
`,
  'scripts/Kconfig.include': `cc-option = $(success,$(CC) -Werror $(1) -c -x c /dev/null -o /dev/null)
$(warning-if,y,a macro call at top level)
`,
  'arch/x86/Kconfig': `config X86_64
	def_bool y
	select HAVE_KASAN
`,
  'lib/Kconfig.test': `config LKDTM
	tristate "Linux Kernel Dump Test Tool Module"
	depends on DEBUG_FS

config KASAN
	bool "KASAN: dynamic memory safety error detector"
	depends on HAVE_KASAN && $(cc-option,-fsanitize=kernel-address)
	depends on !DEBUG_KERNEL || SMP
`,
  'drivers/Kconfig': `config DRM
	tristate "Direct Rendering Manager"
	select SYNC_FILE

config DRM_VGEM
	tristate "Virtual GEM provider"
	depends on DRM
	select DRM_GEM_SHMEM_HELPER

config DRM_GEM_SHMEM_HELPER
	tristate
	depends on DRM

config SYNC_FILE
	bool "Explicit Synchronization Framework"

config SW_SYNC
	bool "Sync File Validation Framework"
	default n
	depends on SYNC_FILE
	depends on DEBUG_FS

config HAVE_KASAN
	bool
`,
};

const read = (p: string) => FILES[p] ?? null;
const tree = parseKconfigTree(read, { vars: { SRCARCH: 'x86', ARCH: 'x86_64' } });

t.test('.config: values, "is not set", strings, everything else ignored', async (t) => {
  const c = parseConfig('#\n# Automatically generated file; DO NOT EDIT.\n#\nCONFIG_DRM=y\nCONFIG_DRM_VGEM=m\n# CONFIG_SW_SYNC is not set\nCONFIG_CMDLINE="console=ttyS0 quiet"\nCONFIG_NR_UARTS=4\n# a comment\n');
  t.same([...c], [
    ['DRM', 'y'],
    ['DRM_VGEM', 'm'],
    ['SW_SYNC', 'n'],
    ['CMDLINE', '"console=ttyS0 quiet"'],
    ['NR_UARTS', '4'],
  ]);
});

t.test('fragments: requests with their place, the later fragment wins, a stray line refused', async (t) => {
  const base = parseFragment({ source: 'base.config', text: '# the base\nCONFIG_SW_SYNC=y\n\nCONFIG_KASAN=y\n' });
  const mine = parseFragment({ source: 'mine.config', text: '# CONFIG_KASAN is not set\nCONFIG_NR_UARTS=8\n' });
  t.same(base.errors, []);
  const merged = mergeRequests([base.requests, mine.requests]);
  t.same([...merged.values()], [
    { symbol: 'SW_SYNC', value: 'y', source: 'base.config', line: 2 },
    { symbol: 'KASAN', value: 'n', source: 'mine.config', line: 1 },
    { symbol: 'NR_UARTS', value: '8', source: 'mine.config', line: 2 },
  ]);
  t.same(parseFragment({ source: 'bad.config', text: 'CONFIG_A=y\nSW_SYNC=y\n' }).errors, ["bad.config:2: 'SW_SYNC=y' is not CONFIG_NAME=value or '# CONFIG_NAME is not set'"]);
});

t.test('survival: absent and "is not set" both mean n; numbers compare as numbers', async (t) => {
  const requests = mergeRequests([parseFragment({ source: 'f', text: 'CONFIG_A=y\nCONFIG_B=n\nCONFIG_C=n\nCONFIG_D=m\nCONFIG_E=0x10\nCONFIG_F=8\n' }).requests]);
  const final = parseConfig('CONFIG_A=y\n# CONFIG_B is not set\nCONFIG_D=y\nCONFIG_E=0x10\nCONFIG_F=4\n');
  t.same(
    droppedOptions(requests, final).map((d) => `${d.request.symbol} ${d.request.value}->${d.actual}`),
    ['D m->y', 'F 8->4'],
  );
});

t.test('Kconfig files: entries, inherited blocks across source, selects; help text is not Kconfig', async (t) => {
  t.same(tree.problems, []);
  t.notOk(tree.entries.has('NOT_A_SYMBOL'), 'help text skipped by its indentation');
  const lkdtm = tree.entries.get('LKDTM')![0]!;
  t.match(lkdtm, { file: 'lib/Kconfig.test', line: 1, type: 'tristate', prompts: [{ text: 'Linux Kernel Dump Test Tool Module', cond: null }] });
  t.same(lkdtm.inherited.map((i) => [i.from, i.file, i.line]), [['if RUNTIME_TESTING_MENU', 'Kconfig', 28]]);
  t.same(tree.entries.get('DRM_VGEM')![0]!.inherited.map((i) => i.from), ['menu "Device Drivers"'], 'rsource is relative to the sourcing file; the menu dependency carries');
  t.same(tree.entries.get('PREEMPT')![0]!.inherited.map((i) => i.from), ['choice']);
  t.same(tree.entries.get('X86_64')![0]!.file, 'arch/x86/Kconfig', '$(SRCARCH) expanded');
  t.same(tree.selectedBy.get('DRM_GEM_SHMEM_HELPER')!.map((s) => s.by), ['DRM_VGEM']);
  t.equal(tree.entries.get('NR_UARTS')![0]!.depends.length, 1, 'a continued line is one line');
  const unbalanced = parseKconfigTree((p) => (p === 'Kconfig' ? 'if A\nconfig B\n\tbool "b"\nendmenu\n' : null));
  t.match(unbalanced.problems, [/Kconfig:4: 'endmenu' without its opening/]);
});

t.test('expressions: tristate logic, comparisons, m only with modules, shown as menuconfig shows them', async (t) => {
  const s = symbolValues(parseConfig('CONFIG_A=y\nCONFIG_B=m\nCONFIG_MODULES=y\nCONFIG_NR=4\n'), {
    ...tree,
    entries: new Map([['A', []], ['B', []], ['C', []], ['NR', []], ['MODULES', []]]),
  });
  t.equal(evaluate(parseExpr('A && B'), s), 1);
  t.equal(evaluate(parseExpr('A && !B'), s), 1, '!m is m');
  t.equal(evaluate(parseExpr('C || B'), s), 1);
  t.equal(evaluate(parseExpr('!C'), s), 2);
  t.equal(evaluate(parseExpr('NR >= 4 && NR != 5'), s), 2);
  t.equal(evaluate(parseExpr('B = m'), s), 2);
  t.equal(evaluate(parseExpr('$(cc-option,-fsanitize=kernel-address)'), s), 2, 'a macro is never blamed');
  t.equal(showExpr(parseExpr('A && (B || !C) && NR > 2'), s), 'A [=y] && (B [=m] || !C [=n]) && NR [=4] > 2');
  t.throws(() => parseExpr('A && (B'), /missing '\)'/);
});

t.test('a dropped option is explained by the dependency that dropped it', async (t) => {
  const explain = (fragment: string, config: string) => {
    const final = parseConfig(config);
    const requests = mergeRequests([parseFragment({ source: 'frag.config', text: fragment }).requests]);
    return formatDropped(explainDropped(droppedOptions(requests, final), tree, final)).split('\n');
  };
  // What Kconfig makes of these requests when DEBUG_FS and RUNTIME_TESTING_MENU are off.
  const final = 'CONFIG_MODULES=y\n# CONFIG_DEBUG_FS is not set\n# CONFIG_RUNTIME_TESTING_MENU is not set\nCONFIG_HAS_IOMEM=y\nCONFIG_DRM=y\nCONFIG_DRM_VGEM=y\nCONFIG_DRM_GEM_SHMEM_HELPER=y\nCONFIG_SYNC_FILE=y\nCONFIG_X86_64=y\nCONFIG_HAVE_KASAN=y\n';
  t.same(
    explain('CONFIG_SW_SYNC=y\nCONFIG_LKDTM=m\nCONFIG_DRM_GEM_SHMEM_HELPER=n\nCONFIG_SW_SYNK=y\nCONFIG_SYNC_FILE=m\nCONFIG_HAVE_KASAN=n\n', final),
    [
      '  CONFIG_SW_SYNC=y (frag.config:1) is off: depends on DEBUG_FS [=n] (drivers/Kconfig:17)',
      '  CONFIG_LKDTM=m (frag.config:2) is off: depends on RUNTIME_TESTING_MENU [=n] (the `if RUNTIME_TESTING_MENU` block at Kconfig:28 around lib/Kconfig.test:1); depends on DEBUG_FS [=n] (lib/Kconfig.test:1)',
      '  CONFIG_DRM_GEM_SHMEM_HELPER=n (frag.config:3) is y: selected by DRM_VGEM [=y] (drivers/Kconfig:5)',
      '  CONFIG_SW_SYNK=y (frag.config:4) is off: no Kconfig file of this tree defines SW_SYNK (misspelt, or not in this kernel version)',
      '  CONFIG_SYNC_FILE=m (frag.config:5) is y: SYNC_FILE is a bool: it is y or n, never m',
      '  CONFIG_HAVE_KASAN=n (frag.config:6) is y: selected by X86_64 [=y] (arch/x86/Kconfig:1)',
    ],
  );
  t.same(
    explain('CONFIG_DRM_GEM_SHMEM_HELPER=y\nCONFIG_DRM_VGEM=y\nCONFIG_PREEMPT=y\nCONFIG_DRM=m\n', 'CONFIG_MODULES=y\nCONFIG_HAS_IOMEM=y\nCONFIG_DRM=y\nCONFIG_SMP=y\nCONFIG_PREEMPT_NONE=y\n# CONFIG_PREEMPT is not set\n'),
    [
      '  CONFIG_DRM_GEM_SHMEM_HELPER=y (frag.config:1) is off: it has no prompt, so only a select sets it; selected by DRM_VGEM [=n]',
      '  CONFIG_DRM_VGEM=y (frag.config:2) is off: Kconfig chose n',
      '  CONFIG_PREEMPT=y (frag.config:3) is off: another option of its choice was chosen',
      '  CONFIG_DRM=m (frag.config:4) is y: Kconfig chose y (its default, or a choice)',
    ],
  );
  t.same(
    explain('CONFIG_DRM_VGEM=y\nCONFIG_LKDTM=m\n', 'CONFIG_DRM=m\nCONFIG_DRM_VGEM=m\nCONFIG_HAS_IOMEM=y\nCONFIG_RUNTIME_TESTING_MENU=y\nCONFIG_DEBUG_FS=y\n'),
    [
      '  CONFIG_DRM_VGEM=y (frag.config:1) is m: depends on DRM [=m] (drivers/Kconfig:5)',
      '  CONFIG_LKDTM=m (frag.config:2) is off: CONFIG_MODULES is off, so nothing can be a module',
    ],
  );
  t.same(
    explain('CONFIG_KASAN=y\nCONFIG_NR_UARTS=8\n', 'CONFIG_RUNTIME_TESTING_MENU=y\nCONFIG_DEBUG_KERNEL=y\nCONFIG_HAVE_KASAN=y\n'),
    [
      '  CONFIG_KASAN=y (frag.config:1) is off: depends on !DEBUG_KERNEL [=y] || SMP [=n] (lib/Kconfig.test:5)',
      '  CONFIG_NR_UARTS=8 (frag.config:2) is off: depends on SMP [=n] (Kconfig:55)',
    ],
  );
});
