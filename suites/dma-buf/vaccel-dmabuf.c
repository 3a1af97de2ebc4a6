// SPDX-License-Identifier: MIT
/*
 * The dma-buf's reservation object with a device that really waits on it:
 * vaccel, hilt's virtual accelerator (suites/vaccel/), whose jobs collect
 * the implicit fences of the buffers they use (dma_resv_usage_rw(): a
 * reader waits for the writers, a writer for everyone) and add their own
 * (READ usage on what they read, WRITE on what they write), as a real
 * engine does.
 *
 *   vaccel-implicit-sync     vgem's fences hold vaccel's jobs on an import
 *   vaccel-export-sync-file  vaccel's job fence in the dma-buf it exported:
 *                            EXPORT_SYNC_FILE, poll(2), SYNC_START, vgem
 *   vaccel-move-notify       which exporters here can move a buffer under
 *                            a dynamic importer (none: why)
 *
 * Each skips, saying why, when vaccel is not loaded. A pending vgem fence
 * is signalled by the case, or by closing vgem's file (the cleanup list).
 */
#define _GNU_SOURCE
#include "vaccel-dmabuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>

#include "dmabuf.h"
#include "drm-util.h"
#include "fence-util.h"
#include "../vaccel/user/vaccel-user.h"

#define PAGE 4096u

#define EXPECT_OK(ctx, dev, what, ret) hilt_expect_ok(ctx, dev, what, VAC_RET(ret), VAC_ERR(ret))

/* ---- vaccel-implicit-sync ---- */

/*
 * An imported buffer shares the dma-buf's reservation object: a job reading
 * it waits for vgem's write fence and reads what was written under it; a
 * job writing it waits for vgem's read fence; NO_IMPLICIT waits for neither.
 * The holds are proven without timing: a job that ran early shows as a
 * signalled fence (or written bytes) while the fence it must wait for is
 * still pending.
 */
void t_vaccel_implicit_sync(struct hilt_ctx *ctx)
{
	struct vac_dumb vg;
	uint32_t imp, own, vfence;
	uint8_t *mown = NULL;
	int64_t t_signal;
	struct hilt_json j;
	bool held_read = false, data_after_signal = false, held_write = false, ran_early = false;
	int64_t after_signal_ms = -1;
	int fence, ret;
	struct va va;
	size_t size;

	if (!vac_open(ctx, &va) || !vac_vgem_open(ctx, 4 * PAGE, &vg))
		return;
	size = vg.size;
	vac_pattern_fill(vg.map, 0, size, 41);
	if (hilt_prime_import(va.fd, vg.dmabuf, &imp) || vac_bo_mapped(ctx, va.fd, size, &own, &mown)) {
		hilt_fail(ctx, "could not import the vgem buffer and make a vaccel one");
		return;
	}

	/* A reader waits for the writer: vgem WRITE fence, then a COPY from the import. */
	ret = vac_vgem_fence(&vg, true, &vfence);
	if (!EXPECT_OK(ctx, vg.dev, "VGEM_FENCE_ATTACH(WRITE)", ret))
		return;
	ret = vac_copy(ctx, va.fd, imp, 0, own, 0, size, 0, &fence);
	if (!EXPECT_OK(ctx, va.dev, "SUBMIT(COPY) from a buffer with a pending write fence", ret))
		return;
	fu_sleep_ms(VAC_HELD_MS);
	held_read = vac_fence_wait(fence, 0) == 0;
	if (!held_read)
		hilt_fail(ctx, "the job reading a buffer under a pending vgem write fence finished before the fence signalled");
	/* The writer's data lands under its fence, before it signals: the job must read this. */
	vac_pattern_fill(vg.map, 0, size, 42);
	t_signal = fu_now_ns();
	ret = vac_vgem_signal(&vg, vfence);
	EXPECT_OK(ctx, vg.dev, "VGEM_FENCE_SIGNAL", ret);
	if (vac_fence_wait(fence, VAC_JOB_DONE_MS) == 1) {
		after_signal_ms = (fu_now_ns() - t_signal) / 1000000;
		data_after_signal = vac_pattern_check(mown, 0, size, 42) < 0;
		if (!data_after_signal)
			hilt_fail(ctx, "the job that waited for the write fence did not read what the writer wrote under it");
	} else {
		hilt_fail(ctx, "the job did not finish within %d ms of the vgem fence signalling", VAC_JOB_DONE_MS);
	}

	/* A writer waits for the readers: vgem read fence, then a FILL into the import. */
	ret = vac_vgem_fence(&vg, false, &vfence);
	if (EXPECT_OK(ctx, vg.dev, "VGEM_FENCE_ATTACH(read)", ret) &&
	    !vac_fill(ctx, va.fd, imp, 0, PAGE, 0x77777777, 0, &fence)) {
		fu_sleep_ms(VAC_HELD_MS);
		held_write = vac_fence_wait(fence, 0) == 0 && vg.map[0] == vac_pattern(0, 42);
		if (!held_write)
			hilt_fail(ctx, "the job writing a buffer under a pending vgem read fence ran before the fence signalled");
		vac_vgem_signal(&vg, vfence);
		if (vac_fence_wait(fence, VAC_JOB_DONE_MS) != 1 || vg.map[0] != 0x77)
			hilt_fail(ctx, "the FILL did not complete after the read fence signalled");
	}

	/* The negative twin: NO_IMPLICIT runs past a pending write fence. */
	ret = vac_vgem_fence(&vg, true, &vfence);
	if (EXPECT_OK(ctx, vg.dev, "VGEM_FENCE_ATTACH(WRITE)", ret) &&
	    !vac_copy(ctx, va.fd, imp, 0, own, 0, size, VACCEL_SUBMIT_NO_IMPLICIT, &fence)) {
		ran_early = vac_fence_wait(fence, VAC_JOB_DONE_MS) == 1;
		if (!ran_early)
			hilt_fail(ctx, "a NO_IMPLICIT job waited for a vgem write fence");
		vac_vgem_signal(&vg, vfence);
	}

	hj_begin(&j);
	hj_dev(&j, va.dev);
	hj_str(&j, "exporter", "vgem");
	hj_uint(&j, "held_ms", VAC_HELD_MS);
	hj_bool(&j, "reader_waited_for_write_fence", held_read);
	hj_bool(&j, "read_data_from_under_fence", data_after_signal);
	hj_int(&j, "done_after_signal_ms", after_signal_ms);
	hj_bool(&j, "writer_waited_for_read_fence", held_write);
	hj_bool(&j, "no_implicit_ignored_fence", ran_early);
	hilt_obs(ctx, "vaccel.implicit-sync", &j);
}

/* ---- vaccel-export-sync-file ---- */

struct blocker_signal {
	const struct vac_dumb *vg;
	uint32_t fence;
};

/* fu_blocker's call: the vgem fence that holds vaccel's job. */
static int signal_blocker(void *p)
{
	const struct blocker_signal *s = p;

	return vac_vgem_signal(s->vg, s->fence);
}

/* EXPORT_SYNC_FILE(flags) of the dma-buf: the sync_file's status and first fence's driver; the fd is closed here. */
static int export_status(int dmabuf, uint32_t flags, int *status, char *driver, size_t len)
{
	int sync_fd = -1, ret = fu_dmabuf_export_sync_file(dmabuf, flags, &sync_fd);

	driver[0] = '\0';
	if (ret)
		return ret;
	ret = vac_fence_info(sync_fd, status, driver, len);
	close(sync_fd);
	return ret;
}

/*
 * vaccel's job fence is in the reservation object of the dma-buf it
 * exported, with the usage the job has: a job writing the buffer (FILL) is a
 * writer, so EXPORT_SYNC_FILE(READ) hands its fence out pending, poll(2)
 * is not ready, vgem refuses a write fence on its import (EBUSY) and the
 * CPU's SYNC_START(READ) sleeps until the job is done; a job only reading it
 * (COPY from it) is a reader, so EXPORT_SYNC_FILE(READ) does not wait for
 * it and EXPORT_SYNC_FILE(WRITE) does. Jobs are held by a pending vgem
 * fence of another buffer (their in_syncobj) while this is looked at.
 */
void t_vaccel_export_sync_file(struct hilt_ctx *ctx)
{
	static const long ioctl_syscall[] = { SYS_ioctl };
	struct dma_buf_export_sync_file ex = { .flags = DMA_BUF_SYNC_READ };
	struct drm_vgem_fence_attach att = { 0 };
	struct blocker_signal sig;
	struct fu_blocker blocker;
	struct vac_dumb blockvg;
	struct drm_vaccel_submit s;
	struct hilt_dev *vgem;
	char driver[32] = "", rdriver[32] = "", wdriver[32] = "";
	uint32_t own, other, vh = 0, syncobj, vfence;
	uint8_t *dmap;
	int dmabuf = -1, fence = -1, vfd = -1, status = 0, rstatus = -1, wstatus = -1, ret;
	bool exported_pending = false, poll_pending = false, vgem_busy = false, cpu_waited = false, after_ok = false;
	bool reader_read_export = false, reader_write_export = false;
	int64_t t0, t1;
	struct hilt_json j;
	struct va va;

	if (!vac_open(ctx, &va) || !vac_vgem_open(ctx, PAGE, &blockvg))
		return;
	if (vac_bo_create(va.fd, 2 * PAGE, 0, &own, NULL) || vac_bo_create(va.fd, 2 * PAGE, 0, &other, NULL) ||
	    hilt_prime_export(va.fd, own, DRM_CLOEXEC | DRM_RDWR, &dmabuf)) {
		hilt_fail(ctx, "could not make and export a vaccel buffer");
		return;
	}
	hilt_defer_close(ctx, dmabuf);
	dmap = dmabuf_mmap(dmabuf, 2 * PAGE);
	if (!dmap) {
		hilt_fail(ctx, "mmap of vaccel's dma-buf: %s", hilt_errname(errno));
		return;
	}
	hilt_defer_munmap(ctx, dmap, 2 * PAGE);
	vgem = fu_vgem();
	vfd = vgem ? fu_open(ctx, vgem) : -1;
	if (vfd >= 0 && hilt_prime_import(vfd, dmabuf, &vh))
		hilt_fail(ctx, "vgem could not import vaccel's dma-buf: %s", hilt_errname(errno));

	/* A writer: FILL held by a pending vgem fence (its in_syncobj). */
	ret = vac_blocker(va.fd, &blockvg, &syncobj, &vfence);
	if (!EXPECT_OK(ctx, va.dev, "a syncobj holding a pending vgem fence", ret))
		return;
	memset(&s, 0, sizeof(s));
	s.op = VACCEL_OP_FILL;
	s.flags = VACCEL_SUBMIT_OUT_SYNC_FILE;
	s.dst_handle = own;
	s.size = 2 * PAGE;
	s.fill_value = 0xabababab;
	s.in_syncobj = syncobj;
	ret = vac_submit(va.fd, &s);
	if (!EXPECT_OK(ctx, va.dev, "SUBMIT(FILL) into an exported buffer, held by an in-fence", ret))
		return;
	fence = hilt_defer_close(ctx, s.out_fence_fd);

	ret = hilt_ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &ex);
	if (hilt_expect_ok(ctx, va.dev, "DMA_BUF_IOCTL_EXPORT_SYNC_FILE(READ) on vaccel's dma-buf", ret, errno)) {
		hilt_defer_close(ctx, ex.fd);
		vac_fence_info(ex.fd, &status, driver, sizeof(driver));
		exported_pending = status == 0 && !strcmp(driver, VACCEL_DRIVER_NAME);
		if (!exported_pending)
			hilt_fail(ctx, "EXPORT_SYNC_FILE(READ) while a job writes gave a fence of '%s' with status %d; expected vaccel's, pending", driver, status);
	}
	poll_pending = vac_fence_wait(dmabuf, 0) == 0;
	if (!poll_pending)
		hilt_fail(ctx, "poll(POLLIN) on the dma-buf said readable while vaccel's job writes it");
	if (vh) {
		att.handle = vh;
		att.flags = VGEM_FENCE_WRITE;
		ret = hilt_ioctl(vfd, DRM_IOCTL_VGEM_FENCE_ATTACH, &att);
		vgem_busy = ret < 0 && errno == EBUSY;
		hilt_expect_errno(ctx, vgem, "DRM_IOCTL_VGEM_FENCE_ATTACH", "WRITE on a buffer vaccel's pending job writes (vgem_fence_attach_ioctl())", ret, errno, EBUSY);
	}
	if (vac_fence_wait(fence, 0) != 0) {
		hilt_fail(ctx, "the FILL held by a pending in-fence ran before the fence signalled");
		return;
	}

	/* The CPU's SYNC_START(READ) sleeps on vaccel's fence; a helper lets the job go once it sees this thread asleep. */
	sig.vg = &blockvg;
	sig.fence = vfence;
	t0 = fu_now_ns();
	ret = fu_blocker_start(&blocker, ioctl_syscall, 1, 20, signal_blocker, &sig);
	if (ret) {
		hilt_fail(ctx, "pthread_create failed: %s", hilt_errname(-ret));
		return;
	}
	ret = dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	t1 = fu_now_ns();
	fu_blocker_waited(&blocker);
	fu_blocker_join(&blocker);
	if (fu_signal_failed(&blocker))
		hilt_fail(ctx, "VGEM_FENCE_SIGNAL of the fence holding vaccel's job failed: %s", hilt_errname(-blocker.ret));
	else if (ret)
		hilt_fail(ctx, "DMA_BUF_IOCTL_SYNC(START|READ) on vaccel's dma-buf failed with %s; expected 0 once the job was done", hilt_errname(-ret));
	else
		cpu_waited = fu_blocker_check(ctx, &blocker, t0, t1, "DMA_BUF_IOCTL_SYNC(START|READ) on vaccel's dma-buf while its job writes") &&
			     vac_fence_wait(fence, 0) == 1 && dmap[0] == 0xab && dmap[2 * PAGE - 1] == 0xab;
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	if (!ret && !cpu_waited && !hilt_failed(ctx))
		hilt_fail(ctx, "SYNC_START(READ) returned before vaccel's job was done, or the mapping lacks what it wrote");
	after_ok = ex.fd > 0 && vac_fence_wait(ex.fd, VAC_JOB_DONE_MS) == 1 && vac_fence_wait(dmabuf, 0) == 1;
	if (!after_ok)
		hilt_fail(ctx, "after the job, the exported sync_file or the dma-buf did not signal");

	/* A reader: COPY from the exported buffer, held the same way. READ exports leave it out, WRITE ones wait for it. */
	ret = vac_blocker(va.fd, &blockvg, &syncobj, &vfence);
	if (!EXPECT_OK(ctx, va.dev, "a syncobj holding a pending vgem fence", ret))
		return;
	memset(&s, 0, sizeof(s));
	s.op = VACCEL_OP_COPY;
	s.flags = VACCEL_SUBMIT_OUT_SYNC_FILE;
	s.src_handle = own;
	s.dst_handle = other;
	s.size = 2 * PAGE;
	s.in_syncobj = syncobj;
	ret = vac_submit(va.fd, &s);
	if (!EXPECT_OK(ctx, va.dev, "SUBMIT(COPY) from an exported buffer, held by an in-fence", ret))
		return;
	fence = hilt_defer_close(ctx, s.out_fence_fd);
	ret = export_status(dmabuf, DMA_BUF_SYNC_READ, &rstatus, rdriver, sizeof(rdriver));
	if (hilt_expect_ok(ctx, va.dev, "EXPORT_SYNC_FILE(READ) while a job reads", VAC_RET(ret), VAC_ERR(ret))) {
		reader_read_export = rstatus == 1;
		if (!reader_read_export)
			hilt_fail(ctx, "EXPORT_SYNC_FILE(READ) while a vaccel job only reads the buffer gave a pending fence of '%s': a reader's fence must not hold readers", rdriver);
	}
	ret = export_status(dmabuf, DMA_BUF_SYNC_WRITE, &wstatus, wdriver, sizeof(wdriver));
	if (hilt_expect_ok(ctx, va.dev, "EXPORT_SYNC_FILE(WRITE) while a job reads", VAC_RET(ret), VAC_ERR(ret))) {
		reader_write_export = wstatus == 0 && !strcmp(wdriver, VACCEL_DRIVER_NAME);
		if (!reader_write_export)
			hilt_fail(ctx, "EXPORT_SYNC_FILE(WRITE) while a vaccel job reads the buffer gave a fence of '%s' with status %d; expected vaccel's, pending", wdriver, wstatus);
	}
	vac_vgem_signal(&blockvg, vfence);
	if (vac_fence_wait(fence, VAC_JOB_DONE_MS) != 1)
		hilt_fail(ctx, "the held COPY did not finish once its in-fence signalled");

	hj_begin(&j);
	hj_dev(&j, va.dev);
	hj_str(&j, "fence_driver", driver);
	hj_bool(&j, "export_sync_file_pending", exported_pending);
	hj_bool(&j, "dmabuf_poll_pending", poll_pending);
	if (vh)
		hj_bool(&j, "vgem_write_fence_refused", vgem_busy);
	hj_bool(&j, "cpu_sync_start_waited", cpu_waited);
	hj_bool(&j, "signalled_after_job", after_ok);
	hj_bool(&j, "reader_job_not_in_read_export", reader_read_export);
	hj_bool(&j, "reader_job_in_write_export", reader_write_export);
	hilt_obs(ctx, "vaccel.export-fence", &j);
}

/* ---- vaccel-move-notify ---- */

/* A dma-buf some exporter made, 4 pages, mapped by the CPU (through its own mapping, or the dma-buf). */
struct exported {
	char name[48];		/* exporter, for the observation: "vgem", "system-heap", "udmabuf" */
	int dmabuf;
	uint8_t *map;
};

static bool heap_buffer(struct hilt_ctx *ctx, struct exported *e)
{
	struct dma_heap_allocation_data a = { .len = 4 * PAGE, .fd_flags = O_RDWR | O_CLOEXEC };
	int heap = hilt_defer_close(ctx, open("/dev/dma_heap/system", O_RDWR | O_CLOEXEC));

	if (heap < 0) {
		hilt_skip(ctx, "no /dev/dma_heap/system (CONFIG_DMABUF_HEAPS_SYSTEM): %s", hilt_errname(errno));
		return false;
	}
	if (hilt_ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &a)) {
		hilt_fail(ctx, "DMA_HEAP_IOCTL_ALLOC of 16 KiB from the system heap: %s", hilt_errname(errno));
		return false;
	}
	e->dmabuf = hilt_defer_close(ctx, (int)a.fd);
	snprintf(e->name, sizeof(e->name), "system-heap");
	return true;
}

static bool udmabuf_buffer(struct hilt_ctx *ctx, struct exported *e)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = 4 * PAGE };
	int dev = hilt_defer_close(ctx, open("/dev/udmabuf", O_RDWR | O_CLOEXEC));
	int mfd, fd;

	if (dev < 0) {
		hilt_skip(ctx, "no /dev/udmabuf (CONFIG_UDMABUF, or the udmabuf module not loaded): %s", hilt_errname(errno));
		return false;
	}
	mfd = hilt_defer_close(ctx, memfd_create("hilt-vaccel", MFD_CLOEXEC | MFD_ALLOW_SEALING));
	if (mfd < 0 || ftruncate(mfd, 4 * PAGE) || fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		hilt_fail(ctx, "a sealed 16 KiB memfd for udmabuf: %s", hilt_errname(errno));
		return false;
	}
	c.memfd = (uint32_t)mfd;
	fd = hilt_ioctl(dev, UDMABUF_CREATE, &c);
	if (fd < 0) {
		hilt_fail(ctx, "UDMABUF_CREATE of a 16 KiB memfd: %s", hilt_errname(errno));
		return false;
	}
	e->dmabuf = hilt_defer_close(ctx, fd);
	snprintf(e->name, sizeof(e->name), "udmabuf");
	return true;
}

/*
 * One exporter: vaccel imports its buffer, reads the CPU's pattern through
 * the attachment, and says what BO_INFO says of the exporter. move_notify
 * reaches an importer only from a dynamic exporter (dma_buf_ops.pin, so
 * dma_buf_is_dynamic()), when it moves the buffer (dma_buf_move_notify()).
 */
static void move_notify_one(struct hilt_ctx *ctx, const struct va *va, struct exported *e)
{
	struct drm_vaccel_bo_info info;
	struct hilt_json j;
	uint32_t imp, own;
	uint8_t *mown;
	bool read_ok = false, dynamic;
	int fence, ret;

	if (!e->map) {
		e->map = dmabuf_mmap(e->dmabuf, 4 * PAGE);
		if (!e->map) {
			hilt_fail(ctx, "mmap of the %s dma-buf: %s", e->name, hilt_errname(errno));
			return;
		}
		hilt_defer_munmap(ctx, e->map, 4 * PAGE);
		dmabuf_sync(e->dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
		vac_pattern_fill(e->map, 0, 4 * PAGE, 61);
		dmabuf_sync(e->dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	} else {
		vac_pattern_fill(e->map, 0, 4 * PAGE, 61);
	}
	ret = hilt_prime_import(va->fd, e->dmabuf, &imp);
	if (!EXPECT_OK(ctx, va->dev, "PRIME_FD_TO_HANDLE into vaccel", ret))
		return;
	if (vac_bo_mapped(ctx, va->fd, 4 * PAGE, &own, &mown)) {
		hilt_fail(ctx, "could not make and map a vaccel buffer");
		return;
	}
	ret = vac_copy(ctx, va->fd, imp, 0, own, 0, 4 * PAGE, 0, &fence);
	if (EXPECT_OK(ctx, va->dev, "SUBMIT(COPY) from the import", ret) && vac_fence_wait(fence, VAC_JOB_DONE_MS) == 1) {
		read_ok = vac_pattern_check(mown, 0, 4 * PAGE, 61) < 0;
		if (!read_ok)
			hilt_fail(ctx, "vaccel's engine did not read what the CPU wrote into the %s buffer", e->name);
	} else if (!hilt_failed(ctx)) {
		hilt_fail(ctx, "the COPY from the %s import did not finish within %d ms", e->name, VAC_JOB_DONE_MS);
	}
	ret = vac_bo_info(va->fd, imp, &info);
	if (!EXPECT_OK(ctx, va->dev, "BO_INFO of the import", ret))
		return;
	dynamic = info.flags & VACCEL_BO_EXPORTER_DYNAMIC;
	hj_begin(&j);
	hj_dev(&j, va->dev);
	hj_str(&j, "exporter", e->name);
	hj_bool(&j, "exporter_dynamic", dynamic);
	hj_uint(&j, "move_count", info.move_count);
	hj_bool(&j, "read_matches_exporter", read_ok);
	hilt_obs(ctx, "vaccel.move-notify", &j);
	if (hilt_failed(ctx))
		return;
	if (!dynamic)
		hilt_skip(ctx, "%s exports statically (no dma_buf_ops.pin): it never moves a buffer an importer holds, so never calls dma_buf_move_notify(); amdgpu and xe (6.12) are exporters that do",
			  e->name);
	else
		hilt_record_only(ctx, "%s exports dynamically; %u move_notify calls so far. Nothing here makes it move the buffer (eviction is the exporter's own decision)",
				 e->name, info.move_count);
}

void t_vaccel_move_notify(struct hilt_ctx *ctx)
{
	struct hilt_dev *all;
	size_t n = hilt_devices(&all);
	struct exported e;
	struct va va;

	if (!vac_open(ctx, &va))
		return;
	for (size_t i = 0; i < n; i++) {
		struct vac_dumb b;

		if (all[i].kind != HILT_NODE_PRIMARY || !hilt_dumb_capable(&all[i]))
			continue;
		hilt_sub_begin(ctx);
		memset(&e, 0, sizeof(e));
		if (vac_dumb_open(ctx, &all[i], 4 * PAGE, &b)) {
			snprintf(e.name, sizeof(e.name), "%s", all[i].driver);
			e.dmabuf = b.dmabuf;
			e.map = b.map;
			move_notify_one(ctx, &va, &e);
		}
		hilt_sub_end(ctx, "%s-%s", all[i].driver, all[i].node);
	}
	hilt_sub_begin(ctx);
	memset(&e, 0, sizeof(e));
	if (heap_buffer(ctx, &e))
		move_notify_one(ctx, &va, &e);
	hilt_sub_end(ctx, "system-heap");
	hilt_sub_begin(ctx);
	memset(&e, 0, sizeof(e));
	if (udmabuf_buffer(ctx, &e))
		move_notify_one(ctx, &va, &e);
	hilt_sub_end(ctx, "udmabuf");
}
