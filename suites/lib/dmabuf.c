// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "dmabuf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <drm.h>
#include <drm_mode.h>

#include "drm-util.h"
#include "vgem_drm.h"

struct hilt_dev *dmabuf_vgem_primary(void)
{
	struct hilt_dev *d = hilt_find_device("vgem", 1u << HILT_NODE_PRIMARY);

	return d ? d : hilt_vgem();
}

long dmabuf_count_live(const char **source)
{
	char line[256];
	long n = -1;
	DIR *d = opendir("/sys/kernel/dmabuf/buffers");
	FILE *f;

	if (d) {
		struct dirent *e;

		n = 0;
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				n++;
		closedir(d);
		if (source)
			*source = "/sys/kernel/dmabuf/buffers";
		return n;
	}
	f = fopen("/sys/kernel/debug/dma_buf/bufinfo", "re");
	if (!f)
		return -1;
	/* Each buffer has its own "Total N devices attached" line: only the "objects," one counts. */
	while (fgets(line, sizeof(line), f)) {
		long v;
		int end = 0;

		if (sscanf(line, "Total %ld objects,%n", &v, &end) == 1 && end > 0) {
			n = v;
			break;
		}
	}
	fclose(f);
	if (source)
		*source = "/sys/kernel/debug/dma_buf/bufinfo";
	return n;
}

size_t dmabuf_page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (size_t)p : 4096;
}

size_t dmabuf_page_align(size_t n)
{
	size_t p = dmabuf_page_size();

	return (n + p - 1) / p * p;
}

void dmabuf_info(int fd, struct dmabuf_info *out)
{
	char path[64], line[256];
	struct stat st;
	FILE *f;
	off_t end;
	int fl;

	memset(out, 0, sizeof(*out));
	out->fdinfo_size = -1;
	end = lseek(fd, 0, SEEK_END);
	out->size = end < 0 ? -errno : (long long)end;
	if (end >= 0)
		lseek(fd, 0, SEEK_SET);
	out->stat_size = fstat(fd, &st) ? -errno : (long long)st.st_size;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char *v;

			line[strcspn(line, "\n")] = '\0';
			if (!strncmp(line, "size:", 5)) {
				out->fdinfo_size = strtoll(line + 5, NULL, 10);
			} else if (!strncmp(line, "exp_name:", 9)) {
				for (v = line + 9; *v == ' ' || *v == '\t'; v++)
					;
				snprintf(out->exp_name, sizeof(out->exp_name), "%s", v);
			}
		}
		fclose(f);
	}

	fl = fcntl(fd, F_GETFL);
	out->accmode = fl < 0 ? -1 : (fl & O_ACCMODE);
	fl = fcntl(fd, F_GETFD);
	out->cloexec = fl >= 0 && (fl & FD_CLOEXEC);
}

static const char *accmode_name(int m)
{
	switch (m) {
	case O_RDONLY: return "O_RDONLY";
	case O_WRONLY: return "O_WRONLY";
	case O_RDWR: return "O_RDWR";
	default: return "?";
	}
}

void dmabuf_info_json(struct hilt_ctx *ctx, struct hilt_json *j, const struct dmabuf_info *in,
		      const char *what)
{
	if (in->size < 0)
		hilt_fail(ctx, "lseek(SEEK_END) on the dma-buf of %s failed with %s; expected its size",
			  what, hilt_errname((int)-in->size));
	if (in->stat_size < 0)
		hilt_fail(ctx, "fstat on the dma-buf of %s failed with %s", what,
			  hilt_errname((int)-in->stat_size));
	if (in->accmode < 0)
		hilt_fail(ctx, "fcntl(F_GETFL) on the dma-buf of %s failed", what);
	hj_int(j, "size", in->size);
	hj_int(j, "stat_size", in->stat_size);
	if (in->fdinfo_size >= 0)
		hj_int(j, "fdinfo_size", in->fdinfo_size);
	else
		hj_null(j, "fdinfo_size");
	if (in->exp_name[0])
		hj_str(j, "exp_name", in->exp_name);
	else
		hj_null(j, "exp_name");
	hj_str(j, "accmode", accmode_name(in->accmode));
	hj_bool(j, "cloexec", in->cloexec);
}

int dmabuf_sync(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return hilt_ioctl(fd, DMA_BUF_IOCTL_SYNC, &s) ? -errno : 0;
}

void *dmabuf_mmap(int fd, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

uint32_t dmabuf_word(size_t offset, uint32_t seed)
{
	uint32_t x = (uint32_t)(offset / 4) * 2654435761u ^ seed;

	return x ^ (x >> 15);
}

void dmabuf_fill(void *p, size_t size, uint32_t seed)
{
	uint32_t *w = p;

	for (size_t i = 0; i < size / 4; i++)
		w[i] = dmabuf_word(i * 4, seed);
}

long dmabuf_check(const void *p, size_t size, uint32_t seed)
{
	const uint32_t *w = p;

	for (size_t i = 0; i < size / 4; i++)
		if (w[i] != dmabuf_word(i * 4, seed))
			return (long)(i * 4);
	return -1;
}

/* Reads the pattern through a mapping of fd inside SYNC_START/END(READ). */
static bool check_through(struct hilt_ctx *ctx, int fd, size_t size, uint32_t seed,
			  const char *via, const char *what)
{
	void *p = dmabuf_mmap(fd, size);
	long bad;
	int err;

	if (!p) {
		hilt_fail(ctx, "mmap of %s (%s) failed with %s", via, what, hilt_errname(errno));
		return false;
	}
	if ((err = dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ)))
		hilt_fail(ctx, "DMA_BUF_IOCTL_SYNC(START|READ) on %s failed with %s", via,
			  hilt_errname(-err));
	bad = dmabuf_check(p, size, seed);
	if (!err && (err = dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ)))
		hilt_fail(ctx, "DMA_BUF_IOCTL_SYNC(END|READ) on %s failed with %s", via,
			  hilt_errname(-err));
	if (bad >= 0)
		hilt_fail(ctx, "%s: the data written through the dma-buf's mmap is not seen through %s "
			  "(first difference at byte %ld of %zu)", what, via, bad, size);
	munmap(p, size);
	return bad < 0 && !err;
}

static bool fill_through(struct hilt_ctx *ctx, int fd, size_t size, uint32_t seed,
			 const char *what)
{
	void *p = dmabuf_mmap(fd, size);
	int err;

	if (!p) {
		hilt_fail(ctx, "mmap of the dma-buf of %s failed with %s", what, hilt_errname(errno));
		return false;
	}
	if ((err = dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE)))
		hilt_fail(ctx, "DMA_BUF_IOCTL_SYNC(START|WRITE) on the dma-buf of %s failed with %s",
			  what, hilt_errname(-err));
	dmabuf_fill(p, size, seed);
	if (!err && (err = dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE)))
		hilt_fail(ctx, "DMA_BUF_IOCTL_SYNC(END|WRITE) on the dma-buf of %s failed with %s",
			  what, hilt_errname(-err));
	munmap(p, size);
	return !err;
}

static bool same_file(int a, int b)
{
	struct stat sa, sb;

	return !fstat(a, &sa) && !fstat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

bool dmabuf_vgem_import(struct hilt_ctx *ctx, const struct hilt_dev *vgem, int fd, size_t size,
			const char *what, struct dmabuf_import *out)
{
	const uint32_t seed = 0x5eed1e55;
	struct drm_mode_map_dumb map;
	uint32_t handle = 0, handle2 = 0;
	char misuse[256];
	int ret, refd = -1;

	memset(out, 0, sizeof(*out));
	if (!fill_through(ctx, fd, size, seed, what))
		return false;

	ret = hilt_prime_import(vgem->fd, fd, &handle);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_PRIME_FD_TO_HANDLE on %s with the dma-buf of %s failed with %s; "
			  "expected a GEM handle", vgem->node, what, hilt_errname(-ret));
		return false;
	}
	hilt_defer_gem_close(ctx, vgem->fd, handle);
	out->imported = true;

	ret = hilt_prime_import(vgem->fd, fd, &handle2);
	if (ret)
		hilt_fail(ctx, "a second DRM_IOCTL_PRIME_FD_TO_HANDLE on %s with the same dma-buf failed "
			  "with %s", vgem->node, hilt_errname(-ret));
	else
		out->reimport_same_handle = handle2 == handle;
	if (!ret && handle2 != handle)
		hilt_defer_gem_close(ctx, vgem->fd, handle2);

	/* drm_gem_dumb_map_offset(): an imported object is never mapped through the importer. */
	map = (struct drm_mode_map_dumb){ .handle = handle };
	ret = hilt_ioctl(vgem->fd, DRM_IOCTL_MODE_MAP_DUMB, &map);
	out->map_dumb_errno = ret ? errno : 0;
	snprintf(misuse, sizeof(misuse), "the handle of an imported dma-buf (%s)", what);
	hilt_expect_errno(ctx, vgem, "DRM_IOCTL_MODE_MAP_DUMB", misuse, ret, errno, EINVAL);

	/* Back out through vgem: the same dma-buf, with the exporter's data. */
	ret = hilt_prime_export(vgem->fd, handle, DRM_CLOEXEC | DRM_RDWR, &refd);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_PRIME_HANDLE_TO_FD on %s for the imported handle failed with %s",
			  vgem->node, hilt_errname(-ret));
	} else {
		hilt_defer_close(ctx, refd);
		out->reexport_same_buffer = same_file(fd, refd);
		if (!out->reexport_same_buffer)
			hilt_fail(ctx, "DRM_IOCTL_PRIME_HANDLE_TO_FD on %s for the handle imported from %s "
				  "returned a different dma-buf (inode); expected the imported one",
				  vgem->node, what);
		out->exporter_data = check_through(ctx, refd, size, seed,
						   "the dma-buf vgem exported back (the exporter's data after the round trip)",
						   what);
	}
	return !hilt_failed(ctx);
}

void dmabuf_import_json(struct hilt_json *j, const struct dmabuf_import *r)
{
	hj_bool(j, "reimport_same_handle", r->reimport_same_handle);
	hj_int(j, "map_dumb_errno", r->map_dumb_errno);
	hj_str(j, "map_dumb_errname", hilt_errname(r->map_dumb_errno));
	hj_bool(j, "reexport_same_buffer", r->reexport_same_buffer);
	hj_bool(j, "exporter_data_after_round_trip", r->exporter_data);
}

static int poll_in(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int ret;

	do {
		ret = poll(&p, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : (p.revents & POLLIN) ? 1 : 0;
}

bool dmabuf_vgem_fence(struct hilt_ctx *ctx, const struct hilt_dev *vgem, int fd,
		       const char *what, struct dmabuf_fence *out)
{
	struct drm_vgem_fence_attach attach = { .flags = VGEM_FENCE_WRITE };
	struct drm_vgem_fence_signal signal = { 0 };
	uint32_t handle;
	int ret, vfd;

	memset(out, 0, sizeof(*out));
	/* A private open of vgem: closing it (after the case) signals a fence a failure left pending. */
	vfd = hilt_defer_close(ctx, open(vgem->path, O_RDWR | O_CLOEXEC));
	if (vfd < 0) {
		hilt_fail(ctx, "open %s: %s", vgem->path, hilt_errname(errno));
		return false;
	}
	ret = hilt_prime_import(vfd, fd, &handle);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_PRIME_FD_TO_HANDLE on %s with the dma-buf of %s failed with %s",
			  vgem->node, what, hilt_errname(-ret));
		return false;
	}
	if ((ret = poll_in(fd, 0)) != 1) {
		hilt_fail(ctx, "the dma-buf of %s is not idle for poll(POLLIN) before any fence (poll "
			  "returned %d)", what, ret);
		return false;
	}
	attach.handle = handle;
	if (hilt_ioctl(vfd, DRM_IOCTL_VGEM_FENCE_ATTACH, &attach)) {
		hilt_fail(ctx, "DRM_IOCTL_VGEM_FENCE_ATTACH(WRITE) on %s for the imported handle failed "
			  "with %s", vgem->node, hilt_errname(errno));
		return false;
	}
	out->attached = true;
	ret = poll_in(fd, 0);
	out->busy_before_signal = ret == 0;
	if (ret != 0)
		hilt_fail(ctx, "after VGEM_FENCE_ATTACH(WRITE) on the handle %s imported from %s, "
			  "poll(POLLIN) on the dma-buf returned %d; expected 0 (busy): vgem's object does "
			  "not share the dma-buf's reservation object", vgem->node, what, ret);
	signal.fence = attach.out_fence;
	if (hilt_ioctl(vfd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &signal)) {
		hilt_fail(ctx, "DRM_IOCTL_VGEM_FENCE_SIGNAL on %s failed with %s", vgem->node,
			  hilt_errname(errno));
		return false;
	}
	ret = poll_in(fd, 1000);
	out->ready_after_signal = ret == 1;
	if (ret != 1)
		hilt_fail(ctx, "after VGEM_FENCE_SIGNAL on %s, poll(POLLIN) on the dma-buf of %s "
			  "returned %d within 1 s; expected it ready", vgem->node, what, ret);
	return out->busy_before_signal && out->ready_after_signal;
}

void dmabuf_fence_json(struct hilt_json *j, const struct dmabuf_fence *r)
{
	hj_bool(j, "busy_before_signal", r->busy_before_signal);
	hj_bool(j, "ready_after_signal", r->ready_after_signal);
}
