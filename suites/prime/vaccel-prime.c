// SPDX-License-Identifier: MIT
/*
 * PRIME with a device that really uses what it imports: vaccel, hilt's
 * virtual accelerator (suites/vaccel/), whose DMA engine reads and writes an
 * imported buffer through the sg_table of its dma-buf attachment, as an
 * accelerator's DMA does. A GPU importer here cannot show its view: DRM core
 * refuses MODE_MAP_DUMB on an imported object (import-map-dumb), so the
 * other cases read shared memory back only through the exporter.
 *
 *   vaccel-import   every DRM device that makes dumb buffers (vgem,
 *                   virtio-gpu) exports; vaccel imports (dma_buf_dynamic_attach())
 *                   and its jobs read and write the bytes through the sg_table
 *   vaccel-export   vaccel exports; every /dev/dri node imports; the importer
 *                   hands back the same dma-buf, CPU writes through the dma-buf
 *                   reach vaccel's engine and its writes the CPU, and a vgem
 *                   fence on the import holds vaccel's job on its own buffer
 *
 * Both skip, saying why, when vaccel is not loaded (not built for this
 * kernel: the image says why in /hilt/unavailable/vaccel).
 */
#define _GNU_SOURCE
#include "vaccel-prime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>

#include "dmabuf.h"
#include "drm-util.h"
#include "fence-util.h"
#include "../vaccel/user/vaccel-user.h"

#define PAGE 4096u

#define EXPECT_OK(ctx, dev, what, ret) hilt_expect_ok(ctx, dev, what, VAC_RET(ret), VAC_ERR(ret))

/* Waits for a job's fence; fails the case naming what when it does not signal, or signals an error. */
static bool job_done(struct hilt_ctx *ctx, int fence, const char *what)
{
	char driver[32];
	int status = 0, ret = vac_fence_wait(fence, VAC_JOB_DONE_MS);

	if (ret != 1) {
		hilt_fail(ctx, "%s: the job's fence did not signal within %d ms (%d)", what, VAC_JOB_DONE_MS, ret);
		return false;
	}
	if (!vac_fence_info(fence, &status, driver, sizeof(driver)) && status != 1) {
		hilt_fail(ctx, "%s: the job's fence signalled with status %d (%s)", what, status, status < 0 ? hilt_errname(-status) : "?");
		return false;
	}
	return true;
}

/* ---- vaccel-import: another device exports, vaccel's engine uses the import ---- */

static void import_from(struct hilt_ctx *ctx, const struct va *va, struct hilt_dev *exp)
{
	struct drm_vaccel_bo_info info;
	struct vac_dumb eb;
	uint32_t imp, imp2, own;
	uint8_t *mown = NULL;
	struct hilt_json j;
	bool read_ok = false, fresh_ok = false, write_ok = false, unaligned_ok = false;
	size_t size;
	long bad;
	int fence, ret;

	if (!vac_dumb_open(ctx, exp, 16 * PAGE, &eb))
		return;
	size = eb.size;
	vac_pattern_fill(eb.map, 0, size, 31);

	/* PRIME_FD_TO_HANDLE: vaccel's gem_prime_import attaches dynamically; one handle per dma-buf. */
	ret = hilt_prime_import(va->fd, eb.dmabuf, &imp);
	if (!EXPECT_OK(ctx, va->dev, "PRIME_FD_TO_HANDLE into vaccel", ret))
		return;
	ret = hilt_prime_import(va->fd, eb.dmabuf, &imp2);
	if (!ret && imp2 != imp)
		hilt_fail(ctx, "importing one dma-buf twice gave handles %u and %u", imp, imp2);
	ret = vac_bo_info(va->fd, imp, &info);
	if (!EXPECT_OK(ctx, va->dev, "BO_INFO of the import", ret))
		return;
	if (!(info.flags & VACCEL_BO_IMPORTED) || info.size != size || info.mmap_offset)
		hilt_fail(ctx, "BO_INFO of the import: flags 0x%x, size %llu, mmap_offset %llu; expected VACCEL_BO_IMPORTED, %zu, 0",
			  info.flags, (unsigned long long)info.size, (unsigned long long)info.mmap_offset, size);
	if (vac_bo_mapped(ctx, va->fd, size, &own, &mown)) {
		hilt_fail(ctx, "could not make and map a vaccel buffer");
		return;
	}

	/* The exporter's pattern, read by the engine through the import's sg_table. */
	ret = vac_copy(ctx, va->fd, imp, 0, own, 0, size, 0, &fence);
	if (!EXPECT_OK(ctx, va->dev, "SUBMIT(COPY) from the import", ret) || !job_done(ctx, fence, "COPY from the import"))
		return;
	bad = vac_pattern_check(mown, 0, size, 31);
	read_ok = bad < 0;
	if (!read_ok)
		hilt_fail(ctx, "the job read byte %ld of the import as 0x%02x; %s wrote 0x%02x", bad, mown[bad], exp->driver, vac_pattern(bad, 31));

	/* The exporter changes two places; the next job reads the new bytes, not a copy from before. */
	vac_pattern_fill(eb.map + 2 * PAGE + 100, 2 * PAGE + 100, 50, 32);
	vac_pattern_fill(eb.map + 9 * PAGE, 9 * PAGE, PAGE, 32);
	ret = vac_copy(ctx, va->fd, imp, 0, own, 0, size, 0, &fence);
	if (!EXPECT_OK(ctx, va->dev, "SUBMIT(COPY) from the import again", ret) || !job_done(ctx, fence, "second COPY from the import"))
		return;
	fresh_ok = vac_pattern_check(mown + 2 * PAGE + 100, 2 * PAGE + 100, 50, 32) < 0 &&
		   vac_pattern_check(mown + 9 * PAGE, 9 * PAGE, PAGE, 32) < 0 &&
		   vac_pattern_check(mown, 0, 2 * PAGE + 100, 31) < 0 &&
		   vac_pattern_check(mown + 2 * PAGE + 150, 2 * PAGE + 150, 7 * PAGE - 150, 31) < 0;
	if (!fresh_ok)
		hilt_fail(ctx, "after %s rewrote parts of pages 2 and 9, a job read stale or wrong bytes from the import", exp->driver);

	/* Unaligned: 9000 bytes from import offset 5 to own offset 4093. */
	memset(mown, 0, size);
	ret = vac_copy(ctx, va->fd, imp, 5, own, PAGE - 3, 9000, 0, &fence);
	if (EXPECT_OK(ctx, va->dev, "SUBMIT(COPY) unaligned from the import", ret) && job_done(ctx, fence, "unaligned COPY")) {
		unaligned_ok = mown[PAGE - 4] == 0 && mown[PAGE - 3 + 9000] == 0 &&
			       vac_pattern_check(mown + PAGE - 3, 5, 2 * PAGE + 100 - 5, 31) < 0;
		if (!unaligned_ok)
			hilt_fail(ctx, "an unaligned COPY from the import did not land exactly");
	}

	/* The other direction: the engine writes the import, the exporter's own mapping shows it. */
	ret = vac_fill(ctx, va->fd, imp, 3 * PAGE, 2 * PAGE, 0xa5c3e1f0, 0, &fence);
	if (EXPECT_OK(ctx, va->dev, "SUBMIT(FILL) into the import", ret) && job_done(ctx, fence, "FILL into the import")) {
		write_ok = eb.map[3 * PAGE] == 0xf0 && eb.map[3 * PAGE + 3] == 0xa5 && eb.map[5 * PAGE - 1] == 0xa5 &&
			   eb.map[5 * PAGE] == vac_pattern(5 * PAGE, 31) && eb.map[3 * PAGE - 1] == vac_pattern(3 * PAGE - 1, 31);
		if (!write_ok)
			hilt_fail(ctx, "%s's own mapping does not show what the job wrote through the import", exp->driver);
	}

	ret = vac_bo_info(va->fd, imp, &info);
	hj_begin(&j);
	hj_dev(&j, va->dev);
	hj_str(&j, "exporter", exp->driver);
	hj_str(&j, "exporter_device", exp->node);
	hj_uint(&j, "bytes", size);
	hj_uint(&j, "info_flags", ret ? 0 : info.flags);
	hj_bool(&j, "exporter_dynamic", !ret && (info.flags & VACCEL_BO_EXPORTER_DYNAMIC));
	hj_uint(&j, "move_count", ret ? 0 : info.move_count);
	hj_bool(&j, "read_matches_exporter", read_ok);
	hj_bool(&j, "exporter_changes_seen", fresh_ok);
	hj_bool(&j, "unaligned_copy_ok", unaligned_ok);
	hj_bool(&j, "write_seen_by_exporter", write_ok);
	hilt_obs(ctx, "vaccel.import", &j);
}

void t_vaccel_import(struct hilt_ctx *ctx)
{
	struct hilt_dev *all;
	size_t n = hilt_devices(&all);
	int exporters = 0;
	struct va va;

	if (!vac_open(ctx, &va))
		return;
	for (size_t i = 0; i < n; i++) {
		struct hilt_dev *exp = &all[i];

		if (exp->kind != HILT_NODE_PRIMARY || !hilt_dumb_capable(exp))
			continue;
		hilt_sub_begin(ctx);
		import_from(ctx, &va, exp);
		hilt_sub_end(ctx, "%s-%s-to-vaccel", exp->driver, exp->node);
		exporters++;
	}
	if (!exporters)
		hilt_skip(ctx, "no DRM device here makes dumb buffers: nothing generic to export to vaccel");
}

/* ---- vaccel-export: vaccel exports, each /dev/dri node imports ---- */

static ino_t fd_ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

/*
 * The importer's fence holds the exporter's engine: vgem attaches a write
 * fence to its import (the dma-buf's reservation object is vaccel's
 * buffer's), and vaccel's job reading its own buffer waits for it. The
 * job copies own to other; what it copied is the caller's to judge.
 */
static bool vgem_fence_holds_job(struct hilt_ctx *ctx, const struct va *va, const struct hilt_dev *imp, int ifd,
				 uint32_t ih, uint32_t own, uint32_t other, const uint8_t *mother, size_t size)
{
	struct drm_vgem_fence_attach att = { .handle = ih, .flags = VGEM_FENCE_WRITE };
	struct drm_vgem_fence_signal sig = { 0 };
	bool held;
	int fence, ret;

	ret = hilt_ioctl(ifd, DRM_IOCTL_VGEM_FENCE_ATTACH, &att);
	if (!hilt_expect_ok(ctx, imp, "VGEM_FENCE_ATTACH(WRITE) on vgem's import of vaccel's buffer", ret, errno))
		return false;
	ret = vac_copy(ctx, va->fd, own, 0, other, 0, size, 0, &fence);
	if (!EXPECT_OK(ctx, va->dev, "SUBMIT(COPY) from vaccel's exported buffer under vgem's write fence", ret)) {
		sig.fence = att.out_fence;
		hilt_ioctl(ifd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &sig);
		return false;
	}
	fu_sleep_ms(VAC_HELD_MS);
	held = vac_fence_wait(fence, 0) == 0 && mother[0] == 0;
	if (!held)
		hilt_fail(ctx, "vaccel's job on its own buffer ran while vgem's write fence on the import was pending");
	sig.fence = att.out_fence;
	ret = hilt_ioctl(ifd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &sig);
	hilt_expect_ok(ctx, imp, "VGEM_FENCE_SIGNAL", ret, errno);
	return job_done(ctx, fence, "the COPY held by vgem's fence") && held;
}

static void export_to(struct hilt_ctx *ctx, const struct va *va, struct hilt_dev *imp)
{
	const size_t size = 4 * PAGE;
	uint32_t own, other, ih = 0;
	uint8_t *mown, *mother, *dmap;
	int dmabuf, back = -1, ifd, fence, imported, ret;
	bool same = false, engine_to_cpu = false, cpu_to_engine = false, fence_held = false;
	struct hilt_json j;

	if (vac_bo_mapped(ctx, va->fd, size, &own, &mown) || vac_bo_mapped(ctx, va->fd, size, &other, &mother)) {
		hilt_fail(ctx, "could not make and map two vaccel buffers");
		return;
	}
	ret = vac_fill(ctx, va->fd, own, 0, size, 0x5aa55aa5, 0, &fence);
	if (!EXPECT_OK(ctx, va->dev, "SUBMIT(FILL)", ret) || !job_done(ctx, fence, "FILL of the buffer to export"))
		return;
	ret = hilt_prime_export(va->fd, own, DRM_CLOEXEC | DRM_RDWR, &dmabuf);
	if (!EXPECT_OK(ctx, va->dev, "PRIME_HANDLE_TO_FD of a vaccel buffer", ret))
		return;
	hilt_defer_close(ctx, dmabuf);
	ifd = fu_open(ctx, imp);
	if (ifd < 0) {
		hilt_fail(ctx, "open %s: %s", imp->path, hilt_errname(-ifd));
		return;
	}
	imported = hilt_prime_import(ifd, dmabuf, &ih);
	if (!imported)
		hilt_defer_gem_close(ctx, ifd, ih);

	if (imported && cross_refusal_ok(-imported)) {
		hilt_skip(ctx, "%s (%s) refuses vaccel's dma-buf with %s: a driver limitation (as in cross-device), so it has no view to check",
			  imp->node, imp->driver, hilt_errname(-imported));
	} else if (imported) {
		hilt_fail(ctx, "PRIME_FD_TO_HANDLE on %s (%s) of vaccel's dma-buf failed with %s, which no conforming kernel returns for a valid foreign dma-buf",
			  imp->node, imp->driver, hilt_errname(-imported));
	} else {
		/* The importer holds vaccel's buffer: its handle exports back as the same dma-buf. */
		ret = hilt_prime_export(ifd, ih, DRM_CLOEXEC | DRM_RDWR, &back);
		if (EXPECT_OK(ctx, imp, "PRIME_HANDLE_TO_FD of the imported handle", ret)) {
			hilt_defer_close(ctx, back);
			same = fd_ino(back) == fd_ino(dmabuf);
			if (!same)
				hilt_fail(ctx, "%s's import of vaccel's buffer exports back as another dma-buf", imp->node);
		}
		/* What vaccel's engine wrote, the CPU reads through the dma-buf; what the CPU writes there, the engine reads. */
		dmap = dmabuf_mmap(dmabuf, size);
		if (!dmap) {
			hilt_fail(ctx, "mmap of vaccel's dma-buf: %s", hilt_errname(errno));
		} else {
			hilt_defer_munmap(ctx, dmap, size);
			dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
			engine_to_cpu = dmap[0] == 0xa5 && dmap[1] == 0x5a && dmap[size - 1] == 0x5a;
			vac_pattern_fill(dmap, 0, size, 52);
			dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
			if (!engine_to_cpu)
				hilt_fail(ctx, "the dma-buf's mapping does not show what vaccel's FILL wrote");
			if (!strcmp(imp->driver, "vgem")) {
				fence_held = vgem_fence_holds_job(ctx, va, imp, ifd, ih, own, other, mother, size);
				cpu_to_engine = vac_pattern_check(mother, 0, size, 52) < 0;
			} else {
				ret = vac_copy(ctx, va->fd, own, 0, other, 0, size, 0, &fence);
				if (EXPECT_OK(ctx, va->dev, "SUBMIT(COPY)", ret) && job_done(ctx, fence, "COPY of the exported buffer"))
					cpu_to_engine = vac_pattern_check(mother, 0, size, 52) < 0;
			}
			if (!cpu_to_engine)
				hilt_fail(ctx, "vaccel's engine did not read what was written through the dma-buf's mapping");
		}
	}

	hj_begin(&j);
	hj_dev(&j, va->dev);
	hj_str(&j, "importer", imp->driver);
	hj_str(&j, "importer_device", imp->node);
	hj_uint(&j, "bytes", size);
	hj_int(&j, "errno", -imported);
	hj_str(&j, "errname", hilt_errname(-imported));
	if (!imported) {
		hj_bool(&j, "reexport_same_dmabuf", same);
		hj_bool(&j, "engine_writes_seen_by_cpu", engine_to_cpu);
		hj_bool(&j, "cpu_writes_seen_by_engine", cpu_to_engine);
		if (!strcmp(imp->driver, "vgem"))
			hj_bool(&j, "importer_fence_held_job", fence_held);
	}
	hilt_obs(ctx, "vaccel.export", &j);
}

void t_vaccel_export(struct hilt_ctx *ctx)
{
	struct hilt_dev *all;
	size_t n = hilt_devices(&all);
	int importers = 0;
	struct va va;

	if (!vac_open(ctx, &va))
		return;
	for (size_t i = 0; i < n; i++) {
		struct hilt_dev *imp = &all[i];

		if (imp->kind == HILT_NODE_ACCEL || imp->fd < 0)
			continue;
		hilt_sub_begin(ctx);
		export_to(ctx, &va, imp);
		hilt_sub_end(ctx, "vaccel-to-%s-%s", imp->driver, imp->node);
		importers++;
	}
	if (!importers)
		hilt_skip(ctx, "no /dev/dri node here to import vaccel's buffers");
}
