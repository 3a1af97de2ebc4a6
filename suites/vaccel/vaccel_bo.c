// SPDX-License-Identifier: GPL-2.0
/*
 * vaccel buffers: its own are shmem GEM objects (drm_gem_shmem_helper);
 * a dma-buf from anywhere else becomes a vaccel_import, a GEM object that
 * only holds a dynamic attachment and shares the dma-buf's reservation
 * object, so that implicit fences are one set for every user of the buffer.
 *
 * An import keeps no mapping: each job maps the attachment under the
 * reservation lock and unmaps it before unlocking (vaccel_job.c). So when
 * the exporter moves the buffer (move_notify, called with that lock held)
 * there is nothing stale to drop; the call is counted, for BO_INFO.
 */
#include <linux/dma-buf.h>
#include <linux/dma-resv.h>
#include <linux/slab.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_prime.h>

#include "vaccel_accel.h"
#include "vaccel_drv.h"

static void vaccel_import_free(struct drm_gem_object *obj)
{
	struct vaccel_import *imp = container_of(obj, struct vaccel_import, base);
	struct dma_buf_attachment *attach = obj->import_attach;
	struct dma_buf *dma_buf = attach->dmabuf;

	dma_buf_detach(dma_buf, attach);
	dma_buf_put(dma_buf);
	drm_gem_object_release(obj);
	kfree(imp);
}

/* No mmap and no vmap: an import is mapped by the CPU through its exporter's dma-buf. */
static const struct drm_gem_object_funcs vaccel_import_funcs = {
	.free = vaccel_import_free,
};

bool vaccel_bo_is_import(const struct drm_gem_object *obj)
{
	return obj->funcs == &vaccel_import_funcs;
}

/* drm_gem_shmem_create() allocates through this, so every own buffer is a vaccel_bo. */
struct drm_gem_object *vaccel_gem_create_object(struct drm_device *dev, size_t size)
{
	struct vaccel_bo *bo = kzalloc(sizeof(*bo), GFP_KERNEL);

	return bo ? &bo->shmem.base : ERR_PTR(-ENOMEM);
}

static void vaccel_move_notify(struct dma_buf_attachment *attach)
{
	struct vaccel_import *imp = attach->importer_priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	atomic_inc(&imp->move_count);
}

static const struct dma_buf_attach_ops vaccel_importer_ops = {
	.allow_peer2peer = false,
	.move_notify = vaccel_move_notify,
};

struct drm_gem_object *vaccel_gem_prime_import(struct drm_device *dev, struct dma_buf *dma_buf)
{
	struct dma_buf_attachment *attach;
	struct vaccel_import *imp;

	/* One of ours coming back (drm_gem_prime_import() does the same): the same object. */
	if (dma_buf->ops->release == drm_gem_dmabuf_release) {
		struct drm_gem_object *obj = dma_buf->priv;

		if (obj->dev == dev) {
			drm_gem_object_get(obj);
			return obj;
		}
	}

	imp = kzalloc(sizeof(*imp), GFP_KERNEL);
	if (!imp)
		return ERR_PTR(-ENOMEM);
	imp->base.funcs = &vaccel_import_funcs;
	drm_gem_private_object_init(dev, &imp->base, dma_buf->size);

	attach = dma_buf_dynamic_attach(dma_buf, dev->dev, &vaccel_importer_ops, imp);
	if (IS_ERR(attach)) {
		drm_gem_private_object_fini(&imp->base);
		kfree(imp);
		return ERR_CAST(attach);
	}
	get_dma_buf(dma_buf);
	imp->base.import_attach = attach;
	imp->base.resv = dma_buf->resv;
	return &imp->base;
}

int vaccel_bo_create_ioctl(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct drm_vaccel_bo_create *args = data;
	struct drm_gem_shmem_object *shmem;
	int ret;

	if (args->flags & ~VACCEL_BO_CREATE_FLAGS)
		return -EINVAL;
	if (!args->size)
		return -EINVAL;
	if (args->size > VACCEL_MAX_BO_SIZE)
		return -E2BIG;

	shmem = drm_gem_shmem_create(dev, args->size);
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);
	shmem->map_wc = !!(args->flags & VACCEL_BO_WC);
	container_of(shmem, struct vaccel_bo, shmem)->flags = args->flags;

	if (args->flags & VACCEL_BO_MAPPABLE) {
		ret = drm_gem_create_mmap_offset(&shmem->base);
		if (ret)
			goto out_put;
	}
	ret = drm_gem_handle_create(file, &shmem->base, &args->handle);
	if (ret)
		goto out_put;
	args->size = shmem->base.size;
out_put:
	/* The handle holds the object now (or nothing does, and it goes). */
	drm_gem_object_put(&shmem->base);
	return ret;
}

int vaccel_bo_info_ioctl(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct drm_vaccel_bo_info *args = data;
	struct drm_gem_object *obj;

	if (args->pad)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;

	args->size = obj->size;
	args->move_count = 0;
	args->mmap_offset = 0;
	if (vaccel_bo_is_import(obj)) {
		struct vaccel_import *imp = container_of(obj, struct vaccel_import, base);

		args->flags = VACCEL_BO_IMPORTED;
		if (dma_buf_is_dynamic(obj->import_attach->dmabuf))
			args->flags |= VACCEL_BO_EXPORTER_DYNAMIC;
		args->move_count = atomic_read(&imp->move_count);
	} else {
		args->flags = container_of(obj, struct vaccel_bo, shmem.base)->flags;
		if (args->flags & VACCEL_BO_MAPPABLE)
			args->mmap_offset = drm_vma_node_offset_addr(&obj->vma_node);
	}
	drm_gem_object_put(obj);
	return 0;
}

int vaccel_bo_wait_ioctl(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct drm_vaccel_bo_wait *args = data;
	struct drm_gem_object *obj;
	long ret;

	if (args->flags || args->timeout_ns < 0)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	ret = dma_resv_wait_timeout(obj->resv, DMA_RESV_USAGE_BOOKKEEP, true,
				    min_t(u64, nsecs_to_jiffies64(args->timeout_ns), MAX_SCHEDULE_TIMEOUT));
	drm_gem_object_put(obj);
	if (ret == 0)
		return -ETIMEDOUT;
	return ret < 0 ? ret : 0;
}
