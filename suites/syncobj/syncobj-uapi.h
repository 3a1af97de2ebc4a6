/* SPDX-License-Identifier: MIT */
/*
 * Syncobj UAPI newer than Debian's libdrm-dev 2.4.114 drm.h, copied from the
 * kernel's include/uapi/drm/drm.h under hilt_ names so that a newer header
 * cannot clash with it.
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

#endif
