/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the accel suite's vaccel cases: a private open of the vaccel
 * node, its buffers and jobs, vgem buffers to import, fences to wait on, and
 * byte patterns to tell data apart. Each returns 0 or -errno and touches
 * nothing but its arguments, so a case decides what a failure means.
 */
#ifndef ACCEL_VACCEL_UTIL_H
#define ACCEL_VACCEL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hilt.h"
#include "../vaccel/vaccel_accel.h"

/* Where the image says why vaccel could not be built for this kernel. */
#define VA_UNAVAILABLE_FILE "/hilt/unavailable/vaccel"

/* A private open of the vaccel node: closing it drops every handle the case made. */
struct va {
	struct hilt_dev *dev;	/* the shared device entry, for observations */
	int fd;
};

/* Finds and opens vaccel; skips the case with the reason (and returns false) when there is none. */
bool vac_open(struct hilt_ctx *ctx, struct va *va);
void vac_close(struct va *va);

int vac_param(int fd, uint32_t param, uint64_t *value);
int vac_bo_create(int fd, uint64_t size, uint32_t flags, uint32_t *handle, uint64_t *out_size);
int vac_bo_info(int fd, uint32_t handle, struct drm_vaccel_bo_info *info);
/* BO_INFO then mmap(2) of the whole buffer on fd. */
int vac_bo_map(int fd, uint32_t handle, size_t size, void **out);
int vac_submit(int fd, struct drm_vaccel_submit *args);
/* A FILL or COPY with an out sync_file; *fence_fd is the job's fence. */
int vac_fill(int fd, uint32_t dst, uint64_t off, uint64_t size, uint32_t value, uint32_t stall_ms, uint32_t flags, int *fence_fd);
int vac_copy(int fd, uint32_t src, uint64_t src_off, uint32_t dst, uint64_t dst_off, uint64_t size, uint32_t flags, int *fence_fd);

/* poll(2) on a fence fd: 1 signalled, 0 not within timeout_ms, -errno. */
int vac_fence_wait(int fence_fd, int timeout_ms);
/* SYNC_IOC_FILE_INFO of a one-fence sync_file: status and the fence's driver name. */
int vac_fence_info(int fence_fd, int *status, char *driver, size_t driver_len);

/* A vgem dumb buffer made on vgem's primary node (the render node refuses MODE_CREATE_DUMB). */
struct vac_vgem {
	struct hilt_dev *dev;
	int fd;			/* private open of the vgem card node */
	uint32_t handle;
	size_t size;
	uint8_t *map;		/* vgem's own CPU mapping */
	int dmabuf;		/* its PRIME export */
};
/* Makes one of about size bytes; skips the case (false) without vgem. */
bool vac_vgem_open(struct hilt_ctx *ctx, size_t size, struct vac_vgem *v);
void vac_vgem_close(struct vac_vgem *v);
int vac_vgem_fence(struct vac_vgem *v, bool write, uint32_t *fence);
int vac_vgem_signal(struct vac_vgem *v, uint32_t fence);
/*
 * A syncobj on vaccel's fd holding a pending vgem write fence (moved over as
 * a sync_file): a job given it as in_syncobj waits, for as long as the case
 * wants, until vac_vgem_signal(v, *vfence). No timing involved.
 */
int vac_blocker(int va_fd, struct vac_vgem *v, uint32_t *syncobj, uint32_t *vfence);

/* Byte patterns: distinct per seed and per offset, so a shifted or stale copy shows. */
uint8_t vac_pattern(size_t off, uint32_t seed);
void vac_pattern_fill(uint8_t *p, size_t off, size_t n, uint32_t seed);
/* Offset of the first byte of p[0..n) (standing at offset off) that is not the pattern, or -1. */
long vac_pattern_check(const uint8_t *p, size_t off, size_t n, uint32_t seed);

int64_t vac_now_ms(void);
void vac_sleep_ms(unsigned ms);

#endif
