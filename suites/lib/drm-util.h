/* SPDX-License-Identifier: MIT */
/*
 * Small DRM helpers the suites share: dumb buffers, GEM handles, PRIME.
 * Each returns 0 or -errno and touches nothing but the arguments, so a case
 * decides itself what a failure means.
 */
#ifndef HILT_DRM_UTIL_H
#define HILT_DRM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hilt.h"

struct hilt_bo {
	uint32_t handle;
	uint32_t pitch;
	uint64_t size;
};

/* DRM_IOCTL_MODE_CREATE_DUMB; bpp 32 unless you care. */
int hilt_dumb_create(int fd, uint32_t width, uint32_t height, uint32_t bpp, struct hilt_bo *bo);
/* DRM_IOCTL_MODE_MAP_DUMB then mmap(2); *out is MAP_FAILED-free on success. */
int hilt_dumb_map(int fd, const struct hilt_bo *bo, void **out);
int hilt_dumb_destroy(int fd, uint32_t handle);
int hilt_gem_close(int fd, uint32_t handle);

/*
 * Whether a primary node creates dumb buffers. DRM_CAP_DUMB_BUFFER is not
 * enough: drivers without DRIVER_MODESET (vgem) answer EOPNOTSUPP to it yet
 * implement dumb_create, so the node is asked by creating a small one (once).
 */
bool hilt_dumb_capable(const struct hilt_dev *dev);

/* DRM_IOCTL_PRIME_HANDLE_TO_FD / FD_TO_HANDLE. */
int hilt_prime_export(int fd, uint32_t handle, uint32_t flags, int *dmabuf_fd);
int hilt_prime_import(int fd, int dmabuf_fd, uint32_t *handle);

/* DRM_CAP_PRIME bits (DRM_PRIME_CAP_IMPORT / _EXPORT), 0 when the cap query fails. */
uint64_t hilt_prime_caps(const struct hilt_dev *dev);
/* Any DRM_CAP_* value, -errno when the kernel refuses the query. */
int hilt_get_cap(const struct hilt_dev *dev, uint64_t cap, uint64_t *value);

/* DRM_IOCTL_VERSION as a drm.version observation; fails the case when the ioctl does. */
void hilt_obs_version(struct hilt_ctx *ctx, const struct hilt_dev *dev);

/* The first vgem node (render node preferred), NULL when vgem is not loaded. */
struct hilt_dev *hilt_vgem(void);

#endif
