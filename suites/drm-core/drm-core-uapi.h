/* SPDX-License-Identifier: MIT */
/*
 * DRM UAPI constants newer than Debian's libdrm-dev 2.4.114 / linux-libc-dev
 * 6.1 headers. Values from include/uapi/drm/drm.h of Linux 6.12.
 */
#ifndef DRM_CORE_UAPI_H
#define DRM_CORE_UAPI_H

#include <drm.h>

/* include/uapi/drm/drm.h, since Linux 6.8 */
#ifndef DRM_CAP_ATOMIC_ASYNC_PAGE_FLIP
#define DRM_CAP_ATOMIC_ASYNC_PAGE_FLIP	0x15
#endif

/* include/uapi/drm/drm.h, since Linux 6.6 */
#ifndef DRM_CLIENT_CAP_CURSOR_PLANE_HOTSPOT
#define DRM_CLIENT_CAP_CURSOR_PLANE_HOTSPOT	6
#endif

#endif
