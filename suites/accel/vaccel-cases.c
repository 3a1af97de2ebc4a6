// SPDX-License-Identifier: MIT
/*
 * The accel suite's cases on vaccel, hilt's virtual accelerator
 * (suites/vaccel/, UAPI in vaccel_accel.h): what the driver promises for
 * every ioctl, buffer lifetimes, jobs and their fences, explicit sync
 * through an in-syncobj. Sharing with other devices (the importer's view
 * through the sg_table, implicit sync with vgem, the job fence in an
 * exported dma-buf) is the prime and dma-buf suites' part.
 *
 * Every case opens vaccel privately and skips, saying why, when vaccel is
 * not there (not built for this kernel: /hilt/unavailable/vaccel says why).
 * What a case opens or maps goes on its cleanup list.
 */
#define _GNU_SOURCE
#include "vaccel-cases.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>

#include "drm-util.h"
#include "fence-util.h"
#include "kernel.h"
#include "../vaccel/user/vaccel-user.h"

#define PAGE 4096u
/* How long the stall case asks the engine to hold a job (msleep(), so jiffies). */
#define STALL_MS 400

#define EXPECT_OK(ctx, dev, what, ret) hilt_expect_ok(ctx, dev, what, VAC_RET(ret), VAC_ERR(ret))
#define EXPECT_ERRNO(ctx, va, ioctl, misuse, ret, expected) \
	hilt_expect_errno(ctx, (va)->dev, ioctl, misuse, VAC_RET(ret), VAC_ERR(ret), expected)

/* ---- driver ioctls: the table's edges and GET_PARAM ---- */

void vaccel_param(struct hilt_ctx *ctx)
{
	static const struct { uint32_t param; const char *name; uint64_t want; } known[] = {
		{ VACCEL_PARAM_VIRTUAL, "VACCEL_PARAM_VIRTUAL", 1 },
		{ VACCEL_PARAM_ENGINES, "VACCEL_PARAM_ENGINES", 1 },
		{ VACCEL_PARAM_MAX_STALL_MS, "VACCEL_PARAM_MAX_STALL_MS", VACCEL_MAX_STALL_MS },
	};
	struct drm_vaccel_param p;
	uint64_t v = 0;
	struct va va;
	char what[64];
	int ret;

	if (!vac_open(ctx, &va))
		return;
	for (size_t i = 0; i < HILT_ARRAY_SIZE(known); i++) {
		snprintf(what, sizeof(what), "GET_PARAM(%s)", known[i].name);
		ret = vac_param(va.fd, known[i].param, &v);
		if (EXPECT_OK(ctx, va.dev, what, ret) && v != known[i].want)
			hilt_fail(ctx, "%s is %llu, not %llu", what, (unsigned long long)v, (unsigned long long)known[i].want);
	}

	/* vaccel_get_param_ioctl(): an unknown parameter, a non-zero index. */
	ret = vac_param(va.fd, 0x7fff, &v);
	EXPECT_ERRNO(ctx, &va, "DRM_IOCTL_VACCEL_GET_PARAM", "param 0x7fff (unknown)", ret, EINVAL);
	memset(&p, 0, sizeof(p));
	p.param = VACCEL_PARAM_VIRTUAL;
	p.index = 1;
	ret = hilt_ioctl(va.fd, DRM_IOCTL_VACCEL_GET_PARAM, &p);
	hilt_expect_errno(ctx, va.dev, "DRM_IOCTL_VACCEL_GET_PARAM", "index 1 (must be 0)", ret, errno, EINVAL);

	/* drm_ioctl(): a driver ioctl number past the driver's table is EINVAL, another ioctl type ENOTTY. */
	ret = hilt_ioctl(va.fd, DRM_IOWR(DRM_COMMAND_BASE + 0x20, struct drm_vaccel_param), &p);
	hilt_expect_errno(ctx, va.dev, "DRM_IOCTL_BASE+0x60", "a driver ioctl number vaccel does not have", ret, errno, EINVAL);
	ret = hilt_ioctl(va.fd, _IOWR('x', 0x40, struct drm_vaccel_param), &p);
	hilt_expect_errno(ctx, va.dev, "_IOWR('x', 0x40)", "an ioctl of another type than DRM's", ret, errno, ENOTTY);
}

/* ---- buffers ---- */

static void bo_obs(struct hilt_ctx *ctx, const struct va *va, uint64_t requested, uint32_t flags,
		   const struct drm_vaccel_bo_info *info, bool zeroed)
{
	struct hilt_json j;

	hj_begin(&j);
	hj_dev(&j, va->dev);
	hj_uint(&j, "requested", requested);
	hj_uint(&j, "size", info->size);
	hj_uint(&j, "flags", flags);
	hj_uint(&j, "info_flags", info->flags);
	hj_bool(&j, "mappable", info->mmap_offset != 0);
	hj_bool(&j, "zeroed", zeroed);
	hilt_obs(ctx, "vaccel.bo", &j);
}

void vaccel_bo_create(struct hilt_ctx *ctx)
{
	static const struct { uint64_t size; uint32_t flags; } made[] = {
		{ 1, VACCEL_BO_MAPPABLE }, { PAGE + 1, VACCEL_BO_MAPPABLE }, { 16 * PAGE, VACCEL_BO_MAPPABLE | VACCEL_BO_WC }, { 3 * PAGE, 0 },
	};
	struct drm_vaccel_bo_create c;
	struct drm_vaccel_bo_info info;
	uint64_t max = 0, size;
	uint32_t handle;
	struct va va;
	int ret;

	if (!vac_open(ctx, &va))
		return;
	for (size_t i = 0; i < HILT_ARRAY_SIZE(made); i++) {
		bool zeroed = true;
		uint8_t *map = NULL;

		ret = vac_bo_create(va.fd, made[i].size, made[i].flags, &handle, &size);
		if (!EXPECT_OK(ctx, va.dev, "DRM_IOCTL_VACCEL_BO_CREATE", ret))
			continue;
		ret = vac_bo_info(va.fd, handle, &info);
		if (!EXPECT_OK(ctx, va.dev, "DRM_IOCTL_VACCEL_BO_INFO", ret))
			continue;
		if (info.size != size)
			hilt_fail(ctx, "BO_INFO says %llu bytes, BO_CREATE said %llu", (unsigned long long)info.size, (unsigned long long)size);
		if (made[i].flags & VACCEL_BO_MAPPABLE) {
			ret = vac_bo_map(ctx, va.fd, handle, size, (void **)&map);
			if (!EXPECT_OK(ctx, va.dev, "mmap of a MAPPABLE vaccel buffer", ret))
				continue;
			for (size_t k = 0; k < size; k++)
				zeroed &= map[k] == 0;
			vac_pattern_fill(map, 0, size, 7);
			if (vac_pattern_check(map, 0, size, 7) >= 0)
				hilt_fail(ctx, "a vaccel buffer's mapping does not read back what was written");
		}
		bo_obs(ctx, &va, made[i].size, made[i].flags, &info, zeroed);
		if (!zeroed)
			hilt_fail(ctx, "a new %llu-byte vaccel buffer is not zeroed", (unsigned long long)size);
	}

	/* vaccel_bo_create_ioctl() and vaccel_bo_info_ioctl(). */
	vac_param(va.fd, VACCEL_PARAM_MAX_BO_SIZE, &max);
	ret = vac_bo_create(va.fd, 0, 0, &handle, NULL);
	EXPECT_ERRNO(ctx, &va, "DRM_IOCTL_VACCEL_BO_CREATE", "size 0", ret, EINVAL);
	ret = vac_bo_create(va.fd, max + 1, 0, &handle, NULL);
	EXPECT_ERRNO(ctx, &va, "DRM_IOCTL_VACCEL_BO_CREATE", "size VACCEL_PARAM_MAX_BO_SIZE + 1", ret, E2BIG);
	ret = vac_bo_create(va.fd, PAGE, 0x100, &handle, NULL);
	EXPECT_ERRNO(ctx, &va, "DRM_IOCTL_VACCEL_BO_CREATE", "flags 0x100 (unknown)", ret, EINVAL);
	ret = vac_bo_create(va.fd, PAGE, VACCEL_BO_IMPORTED, &handle, NULL);
	EXPECT_ERRNO(ctx, &va, "DRM_IOCTL_VACCEL_BO_CREATE", "flags VACCEL_BO_IMPORTED (BO_INFO's, not a creation flag)", ret, EINVAL);
	ret = vac_bo_info(va.fd, 0xdead, &info);
	EXPECT_ERRNO(ctx, &va, "DRM_IOCTL_VACCEL_BO_INFO", "handle 0xdead (never made)", ret, ENOENT);
	if (!vac_bo_create(va.fd, PAGE, 0, &handle, NULL)) {
		memset(&info, 0, sizeof(info));
		info.handle = handle;
		info.pad = 1;
		ret = hilt_ioctl(va.fd, DRM_IOCTL_VACCEL_BO_INFO, &info);
		hilt_expect_errno(ctx, va.dev, "DRM_IOCTL_VACCEL_BO_INFO", "pad 1 (reserved, must be 0)", ret, errno, EINVAL);
	}
	/* A struct as an older userspace would pass it, shorter than the driver's: drm_ioctl() zero-fills the rest. */
	memset(&c, 0, sizeof(c));
	c.size = PAGE;
	ret = hilt_ioctl(va.fd, DRM_IOWR(DRM_COMMAND_BASE + DRM_VACCEL_BO_CREATE, __u64), &c);
	hilt_expect_ok(ctx, va.dev, "BO_CREATE with an 8-byte argument (size only; flags zero-filled by drm_ioctl())", ret, errno);
}

/*
 * Buffer lifetime: a handle goes with GEM_CLOSE, but what holds the object
 * keeps it alive: a CPU mapping, an exported dma-buf, a queued job.
 */
void vaccel_bo_lifetime(struct hilt_ctx *ctx)
{
	struct drm_vaccel_bo_info info;
	uint32_t a, b, c, d, again = 0, blocker, vfence;
	struct vac_dumb vg;
	uint8_t *map = NULL, *dmap, *md = NULL;
	int copied = -1, dmabuf = -1, fence = -1;
	struct hilt_json j;
	bool map_kept, dmabuf_kept, job_kept = false;
	struct va va;
	int ret;

	if (!vac_open(ctx, &va) || !vac_vgem_open(ctx, PAGE, &vg))
		return;
	/* A mapping outlives the handle (mapped by hand: it is unmapped here, not by the cleanup list). */
	if (vac_bo_create(va.fd, 2 * PAGE, VACCEL_BO_MAPPABLE, &a, NULL) || vac_bo_info(va.fd, a, &info) ||
	    (map = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, va.fd, (off_t)info.mmap_offset)) == MAP_FAILED) {
		hilt_fail(ctx, "could not make and map a vaccel buffer");
		return;
	}
	vac_pattern_fill(map, 0, 2 * PAGE, 11);
	ret = hilt_gem_close(va.fd, a);
	EXPECT_OK(ctx, va.dev, "GEM_CLOSE", ret);
	ret = vac_bo_info(va.fd, a, &info);
	EXPECT_ERRNO(ctx, &va, "DRM_IOCTL_VACCEL_BO_INFO", "a handle after GEM_CLOSE", ret, ENOENT);
	ret = hilt_gem_close(va.fd, a);
	EXPECT_ERRNO(ctx, &va, "DRM_IOCTL_GEM_CLOSE", "a handle closed already", ret, EINVAL);
	map_kept = vac_pattern_check(map, 0, 2 * PAGE, 11) < 0;
	vac_pattern_fill(map, 0, 2 * PAGE, 12);
	map_kept &= vac_pattern_check(map, 0, 2 * PAGE, 12) < 0;
	munmap(map, 2 * PAGE);
	if (!map_kept)
		hilt_fail(ctx, "a mapping of a vaccel buffer lost its pages when the handle was closed");

	/* An exported dma-buf outlives the handle; importing it again gives vaccel's own object back. */
	if (vac_bo_create(va.fd, PAGE, VACCEL_BO_MAPPABLE, &b, NULL) || vac_fill(ctx, va.fd, b, 0, PAGE, 0x5a5a5a5a, 0, &fence) ||
	    vac_fence_wait(fence, VAC_JOB_DONE_MS) != 1 || hilt_prime_export(va.fd, b, DRM_CLOEXEC | DRM_RDWR, &dmabuf)) {
		hilt_fail(ctx, "could not fill and export a vaccel buffer");
		return;
	}
	hilt_defer_close(ctx, dmabuf);
	ret = hilt_prime_import(va.fd, dmabuf, &again);
	if (EXPECT_OK(ctx, va.dev, "PRIME_FD_TO_HANDLE of vaccel's own dma-buf", ret) && again != b)
		hilt_fail(ctx, "importing vaccel's own dma-buf gave handle %u, not the exporter's %u", again, b);
	hilt_gem_close(va.fd, b);
	ret = hilt_prime_import(va.fd, dmabuf, &again);
	dmabuf_kept = !ret;
	if (EXPECT_OK(ctx, va.dev, "PRIME_FD_TO_HANDLE after the exporting handle was closed", ret)) {
		ret = vac_bo_info(va.fd, again, &info);
		if (ret || info.flags & VACCEL_BO_IMPORTED)
			hilt_fail(ctx, "the re-imported buffer is not vaccel's own object again (BO_INFO %s, flags 0x%x)",
				  hilt_errname(-ret), info.flags);
		dmap = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, dmabuf, 0);
		dmabuf_kept &= dmap != MAP_FAILED && dmap[0] == 0x5a && dmap[PAGE - 1] == 0x5a;
		if (dmap != MAP_FAILED)
			munmap(dmap, PAGE);
		if (!dmabuf_kept)
			hilt_fail(ctx, "the dma-buf of a closed vaccel buffer does not hold its data");
	}

	/*
	 * Queued jobs hold their buffers: c has nothing but its handle; a FILL of
	 * c held back by a pending vgem fence (its in_syncobj) and a COPY c -> d
	 * queued behind it; c's handle is closed while they wait. The COPY still
	 * reads what the FILL wrote into c.
	 */
	if (vac_bo_create(va.fd, PAGE, 0, &c, NULL) || vac_bo_mapped(ctx, va.fd, PAGE, &d, &md) ||
	    vac_blocker(va.fd, &vg, &blocker, &vfence)) {
		hilt_fail(ctx, "could not make the buffers and a blocking in-fence");
	} else {
		struct drm_vaccel_submit s = {
			.op = VACCEL_OP_FILL, .flags = VACCEL_SUBMIT_OUT_SYNC_FILE, .dst_handle = c,
			.size = PAGE, .fill_value = 0x0f0f0f0f, .in_syncobj = blocker,
		};

		ret = vac_submit(va.fd, &s);
		if (!ret) {
			fence = hilt_defer_close(ctx, s.out_fence_fd);
			ret = vac_copy(ctx, va.fd, c, 0, d, 0, PAGE, 0, &copied);
		}
		if (ret) {
			hilt_fail(ctx, "could not queue a blocked FILL and a COPY behind it: %s", hilt_errname(-ret));
		} else {
			ret = hilt_gem_close(va.fd, c);
			EXPECT_OK(ctx, va.dev, "GEM_CLOSE of a buffer queued jobs use", ret);
			fu_sleep_ms(VAC_HELD_MS);
			if (vac_fence_wait(copied, 0) != 0 || vac_fence_wait(fence, 0) != 0)
				hilt_fail(ctx, "the FILL held by a pending in-fence, or the COPY behind it, ran before the fence signalled");
		}
		vac_vgem_signal(&vg, vfence);
		ret = copied >= 0 ? vac_fence_wait(copied, VAC_JOB_DONE_MS) : -1;
		job_kept = ret == 1 && fence >= 0 && vac_fence_wait(fence, 0) == 1 && md[0] == 0x0f && md[PAGE - 1] == 0x0f;
		if (!job_kept)
			hilt_fail(ctx, "jobs whose buffer handle was closed under them did not complete with its data (wait %d, byte 0x%02x)", ret, md[0]);
	}

	hj_begin(&j);
	hj_dev(&j, va.dev);
	hj_bool(&j, "mapping_outlives_handle", map_kept);
	hj_bool(&j, "dmabuf_outlives_handle", dmabuf_kept);
	hj_bool(&j, "job_outlives_handle", job_kept);
	hilt_obs(ctx, "vaccel.lifetime", &j);
}

/* ---- jobs ---- */

struct job_seen {
	const char *what;
	uint64_t bytes;
	int status;
	char driver[32];
	bool data_ok;
};

static void job_obs(struct hilt_ctx *ctx, const struct va *va, const struct job_seen *s, uint64_t seqno)
{
	struct hilt_json j;

	hj_begin(&j);
	hj_dev(&j, va->dev);
	hj_str(&j, "job", s->what);
	hj_uint(&j, "bytes", s->bytes);
	hj_uint(&j, "seqno", seqno);
	hj_int(&j, "fence_status", s->status);
	hj_str(&j, "fence_driver", s->driver);
	hj_bool(&j, "data_ok", s->data_ok);
	hilt_obs(ctx, "vaccel.job", &j);
}

static bool wait_job(struct hilt_ctx *ctx, int fence, struct job_seen *s)
{
	int ret = vac_fence_wait(fence, VAC_JOB_DONE_MS);

	if (ret != 1) {
		hilt_fail(ctx, "%s: the job's fence did not signal within %d ms (%d)", s->what, VAC_JOB_DONE_MS, ret);
		return false;
	}
	vac_fence_info(fence, &s->status, s->driver, sizeof(s->driver));
	return true;
}

/*
 * A stalled job. The engine holds it with msleep(STALL_MS), which counts
 * the kernel's jiffies, so the job is judged in jiffies read around it
 * (hilt_jiffies()), not by the wall clock: under an emulator the host can
 * starve the vCPU that keeps jiffies, which then catch up at once, and a
 * 400 ms stall was seen "done 355 ms after SUBMIT" by CLOCK_MONOTONIC at
 * host load 14. msleep() sleeps at least msecs_to_jiffies(STALL_MS) + 1
 * jiffies from a moment after j0 (read before SUBMIT), so: while fewer than
 * the stall's jiffies have passed since j0, the job must be pending and
 * BO_WAIT 0 ETIMEDOUT; once it is done, at least that many have passed.
 */
static void stalled_job(struct hilt_ctx *ctx, const struct va *va, uint32_t bo)
{
	struct drm_vaccel_submit s = {
		.op = VACCEL_OP_FILL, .flags = VACCEL_SUBMIT_OUT_SYNC_FILE, .dst_handle = bo,
		.size = PAGE, .fill_value = 0x01010101, .stall_ms = STALL_MS,
	};
	struct drm_vaccel_bo_wait w = { .handle = bo };
	int hz = hilt_kernel_hz(NULL);
	long long stall_j = (long long)STALL_MS * hz / 1000, j0, j_looked, j_done;
	int64_t t0, t_looked, t_done;
	int pending, busy, busy_errno, fence, ret;

	j0 = hilt_jiffies();
	t0 = fu_now_ns();
	ret = vac_submit(va->fd, &s);
	if (!EXPECT_OK(ctx, va->dev, "SUBMIT(FILL) stalled", ret))
		return;
	fence = hilt_defer_close(ctx, s.out_fence_fd);
	pending = vac_fence_wait(fence, 0);
	busy = hilt_ioctl(va->fd, DRM_IOCTL_VACCEL_BO_WAIT, &w);
	busy_errno = errno;
	j_looked = hilt_jiffies();
	t_looked = fu_now_ns();
	if (j0 >= 0 && j_looked >= 0 ? j_looked - j0 < stall_j : t_looked - t0 < (int64_t)STALL_MS * 500000) {
		hilt_expect_errno(ctx, va->dev, "DRM_IOCTL_VACCEL_BO_WAIT", "timeout 0 on a buffer a stalled job writes", busy, busy_errno, ETIMEDOUT);
		if (pending != 0)
			hilt_fail(ctx, "a job stalled for %u ms (%lld jiffies at HZ=%d) had signalled %lld jiffies after SUBMIT",
				  STALL_MS, stall_j, hz, j_looked - j0);
	} else {
		hilt_diag(ctx, "the stalled job was looked at only %lld jiffies (%lld ms) after SUBMIT, past its %u ms stall: pending not checked",
			  j_looked - j0, (long long)(t_looked - t0) / 1000000, STALL_MS);
	}
	w.timeout_ns = VAC_JOB_DONE_MS * 1000000LL;
	ret = hilt_ioctl(va->fd, DRM_IOCTL_VACCEL_BO_WAIT, &w);
	j_done = hilt_jiffies();
	t_done = fu_now_ns();
	hilt_expect_ok(ctx, va->dev, "BO_WAIT for a stalled job", ret, errno);
	if (vac_fence_wait(fence, 0) != 1)
		hilt_fail(ctx, "BO_WAIT returned while the job's fence had not signalled");
	if (j0 >= 0 && j_done >= 0) {
		if (j_done - j0 < stall_j - FU_TOLERANCE_JIFFIES)
			hilt_fail(ctx, "a job stalled for %u ms was done %lld jiffies (%lld ms) after SUBMIT; the stall is %lld jiffies at HZ=%d, %d tolerated",
				  STALL_MS, j_done - j0, (long long)(t_done - t0) / 1000000, stall_j, hz, FU_TOLERANCE_JIFFIES);
	} else if (t_done - t0 < (int64_t)STALL_MS * 500000) {
		hilt_fail(ctx, "a job stalled for %u ms was done %lld ms after SUBMIT, less than half the stall (no jiffies in /proc to judge by)",
			  STALL_MS, (long long)(t_done - t0) / 1000000);
	}
}

void vaccel_jobs(struct hilt_ctx *ctx)
{
	const uint64_t size = 8 * PAGE;
	struct drm_syncobj_create sc = { 0 };
	struct drm_syncobj_wait sw = { 0 };
	struct drm_vaccel_submit s;
	uint64_t before = 0, after = 0, last_seqno = 0;
	uint8_t *ma = NULL, *mb = NULL;
	uint32_t a, b;
	struct job_seen seen;
	struct va va;
	int fence;
	int ret;

	if (!vac_open(ctx, &va))
		return;
	if (vac_bo_mapped(ctx, va.fd, size, &a, &ma) || vac_bo_create(va.fd, size, VACCEL_BO_MAPPABLE | VACCEL_BO_WC, &b, NULL) ||
	    vac_bo_map(ctx, va.fd, b, size, (void **)&mb)) {
		hilt_fail(ctx, "could not make and map two vaccel buffers");
		return;
	}
	vac_param(va.fd, VACCEL_PARAM_JOBS_DONE, &before);

	/* FILL, fence as a sync_file. */
	memset(&seen, 0, sizeof(seen));
	seen.what = "fill";
	seen.bytes = size - 8;
	memset(&s, 0, sizeof(s));
	s.op = VACCEL_OP_FILL;
	s.flags = VACCEL_SUBMIT_OUT_SYNC_FILE;
	s.dst_handle = a;
	s.dst_offset = 4;
	s.size = size - 8;
	s.fill_value = 0x44332211;
	ret = vac_submit(va.fd, &s);
	if (!EXPECT_OK(ctx, va.dev, "SUBMIT(FILL)", ret))
		return;
	hilt_defer_close(ctx, s.out_fence_fd);
	if (!wait_job(ctx, s.out_fence_fd, &seen))
		return;
	seen.data_ok = ma[0] == 0 && ma[3] == 0 && ma[4] == 0x11 && ma[5] == 0x22 && ma[6] == 0x33 && ma[7] == 0x44 &&
		       ma[size - 5] == 0x44 && ma[size - 4] == 0 && ma[PAGE] == 0x11;
	job_obs(ctx, &va, &seen, s.seqno);
	last_seqno = s.seqno;
	if (!seen.data_ok)
		hilt_fail(ctx, "FILL 0x44332211 at 4..%llu left other bytes in the buffer", (unsigned long long)(size - 4));

	/* COPY with unaligned offsets across pages, fence into a syncobj. */
	vac_pattern_fill(ma, 0, size, 21);
	memset(mb, 0, size);
	if (hilt_ioctl(va.fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc)) {
		hilt_fail(ctx, "SYNCOBJ_CREATE on vaccel: %s", hilt_errname(errno));
		return;
	}
	memset(&s, 0, sizeof(s));
	s.op = VACCEL_OP_COPY;
	s.src_handle = a;
	s.dst_handle = b;
	s.src_offset = 3;
	s.dst_offset = PAGE + 1;
	s.size = 5 * PAGE + 7;
	s.out_syncobj = sc.handle;
	ret = vac_submit(va.fd, &s);
	if (!EXPECT_OK(ctx, va.dev, "SUBMIT(COPY) into a syncobj", ret))
		return;
	if (s.out_fence_fd != -1)
		hilt_fail(ctx, "SUBMIT without VACCEL_SUBMIT_OUT_SYNC_FILE returned out_fence_fd %d, not -1", s.out_fence_fd);
	sw.handles = (uint64_t)(uintptr_t)&sc.handle;
	sw.count_handles = 1;
	sw.timeout_nsec = fu_now_ns() + VAC_JOB_DONE_MS * 1000000LL;
	ret = hilt_ioctl(va.fd, DRM_IOCTL_SYNCOBJ_WAIT, &sw);
	hilt_expect_ok(ctx, va.dev, "SYNCOBJ_WAIT for the COPY's fence", ret, errno);
	memset(&seen, 0, sizeof(seen));
	seen.what = "copy";
	seen.bytes = s.size;
	seen.status = ret ? 0 : 1;
	snprintf(seen.driver, sizeof(seen.driver), "%s", "vaccel");
	seen.data_ok = vac_pattern_check(mb + PAGE + 1, 3, s.size, 21) < 0 && mb[PAGE] == 0 && mb[PAGE + 1 + s.size] == 0;
	job_obs(ctx, &va, &seen, s.seqno);
	if (s.seqno <= last_seqno)
		hilt_fail(ctx, "the second job's seqno %llu is not after the first's %llu", (unsigned long long)s.seqno, (unsigned long long)last_seqno);
	if (!seen.data_ok)
		hilt_fail(ctx, "COPY of %llu bytes from offset 3 to offset %u did not land exactly", (unsigned long long)s.size, PAGE + 1);

	/* COPY inside one buffer, ranges apart. */
	memset(&seen, 0, sizeof(seen));
	seen.what = "copy-within";
	seen.bytes = PAGE;
	ret = vac_copy(ctx, va.fd, a, 0, a, 4 * PAGE, PAGE, 0, &fence);
	if (EXPECT_OK(ctx, va.dev, "SUBMIT(COPY) between two ranges of one buffer", ret) && wait_job(ctx, fence, &seen)) {
		seen.data_ok = vac_pattern_check(ma + 4 * PAGE, 0, PAGE, 21) < 0;
		job_obs(ctx, &va, &seen, 0);
		if (!seen.data_ok)
			hilt_fail(ctx, "COPY within one buffer did not land");
	}

	stalled_job(ctx, &va, b);

	vac_param(va.fd, VACCEL_PARAM_JOBS_DONE, &after);
	if (after < before + 4)
		hilt_fail(ctx, "VACCEL_PARAM_JOBS_DONE went from %llu to %llu over 4 jobs", (unsigned long long)before, (unsigned long long)after);
}

/* Every refusal SUBMIT defines (vaccel_submit_ioctl(), in the order it checks). */
void vaccel_job_errors(struct hilt_ctx *ctx)
{
	struct drm_syncobj_create empty = { 0 };
	struct drm_vaccel_submit s, ok;
	struct drm_vaccel_bo_wait w;
	uint32_t a, b;
	uint64_t max_stall = 0;
	struct va va;
	int ret;

	if (!vac_open(ctx, &va))
		return;
	if (vac_bo_create(va.fd, 2 * PAGE, 0, &a, NULL) || vac_bo_create(va.fd, 2 * PAGE, 0, &b, NULL)) {
		hilt_fail(ctx, "could not make two vaccel buffers");
		return;
	}
	vac_param(va.fd, VACCEL_PARAM_MAX_STALL_MS, &max_stall);
	memset(&ok, 0, sizeof(ok));
	ok.op = VACCEL_OP_COPY;
	ok.src_handle = a;
	ok.dst_handle = b;
	ok.size = PAGE;

#define REFUSED(misuse, expected, change)                                                        \
	do {                                                                                     \
		s = ok;                                                                          \
		change;                                                                          \
		ret = hilt_ioctl(va.fd, DRM_IOCTL_VACCEL_SUBMIT, &s);                             \
		hilt_expect_errno(ctx, va.dev, "DRM_IOCTL_VACCEL_SUBMIT", misuse, ret, errno, expected); \
	} while (0)

	REFUSED("pad 1 (reserved)", EINVAL, s.pad = 1);
	REFUSED("flags 0x80 (unknown)", EINVAL, s.flags = 0x80);
	REFUSED("op 0 (none)", EINVAL, s.op = 0);
	REFUSED("op 3 (unknown)", EINVAL, s.op = 3);
	REFUSED("COPY with fill_value 1 (FILL's field)", EINVAL, s.fill_value = 1);
	REFUSED("FILL with src_handle set (COPY's field)", EINVAL, s.op = VACCEL_OP_FILL);
	REFUSED("FILL with src_offset set (COPY's field)", EINVAL, (s.op = VACCEL_OP_FILL, s.src_handle = 0, s.src_offset = 4));
	REFUSED("size 0", EINVAL, s.size = 0);
	REFUSED("stall_ms VACCEL_PARAM_MAX_STALL_MS + 1", EINVAL, s.stall_ms = (uint32_t)max_stall + 1);
	REFUSED("dst_handle 0xdead (never made)", ENOENT, s.dst_handle = 0xdead);
	REFUSED("src_handle 0xdead (never made)", ENOENT, s.src_handle = 0xdead);
	REFUSED("src range past the buffer's end", EINVAL, s.src_offset = PAGE + 1);
	REFUSED("dst range past the buffer's end", EINVAL, s.dst_offset = 2 * PAGE - 1);
	REFUSED("size larger than the buffer", EINVAL, s.size = 2 * PAGE + PAGE);
	REFUSED("offset + size wrapping around 2^64", EINVAL, (s.dst_offset = PAGE, s.size = UINT64_MAX - PAGE + 2));
	REFUSED("FILL at an offset not a multiple of 4", EINVAL, (s.op = VACCEL_OP_FILL, s.src_handle = 0, s.dst_offset = 2));
	REFUSED("FILL of a size not a multiple of 4", EINVAL, (s.op = VACCEL_OP_FILL, s.src_handle = 0, s.size = 6));
	REFUSED("COPY between overlapping ranges of one buffer", EINVAL, (s.src_handle = a, s.dst_handle = a, s.src_offset = 0, s.dst_offset = 100));
	REFUSED("in_syncobj 0xdead (never made)", ENOENT, s.in_syncobj = 0xdead);
	REFUSED("out_syncobj 0xdead (never made)", ENOENT, s.out_syncobj = 0xdead);
	if (!hilt_ioctl(va.fd, DRM_IOCTL_SYNCOBJ_CREATE, &empty))
		REFUSED("in_syncobj without a fence (drm_syncobj_find_fence())", EINVAL, s.in_syncobj = empty.handle);
	else
		hilt_fail(ctx, "SYNCOBJ_CREATE on vaccel: %s", hilt_errname(errno));
#undef REFUSED

	/* The twin that must pass: the same struct, unmodified. */
	s = ok;
	ret = hilt_ioctl(va.fd, DRM_IOCTL_VACCEL_SUBMIT, &s);
	hilt_expect_ok(ctx, va.dev, "SUBMIT of the valid COPY every refusal above was made from", ret, errno);

	/* vaccel_bo_wait_ioctl(). */
	memset(&w, 0, sizeof(w));
	w.handle = b;
	w.flags = 1;
	ret = hilt_ioctl(va.fd, DRM_IOCTL_VACCEL_BO_WAIT, &w);
	hilt_expect_errno(ctx, va.dev, "DRM_IOCTL_VACCEL_BO_WAIT", "flags 1 (must be 0)", ret, errno, EINVAL);
	w.flags = 0;
	w.timeout_ns = -1;
	ret = hilt_ioctl(va.fd, DRM_IOCTL_VACCEL_BO_WAIT, &w);
	hilt_expect_errno(ctx, va.dev, "DRM_IOCTL_VACCEL_BO_WAIT", "timeout_ns -1", ret, errno, EINVAL);
	w.timeout_ns = 0;
	w.handle = 0xdead;
	ret = hilt_ioctl(va.fd, DRM_IOCTL_VACCEL_BO_WAIT, &w);
	hilt_expect_errno(ctx, va.dev, "DRM_IOCTL_VACCEL_BO_WAIT", "handle 0xdead (never made)", ret, errno, ENOENT);
}

/*
 * Explicit sync: a job given an in_syncobj waits for the fence in it, here
 * a vgem fence moved over as a sync_file (EXPORT_SYNC_FILE, then
 * SYNCOBJ_FD_TO_HANDLE with IMPORT_SYNC_FILE), on a buffer vgem never saw.
 */
void vaccel_in_syncobj(struct hilt_ctx *ctx)
{
	struct dma_buf_export_sync_file ex = { 0 };
	struct drm_syncobj_create sc = { 0 };
	struct drm_syncobj_handle sh = { 0 };
	struct drm_vaccel_submit s;
	struct vac_dumb vg;
	char driver[32] = "";
	uint32_t own, vfence;
	uint8_t *mown = NULL;
	bool waited = false, done = false;
	int64_t t_signal, after_ms = -1;
	struct hilt_json j;
	int status = 0, fence = -1, ret;
	struct va va;

	if (!vac_open(ctx, &va) || !vac_vgem_open(ctx, PAGE, &vg))
		return;
	if (vac_bo_mapped(ctx, va.fd, PAGE, &own, &mown)) {
		hilt_fail(ctx, "could not make and map a vaccel buffer");
		return;
	}
	/* From here on the vgem fence is pending: closing vg's file (the cleanup list) signals it on any early return. */
	ret = vac_vgem_fence(&vg, true, &vfence);
	if (!EXPECT_OK(ctx, vg.dev, "VGEM_FENCE_ATTACH(WRITE)", ret))
		return;
	ex.flags = DMA_BUF_SYNC_READ;
	ret = hilt_ioctl(vg.dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &ex);
	if (!hilt_expect_ok(ctx, vg.dev, "EXPORT_SYNC_FILE of the vgem fence", ret, errno))
		return;
	hilt_defer_close(ctx, ex.fd);
	vac_fence_info(ex.fd, &status, driver, sizeof(driver));
	if (hilt_ioctl(va.fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc)) {
		hilt_fail(ctx, "SYNCOBJ_CREATE on vaccel: %s", hilt_errname(errno));
		return;
	}
	sh.handle = sc.handle;
	sh.fd = ex.fd;
	sh.flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE;
	ret = hilt_ioctl(va.fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &sh);
	if (!hilt_expect_ok(ctx, va.dev, "SYNCOBJ_FD_TO_HANDLE(IMPORT_SYNC_FILE) of the vgem fence", ret, errno))
		return;

	memset(&s, 0, sizeof(s));
	s.op = VACCEL_OP_FILL;
	s.flags = VACCEL_SUBMIT_OUT_SYNC_FILE;
	s.dst_handle = own;
	s.size = PAGE;
	s.fill_value = 0x3c3c3c3c;
	s.in_syncobj = sc.handle;
	ret = vac_submit(va.fd, &s);
	if (!EXPECT_OK(ctx, va.dev, "SUBMIT(FILL) with an in_syncobj holding a pending vgem fence", ret))
		return;
	fence = hilt_defer_close(ctx, s.out_fence_fd);
	fu_sleep_ms(VAC_HELD_MS);
	waited = vac_fence_wait(fence, 0) == 0 && mown[0] == 0;
	if (!waited)
		hilt_fail(ctx, "a job whose in_syncobj holds a pending vgem fence ran before the fence signalled");
	t_signal = fu_now_ns();
	vac_vgem_signal(&vg, vfence);
	done = vac_fence_wait(fence, VAC_JOB_DONE_MS) == 1 && mown[0] == 0x3c && mown[PAGE - 1] == 0x3c;
	after_ms = (fu_now_ns() - t_signal) / 1000000;
	if (!done)
		hilt_fail(ctx, "the job did not complete its FILL after its in-fence signalled");
	hj_begin(&j);
	hj_dev(&j, va.dev);
	hj_str(&j, "in_fence_driver", driver);
	hj_int(&j, "in_fence_status", status);
	hj_uint(&j, "held_ms", VAC_HELD_MS);
	hj_bool(&j, "waited_for_in_fence", waited);
	hj_bool(&j, "done_after_signal", done);
	hj_int(&j, "done_after_signal_ms", after_ms);
	hilt_obs(ctx, "vaccel.in-syncobj", &j);
}
