/* SPDX-License-Identifier: MIT */
/*
 * What a suite needs to drive vaccel, hilt's virtual accelerator (its UAPI
 * is ../vaccel_accel.h): a private open of the accel node, its buffers and
 * jobs, dumb buffers of other DRM devices to import (vgem, virtio-gpu),
 * pending vgem fences to hold a job back, and byte patterns that tell data
 * apart. Linked into the suites that use vaccel (accel, prime, dma-buf; see
 * suites/Makefile); it lives with vaccel, outside the module's Kbuild folder.
 *
 * What a helper opens or maps it registers on the case's cleanup list
 * (hilt_defer_*), so a case never closes anything by hand; handles go with
 * the private file they were made on. Functions return 0 or -errno unless
 * said otherwise, and judge nothing: the case decides what a failure means.
 */
#ifndef VACCEL_USER_H
#define VACCEL_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hilt.h"
#include "../vaccel_accel.h"

/* Where the image says why vaccel could not be built for this kernel (harness/src/image/build.ts). */
#define VAC_UNAVAILABLE_FILE "/hilt/unavailable/vaccel"

/* Generous under TCG: a job that is free to run does so within milliseconds. */
#define VAC_JOB_DONE_MS 5000
/* How long a job held by a fence is watched, to give a wrong engine time to run it anyway. */
#define VAC_HELD_MS 200

/* The kfunc strings of the cases: vaccel's entry points. */
#define VAC_K_SUBMIT "vaccel_submit_ioctl(), vaccel_job_run()"
#define VAC_K_IMPORT "vaccel_gem_prime_import(), dma_buf_dynamic_attach()"
#define VAC_K_ENGINE "vaccel_engine_run(), dma_buf_map_attachment()"

/*
 * Why vaccel is not here, as the image says (the harness could not build it
 * for this kernel); "" when the image says nothing.
 */
void vac_unavailable(char *buf, size_t len);

/* A private open of the vaccel node: closing it drops every handle the case made there. */
struct va {
	struct hilt_dev *dev;	/* the shared device entry, for observations */
	int fd;
};

/*
 * Finds vaccel and opens it (registered for cleanup). Without vaccel, skips
 * the case (or the open subtest) with the reason and returns false.
 */
bool vac_open(struct hilt_ctx *ctx, struct va *va);

int vac_param(int fd, uint32_t param, uint64_t *value);
int vac_bo_create(int fd, uint64_t size, uint32_t flags, uint32_t *handle, uint64_t *out_size);
int vac_bo_info(int fd, uint32_t handle, struct drm_vaccel_bo_info *info);
/* BO_INFO, then mmap(2) of the whole buffer on fd, registered for munmap. */
int vac_bo_map(struct hilt_ctx *ctx, int fd, uint32_t handle, size_t size, void **out);
/* A buffer of size bytes with VACCEL_BO_MAPPABLE, mapped: both in one go. */
int vac_bo_mapped(struct hilt_ctx *ctx, int fd, size_t size, uint32_t *handle, uint8_t **map);
/* DRM_IOCTL_VACCEL_SUBMIT as given; an out_fence_fd it returns is the caller's. */
int vac_submit(int fd, struct drm_vaccel_submit *args);
/* A FILL or COPY with an out sync_file, *fence_fd registered for cleanup. */
int vac_fill(struct hilt_ctx *ctx, int fd, uint32_t dst, uint64_t off, uint64_t size, uint32_t value,
	     uint32_t flags, int *fence_fd);
int vac_copy(struct hilt_ctx *ctx, int fd, uint32_t src, uint64_t src_off, uint32_t dst, uint64_t dst_off,
	     uint64_t size, uint32_t flags, int *fence_fd);

/* poll(2) on a fence fd (a sync_file, a dma-buf): 1 signalled, 0 not within timeout_ms, -errno. */
int vac_fence_wait(int fence_fd, int timeout_ms);
/* SYNC_IOC_FILE_INFO of a sync_file: its status and the first fence's driver name. */
int vac_fence_info(int fence_fd, int *status, char *driver, size_t driver_len);

/*
 * A dumb buffer of another DRM device, made on a private open of its
 * primary node (render nodes refuse MODE_CREATE_DUMB), mapped through that
 * device and exported: what vaccel imports. Closing the private file
 * signals any vgem fence left pending on it.
 */
struct vac_dumb {
	struct hilt_dev *dev;
	int fd;
	uint32_t handle;
	size_t size;
	uint8_t *map;		/* the exporter's own CPU mapping (MODE_MAP_DUMB) */
	int dmabuf;		/* its PRIME export, DRM_RDWR */
};
/* About size bytes (whole 4 KiB rows) on dev; everything registered for cleanup. Fails the case (false) when it cannot. */
bool vac_dumb_open(struct hilt_ctx *ctx, struct hilt_dev *dev, size_t size, struct vac_dumb *b);
/* The same on vgem's primary node; skips the case (false) without vgem. */
bool vac_vgem_open(struct hilt_ctx *ctx, size_t size, struct vac_dumb *v);
int vac_vgem_fence(const struct vac_dumb *v, bool write, uint32_t *fence);
int vac_vgem_signal(const struct vac_dumb *v, uint32_t fence);

/*
 * A syncobj on vaccel's fd holding a pending vgem write fence of v (moved
 * over as a sync_file): a job given it as in_syncobj waits, for as long as
 * the case wants, until vac_vgem_signal(v, *vfence). No timing involved.
 * Closing v's file signals the fence if the case never does.
 */
int vac_blocker(int va_fd, const struct vac_dumb *v, uint32_t *syncobj, uint32_t *vfence);

/* Byte patterns: distinct per seed and per offset, so a shifted or stale copy shows. */
uint8_t vac_pattern(size_t off, uint32_t seed);
void vac_pattern_fill(uint8_t *p, size_t off, size_t n, uint32_t seed);
/* Offset of the first byte of p[0..n) (standing at offset off) that is not the pattern, or -1. */
long vac_pattern_check(const uint8_t *p, size_t off, size_t n, uint32_t seed);

/* ret of a helper (0 or -errno) as hilt_expect_*() takes it. */
#define VAC_RET(ret) ((ret) < 0 ? -1 : 0)
#define VAC_ERR(ret) ((ret) < 0 ? -(ret) : 0)

#endif
