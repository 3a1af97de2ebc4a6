/* SPDX-License-Identifier: MIT */
/*
 * sync_file UAPI newer than Debian's linux-libc-dev 6.1, copied from the
 * kernel's include/uapi/linux/sync_file.h under hilt_ names so that a newer
 * header cannot clash with it.
 */
#ifndef HILT_SYNC_FILE_UAPI_H
#define HILT_SYNC_FILE_UAPI_H

#include <linux/ioctl.h>
#include <linux/sync_file.h>
#include <linux/types.h>

/*
 * SYNC_IOC_SET_DEADLINE (Linux 6.3): a deadline hint, absolute
 * CLOCK_MONOTONIC nanoseconds, for the fences of a sync_file.
 */
struct hilt_sync_set_deadline {
	__u64 deadline_ns;
	__u64 pad;	/* must be zero */
};
#define HILT_SYNC_IOC_SET_DEADLINE	_IOW(SYNC_IOC_MAGIC, 5, struct hilt_sync_set_deadline)

#endif
