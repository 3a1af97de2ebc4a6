/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vaccel internals shared by the device (vaccel_drv.c), its buffers
 * (vaccel_bo.c) and its DMA engine (vaccel_job.c).
 */
#ifndef VACCEL_DRV_H
#define VACCEL_DRV_H

#include <linux/atomic.h>
#include <linux/dma-fence.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <drm/drm_device.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>

#define VACCEL_MAX_BO_SIZE	(256ull << 20)
/* Longer than vgem's 10 s fence expiry, so a forgotten vgem fence fails nothing here. */
#define VACCEL_DEP_TIMEOUT_MS	15000

struct vaccel_device {
	struct drm_device drm;
	struct platform_device *pdev;
	/* The DMA engine: one ordered queue, so jobs run and signal in seqno order. */
	struct workqueue_struct *engine;
	/* Serialises seqno assignment with queueing, for the same reason. */
	struct mutex submit_lock;
	u64 fence_context;
	u64 next_seqno;
	spinlock_t fence_lock;
	atomic64_t jobs_done;
};

static inline struct vaccel_device *to_vaccel(struct drm_device *drm)
{
	return container_of(drm, struct vaccel_device, drm);
}

/* vaccel_bo.c */
struct vaccel_bo {
	struct drm_gem_shmem_object shmem;
	u32 flags;	/* VACCEL_BO_* it was created with */
};

struct vaccel_import {
	struct drm_gem_object base;
	atomic_t move_count;
};

bool vaccel_bo_is_import(const struct drm_gem_object *obj);
struct drm_gem_object *vaccel_gem_create_object(struct drm_device *dev, size_t size);
struct drm_gem_object *vaccel_gem_prime_import(struct drm_device *dev, struct dma_buf *dma_buf);
int vaccel_bo_create_ioctl(struct drm_device *dev, void *data, struct drm_file *file);
int vaccel_bo_info_ioctl(struct drm_device *dev, void *data, struct drm_file *file);
int vaccel_bo_wait_ioctl(struct drm_device *dev, void *data, struct drm_file *file);

/* vaccel_job.c */
int vaccel_submit_ioctl(struct drm_device *dev, void *data, struct drm_file *file);

#endif
