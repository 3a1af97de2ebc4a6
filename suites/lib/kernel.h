/* SPDX-License-Identifier: MIT */
/*
 * Facts about the running kernel that a case may need: whether a CONFIG_
 * option is set (from /proc/config.gz where the kernel has it) and the tick
 * rate HZ (from the config, else measured), for timing tolerances that are
 * stated in jiffies.
 */
#ifndef HILT_KERNEL_H
#define HILT_KERNEL_H

#include <stdint.h>

/*
 * 'y' or 'm' when /proc/config.gz sets option (e.g. "CONFIG_SW_SYNC"), 'n'
 * when it says it is not set, 0 when nobody can tell (no /proc/config.gz:
 * CONFIG_IKCONFIG_PROC is rare; Debian's kernels lack it). Read once.
 */
int hilt_kconfig(const char *option);

/* The kernel's numeric CONFIG_ value ("250" for CONFIG_HZ), -1 when unknown. */
long hilt_kconfig_num(const char *option);

/*
 * The kernel's HZ: CONFIG_HZ where /proc/config.gz exists, else measured
 * from the jiffies /proc/schedstat (or /proc/timer_list) prints against
 * CLOCK_MONOTONIC (the median of three 70 ms windows) and put in a band
 * (100, 250 or 1000: a HZ=300 kernel reads as 250, which only loosens a
 * check); 100 (the longest jiffy, the loosest check) when neither works.
 * *how says which ("config", "measured", "assumed").
 */
int hilt_kernel_hz(const char **how);

/*
 * The kernel's jiffies counter now, as /proc/schedstat (or /proc/timer_list)
 * prints it; -1 when neither does. A wait the kernel times in jiffies is
 * judged in jiffies: under an emulator whose host starves the vCPU that
 * keeps jiffies, they can lag CLOCK_MONOTONIC by a hundred milliseconds and
 * catch up at once, so a wall-clock rule would blame the kernel for the host.
 */
long long hilt_jiffies(void);

/* n jiffies of the running kernel, in nanoseconds. */
int64_t hilt_jiffies_ns(int n);

#endif
