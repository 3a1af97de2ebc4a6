// SPDX-License-Identifier: MIT
/*
 * The accel suite's cases on vaccel, hilt's virtual accelerator
 * (suites/vaccel/, UAPI in vaccel_accel.h): what the driver promises for
 * every ioctl, buffer lifetimes, jobs and their fences, and the importer's
 * side of dma-buf sharing with vgem as the exporter.
 *
 * Every case opens vaccel privately and skips, saying why, when vaccel is
 * not there (not built for this kernel: /hilt/unavailable/vaccel says why).
 */
#define _GNU_SOURCE
#include "vaccel-cases.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>

#include "drm-util.h"
#include "vaccel-util.h"
#include "vgem_drm.h"

#define PAGE 4096u
/* Generous under TCG: a job that is free to run does so within milliseconds. */
#define JOB_DONE_MS 5000
/* How long a job waiting on a fence is watched, to give a wrong engine time to run it. */
#define HELD_MS 200
/* How long the stall case asks the engine to hold a job. */
#define STALL_MS 400

#define EXPECT_ERRNO(ctx, va, ioctl, misuse, ret, expected) \
	hilt_expect_errno(ctx, (va)->dev, ioctl, misuse, (ret) < 0 ? -1 : 0, (ret) < 0 ? -(ret) : 0, expected)

/* ---- driver ioctls: the table's edges and GET_PARAM ---- */

void vaccel_param(struct hilt_ctx *ctx)
{
	struct drm_vaccel_param p;
	uint64_t v = 0;
	struct va va;
	int ret;

	if (!vac_open(ctx, &va))
		return;
	ret = vac_param(va.fd, VACCEL_PARAM_VIRTUAL, &v);
	if (hilt_expect_ok(ctx, va.dev, "GET_PARAM(VACCEL_PARAM_VIRTUAL)", ret ? -1 : 0, -ret) && v != 1)
		hilt_fail(ctx, "GET_PARAM(VACCEL_PARAM_VIRTUAL) is %llu, not 1", (unsigned long long)v);
	ret = vac_param(va.fd, VACCEL_PARAM_ENGINES, &v);
	if (hilt_expect_ok(ctx, va.dev, "GET_PARAM(VACCEL_PARAM_ENGINES)", ret ? -1 : 0, -ret) && v != 1)
		hilt_fail(ctx, "GET_PARAM(VACCEL_PARAM_ENGINES) is %llu, not 1", (unsigned long long)v);
	ret = vac_param(va.fd, VACCEL_PARAM_MAX_STALL_MS, &v);
	if (hilt_expect_ok(ctx, va.dev, "GET_PARAM(VACCEL_PARAM_MAX_STALL_MS)", ret ? -1 : 0, -ret) && v != VACCEL_MAX_STALL_MS)
		hilt_fail(ctx, "GET_PARAM(VACCEL_PARAM_MAX_STALL_MS) is %llu, not %u", (unsigned long long)v, VACCEL_MAX_STALL_MS);

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
	vac_close(&va);
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
		if (!hilt_expect_ok(ctx, va.dev, "DRM_IOCTL_VACCEL_BO_CREATE", ret ? -1 : 0, -ret))
			continue;
		ret = vac_bo_info(va.fd, handle, &info);
		if (!hilt_expect_ok(ctx, va.dev, "DRM_IOCTL_VACCEL_BO_INFO", ret ? -1 : 0, -ret))
			continue;
		if (info.size != size)
			hilt_fail(ctx, "BO_INFO says %llu bytes, BO_CREATE said %llu", (unsigned long long)info.size, (unsigned long long)size);
		if (made[i].flags & VACCEL_BO_MAPPABLE) {
			ret = vac_bo_map(va.fd, handle, size, (void **)&map);
			if (!hilt_expect_ok(ctx, va.dev, "mmap of a MAPPABLE vaccel buffer", ret ? -1 : 0, -ret))
				continue;
			for (size_t k = 0; k < size; k++)
				zeroed &= map[k] == 0;
			vac_pattern_fill(map, 0, size, 7);
			if (vac_pattern_check(map, 0, size, 7) >= 0)
				hilt_fail(ctx, "a vaccel buffer's mapping does not read back what was written");
			munmap(map, size);
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
	vac_close(&va);
}

/*
 * Buffer lifetime: a handle goes with GEM_CLOSE, but what holds the object
 * keeps it alive: a CPU mapping, an exported dma-buf, a queued job.
 */
void vaccel_bo_lifetime(struct hilt_ctx *ctx)
{
	struct drm_gem_close close_args;
	struct drm_vaccel_bo_info info;
	uint32_t a, b, c, d, again = 0, blocker, vfence;
	struct vac_vgem vg;
	uint8_t *map = NULL, *dmap, *md = NULL;
	int copied = -1;
	int dmabuf = -1, fence = -1;
	struct hilt_json j;
	bool map_kept, dmabuf_kept, job_kept;
	struct va va;
	int ret;

	if (!vac_open(ctx, &va))
		return;
	if (!vac_vgem_open(ctx, PAGE, &vg)) {
		vac_close(&va);
		return;
	}
	/* A mapping outlives the handle. */
	if (vac_bo_create(va.fd, 2 * PAGE, VACCEL_BO_MAPPABLE, &a, NULL) || vac_bo_map(va.fd, a, 2 * PAGE, (void **)&map)) {
		hilt_fail(ctx, "could not make and map a vaccel buffer");
		goto out;
	}
	vac_pattern_fill(map, 0, 2 * PAGE, 11);
	ret = hilt_gem_close(va.fd, a);
	hilt_expect_ok(ctx, va.dev, "GEM_CLOSE", ret ? -1 : 0, -ret);
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

	/* An exported dma-buf outlives the handle; importing it again gives the same pages (one handle per object). */
	if (vac_bo_create(va.fd, PAGE, VACCEL_BO_MAPPABLE, &b, NULL) || vac_fill(va.fd, b, 0, PAGE, 0x5a5a5a5a, 0, 0, &fence) ||
	    vac_fence_wait(fence, JOB_DONE_MS) != 1 || hilt_prime_export(va.fd, b, DRM_CLOEXEC | DRM_RDWR, &dmabuf)) {
		hilt_fail(ctx, "could not fill and export a vaccel buffer");
		goto out;
	}
	close(fence);
	fence = -1;
	ret = hilt_prime_import(va.fd, dmabuf, &again);
	if (hilt_expect_ok(ctx, va.dev, "PRIME_FD_TO_HANDLE of vaccel's own dma-buf", ret ? -1 : 0, -ret) && again != b)
		hilt_fail(ctx, "importing vaccel's own dma-buf gave handle %u, not the exporter's %u", again, b);
	hilt_gem_close(va.fd, b);
	ret = hilt_prime_import(va.fd, dmabuf, &again);
	dmabuf_kept = !ret;
	if (hilt_expect_ok(ctx, va.dev, "PRIME_FD_TO_HANDLE after the exporting handle was closed", ret ? -1 : 0, -ret)) {
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
	job_kept = false;
	if (vac_bo_create(va.fd, PAGE, 0, &c, NULL) || vac_bo_create(va.fd, PAGE, VACCEL_BO_MAPPABLE, &d, NULL) ||
	    vac_bo_map(va.fd, d, PAGE, (void **)&md) || vac_blocker(va.fd, &vg, &blocker, &vfence)) {
		hilt_fail(ctx, "could not make the buffers and a blocking in-fence");
	} else {
		struct drm_vaccel_submit s = {
			.op = VACCEL_OP_FILL, .flags = VACCEL_SUBMIT_OUT_SYNC_FILE, .dst_handle = c,
			.size = PAGE, .fill_value = 0x0f0f0f0f, .in_syncobj = blocker,
		};

		if (vac_submit(va.fd, &s) || vac_copy(va.fd, c, 0, d, 0, PAGE, 0, &copied)) {
			hilt_fail(ctx, "could not queue a blocked FILL and a COPY behind it");
		} else {
			fence = s.out_fence_fd;
			memset(&close_args, 0, sizeof(close_args));
			close_args.handle = c;
			ret = hilt_ioctl(va.fd, DRM_IOCTL_GEM_CLOSE, &close_args);
			hilt_expect_ok(ctx, va.dev, "GEM_CLOSE of a buffer queued jobs use", ret, errno);
			vac_sleep_ms(HELD_MS);
			if (vac_fence_wait(copied, 0) != 0 || vac_fence_wait(fence, 0) != 0)
				hilt_fail(ctx, "the FILL held by a pending in-fence, or the COPY behind it, ran before the fence signalled");
		}
		vac_vgem_signal(&vg, vfence);
		ret = copied >= 0 ? vac_fence_wait(copied, JOB_DONE_MS) : -1;
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
out:
	if (md)
		munmap(md, PAGE);
	if (copied >= 0)
		close(copied);
	if (fence >= 0)
		close(fence);
	if (dmabuf >= 0)
		close(dmabuf);
	vac_vgem_close(&vg);
	vac_close(&va);
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
	int ret = vac_fence_wait(fence, JOB_DONE_MS);

	if (ret != 1) {
		hilt_fail(ctx, "%s: the job's fence did not signal within %d ms (%d)", s->what, JOB_DONE_MS, ret);
		return false;
	}
	vac_fence_info(fence, &s->status, s->driver, sizeof(s->driver));
	return true;
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
	if (vac_bo_create(va.fd, size, VACCEL_BO_MAPPABLE, &a, NULL) || vac_bo_create(va.fd, size, VACCEL_BO_MAPPABLE | VACCEL_BO_WC, &b, NULL) ||
	    vac_bo_map(va.fd, a, size, (void **)&ma) || vac_bo_map(va.fd, b, size, (void **)&mb)) {
		hilt_fail(ctx, "could not make and map two vaccel buffers");
		goto out;
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
	if (!hilt_expect_ok(ctx, va.dev, "SUBMIT(FILL)", ret ? -1 : 0, -ret) || !wait_job(ctx, s.out_fence_fd, &seen))
		goto out;
	close(s.out_fence_fd);
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
		goto out;
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
	if (!hilt_expect_ok(ctx, va.dev, "SUBMIT(COPY) into a syncobj", ret ? -1 : 0, -ret))
		goto out;
	if (s.out_fence_fd != -1)
		hilt_fail(ctx, "SUBMIT without VACCEL_SUBMIT_OUT_SYNC_FILE returned out_fence_fd %d, not -1", s.out_fence_fd);
	sw.handles = (uint64_t)(uintptr_t)&sc.handle;
	sw.count_handles = 1;
	sw.timeout_nsec = vac_now_ms() * 1000000LL + JOB_DONE_MS * 1000000LL;
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
	ret = vac_copy(va.fd, a, 0, a, 4 * PAGE, PAGE, 0, &fence);
	if (hilt_expect_ok(ctx, va.dev, "SUBMIT(COPY) between two ranges of one buffer", ret ? -1 : 0, -ret) && wait_job(ctx, fence, &seen)) {
		seen.data_ok = vac_pattern_check(ma + 4 * PAGE, 0, PAGE, 21) < 0;
		job_obs(ctx, &va, &seen, 0);
		close(fence);
		if (!seen.data_ok)
			hilt_fail(ctx, "COPY within one buffer did not land");
	}

	/*
	 * A stalled job: pending while it stalls and BO_WAIT 0 is ETIMEDOUT, as
	 * long as the case looks within the stall (a host too slow to manage that
	 * is said, not failed); it ends no sooner than the stall, and BO_WAIT sees it.
	 */
	int64_t t_submit = vac_now_ms();

	ret = vac_fill(va.fd, b, 0, PAGE, 0x01010101, STALL_MS, 0, &fence);
	if (hilt_expect_ok(ctx, va.dev, "SUBMIT(FILL) stalled", ret ? -1 : 0, -ret)) {
		struct drm_vaccel_bo_wait w = { .handle = b };
		int pending = vac_fence_wait(fence, 0);
		int busy = hilt_ioctl(va.fd, DRM_IOCTL_VACCEL_BO_WAIT, &w), busy_errno = errno;
		int64_t looked = vac_now_ms() - t_submit, took;

		if (looked < STALL_MS) {
			hilt_expect_errno(ctx, va.dev, "DRM_IOCTL_VACCEL_BO_WAIT", "timeout 0 on a buffer a stalled job writes", busy, busy_errno, ETIMEDOUT);
			if (pending != 0)
				hilt_fail(ctx, "a job stalled for %u ms had signalled %lld ms after SUBMIT", STALL_MS, (long long)looked);
		} else {
			hilt_diag(ctx, "the stalled job was looked at only %lld ms after SUBMIT, past its %u ms stall: pending not checked", (long long)looked, STALL_MS);
		}
		w.timeout_ns = JOB_DONE_MS * 1000000LL;
		ret = hilt_ioctl(va.fd, DRM_IOCTL_VACCEL_BO_WAIT, &w);
		took = vac_now_ms() - t_submit;
		hilt_expect_ok(ctx, va.dev, "BO_WAIT for a stalled job", ret, errno);
		if (vac_fence_wait(fence, 0) != 1)
			hilt_fail(ctx, "BO_WAIT returned while the job's fence had not signalled");
		if (took < STALL_MS)
			hilt_fail(ctx, "a job stalled for %u ms was done %lld ms after SUBMIT", STALL_MS, (long long)took);
		close(fence);
	}

	vac_param(va.fd, VACCEL_PARAM_JOBS_DONE, &after);
	if (after < before + 4)
		hilt_fail(ctx, "VACCEL_PARAM_JOBS_DONE went from %llu to %llu over 4 jobs", (unsigned long long)before, (unsigned long long)after);
out:
	if (ma)
		munmap(ma, size);
	if (mb)
		munmap(mb, size);
	vac_close(&va);
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
		goto out;
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
out:
	vac_close(&va);
}

/* ---- the importer's view: vgem exports, vaccel's engine reads and writes through the sg_table ---- */

void vaccel_import(struct hilt_ctx *ctx)
{
	struct drm_vaccel_bo_info info;
	struct vac_vgem vg;
	uint32_t imp, imp2, own;
	uint8_t *mown = NULL;
	struct job_seen seen;
	struct hilt_json j;
	bool read_ok = false, fresh_ok = false, write_ok = false, unaligned_ok = false;
	size_t size;
	long bad;
	int fence = -1;
	struct va va;
	int ret;

	if (!vac_open(ctx, &va))
		return;
	if (!vac_vgem_open(ctx, 16 * PAGE, &vg)) {
		vac_close(&va);
		return;
	}
	size = vg.size;
	vac_pattern_fill(vg.map, 0, size, 31);

	/* PRIME_FD_TO_HANDLE: vaccel's gem_prime_import attaches dynamically. */
	ret = hilt_prime_import(va.fd, vg.dmabuf, &imp);
	if (!hilt_expect_ok(ctx, va.dev, "PRIME_FD_TO_HANDLE of a vgem dma-buf", ret ? -1 : 0, -ret))
		goto out;
	ret = hilt_prime_import(va.fd, vg.dmabuf, &imp2);
	if (!ret && imp2 != imp)
		hilt_fail(ctx, "importing one dma-buf twice gave handles %u and %u", imp, imp2);
	ret = vac_bo_info(va.fd, imp, &info);
	if (!hilt_expect_ok(ctx, va.dev, "BO_INFO of the import", ret ? -1 : 0, -ret))
		goto out;
	if (!(info.flags & VACCEL_BO_IMPORTED) || info.size != size || info.mmap_offset)
		hilt_fail(ctx, "BO_INFO of the import: flags 0x%x, size %llu, mmap_offset %llu; expected VACCEL_BO_IMPORTED, %zu, 0",
			  info.flags, (unsigned long long)info.size, (unsigned long long)info.mmap_offset, size);
	if (vac_bo_create(va.fd, size, VACCEL_BO_MAPPABLE, &own, NULL) || vac_bo_map(va.fd, own, size, (void **)&mown)) {
		hilt_fail(ctx, "could not make and map a vaccel buffer");
		goto out;
	}

	/* The exporter's pattern, read by the engine through the import's sg_table. */
	memset(&seen, 0, sizeof(seen));
	seen.what = "copy-from-import";
	seen.bytes = size;
	ret = vac_copy(va.fd, imp, 0, own, 0, size, 0, &fence);
	if (!hilt_expect_ok(ctx, va.dev, "SUBMIT(COPY) from the import", ret ? -1 : 0, -ret) || !wait_job(ctx, fence, &seen))
		goto out;
	close(fence);
	fence = -1;
	bad = vac_pattern_check(mown, 0, size, 31);
	read_ok = bad < 0;
	if (!read_ok)
		hilt_fail(ctx, "the job read byte %ld of the import as 0x%02x, the exporter wrote 0x%02x", bad, mown[bad], vac_pattern(bad, 31));

	/* The exporter changes two pages; the next job reads the new bytes, not a copy from before. */
	vac_pattern_fill(vg.map + 2 * PAGE + 100, 2 * PAGE + 100, 50, 32);
	vac_pattern_fill(vg.map + 9 * PAGE, 9 * PAGE, PAGE, 32);
	ret = vac_copy(va.fd, imp, 0, own, 0, size, 0, &fence);
	if (!hilt_expect_ok(ctx, va.dev, "SUBMIT(COPY) from the import again", ret ? -1 : 0, -ret) || !wait_job(ctx, fence, &seen))
		goto out;
	close(fence);
	fence = -1;
	fresh_ok = vac_pattern_check(mown + 2 * PAGE + 100, 2 * PAGE + 100, 50, 32) < 0 &&
		   vac_pattern_check(mown + 9 * PAGE, 9 * PAGE, PAGE, 32) < 0 &&
		   vac_pattern_check(mown, 0, 2 * PAGE + 100, 31) < 0 &&
		   vac_pattern_check(mown + 2 * PAGE + 150, 2 * PAGE + 150, 7 * PAGE - 150, 31) < 0;
	if (!fresh_ok)
		hilt_fail(ctx, "after the exporter rewrote pages 2 and 9, a job read stale or wrong bytes from the import");

	/* Unaligned: 9000 bytes from import offset 5 to own offset 4093. */
	memset(mown, 0, size);
	ret = vac_copy(va.fd, imp, 5, own, PAGE - 3, 9000, 0, &fence);
	if (hilt_expect_ok(ctx, va.dev, "SUBMIT(COPY) unaligned from the import", ret ? -1 : 0, -ret) && wait_job(ctx, fence, &seen)) {
		unaligned_ok = mown[PAGE - 4] == 0 && mown[PAGE - 3 + 9000] == 0 &&
			       vac_pattern_check(mown + PAGE - 3, 5, 2 * PAGE + 100 - 5, 31) < 0;
		if (!unaligned_ok)
			hilt_fail(ctx, "an unaligned COPY from the import did not land exactly");
	}
	if (fence >= 0)
		close(fence);
	fence = -1;

	/* The other direction: the engine writes the import, the exporter's mapping shows it. */
	ret = vac_fill(va.fd, imp, 3 * PAGE, 2 * PAGE, 0xa5c3e1f0, 0, 0, &fence);
	if (hilt_expect_ok(ctx, va.dev, "SUBMIT(FILL) into the import", ret ? -1 : 0, -ret) && wait_job(ctx, fence, &seen)) {
		write_ok = vg.map[3 * PAGE] == 0xf0 && vg.map[3 * PAGE + 3] == 0xa5 && vg.map[5 * PAGE - 1] == 0xa5 &&
			   vg.map[5 * PAGE] == vac_pattern(5 * PAGE, 31) && vg.map[3 * PAGE - 1] == vac_pattern(3 * PAGE - 1, 31);
		if (!write_ok)
			hilt_fail(ctx, "the exporter's mapping does not show what the job wrote through the import");
	}

	ret = vac_bo_info(va.fd, imp, &info);
	hj_begin(&j);
	hj_dev(&j, va.dev);
	hj_str(&j, "exporter", "vgem");
	hj_uint(&j, "bytes", size);
	hj_uint(&j, "info_flags", ret ? 0 : info.flags);
	hj_bool(&j, "exporter_dynamic", !ret && (info.flags & VACCEL_BO_EXPORTER_DYNAMIC));
	hj_uint(&j, "move_count", ret ? 0 : info.move_count);
	hj_bool(&j, "read_matches_exporter", read_ok);
	hj_bool(&j, "exporter_changes_seen", fresh_ok);
	hj_bool(&j, "unaligned_copy_ok", unaligned_ok);
	hj_bool(&j, "write_seen_by_exporter", write_ok);
	hilt_obs(ctx, "vaccel.import", &j);
	if (!ret && !(info.flags & VACCEL_BO_EXPORTER_DYNAMIC))
		hilt_diag(ctx, "vgem exports statically (no dma_buf_ops.pin): move_notify never reaches vaccel from it; dynamic exporters are amdgpu, xe and i915");
out:
	if (fence >= 0)
		close(fence);
	if (mown)
		munmap(mown, size);
	vac_vgem_close(&vg);
	vac_close(&va);
}

/*
 * Implicit sync through the shared reservation object: a job reading a
 * buffer that a vgem write fence guards waits for that fence; a job writing
 * it waits for a vgem read fence; NO_IMPLICIT waits for neither.
 */
void vaccel_implicit_sync(struct hilt_ctx *ctx)
{
	struct vac_vgem vg;
	uint32_t imp, own, vfence;
	uint8_t *mown = NULL;
	int64_t t_signal, t_done;
	struct hilt_json j;
	bool held_read = false, data_after_signal = false, held_write = false, ran_early = false;
	int64_t after_signal_ms = -1;
	int fence = -1, ret;
	struct va va;
	size_t size;

	if (!vac_open(ctx, &va))
		return;
	if (!vac_vgem_open(ctx, 4 * PAGE, &vg)) {
		vac_close(&va);
		return;
	}
	size = vg.size;
	vac_pattern_fill(vg.map, 0, size, 41);
	if (hilt_prime_import(va.fd, vg.dmabuf, &imp) || vac_bo_create(va.fd, size, VACCEL_BO_MAPPABLE, &own, NULL) ||
	    vac_bo_map(va.fd, own, size, (void **)&mown)) {
		hilt_fail(ctx, "could not import the vgem buffer and make a vaccel one");
		goto out;
	}

	/* A reader waits for the writer: vgem WRITE fence, then a COPY from the import. */
	ret = vac_vgem_fence(&vg, true, &vfence);
	if (!hilt_expect_ok(ctx, vg.dev, "VGEM_FENCE_ATTACH(WRITE)", ret ? -1 : 0, -ret))
		goto out;
	ret = vac_copy(va.fd, imp, 0, own, 0, size, 0, &fence);
	if (!hilt_expect_ok(ctx, va.dev, "SUBMIT(COPY) from a buffer with a pending write fence", ret ? -1 : 0, -ret))
		goto out;
	vac_sleep_ms(HELD_MS);
	held_read = vac_fence_wait(fence, 0) == 0;
	if (!held_read)
		hilt_fail(ctx, "the job reading a buffer under a pending vgem write fence finished before the fence signalled");
	/* The writer's data lands under its fence, before it signals: the job must read this. */
	vac_pattern_fill(vg.map, 0, size, 42);
	t_signal = vac_now_ms();
	ret = vac_vgem_signal(&vg, vfence);
	hilt_expect_ok(ctx, vg.dev, "VGEM_FENCE_SIGNAL", ret ? -1 : 0, -ret);
	if (vac_fence_wait(fence, JOB_DONE_MS) == 1) {
		t_done = vac_now_ms();
		after_signal_ms = t_done - t_signal;
		data_after_signal = vac_pattern_check(mown, 0, size, 42) < 0;
		if (!data_after_signal)
			hilt_fail(ctx, "the job that waited for the write fence did not read what the writer wrote under it");
	} else {
		hilt_fail(ctx, "the job did not finish within %d ms of the vgem fence signalling", JOB_DONE_MS);
	}
	close(fence);
	fence = -1;

	/* A writer waits for the readers: vgem read fence, then a FILL into the import. */
	ret = vac_vgem_fence(&vg, false, &vfence);
	if (hilt_expect_ok(ctx, vg.dev, "VGEM_FENCE_ATTACH(read)", ret ? -1 : 0, -ret) &&
	    !vac_fill(va.fd, imp, 0, PAGE, 0x77777777, 0, 0, &fence)) {
		vac_sleep_ms(HELD_MS);
		held_write = vac_fence_wait(fence, 0) == 0 && vg.map[0] == vac_pattern(0, 42);
		if (!held_write)
			hilt_fail(ctx, "the job writing a buffer under a pending vgem read fence ran before the fence signalled");
		vac_vgem_signal(&vg, vfence);
		if (vac_fence_wait(fence, JOB_DONE_MS) != 1 || vg.map[0] != 0x77)
			hilt_fail(ctx, "the FILL did not complete after the read fence signalled");
		close(fence);
		fence = -1;
	}

	/* The negative twin: NO_IMPLICIT runs past a pending write fence. */
	ret = vac_vgem_fence(&vg, true, &vfence);
	if (hilt_expect_ok(ctx, vg.dev, "VGEM_FENCE_ATTACH(WRITE)", ret ? -1 : 0, -ret) &&
	    !vac_copy(va.fd, imp, 0, own, 0, size, VACCEL_SUBMIT_NO_IMPLICIT, &fence)) {
		ran_early = vac_fence_wait(fence, JOB_DONE_MS) == 1;
		if (!ran_early)
			hilt_fail(ctx, "a NO_IMPLICIT job waited for a vgem write fence");
		vac_vgem_signal(&vg, vfence);
		close(fence);
		fence = -1;
	}

	hj_begin(&j);
	hj_dev(&j, va.dev);
	hj_str(&j, "exporter", "vgem");
	hj_uint(&j, "held_ms", HELD_MS);
	hj_bool(&j, "reader_waited_for_write_fence", held_read);
	hj_bool(&j, "read_data_from_under_fence", data_after_signal);
	hj_int(&j, "done_after_signal_ms", after_signal_ms);
	hj_bool(&j, "writer_waited_for_read_fence", held_write);
	hj_bool(&j, "no_implicit_ignored_fence", ran_early);
	hilt_obs(ctx, "vaccel.implicit-sync", &j);
out:
	if (fence >= 0)
		close(fence);
	if (mown)
		munmap(mown, size);
	vac_vgem_close(&vg);
	vac_close(&va);
}

/*
 * vaccel exports: its job's fence sits in the dma-buf's reservation, where
 * EXPORT_SYNC_FILE hands it out, poll(2) on the dma-buf waits for it, and
 * vgem refuses to attach a conflicting write fence until it signals.
 */
void vaccel_export_fence(struct hilt_ctx *ctx)
{
	struct dma_buf_export_sync_file ex = { 0 };
	struct drm_vgem_fence_attach att = { 0 };
	struct hilt_dev *vgem;
	struct vac_vgem blockvg;
	struct drm_vaccel_submit s;
	char driver[32] = "";
	uint32_t own, vh = 0, blocker, vfence;
	bool blocked = false;
	int dmabuf = -1, fence = -1, vfd = -1, status = 0, ret;
	bool exported_pending = false, poll_pending = false, vgem_busy = false, after_ok = false;
	struct hilt_json j;
	struct va va;

	if (!vac_open(ctx, &va))
		return;
	if (!vac_vgem_open(ctx, PAGE, &blockvg)) {
		vac_close(&va);
		return;
	}
	if (vac_bo_create(va.fd, 2 * PAGE, 0, &own, NULL) || hilt_prime_export(va.fd, own, DRM_CLOEXEC | DRM_RDWR, &dmabuf)) {
		hilt_fail(ctx, "could not make and export a vaccel buffer");
		goto out;
	}
	vgem = hilt_vgem();
	if (vgem) {
		vfd = open(vgem->path, O_RDWR | O_CLOEXEC);
		if (vfd < 0 || hilt_prime_import(vfd, dmabuf, &vh))
			hilt_fail(ctx, "vgem could not import vaccel's dma-buf");
	}
	/* The job waits for a vgem fence of another buffer (its in_syncobj) until the checks are done. */
	ret = vac_blocker(va.fd, &blockvg, &blocker, &vfence);
	if (!hilt_expect_ok(ctx, va.dev, "a syncobj holding a pending vgem fence", ret ? -1 : 0, -ret))
		goto out;
	blocked = true;
	memset(&s, 0, sizeof(s));
	s.op = VACCEL_OP_FILL;
	s.flags = VACCEL_SUBMIT_OUT_SYNC_FILE;
	s.dst_handle = own;
	s.size = 2 * PAGE;
	s.fill_value = 0xabababab;
	s.in_syncobj = blocker;
	ret = vac_submit(va.fd, &s);
	if (!hilt_expect_ok(ctx, va.dev, "SUBMIT(FILL) into an exported buffer, held by an in-fence", ret ? -1 : 0, -ret))
		goto out;
	fence = s.out_fence_fd;
	vac_sleep_ms(HELD_MS);
	if (vac_fence_wait(fence, 0) != 0) {
		hilt_fail(ctx, "the FILL held by a pending in-fence ran before the fence signalled");
		goto out;
	}

	ex.flags = DMA_BUF_SYNC_READ; /* what a reader waits for: the writers */
	ret = hilt_ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &ex);
	if (hilt_expect_ok(ctx, va.dev, "DMA_BUF_IOCTL_EXPORT_SYNC_FILE(READ) on vaccel's dma-buf", ret, errno)) {
		vac_fence_info(ex.fd, &status, driver, sizeof(driver));
		exported_pending = status == 0 && !strcmp(driver, VACCEL_DRIVER_NAME);
		if (!exported_pending)
			hilt_fail(ctx, "EXPORT_SYNC_FILE during the job gave a fence of '%s' with status %d; expected vaccel's, pending", driver, status);
	}
	poll_pending = vac_fence_wait(dmabuf, 0) == 0;
	if (!poll_pending)
		hilt_fail(ctx, "poll(POLLIN) on the dma-buf said readable while vaccel's job writes it");
	if (vfd >= 0 && vh) {
		att.handle = vh;
		att.flags = VGEM_FENCE_WRITE;
		ret = hilt_ioctl(vfd, DRM_IOCTL_VGEM_FENCE_ATTACH, &att);
		vgem_busy = ret < 0 && errno == EBUSY;
		hilt_expect_errno(ctx, vgem, "DRM_IOCTL_VGEM_FENCE_ATTACH", "WRITE on a buffer vaccel's pending job writes (vgem_fence_attach_ioctl())", ret, errno, EBUSY);
	}
	vac_vgem_signal(&blockvg, vfence);
	blocked = false;
	if (vac_fence_wait(fence, JOB_DONE_MS) != 1) {
		hilt_fail(ctx, "the held job did not finish once its in-fence signalled");
		goto obs;
	}
	after_ok = ex.fd > 0 && vac_fence_wait(ex.fd, JOB_DONE_MS) == 1 && vac_fence_wait(dmabuf, 0) == 1;
	if (!after_ok)
		hilt_fail(ctx, "after the job, the exported sync_file or the dma-buf did not signal");
obs:
	hj_begin(&j);
	hj_dev(&j, va.dev);
	hj_str(&j, "fence_driver", driver);
	hj_bool(&j, "export_sync_file_pending", exported_pending);
	hj_bool(&j, "dmabuf_poll_pending", poll_pending);
	if (vfd >= 0)
		hj_bool(&j, "vgem_write_fence_refused", vgem_busy);
	hj_bool(&j, "signalled_after_job", after_ok);
	hilt_obs(ctx, "vaccel.export-fence", &j);
out:
	if (blocked)
		vac_vgem_signal(&blockvg, vfence);
	if (ex.fd > 0)
		close(ex.fd);
	if (fence >= 0)
		close(fence);
	if (dmabuf >= 0)
		close(dmabuf);
	if (vfd >= 0)
		close(vfd);
	vac_vgem_close(&blockvg);
	vac_close(&va);
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
	struct vac_vgem vg;
	char driver[32] = "";
	uint32_t own, vfence;
	uint8_t *mown = NULL;
	bool waited = false, done = false;
	int64_t t_signal, after_ms = -1;
	struct hilt_json j;
	int status = 0, ret;
	struct va va;

	if (!vac_open(ctx, &va))
		return;
	if (!vac_vgem_open(ctx, PAGE, &vg)) {
		vac_close(&va);
		return;
	}
	s.out_fence_fd = -1;
	if (vac_bo_create(va.fd, PAGE, VACCEL_BO_MAPPABLE, &own, NULL) || vac_bo_map(va.fd, own, PAGE, (void **)&mown)) {
		hilt_fail(ctx, "could not make and map a vaccel buffer");
		goto out;
	}
	ret = vac_vgem_fence(&vg, true, &vfence);
	if (!hilt_expect_ok(ctx, vg.dev, "VGEM_FENCE_ATTACH(WRITE)", ret ? -1 : 0, -ret))
		goto out;
	ex.flags = DMA_BUF_SYNC_READ;
	ret = hilt_ioctl(vg.dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &ex);
	if (!hilt_expect_ok(ctx, vg.dev, "EXPORT_SYNC_FILE of the vgem fence", ret, errno))
		goto signal;
	vac_fence_info(ex.fd, &status, driver, sizeof(driver));
	if (hilt_ioctl(va.fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc)) {
		hilt_fail(ctx, "SYNCOBJ_CREATE on vaccel: %s", hilt_errname(errno));
		goto signal;
	}
	sh.handle = sc.handle;
	sh.fd = ex.fd;
	sh.flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE;
	ret = hilt_ioctl(va.fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &sh);
	if (!hilt_expect_ok(ctx, va.dev, "SYNCOBJ_FD_TO_HANDLE(IMPORT_SYNC_FILE) of the vgem fence", ret, errno))
		goto signal;

	memset(&s, 0, sizeof(s));
	s.op = VACCEL_OP_FILL;
	s.flags = VACCEL_SUBMIT_OUT_SYNC_FILE;
	s.dst_handle = own;
	s.size = PAGE;
	s.fill_value = 0x3c3c3c3c;
	s.in_syncobj = sc.handle;
	ret = vac_submit(va.fd, &s);
	if (!hilt_expect_ok(ctx, va.dev, "SUBMIT(FILL) with an in_syncobj holding a pending vgem fence", ret ? -1 : 0, -ret)) {
		s.out_fence_fd = -1;
		goto signal;
	}
	vac_sleep_ms(HELD_MS);
	waited = vac_fence_wait(s.out_fence_fd, 0) == 0 && mown[0] == 0;
	if (!waited)
		hilt_fail(ctx, "a job whose in_syncobj holds a pending vgem fence ran before the fence signalled");
signal:
	t_signal = vac_now_ms();
	vac_vgem_signal(&vg, vfence);
	if (s.out_fence_fd >= 0) {
		done = vac_fence_wait(s.out_fence_fd, JOB_DONE_MS) == 1 && mown[0] == 0x3c && mown[PAGE - 1] == 0x3c;
		after_ms = vac_now_ms() - t_signal;
		if (!done)
			hilt_fail(ctx, "the job did not complete its FILL after its in-fence signalled");
	}
	hj_begin(&j);
	hj_dev(&j, va.dev);
	hj_str(&j, "in_fence_driver", driver);
	hj_int(&j, "in_fence_status", status);
	hj_uint(&j, "held_ms", HELD_MS);
	hj_bool(&j, "waited_for_in_fence", waited);
	hj_bool(&j, "done_after_signal", done);
	hj_int(&j, "done_after_signal_ms", after_ms);
	hilt_obs(ctx, "vaccel.in-syncobj", &j);
out:
	if (s.out_fence_fd >= 0)
		close(s.out_fence_fd);
	if (ex.fd > 0)
		close(ex.fd);
	if (mown)
		munmap(mown, PAGE);
	vac_vgem_close(&vg);
	vac_close(&va);
}
