/* SPDX-License-Identifier: MIT */
/*
 * Syncobj UAPI newer than Debian's libdrm-dev 2.4.114 drm.h, copied from the
 * kernel's include/uapi/drm/drm.h (6.12) under hilt_ names so that a newer
 * header cannot clash with it.
 */
#ifndef HILT_SYNCOBJ_UAPI_H
#define HILT_SYNCOBJ_UAPI_H

#include <drm.h>

/*
 * DRM_IOCTL_SYNCOBJ_EVENTFD (Linux 6.6): signal an eventfd when a syncobj
 * (timeline point) signals, or with DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE when
 * a fence for it is submitted.
 */
struct hilt_drm_syncobj_eventfd {
	__u32 handle;
	__u32 flags;	/* 0 or DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE */
	__u64 point;
	__s32 fd;
	__u32 pad;
};
#define HILT_DRM_IOCTL_SYNCOBJ_EVENTFD	DRM_IOWR(0xCF, struct hilt_drm_syncobj_eventfd)

/*
 * Linux 6.5 added deadline_nsec (and DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE)
 * at the end of both wait structs: libdrm 2.4.114's drm_syncobj_wait and
 * drm_syncobj_timeline_wait are the older, shorter layouts, which drm_ioctl()
 * still takes (it zero-fills what a caller's shorter struct lacks).
 */
#define HILT_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE (1u << 3)

struct hilt_drm_syncobj_wait {
	__u64 handles;
	__s64 timeout_nsec;
	__u32 count_handles;
	__u32 flags;
	__u32 first_signaled;
	__u32 pad;
	__u64 deadline_nsec;
};

struct hilt_drm_syncobj_timeline_wait {
	__u64 handles;
	__u64 points;
	__s64 timeout_nsec;
	__u32 count_handles;
	__u32 flags;
	__u32 first_signaled;
	__u32 pad;
	__u64 deadline_nsec;
};

#define HILT_DRM_IOCTL_SYNCOBJ_WAIT		DRM_IOWR(0xC3, struct hilt_drm_syncobj_wait)
#define HILT_DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT	DRM_IOWR(0xCA, struct hilt_drm_syncobj_timeline_wait)

#endif
