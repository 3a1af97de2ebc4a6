// SPDX-License-Identifier: GPL-2.0
/*
 * vaccel's DMA engine: jobs that copy or fill between buffers.
 *
 * A job's life, as on a real accelerator:
 *
 *   SUBMIT ioctl (process context)              engine (ordered workqueue)
 *   ------------------------------              --------------------------
 *   validate every argument
 *   pin + DMA-map own buffers (shmem sgt)
 *   lock both reservations (drm_exec)
 *   collect dependencies: the in-syncobj's
 *     fence; implicit fences unless
 *     NO_IMPLICIT (writers of src, everyone
 *     of dst: dma_resv_usage_rw())
 *   add the job fence: READ on src,
 *     WRITE on dst; unlock
 *   publish: syncobj, sync_file; queue  ───>   wait for each dependency (bounded:
 *                                                VACCEL_DEP_TIMEOUT_MS, then ETIMEDOUT)
 *                                              stall stall_ms (a busy engine)
 *                                              lock both reservations
 *                                              map each view: shmem sgt, or
 *                                                dma_buf_map_attachment() for imports
 *                                              walk the sg_tables by DMA address
 *                                              unmap, unlock
 *                                              signal the fence (error set if failed)
 *
 * One ordered queue means jobs run, and their fences signal, in seqno order,
 * as a single hardware ring would; submit_lock makes seqno order queue order.
 *
 * The engine reads and writes the machine's memory at the DMA addresses the
 * sg_tables carry, turned back into pages with dma_to_phys(): the platform
 * device has no IOMMU, so that is where a DMA master would land. A page the
 * translation does not reach (an IOMMU address, a bounce buffer gone) fails
 * the job with EFAULT rather than touching the wrong memory.
 *
 * A DMA master snoops the CPU caches; the engine is the CPU, reaching pages
 * through cached kernel mappings while their users may map them
 * write-combined (vgem does; VACCEL_BO_WC). So it flushes the cache lines it
 * reads before reading them and those it wrote after writing them, and what
 * it sees and leaves is what a snooping device would.
 */
#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/slab.h>
#include <linux/sync_file.h>

#include <drm/drm_cache.h>
#include <drm/drm_exec.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_syncobj.h>

#include "vaccel_accel.h"
#include "vaccel_drv.h"

struct vaccel_job {
	struct work_struct work;
	struct vaccel_device *vdev;
	struct dma_fence *done;
	struct drm_gem_object *src;	/* NULL for FILL */
	struct drm_gem_object *dst;
	u64 src_offset, dst_offset, size;
	u32 op, fill_value, stall_ms;
	struct dma_fence **deps;
	unsigned int ndeps, cap;
};

static const char *vaccel_fence_driver_name(struct dma_fence *fence)
{
	return VACCEL_DRIVER_NAME;
}

static const char *vaccel_fence_timeline_name(struct dma_fence *fence)
{
	return "vaccel-dma";
}

static const struct dma_fence_ops vaccel_fence_ops = {
	.get_driver_name = vaccel_fence_driver_name,
	.get_timeline_name = vaccel_fence_timeline_name,
};

static void vaccel_job_free(struct vaccel_job *job)
{
	unsigned int i;

	for (i = 0; i < job->ndeps; i++)
		dma_fence_put(job->deps[i]);
	kfree(job->deps);
	if (job->src)
		drm_gem_object_put(job->src);
	if (job->dst)
		drm_gem_object_put(job->dst);
	if (job->done)
		dma_fence_put(job->done);
	kfree(job);
}

static int vaccel_job_add_dep(struct vaccel_job *job, struct dma_fence *fence)
{
	if (dma_fence_is_signaled(fence))
		return 0;
	if (job->ndeps == job->cap) {
		unsigned int cap = job->cap ? job->cap * 2 : 4;
		struct dma_fence **deps = krealloc_array(job->deps, cap, sizeof(*deps), GFP_KERNEL);

		if (!deps)
			return -ENOMEM;
		job->deps = deps;
		job->cap = cap;
	}
	job->deps[job->ndeps++] = dma_fence_get(fence);
	return 0;
}

/* Implicit sync: a reader waits for the writers, a writer for everyone. Reservation locked. */
static int vaccel_job_add_implicit(struct vaccel_job *job, struct drm_gem_object *obj, bool write)
{
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	int ret;

	dma_resv_for_each_fence(&cursor, obj->resv, dma_resv_usage_rw(write), fence) {
		ret = vaccel_job_add_dep(job, fence);
		if (ret)
			return ret;
	}
	return 0;
}

/* ---- the engine ---- */

/* A position in a DMA-mapped sg_table, walked by DMA address. */
struct vaccel_cursor {
	struct device *dev;
	struct scatterlist *sg;
	unsigned int left;	/* DMA segments from sg on */
	u64 seg_off;
};

static int vaccel_cursor_start(struct vaccel_cursor *c, struct device *dev, struct sg_table *sgt, u64 offset)
{
	c->dev = dev;
	c->sg = sgt->sgl;
	c->left = sgt->nents;
	c->seg_off = offset;
	while (c->left && c->seg_off >= sg_dma_len(c->sg)) {
		c->seg_off -= sg_dma_len(c->sg);
		c->sg = sg_next(c->sg);
		c->left--;
	}
	return c->left ? 0 : -EFAULT;
}

/* The page under the cursor, the offset in it, and how many bytes (at most max) go on in it. */
static int vaccel_cursor_page(struct vaccel_cursor *c, u64 max, struct page **page, unsigned int *off, unsigned int *len)
{
	phys_addr_t phys;

	if (!c->left)
		return -EFAULT;
	phys = dma_to_phys(c->dev, sg_dma_address(c->sg) + c->seg_off);
	if (!pfn_valid(PHYS_PFN(phys)))
		return -EFAULT;
	*page = pfn_to_page(PHYS_PFN(phys));
	*off = offset_in_page(phys);
	*len = min3((u64)sg_dma_len(c->sg) - c->seg_off, (u64)(PAGE_SIZE - *off), max);
	return 0;
}

static void vaccel_cursor_advance(struct vaccel_cursor *c, unsigned int len)
{
	c->seg_off += len;
	if (c->seg_off == sg_dma_len(c->sg)) {
		c->sg = sg_next(c->sg);
		c->left--;
		c->seg_off = 0;
	}
}

static int vaccel_engine_copy(struct vaccel_job *job, struct sg_table *src, struct sg_table *dst)
{
	struct device *dev = job->vdev->drm.dev;
	struct vaccel_cursor s, d;
	u64 left = job->size;
	int ret;

	ret = vaccel_cursor_start(&s, dev, src, job->src_offset);
	if (!ret)
		ret = vaccel_cursor_start(&d, dev, dst, job->dst_offset);
	while (!ret && left) {
		struct page *sp, *dp;
		unsigned int so, sl, dof, dl, n;
		void *vs, *vd;

		ret = vaccel_cursor_page(&s, left, &sp, &so, &sl);
		if (!ret)
			ret = vaccel_cursor_page(&d, left, &dp, &dof, &dl);
		if (ret)
			break;
		n = min(sl, dl);
		vs = kmap_local_page(sp);
		vd = kmap_local_page(dp);
		drm_clflush_virt_range(vs + so, n);
		memcpy(vd + dof, vs + so, n);
		drm_clflush_virt_range(vd + dof, n);
		kunmap_local(vd);
		kunmap_local(vs);
		vaccel_cursor_advance(&s, n);
		vaccel_cursor_advance(&d, n);
		left -= n;
		cond_resched();
	}
	return ret;
}

static int vaccel_engine_fill(struct vaccel_job *job, struct sg_table *dst)
{
	const __le32 pattern = cpu_to_le32(job->fill_value);
	const u8 *bytes = (const u8 *)&pattern;
	struct vaccel_cursor d;
	u64 left = job->size, done = 0;
	int ret;

	ret = vaccel_cursor_start(&d, job->vdev->drm.dev, dst, job->dst_offset);
	while (!ret && left) {
		struct page *dp;
		unsigned int dof, n, i;
		u8 *vd;

		ret = vaccel_cursor_page(&d, left, &dp, &dof, &n);
		if (ret)
			break;
		vd = kmap_local_page(dp);
		if (!((done | n | dof) & 3)) {
			memset32((u32 *)(vd + dof), le32_to_cpu(pattern), n / 4);
		} else {
			for (i = 0; i < n; i++)
				vd[dof + i] = bytes[(done + i) & 3];
		}
		drm_clflush_virt_range(vd + dof, n);
		kunmap_local(vd);
		vaccel_cursor_advance(&d, n);
		left -= n;
		done += n;
		cond_resched();
	}
	return ret;
}

/* The device's view of a buffer: its own pages' sgt, or the import's attachment mapped now. */
static struct sg_table *vaccel_view_map(struct drm_gem_object *obj)
{
	if (vaccel_bo_is_import(obj))
		return dma_buf_map_attachment(obj->import_attach, DMA_BIDIRECTIONAL);
	return to_drm_gem_shmem_obj(obj)->sgt;
}

static void vaccel_view_unmap(struct drm_gem_object *obj, struct sg_table *sgt)
{
	if (vaccel_bo_is_import(obj))
		dma_buf_unmap_attachment(obj->import_attach, sgt, DMA_BIDIRECTIONAL);
}

static int vaccel_engine_run(struct vaccel_job *job)
{
	struct sg_table *src_sgt = NULL, *dst_sgt;
	struct drm_exec exec;
	int ret = 0;

	drm_exec_init(&exec, DRM_EXEC_IGNORE_DUPLICATES, 2);
	drm_exec_until_all_locked(&exec) {
		ret = drm_exec_lock_obj(&exec, job->dst);
		drm_exec_retry_on_contention(&exec);
		if (ret)
			goto out;
		if (job->src) {
			ret = drm_exec_lock_obj(&exec, job->src);
			drm_exec_retry_on_contention(&exec);
			if (ret)
				goto out;
		}
	}

	dst_sgt = vaccel_view_map(job->dst);
	if (IS_ERR_OR_NULL(dst_sgt)) {
		ret = dst_sgt ? PTR_ERR(dst_sgt) : -EFAULT;
		goto out;
	}
	if (job->src) {
		src_sgt = job->src == job->dst ? dst_sgt : vaccel_view_map(job->src);
		if (IS_ERR_OR_NULL(src_sgt)) {
			ret = src_sgt ? PTR_ERR(src_sgt) : -EFAULT;
			src_sgt = NULL;
			goto out_unmap;
		}
	}

	if (job->op == VACCEL_OP_COPY)
		ret = vaccel_engine_copy(job, src_sgt, dst_sgt);
	else
		ret = vaccel_engine_fill(job, dst_sgt);

	if (src_sgt && job->src != job->dst)
		vaccel_view_unmap(job->src, src_sgt);
out_unmap:
	vaccel_view_unmap(job->dst, dst_sgt);
out:
	drm_exec_fini(&exec);
	return ret;
}

static void vaccel_job_run(struct work_struct *work)
{
	struct vaccel_job *job = container_of(work, struct vaccel_job, work);
	unsigned int i;
	int err = 0;

	for (i = 0; i < job->ndeps && !err; i++) {
		long left = dma_fence_wait_timeout(job->deps[i], false, msecs_to_jiffies(VACCEL_DEP_TIMEOUT_MS));

		if (left == 0)
			err = -ETIMEDOUT;
		else if (left < 0)
			err = left;
		else if (dma_fence_get_status(job->deps[i]) < 0)
			err = dma_fence_get_status(job->deps[i]); /* a failed producer fails its consumer */
	}
	if (!err && job->stall_ms)
		msleep(job->stall_ms);
	if (!err)
		err = vaccel_engine_run(job);
	if (err)
		dma_fence_set_error(job->done, err);
	/* Counted before it signals: whoever saw the fence signal sees the count include it. */
	atomic64_inc(&job->vdev->jobs_done);
	dma_fence_signal(job->done);
	vaccel_job_free(job);
}

/* ---- SUBMIT ---- */

static bool vaccel_range_ok(const struct drm_gem_object *obj, u64 offset, u64 size)
{
	return offset <= obj->size && size <= obj->size - offset;
}

static int vaccel_pin_own(struct drm_gem_object *obj)
{
	struct sg_table *sgt;

	if (vaccel_bo_is_import(obj))
		return 0;
	/* Pins the pages and DMA-maps them for the device once; kept until the buffer is freed. */
	sgt = drm_gem_shmem_get_pages_sgt(to_drm_gem_shmem_obj(obj));
	return IS_ERR(sgt) ? PTR_ERR(sgt) : 0;
}

int vaccel_submit_ioctl(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct vaccel_device *vdev = to_vaccel(dev);
	struct drm_vaccel_submit *args = data;
	struct drm_syncobj *out_syncobj = NULL;
	struct dma_fence *in_fence = NULL;
	struct sync_file *sync_file = NULL;
	struct vaccel_job *job = NULL;
	struct dma_fence *fence;
	struct drm_exec exec;
	int fd = -1;
	int ret;

	args->out_fence_fd = -1;
	if (args->pad || (args->flags & ~VACCEL_SUBMIT_FLAGS))
		return -EINVAL;
	switch (args->op) {
	case VACCEL_OP_COPY:
		if (args->fill_value)
			return -EINVAL;
		break;
	case VACCEL_OP_FILL:
		if (args->src_handle || args->src_offset)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (!args->size || args->stall_ms > VACCEL_MAX_STALL_MS)
		return -EINVAL;

	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job)
		return -ENOMEM;
	INIT_WORK(&job->work, vaccel_job_run);
	job->vdev = vdev;
	job->op = args->op;
	job->src_offset = args->src_offset;
	job->dst_offset = args->dst_offset;
	job->size = args->size;
	job->fill_value = args->fill_value;
	job->stall_ms = args->stall_ms;

	ret = -ENOENT;
	job->dst = drm_gem_object_lookup(file, args->dst_handle);
	if (!job->dst)
		goto out_job;
	if (args->op == VACCEL_OP_COPY) {
		job->src = drm_gem_object_lookup(file, args->src_handle);
		if (!job->src)
			goto out_job;
	}

	ret = -EINVAL;
	if (!vaccel_range_ok(job->dst, args->dst_offset, args->size))
		goto out_job;
	if (job->src && !vaccel_range_ok(job->src, args->src_offset, args->size))
		goto out_job;
	if (args->op == VACCEL_OP_FILL && ((args->dst_offset | args->size) & 3))
		goto out_job;
	if (job->src == job->dst &&
	    args->src_offset < args->dst_offset + args->size &&
	    args->dst_offset < args->src_offset + args->size)
		goto out_job;

	if (args->in_syncobj) {
		ret = drm_syncobj_find_fence(file, args->in_syncobj, 0, 0, &in_fence);
		if (ret)
			goto out_job;
		ret = vaccel_job_add_dep(job, in_fence);
		dma_fence_put(in_fence);
		if (ret)
			goto out_job;
	}
	if (args->out_syncobj) {
		out_syncobj = drm_syncobj_find(file, args->out_syncobj);
		if (!out_syncobj) {
			ret = -ENOENT;
			goto out_job;
		}
	}

	ret = vaccel_pin_own(job->dst);
	if (!ret && job->src)
		ret = vaccel_pin_own(job->src);
	if (ret)
		goto out_syncobj;

	if (args->flags & VACCEL_SUBMIT_OUT_SYNC_FILE) {
		fd = get_unused_fd_flags(O_CLOEXEC);
		if (fd < 0) {
			ret = fd;
			goto out_syncobj;
		}
	}
	fence = kzalloc(sizeof(*fence), GFP_KERNEL);
	if (!fence) {
		ret = -ENOMEM;
		goto out_fd;
	}

	mutex_lock(&vdev->submit_lock);
	drm_exec_init(&exec, DRM_EXEC_INTERRUPTIBLE_WAIT | DRM_EXEC_IGNORE_DUPLICATES, 2);
	drm_exec_until_all_locked(&exec) {
		ret = drm_exec_prepare_obj(&exec, job->dst, 1);
		drm_exec_retry_on_contention(&exec);
		if (ret)
			goto out_exec;
		if (job->src) {
			ret = drm_exec_prepare_obj(&exec, job->src, 1);
			drm_exec_retry_on_contention(&exec);
			if (ret)
				goto out_exec;
		}
	}
	if (!(args->flags & VACCEL_SUBMIT_NO_IMPLICIT)) {
		ret = vaccel_job_add_implicit(job, job->dst, true);
		if (!ret && job->src && job->src != job->dst)
			ret = vaccel_job_add_implicit(job, job->src, false);
		if (ret)
			goto out_exec;
	}

	dma_fence_init(fence, &vaccel_fence_ops, &vdev->fence_lock, vdev->fence_context, vdev->next_seqno++);
	job->done = fence;
	if (fd >= 0) {
		sync_file = sync_file_create(fence);
		if (!sync_file) {
			/* Not published anywhere yet: end it, so nothing can wait on it forever. */
			dma_fence_set_error(fence, -ENOMEM);
			dma_fence_signal(fence);
			ret = -ENOMEM;
			goto out_exec;
		}
	}
	dma_resv_add_fence(job->dst->resv, fence, DMA_RESV_USAGE_WRITE);
	if (job->src && job->src != job->dst)
		dma_resv_add_fence(job->src->resv, fence, DMA_RESV_USAGE_READ);
	drm_exec_fini(&exec);

	if (out_syncobj) {
		drm_syncobj_replace_fence(out_syncobj, fence);
		drm_syncobj_put(out_syncobj);
	}
	args->seqno = fence->seqno;
	queue_work(vdev->engine, &job->work);
	mutex_unlock(&vdev->submit_lock);

	if (sync_file) {
		fd_install(fd, sync_file->file);
		args->out_fence_fd = fd;
	}
	return 0;

out_exec:
	drm_exec_fini(&exec);
	mutex_unlock(&vdev->submit_lock);
	if (!job->done)
		kfree(fence);
out_fd:
	if (fd >= 0)
		put_unused_fd(fd);
out_syncobj:
	if (out_syncobj)
		drm_syncobj_put(out_syncobj);
out_job:
	vaccel_job_free(job);
	return ret;
}
