// SPDX-License-Identifier: MIT
/*
 * dma-buf: the dma-buf file itself (drivers/dma-buf/dma-buf.c) on buffers
 * every DRM device with dumb buffers exports: DMA_BUF_IOCTL_SYNC,
 * DMA_BUF_SET_NAME and /proc/self/fdinfo, llseek, mmap, and the implicit
 * fences of the buffer's reservation object through
 * DMA_BUF_IOCTL_EXPORT_SYNC_FILE / IMPORT_SYNC_FILE and poll(2).
 *
 * vgem fences (DRM_IOCTL_VGEM_FENCE_ATTACH / _SIGNAL) are the fences the
 * suite controls: Debian's kernel has no CONFIG_SW_SYNC. A vgem fence is
 * put on a buffer vgem exported, or on another exporter's buffer by importing
 * it into vgem, or by importing a sync_file that carries a vgem fence.
 * Every fence a case attaches is signalled before the case ends: an
 * unsignalled one would stall DMA_BUF_IOCTL_SYNC in later cases until vgem's
 * 10 s fence timeout.
 *
 * Implicit sync: DMA_BUF_IOCTL_SYNC(START) waits for the fences of the
 * buffer's reservation object (dma_buf_begin_cpu_access(): the writers for
 * READ, every fence for WRITE), interruptibly. A case proves such a wait
 * blocked by having a helper thread signal the fence only once it sees this
 * thread asleep in the ioctl (fu_blocker, fence-util.h).
 *
 * DRM_CAP_PRIME is not asked: DRM core answers IMPORT|EXPORT (3) for every
 * driver (drm_getcap()), so it could never tell a node that cannot export.
 * A node that cannot create dumb buffers has no generic buffer to export.
 */
#define _GNU_SOURCE
#include "hilt.h"
#include "drm-util.h"
#include "vgem_drm.h"
#include "dma-buf-uapi.h"

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
#include <linux/sync_file.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "fence-util.h"
#include "kernel.h"

/* 64 x 64 x 32 bpp: 16 KiB. */
#define BUF_W 64
#define BUF_H 64

/* ---- buffers ---- */

/* A dumb buffer on dev and its dma-buf fd. */
struct dbuf {
	struct hilt_dev *dev;
	struct hilt_bo bo;
	int fd;
};

/* Skips unless dev makes dumb buffers (the export itself is judged by dbuf_new). */
static bool exporter_ok(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	if (!hilt_dumb_capable(dev)) {
		hilt_skip(ctx, "%s (%s) cannot create dumb buffers: no generic way to get a dma-buf from it",
			  dev->node, dev->driver);
		return false;
	}
	return true;
}

/* A dumb buffer on dev, exported with flags; both registered for cleanup. Fails the case if it cannot. */
static bool dbuf_new(struct hilt_ctx *ctx, struct hilt_dev *dev, uint32_t flags, struct dbuf *b)
{
	int ret;

	b->dev = dev;
	b->fd = -1;
	ret = hilt_dumb_create(dev->fd, BUF_W, BUF_H, 32, &b->bo);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_MODE_CREATE_DUMB %dx%d on %s failed with %s", BUF_W, BUF_H,
			  dev->node, hilt_errname(-ret));
		b->dev = NULL;
		return false;
	}
	hilt_defer_dumb_destroy(ctx, dev->fd, b->bo.handle);
	ret = hilt_prime_export(dev->fd, b->bo.handle, flags, &b->fd);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_PRIME_HANDLE_TO_FD on %s failed with %s", dev->node,
			  hilt_errname(-ret));
		b->fd = -1;
		return false;
	}
	hilt_defer_close(ctx, b->fd);
	return true;
}

/* ---- small helpers ---- */

static void fill(void *p, size_t n, uint32_t seed)
{
	uint32_t *w = p;

	for (size_t i = 0; i < n / 4; i++)
		w[i] = seed ^ (uint32_t)(i * 2654435761u);
}

static long check(const void *p, size_t n, uint32_t seed, size_t first_word)
{
	const uint32_t *w = p;

	for (size_t i = 0; i < n / 4; i++)
		if (w[i] != (seed ^ (uint32_t)((i + first_word) * 2654435761u)))
			return (long)i;
	return -1;
}

static int sync_ioctl(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
}

/* Reads /proc/self/fdinfo/<fd> line "key:\tvalue" into val; false when absent. */
static bool fdinfo_get(int fd, const char *key, char *val, size_t n)
{
	char path[64], line[256];
	size_t kl = strlen(key);
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *v;

		if (strncmp(line, key, kl) || line[kl] != ':')
			continue;
		v = line + kl + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		v[strcspn(v, "\n")] = '\0';
		snprintf(val, n, "%s", v);
		found = true;
		break;
	}
	fclose(f);
	return found;
}

static long long fdinfo_num(int fd, const char *key)
{
	char v[64];

	return fdinfo_get(fd, key, v, sizeof(v)) ? strtoll(v, NULL, 0) : -1;
}

/* ---- DMA_BUF_IOCTL_SYNC ---- */

static const struct { uint64_t dir; const char *name; } dirs[] = {
	{ DMA_BUF_SYNC_READ, "READ" },
	{ DMA_BUF_SYNC_WRITE, "WRITE" },
	{ DMA_BUF_SYNC_RW, "RW" },
};

static void sync_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct dbuf b;

	if (!exporter_ok(ctx, dev) || !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &b))
		return;
	for (size_t i = 0; i < HILT_ARRAY_SIZE(dirs); i++) {
		int ret = sync_ioctl(b.fd, DMA_BUF_SYNC_START | dirs[i].dir);

		if (ret)
			hilt_fail(ctx, "DMA_BUF_IOCTL_SYNC(START|%s) on a dma-buf from %s failed with %s",
				  dirs[i].name, dev->node, hilt_errname(errno));
		ret = sync_ioctl(b.fd, DMA_BUF_SYNC_END | dirs[i].dir);
		if (ret)
			hilt_fail(ctx, "DMA_BUF_IOCTL_SYNC(END|%s) on a dma-buf from %s failed with %s",
				  dirs[i].name, dev->node, hilt_errname(errno));
	}
}

static void t_sync(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, sync_one);
}

static void sync_invalid_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	/* dma_buf_ioctl(): bits outside DMA_BUF_SYNC_VALID_FLAGS_MASK, or no direction: -EINVAL. */
	static const struct { uint64_t flags; const char *what; } bad[] = {
		{ DMA_BUF_SYNC_START, "flags START with neither READ nor WRITE (0)" },
		{ DMA_BUF_SYNC_END, "flags END with neither READ nor WRITE" },
		{ DMA_BUF_SYNC_RW | 0x8, "flags RW | 0x8 (undefined bit)" },
		{ DMA_BUF_SYNC_READ | (1ull << 63), "flags READ | bit 63" },
	};
	struct dbuf b;

	if (!exporter_ok(ctx, dev) || !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &b))
		return;
	for (size_t i = 0; i < HILT_ARRAY_SIZE(bad); i++) {
		int ret = sync_ioctl(b.fd, bad[i].flags);

		hilt_expect_errno(ctx, dev, "DMA_BUF_IOCTL_SYNC", bad[i].what, ret, errno, EINVAL);
	}
}

static void t_sync_invalid(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, sync_invalid_one);
}

/* ---- DMA_BUF_SET_NAME and fdinfo ---- */

static bool set_name_checked(struct hilt_ctx *ctx, struct hilt_dev *dev, int fd,
			     unsigned long req, const char *reqname, const char *name)
{
	struct hilt_json j;
	char got[128] = "";
	bool shown;

	if (ioctl(fd, req, name)) {
		hilt_fail(ctx, "%s(\"%s\") on a dma-buf from %s failed with %s", reqname, name,
			  dev->node, hilt_errname(errno));
		return false;
	}
	shown = fdinfo_get(fd, "name", got, sizeof(got));
	hj_begin(&j);
	hj_dev(&j, dev);
	hj_str(&j, "ioctl", reqname);
	hj_str(&j, "name", name);
	if (shown)
		hj_str(&j, "fdinfoName", got);
	else
		hj_null(&j, "fdinfoName");
	hilt_obs(ctx, "dmabuf.name", &j);
	if (!shown || strcmp(got, name)) {
		hilt_fail(ctx, "after %s(\"%s\") on a dma-buf from %s, /proc/self/fdinfo shows name %s%s%s",
			  reqname, name, dev->node, shown ? "\"" : "", shown ? got : "(none)",
			  shown ? "\"" : "");
		return false;
	}
	return true;
}

static void set_name_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	char longest[DMA_BUF_NAME_LEN];
	char v[64];
	struct dbuf b;

	if (!exporter_ok(ctx, dev) || !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &b))
		return;
	if (fdinfo_get(b.fd, "name", v, sizeof(v)))
		hilt_fail(ctx, "a fresh dma-buf from %s already has a name in fdinfo (\"%s\")", dev->node, v);
	/* DMA_BUF_SET_NAME is the pointer-sized form: _B on 64-bit, _A on 32-bit; the kernel takes both. */
	set_name_checked(ctx, dev, b.fd, DMA_BUF_SET_NAME_B, "DMA_BUF_SET_NAME_B", "hilt-dma-buf");
	set_name_checked(ctx, dev, b.fd, DMA_BUF_SET_NAME_A, "DMA_BUF_SET_NAME_A", "hilt-renamed");
	/* The longest name: DMA_BUF_NAME_LEN - 1 characters and the NUL. */
	memset(longest, 'n', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	set_name_checked(ctx, dev, b.fd, DMA_BUF_SET_NAME, "DMA_BUF_SET_NAME", longest);
}

static void t_set_name(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, set_name_one);
}

static void set_name_invalid_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	char toolong[DMA_BUF_NAME_LEN + 1], got[128] = "";
	struct dbuf b;
	int ret;

	if (!exporter_ok(ctx, dev) || !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &b))
		return;
	if (ioctl(b.fd, DMA_BUF_SET_NAME, "hilt-before")) {
		hilt_fail(ctx, "DMA_BUF_SET_NAME(\"hilt-before\") on a dma-buf from %s failed with %s",
			  dev->node, hilt_errname(errno));
		return;
	}
	/* dma_buf_set_name(): strndup_user(buf, DMA_BUF_NAME_LEN) refuses a longer string with -EINVAL. */
	memset(toolong, 'x', DMA_BUF_NAME_LEN);
	toolong[DMA_BUF_NAME_LEN] = '\0';
	ret = ioctl(b.fd, DMA_BUF_SET_NAME, toolong);
	hilt_expect_errno(ctx, dev, "DMA_BUF_SET_NAME",
			  "a name of DMA_BUF_NAME_LEN (32) characters, one more than fits with its NUL",
			  ret, errno, EINVAL);
	if (!fdinfo_get(b.fd, "name", got, sizeof(got)) || strcmp(got, "hilt-before"))
		hilt_fail(ctx, "a refused DMA_BUF_SET_NAME changed the fdinfo name of a dma-buf from %s to \"%s\"",
			  dev->node, got);
	/* strndup_user() of an unreadable address: -EFAULT. */
	ret = ioctl(b.fd, DMA_BUF_SET_NAME, NULL);
	hilt_expect_errno(ctx, dev, "DMA_BUF_SET_NAME", "a NULL name pointer", ret, errno, EFAULT);
}

static void t_set_name_invalid(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, set_name_invalid_one);
}

static void fdinfo_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	char exp_name[128] = "";
	long long size, count, count_dup, ino;
	bool has_exp, has_name;
	struct hilt_json j;
	struct dbuf b;
	char v[64];
	int dfd;

	if (!exporter_ok(ctx, dev) || !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &b))
		return;
	size = fdinfo_num(b.fd, "size");
	count = fdinfo_num(b.fd, "count");
	ino = fdinfo_num(b.fd, "ino");
	has_exp = fdinfo_get(b.fd, "exp_name", exp_name, sizeof(exp_name));
	has_name = fdinfo_get(b.fd, "name", v, sizeof(v));
	dfd = fcntl(b.fd, F_DUPFD_CLOEXEC, 0);
	count_dup = dfd >= 0 ? fdinfo_num(b.fd, "count") : -1;
	if (dfd >= 0)
		close(dfd);

	hj_begin(&j);
	hj_dev(&j, dev);
	hj_uint(&j, "bufferSize", b.bo.size);
	hj_int(&j, "size", size);
	hj_int(&j, "count", count);
	hj_int(&j, "countAfterDup", count_dup);
	if (has_exp)
		hj_str(&j, "exp_name", exp_name);
	else
		hj_null(&j, "exp_name");
	hj_bool(&j, "hasName", has_name);
	if (ino >= 0)
		hj_int(&j, "ino", ino);
	hilt_obs(ctx, "dmabuf.fdinfo", &j);

	if (size < 0 || count < 0 || !has_exp)
		hilt_fail(ctx, "/proc/self/fdinfo of a dma-buf from %s lacks %s", dev->node,
			  size < 0 ? "size:" : count < 0 ? "count:" : "exp_name:");
	else if ((uint64_t)size != b.bo.size)
		hilt_fail(ctx, "fdinfo size of a dma-buf from %s is %lld; the buffer is %llu bytes",
			  dev->node, size, (unsigned long long)b.bo.size);
	if (count >= 0 && count_dup != count + 1)
		hilt_fail(ctx, "fdinfo count of a dma-buf from %s went from %lld to %lld with one dup(); expected %lld",
			  dev->node, count, count_dup, count + 1);
}

static void t_fdinfo(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, fdinfo_one);
}

/* ---- llseek ---- */

static void llseek_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	/* dma_buf_llseek(): only SEEK_END and SEEK_SET, only offset 0; anything else -EINVAL. */
	static const struct { off_t off; int whence; const char *what; } bad[] = {
		{ 0, SEEK_CUR, "SEEK_CUR (only SEEK_END and SEEK_SET are supported)" },
		{ 1, SEEK_END, "SEEK_END with offset 1 (only offset 0)" },
		{ 4096, SEEK_SET, "SEEK_SET with offset 4096 (only offset 0)" },
		{ 0, SEEK_DATA, "SEEK_DATA" },
		{ 0, SEEK_HOLE, "SEEK_HOLE" },
	};
	struct hilt_json j;
	off_t end, set;
	struct dbuf b;

	if (!exporter_ok(ctx, dev) || !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &b))
		return;
	end = lseek(b.fd, 0, SEEK_END);
	set = lseek(b.fd, 0, SEEK_SET);
	hj_begin(&j);
	hj_dev(&j, dev);
	hj_uint(&j, "size", b.bo.size);
	hj_int(&j, "seekEnd", (long long)end);
	hj_int(&j, "seekSet", (long long)set);
	hilt_obs(ctx, "dmabuf.llseek", &j);
	if (end < 0 || (uint64_t)end != b.bo.size)
		hilt_fail(ctx, "lseek(SEEK_END, 0) on a dma-buf from %s returned %lld (%s); the buffer is %llu bytes",
			  dev->node, (long long)end, end < 0 ? hilt_errname(errno) : "0",
			  (unsigned long long)b.bo.size);
	if (set != 0)
		hilt_fail(ctx, "lseek(SEEK_SET, 0) on a dma-buf from %s returned %lld, expected 0",
			  dev->node, (long long)set);
	for (size_t i = 0; i < HILT_ARRAY_SIZE(bad); i++) {
		off_t r = lseek(b.fd, bad[i].off, bad[i].whence);

		hilt_expect_errno(ctx, dev, "lseek(2)", bad[i].what, r < 0 ? -1 : (int)r, errno, EINVAL);
	}
}

static void t_llseek(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, llseek_one);
}

/* ---- mmap ---- */

static void mmap_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	uint8_t *p, *q;
	size_t size;
	struct dbuf b;
	long bad;
	int ret;

	if (!exporter_ok(ctx, dev) || !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &b))
		return;
	size = b.bo.size;
	p = hilt_defer_munmap(ctx, mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, b.fd, 0), size);
	if (p == MAP_FAILED) {
		hilt_fail(ctx, "mmap(PROT_READ|PROT_WRITE, MAP_SHARED) of a dma-buf from %s failed with %s",
			  dev->node, hilt_errname(errno));
		return;
	}
	ret = hilt_dumb_map(dev->fd, &b.bo, (void **)&q);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_MODE_MAP_DUMB + mmap on %s failed with %s", dev->node,
			  hilt_errname(-ret));
		return;
	}
	hilt_defer_munmap(ctx, q, size);
	/* dma-buf mapping -> exporter's own mapping. */
	if (sync_ioctl(b.fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE))
		hilt_fail(ctx, "DMA_BUF_IOCTL_SYNC(START|WRITE) failed with %s", hilt_errname(errno));
	fill(p, size, 0x600d0001);
	if (sync_ioctl(b.fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE))
		hilt_fail(ctx, "DMA_BUF_IOCTL_SYNC(END|WRITE) failed with %s", hilt_errname(errno));
	bad = check(q, size, 0x600d0001, 0);
	if (bad >= 0)
		hilt_fail(ctx, "word %ld written through the dma-buf mmap reads back different through %s's MAP_DUMB mapping",
			  bad, dev->node);
	/* Exporter's mapping -> dma-buf mapping. */
	fill(q, size, 0x600d0002);
	if (sync_ioctl(b.fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ))
		hilt_fail(ctx, "DMA_BUF_IOCTL_SYNC(START|READ) failed with %s", hilt_errname(errno));
	bad = check(p, size, 0x600d0002, 0);
	if (sync_ioctl(b.fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ))
		hilt_fail(ctx, "DMA_BUF_IOCTL_SYNC(END|READ) failed with %s", hilt_errname(errno));
	if (bad >= 0)
		hilt_fail(ctx, "word %ld written through %s's MAP_DUMB mapping reads back different through the dma-buf mmap",
			  bad, dev->node);
}

static void t_mmap(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, mmap_one);
}

/*
 * A mapping at page offset N shows the buffer from page N:
 * dma_buf_mmap_internal() accepts any vm_pgoff with pgoff + pages within the
 * buffer, so the offset means an offset into the buffer. Each page is
 * stamped with its index; the observation records which page each page of
 * the offset mapping shows.
 */
static void mmap_offset_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), npages;
	uint8_t *q, *r;
	long seen[64] = { -1 };
	size_t nseen = 0;
	struct hilt_json j;
	struct dbuf b;
	int ret, wrong = 0;

	if (!exporter_ok(ctx, dev) || !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &b))
		return;
	npages = b.bo.size / page;
	if (npages < 2) {
		hilt_skip(ctx, "the buffer is one page: no offset to map at");
		return;
	}
	ret = hilt_dumb_map(dev->fd, &b.bo, (void **)&q);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_MODE_MAP_DUMB + mmap on %s failed with %s", dev->node,
			  hilt_errname(-ret));
		return;
	}
	hilt_defer_munmap(ctx, q, b.bo.size);
	for (size_t i = 0; i < npages; i++)
		fill(q + i * page, page, 0x9a9e0000u + (uint32_t)i);
	r = hilt_defer_munmap(ctx, mmap(NULL, (npages - 1) * page, PROT_READ, MAP_SHARED, b.fd, (off_t)page),
			      (npages - 1) * page);
	if (r == MAP_FAILED) {
		hilt_fail(ctx, "mmap of a dma-buf from %s at offset %zu (length %zu) failed with %s",
			  dev->node, page, (npages - 1) * page, hilt_errname(errno));
		return;
	}
	if (sync_ioctl(b.fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ))
		hilt_fail(ctx, "DMA_BUF_IOCTL_SYNC(START|READ) failed with %s", hilt_errname(errno));
	for (size_t i = 0; i + 1 < npages && i < HILT_ARRAY_SIZE(seen); i++) {
		seen[i] = -1;
		for (size_t k = 0; k < npages && seen[i] < 0; k++)
			if (check(r + i * page, page, 0x9a9e0000u + (uint32_t)k, 0) < 0)
				seen[i] = (long)k;
		if (seen[i] != (long)(i + 1))
			wrong++;
		nseen++;
	}
	hj_begin(&j);
	hj_dev(&j, dev);
	hj_uint(&j, "size", b.bo.size);
	hj_int(&j, "offsetPages", 1);
	hj_int(&j, "firstPageSeen", seen[0]);
	hj_arr(&j, "pagesSeen");
	for (size_t i = 0; i < nseen; i++)
		hj_arr_int(&j, seen[i]);
	hj_close_arr(&j);
	hilt_obs(ctx, "dmabuf.mmap-offset", &j);
	if (sync_ioctl(b.fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ))
		hilt_fail(ctx, "DMA_BUF_IOCTL_SYNC(END|READ) failed with %s", hilt_errname(errno));
	if (wrong)
		hilt_fail(ctx, "mmap of a dma-buf from %s (%s) at page offset 1 shows buffer page %ld first, not page 1 (%d of %zu pages wrong)",
			  dev->node, dev->driver, seen[0], wrong, nseen);
}

static void t_mmap_offset(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, mmap_offset_one);
}

static void expect_mmap_refused(struct hilt_ctx *ctx, struct hilt_dev *dev, int fd, size_t len,
				int prot, off_t off, const char *what, int expected)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, off);
	int err = errno;

	if (p != MAP_FAILED)
		munmap(p, len);
	hilt_expect_errno(ctx, dev, "mmap(2)", what, p == MAP_FAILED ? -1 : 0, err, expected);
}

static void mmap_invalid_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct dbuf b, ro;

	if (!exporter_ok(ctx, dev) || !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &b))
		return;
	/* dma_buf_mmap_internal(): a mapping past the end of the buffer is -EINVAL. */
	expect_mmap_refused(ctx, dev, b.fd, b.bo.size + page, PROT_READ, 0,
			    "a length one page past the buffer's end", EINVAL);
	expect_mmap_refused(ctx, dev, b.fd, page, PROT_READ, (off_t)b.bo.size,
			    "an offset at the buffer's end", EINVAL);
	/* A dma-buf exported without DRM_RDWR is read-only: no writable shared mapping (mm: -EACCES). */
	if (!dbuf_new(ctx, dev, DRM_CLOEXEC, &ro))
		return;
	expect_mmap_refused(ctx, dev, ro.fd, ro.bo.size, PROT_READ | PROT_WRITE, 0,
			    "PROT_WRITE, MAP_SHARED on a dma-buf exported without DRM_RDWR", EACCES);
}

static void t_mmap_invalid(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, mmap_invalid_one);
}

static void unknown_ioctl_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	uint64_t arg = 0;
	struct dbuf b;
	int ret;

	if (!exporter_ok(ctx, dev) || !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &b))
		return;
	/* dma_buf_ioctl(): an unknown command is -ENOTTY. */
	ret = ioctl(b.fd, _IOW(DMA_BUF_BASE, 0x3f, uint64_t), &arg);
	hilt_expect_errno(ctx, dev, "_IOW(DMA_BUF_BASE, 0x3f, __u64)",
			  "an ioctl number dma-buf does not define", ret, errno, ENOTTY);
}

static void t_unknown_ioctl(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, unknown_ioctl_one);
}

/* ---- implicit fences: sync_file export / import, poll ---- */

enum fence_kind { FENCE_NONE, FENCE_READ, FENCE_WRITE };

static const char *const fence_names[] = { "none", "read", "write" };

enum probe {
	PROBE_EXPORT_READ, PROBE_EXPORT_WRITE, PROBE_EXPORT_RW, PROBE_POLL_IN, PROBE_POLL_OUT,
	PROBE_COUNT
};

static const char *const probe_names[] = {
	"export-sync-file-read", "export-sync-file-write", "export-sync-file-rw", "poll-in", "poll-out",
};

/*
 * What a probe sees while one fence of the given kind is unsignalled
 * (include/uapi/linux/dma-buf.h, dma_buf_poll()): a reader (EXPORT_SYNC_FILE
 * READ, POLLIN) waits only for writers; a writer (EXPORT WRITE or RW, POLLOUT)
 * waits for every fence.
 */
static bool expect_ready(enum fence_kind kind, bool signaled, enum probe p)
{
	if (kind == FENCE_NONE || signaled)
		return true;
	if (kind == FENCE_WRITE)
		return false;
	return p == PROBE_EXPORT_READ || p == PROBE_POLL_IN;
}

static int poll_once(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int n = poll(&pfd, 1, timeout_ms);

	if (n < 0)
		return -errno;
	return n > 0 && (pfd.revents & events) == events;
}

static int export_sync_file(int fd, uint32_t flags, int *sfd)
{
	struct dma_buf_export_sync_file arg = { .flags = flags, .fd = -1 };

	if (ioctl(fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &arg))
		return -errno;
	*sfd = arg.fd;
	return 0;
}

/* SYNC_IOC_FILE_INFO: status of the sync_file and the driver of its first fence. */
static int sync_file_info(int sfd, int *status, char *driver, size_t n)
{
	struct sync_fence_info fi[4];
	struct sync_file_info info = { .num_fences = 0 };

	memset(fi, 0, sizeof(fi));
	if (ioctl(sfd, SYNC_IOC_FILE_INFO, &info))
		return -errno;
	*status = info.status;
	if (info.num_fences > HILT_ARRAY_SIZE(fi))
		info.num_fences = HILT_ARRAY_SIZE(fi);
	info.sync_fence_info = (uint64_t)(uintptr_t)fi;
	if (info.num_fences && !ioctl(sfd, SYNC_IOC_FILE_INFO, &info))
		snprintf(driver, n, "%.*s", (int)sizeof(fi[0].driver_name), fi[0].driver_name);
	else
		snprintf(driver, n, "%s", "");
	return 0;
}

/*
 * Runs one probe on the dma-buf, records a dmabuf.fence observation and
 * checks the readiness against expect_ready().
 */
static void probe(struct hilt_ctx *ctx, struct hilt_dev *dev, int fd, enum fence_kind kind,
		  const char *source, bool signaled, enum probe p)
{
	static const uint32_t exp_flags[] = {
		[PROBE_EXPORT_READ] = DMA_BUF_SYNC_READ,
		[PROBE_EXPORT_WRITE] = DMA_BUF_SYNC_WRITE,
		[PROBE_EXPORT_RW] = DMA_BUF_SYNC_RW,
	};
	/* After a signal the wake-up is synchronous; the timeout only covers a slow machine. */
	int timeout = signaled ? 1000 : 0;
	bool want = expect_ready(kind, signaled, p), ready;
	char driver[40] = "";
	struct hilt_json j;
	int status = 0, ret, sfd = -1;

	if (p <= PROBE_EXPORT_RW) {
		ret = export_sync_file(fd, exp_flags[p], &sfd);
		if (ret) {
			hilt_fail(ctx, "DMA_BUF_IOCTL_EXPORT_SYNC_FILE(%s) on a dma-buf from %s failed with %s",
				  probe_names[p], dev->node, hilt_errname(-ret));
			return;
		}
		ret = poll_once(sfd, POLLIN, want ? timeout : 0);
		if (ret >= 0 && sync_file_info(sfd, &status, driver, sizeof(driver)))
			status = -1000;
		close(sfd);
	} else {
		ret = poll_once(fd, p == PROBE_POLL_IN ? POLLIN : POLLOUT, want ? timeout : 0);
	}
	if (ret < 0) {
		hilt_fail(ctx, "poll(2) for %s on a dma-buf from %s failed with %s", probe_names[p],
			  dev->node, hilt_errname(-ret));
		return;
	}
	ready = ret;

	hj_begin(&j);
	hj_dev(&j, dev);
	hj_str(&j, "fence", fence_names[kind]);
	hj_str(&j, "source", source);
	hj_str(&j, "state", kind == FENCE_NONE ? "none" : signaled ? "signaled" : "unsignaled");
	hj_str(&j, "probe", probe_names[p]);
	hj_bool(&j, "ready", ready);
	if (p <= PROBE_EXPORT_RW) {
		hj_int(&j, "syncFileStatus", status);
		hj_str(&j, "fenceDriver", driver);
	}
	hilt_obs(ctx, "dmabuf.fence", &j);

	if (ready != want)
		hilt_fail(ctx, "%s on a dma-buf from %s with %s %s fence (%s): %s, expected %s",
			  probe_names[p], dev->node, kind == FENCE_NONE ? "no" : signaled ? "a signalled" : "an unsignalled",
			  fence_names[kind], source, ready ? "ready" : "not ready", want ? "ready" : "not ready");
}

static void probe_all(struct hilt_ctx *ctx, struct hilt_dev *dev, int fd, enum fence_kind kind,
		      const char *source, bool signaled)
{
	for (int p = 0; p < PROBE_COUNT; p++)
		probe(ctx, dev, fd, kind, source, signaled, (enum probe)p);
}

static void export_sync_file_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct dbuf b;

	if (!exporter_ok(ctx, dev) || !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &b))
		return;
	/* No fence at all: export hands out a signalled stub fence, poll says ready. */
	probe_all(ctx, dev, b.fd, FENCE_NONE, "none", false);
}

static void t_export_sync_file(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, export_sync_file_one);
}

static void export_sync_file_invalid_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	/* dma_buf_export_sync_file(): flags outside RW, or neither READ nor WRITE: -EINVAL. */
	static const struct { uint32_t flags; const char *what; } bad[] = {
		{ 0, "flags 0 (neither READ nor WRITE)" },
		{ DMA_BUF_SYNC_END, "flags DMA_BUF_SYNC_END (not a sync_file flag)" },
		{ DMA_BUF_SYNC_RW | 0x100, "flags RW | 0x100" },
	};
	struct dbuf b;

	if (!exporter_ok(ctx, dev) || !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &b))
		return;
	for (size_t i = 0; i < HILT_ARRAY_SIZE(bad); i++) {
		int sfd = -1, ret = export_sync_file(b.fd, bad[i].flags, &sfd);

		if (!ret)
			close(sfd);
		hilt_expect_errno(ctx, dev, "DMA_BUF_IOCTL_EXPORT_SYNC_FILE", bad[i].what,
				  ret ? -1 : 0, -ret, EINVAL);
	}
}

static void t_export_sync_file_invalid(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, export_sync_file_invalid_one);
}

/* ---- vgem fences ---- */

/*
 * The buffer behind b on a private open of vgem's node (registered for
 * cleanup: closing it signals whatever fence a failed case left behind).
 * vgem imports its own dma-buf as the same GEM object, another exporter's
 * through an attachment. Skips when vgem is absent or refuses the buffer.
 */
struct vfence {
	struct hilt_dev *vg;
	int fd;
	uint32_t handle;
};

static bool vfence_new(struct hilt_ctx *ctx, struct dbuf *b, struct vfence *v)
{
	int ret;

	v->vg = fu_vgem();
	if (!v->vg) {
		hilt_skip(ctx, "vgem is not loaded: no controllable fence");
		return false;
	}
	v->fd = fu_open(ctx, v->vg);
	if (v->fd < 0) {
		hilt_fail(ctx, "open %s: %s", v->vg->path, hilt_errname(-v->fd));
		return false;
	}
	ret = hilt_prime_import(v->fd, b->fd, &v->handle);
	if (ret) {
		hilt_skip(ctx, "vgem (%s) cannot import a dma-buf from %s (%s): DRM_IOCTL_PRIME_FD_TO_HANDLE refused with %s, so no vgem fence can go on it",
			  v->vg->node, b->dev->node, b->dev->driver, hilt_errname(-ret));
		return false;
	}
	return true;
}

static bool vfence_attach(struct hilt_ctx *ctx, struct vfence *v, bool write, uint32_t *fence)
{
	int ret = fu_vgem_attach(v->fd, v->handle, write ? VGEM_FENCE_WRITE : 0, fence);

	if (ret)
		hilt_fail(ctx, "DRM_IOCTL_VGEM_FENCE_ATTACH (%s) on %s failed with %s",
			  write ? "VGEM_FENCE_WRITE" : "read", v->vg->node, hilt_errname(-ret));
	return !ret;
}

static bool vfence_signal(struct hilt_ctx *ctx, struct vfence *v, uint32_t fence)
{
	int ret = fu_vgem_signal(v->fd, fence);

	if (ret)
		hilt_fail(ctx, "DRM_IOCTL_VGEM_FENCE_SIGNAL of fence %u on %s failed with %s", fence,
			  v->vg->node, hilt_errname(-ret));
	return !ret;
}

static void vgem_fence_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct vfence v;
	uint32_t fence = 0;
	struct dbuf b;

	if (!exporter_ok(ctx, dev) || !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &b) || !vfence_new(ctx, &b, &v))
		return;
	for (int write = 1; write >= 0; write--) {
		enum fence_kind kind = write ? FENCE_WRITE : FENCE_READ;

		if (!vfence_attach(ctx, &v, write, &fence))
			break;
		probe_all(ctx, dev, b.fd, kind, "vgem-attach", false);
		vfence_signal(ctx, &v, fence);
		probe_all(ctx, dev, b.fd, kind, "vgem-attach", true);
	}
}

static void t_vgem_fence(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, vgem_fence_one);
}

/* A sync_file carrying one unsignalled vgem write fence (fu_pending_new); fails the case if it cannot. */
static bool pending_sync_file(struct hilt_ctx *ctx, struct fu_pending *p)
{
	struct hilt_dev *vg = fu_vgem();
	int ret;

	if (!vg) {
		hilt_skip(ctx, "vgem is not loaded: no controllable fence");
		return false;
	}
	ret = fu_pending_new(ctx, vg, VGEM_FENCE_WRITE, DMA_BUF_SYNC_READ, p);
	if (ret)
		hilt_fail(ctx, "a pending vgem fence as a sync_file on %s: %s", vg->node, hilt_errname(-ret));
	return !ret;
}

static void import_sync_file_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct dbuf w, r;
	struct fu_pending s;
	int ret;

	if (!exporter_ok(ctx, dev) || !pending_sync_file(ctx, &s) ||
	    !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &w) || !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &r))
		return;
	/* WRITE: the sync_file's fence becomes a write fence of w; READ: a read fence of r. */
	ret = fu_dmabuf_import_sync_file(w.fd, s.sync_fd, DMA_BUF_SYNC_WRITE);
	if (ret) {
		hilt_fail(ctx, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE(WRITE) on a dma-buf from %s failed with %s",
			  dev->node, hilt_errname(-ret));
		return;
	}
	ret = fu_dmabuf_import_sync_file(r.fd, s.sync_fd, DMA_BUF_SYNC_READ);
	if (ret) {
		hilt_fail(ctx, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE(READ) on a dma-buf from %s failed with %s",
			  dev->node, hilt_errname(-ret));
		return;
	}
	probe_all(ctx, dev, w.fd, FENCE_WRITE, "import-sync-file", false);
	probe_all(ctx, dev, r.fd, FENCE_READ, "import-sync-file", false);
	ret = fu_pending_signal(&s);
	if (ret)
		hilt_fail(ctx, "DRM_IOCTL_VGEM_FENCE_SIGNAL failed with %s", hilt_errname(-ret));
	probe_all(ctx, dev, w.fd, FENCE_WRITE, "import-sync-file", true);
	probe_all(ctx, dev, r.fd, FENCE_READ, "import-sync-file", true);
}

static void t_import_sync_file(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, import_sync_file_one);
}

static void import_sync_file_invalid_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct dbuf b, other;
	struct fu_pending s;
	int mfd, closed, ret;

	if (!exporter_ok(ctx, dev) || !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &b))
		return;
	/* dma_buf_import_sync_file(): flags outside RW or without a direction: -EINVAL. */
	if (pending_sync_file(ctx, &s)) {
		ret = fu_dmabuf_import_sync_file(b.fd, s.sync_fd, 0);
		hilt_expect_errno(ctx, dev, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE",
				  "flags 0 (neither READ nor WRITE)", ret ? -1 : 0, -ret, EINVAL);
		ret = fu_dmabuf_import_sync_file(b.fd, s.sync_fd, DMA_BUF_SYNC_RW | 0x100);
		hilt_expect_errno(ctx, dev, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE", "flags RW | 0x100",
				  ret ? -1 : 0, -ret, EINVAL);
		fu_pending_signal(&s);
	}
	/* sync_file_get_fence() finds no sync_file: -EINVAL, whatever the fd is. */
	ret = fu_dmabuf_import_sync_file(b.fd, -1, DMA_BUF_SYNC_WRITE);
	hilt_expect_errno(ctx, dev, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE", "fd -1", ret ? -1 : 0, -ret, EINVAL);
	mfd = hilt_defer_close(ctx, memfd_create("hilt-dma-buf", MFD_CLOEXEC));
	if (mfd >= 0) {
		ret = fu_dmabuf_import_sync_file(b.fd, mfd, DMA_BUF_SYNC_WRITE);
		hilt_expect_errno(ctx, dev, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE", "a memfd (not a sync_file)",
				  ret ? -1 : 0, -ret, EINVAL);
	}
	if (dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &other)) {
		ret = fu_dmabuf_import_sync_file(b.fd, other.fd, DMA_BUF_SYNC_WRITE);
		hilt_expect_errno(ctx, dev, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE",
				  "a dma-buf fd (not a sync_file)", ret ? -1 : 0, -ret, EINVAL);
	}
	closed = dup(b.fd);
	if (closed >= 0) {
		close(closed);
		ret = fu_dmabuf_import_sync_file(b.fd, closed, DMA_BUF_SYNC_WRITE);
		hilt_expect_errno(ctx, dev, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE", "a closed fd",
				  ret ? -1 : 0, -ret, EINVAL);
	}
	/* Nothing was imported: the buffer is still idle. */
	probe(ctx, dev, b.fd, FENCE_NONE, "none", false, PROBE_POLL_OUT);
}

static void t_import_sync_file_invalid(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, import_sync_file_invalid_one);
}

/* Duplicates part of the fences suite on purpose: dma-buf runs on its own. */
static void t_vgem_fence_misuse(struct hilt_ctx *ctx)
{
	struct hilt_dev *vg = fu_vgem();
	struct drm_vgem_fence_attach at;
	struct drm_vgem_fence_signal sig;
	uint32_t f1 = 0, f2 = 0;
	struct fu_vbuf b;
	int ret, err;

	if (!vg) {
		hilt_skip(ctx, "vgem is not loaded");
		return;
	}
	ret = fu_vbuf_new(ctx, vg, false, &b);
	if (ret) {
		hilt_fail(ctx, "a vgem buffer on %s: %s", vg->node, hilt_errname(-ret));
		return;
	}
	/* vgem_fence_attach_ioctl(): flags other than VGEM_FENCE_WRITE, or pad set: -EINVAL. */
	at = (struct drm_vgem_fence_attach){ .handle = b.bo.handle, .flags = 0x2 };
	ret = ioctl(b.fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &at);
	err = errno;
	hilt_expect_errno(ctx, vg, "DRM_IOCTL_VGEM_FENCE_ATTACH", "flags 0x2 (not VGEM_FENCE_WRITE)",
			  ret, err, EINVAL);
	at = (struct drm_vgem_fence_attach){ .handle = b.bo.handle, .pad = 1 };
	ret = ioctl(b.fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &at);
	err = errno;
	hilt_expect_errno(ctx, vg, "DRM_IOCTL_VGEM_FENCE_ATTACH", "pad 1", ret, err, EINVAL);
	/* No such GEM object: -ENOENT. */
	at = (struct drm_vgem_fence_attach){ .handle = 0 };
	ret = ioctl(b.fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &at);
	err = errno;
	hilt_expect_errno(ctx, vg, "DRM_IOCTL_VGEM_FENCE_ATTACH", "handle 0", ret, err, ENOENT);
	/* A write fence while another fence is unsignalled conflicts: -EBUSY. */
	ret = fu_vgem_attach(b.fd, b.bo.handle, VGEM_FENCE_WRITE, &f1);
	if (!hilt_expect_ok(ctx, vg, "DRM_IOCTL_VGEM_FENCE_ATTACH (VGEM_FENCE_WRITE)", ret, -ret))
		return;
	ret = fu_vgem_attach(b.fd, b.bo.handle, VGEM_FENCE_WRITE, &f2);
	hilt_expect_errno(ctx, vg, "DRM_IOCTL_VGEM_FENCE_ATTACH",
			  "a second write fence while the first is unsignalled", ret ? -1 : 0, -ret, EBUSY);
	/* vgem_fence_signal_ioctl(): flags set: -EINVAL; unknown or consumed fence: -ENOENT. */
	sig = (struct drm_vgem_fence_signal){ .fence = f1, .flags = 1 };
	ret = ioctl(b.fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &sig);
	hilt_expect_errno(ctx, vg, "DRM_IOCTL_VGEM_FENCE_SIGNAL", "flags 1", ret, errno, EINVAL);
	sig = (struct drm_vgem_fence_signal){ .fence = 0x7ffffff0 };
	ret = ioctl(b.fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &sig);
	hilt_expect_errno(ctx, vg, "DRM_IOCTL_VGEM_FENCE_SIGNAL", "a fence id never handed out",
			  ret, errno, ENOENT);
	ret = fu_vgem_signal(b.fd, f1);
	hilt_expect_ok(ctx, vg, "DRM_IOCTL_VGEM_FENCE_SIGNAL", ret, -ret);
	ret = fu_vgem_signal(b.fd, f1);
	hilt_expect_errno(ctx, vg, "DRM_IOCTL_VGEM_FENCE_SIGNAL", "a fence already signalled",
			  ret ? -1 : 0, -ret, ENOENT);
}

/* ---- implicit sync: DMA_BUF_IOCTL_SYNC waits for the fences ---- */

static const long ioctl_syscall[] = { SYS_ioctl };

static const char *sync_flags_name(uint64_t flags)
{
	return (flags & DMA_BUF_SYNC_RW) == DMA_BUF_SYNC_RW ? "START|RW" :
	       flags & DMA_BUF_SYNC_WRITE ? "START|WRITE" : "START|READ";
}

/* One DMA_BUF_IOCTL_SYNC; the raw ioctl, so that EINTR is a result, not a retry. */
static int sync_raw(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &s) ? -errno : 0;
}

struct vfence_signal {
	struct vfence *v;
	uint32_t fence;
};

static int signal_vfence(void *p)
{
	struct vfence_signal *s = p;

	return fu_vgem_signal(s->v->fd, s->fence);
}

/*
 * SYNC(flags) on fd while the fence is pending: it must sleep in the kernel
 * until the helper signals the fence 20 ms after seeing it asleep, then
 * return 0. Records a dmabuf.sync-wait observation.
 */
static void sync_must_block(struct hilt_ctx *ctx, struct hilt_dev *dev, int fd, uint64_t flags,
			    const char *fence, int (*signal_fn)(void *), void *arg)
{
	struct fu_blocker blocker;
	struct hilt_json j;
	char what[192];
	int64_t t0, t1;
	int ret;

	snprintf(what, sizeof(what), "DMA_BUF_IOCTL_SYNC(%s) on a dma-buf from %s with a pending %s",
		 sync_flags_name(flags), dev->node, fence);
	t0 = fu_now_ns();
	ret = fu_blocker_start(&blocker, ioctl_syscall, 1, 20, signal_fn, arg);
	if (ret) {
		hilt_fail(ctx, "pthread_create failed: %s", hilt_errname(-ret));
		return;
	}
	ret = sync_raw(fd, DMA_BUF_SYNC_START | flags);
	t1 = fu_now_ns();
	fu_blocker_waited(&blocker);
	fu_blocker_join(&blocker);
	hj_begin(&j);
	hj_dev(&j, dev);
	hj_str(&j, "sync", sync_flags_name(flags));
	hj_str(&j, "pending", fence);
	hj_bool(&j, "blocked", blocker.saw_blocked && t1 >= blocker.call_ns);
	hj_int(&j, "errno", -ret);
	hj_str(&j, "errname", hilt_errname(-ret));
	hj_int(&j, "elapsed_us", (t1 - t0) / 1000);
	hilt_obs(ctx, "dmabuf.sync-wait", &j);
	if (fu_signal_failed(&blocker))
		hilt_fail(ctx, "DRM_IOCTL_VGEM_FENCE_SIGNAL from a second thread failed with %s",
			  hilt_errname(-blocker.ret));
	else if (ret)
		hilt_fail(ctx, "%s failed with %s; expected 0 once the fence signalled", what, hilt_errname(-ret));
	else
		fu_blocker_check(ctx, &blocker, t0, t1, what);
	sync_raw(fd, DMA_BUF_SYNC_END | flags);
}

/* SYNC(flags) on fd that must not wait: returns 0 at once although a fence is pending. */
static void sync_must_not_block(struct hilt_ctx *ctx, struct hilt_dev *dev, int fd, uint64_t flags,
				const char *fence)
{
	int64_t t0 = fu_now_ns(), t1;
	int ret = sync_raw(fd, DMA_BUF_SYNC_START | flags);
	struct hilt_json j;

	t1 = fu_now_ns();
	hj_begin(&j);
	hj_dev(&j, dev);
	hj_str(&j, "sync", sync_flags_name(flags));
	hj_str(&j, "pending", fence);
	hj_bool(&j, "blocked", false);
	hj_int(&j, "errno", -ret);
	hj_str(&j, "errname", hilt_errname(-ret));
	hj_int(&j, "elapsed_us", (t1 - t0) / 1000);
	hilt_obs(ctx, "dmabuf.sync-wait", &j);
	if (ret)
		hilt_fail(ctx, "DMA_BUF_IOCTL_SYNC(%s) on a dma-buf from %s with a pending %s failed with %s; expected 0 at once",
			  sync_flags_name(flags), dev->node, fence, hilt_errname(-ret));
	else if (t1 - t0 > 1000000000LL)
		hilt_fail(ctx, "DMA_BUF_IOCTL_SYNC(%s) on a dma-buf from %s with a pending %s took %lld ms; a reader does not wait for readers",
			  sync_flags_name(flags), dev->node, fence, (long long)(t1 - t0) / 1000000);
	sync_raw(fd, DMA_BUF_SYNC_END | flags);
}

/*
 * SYNC_START waits for the fences of the reservation object: a reader
 * (READ) and a writer (WRITE, RW) for a pending write fence; only a writer
 * for a pending read fence (dma_buf_begin_cpu_access(), dma_resv_usage_rw()).
 */
static void sync_waits_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	static const uint64_t dirs[] = { DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_RW };
	struct vfence_signal sig;
	struct vfence v;
	struct dbuf b;

	if (!exporter_ok(ctx, dev) || !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &b) || !vfence_new(ctx, &b, &v))
		return;
	sig.v = &v;
	for (size_t i = 0; i < HILT_ARRAY_SIZE(dirs); i++) {
		if (!vfence_attach(ctx, &v, true, &sig.fence))
			return;
		sync_must_block(ctx, dev, b.fd, dirs[i], "vgem write fence", signal_vfence, &sig);
	}
	/* A read fence: readers go ahead, writers wait. */
	if (!vfence_attach(ctx, &v, false, &sig.fence))
		return;
	sync_must_not_block(ctx, dev, b.fd, DMA_BUF_SYNC_READ, "vgem read fence");
	sync_must_block(ctx, dev, b.fd, DMA_BUF_SYNC_WRITE, "vgem read fence", signal_vfence, &sig);
}

static void t_sync_waits(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, sync_waits_one);
}

static void on_sigusr1(int sig)
{
	(void)sig;
}

static int interrupt_thread(void *p)
{
	return -pthread_kill(*(pthread_t *)p, SIGUSR1);
}

/*
 * A SYNC_START sleeping on a pending fence is interruptible: a signal whose
 * handler lacks SA_RESTART makes it return EINTR (dma_resv_wait_timeout()
 * with intr set: -ERESTARTSYS), the fence still pending; once it signals,
 * SYNC_START succeeds.
 */
static void sync_interrupted_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 }, old;
	struct fu_blocker blocker;
	pthread_t self = pthread_self();
	uint32_t fence = 0;
	bool ready;
	struct vfence v;
	struct dbuf b;
	int64_t t0, t1;
	int ret;

	if (!exporter_ok(ctx, dev) || !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &b) ||
	    !vfence_new(ctx, &b, &v) || !vfence_attach(ctx, &v, true, &fence))
		return;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, &old);	/* no SA_RESTART */
	t0 = fu_now_ns();
	ret = fu_blocker_start(&blocker, ioctl_syscall, 1, 20, interrupt_thread, &self);
	if (ret) {
		hilt_fail(ctx, "pthread_create failed: %s", hilt_errname(-ret));
		sigaction(SIGUSR1, &old, NULL);
		return;
	}
	ret = sync_raw(b.fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	t1 = fu_now_ns();
	fu_blocker_waited(&blocker);
	fu_blocker_join(&blocker);
	sigaction(SIGUSR1, &old, NULL);
	if (!blocker.saw_blocked)
		hilt_fail(ctx, "DMA_BUF_IOCTL_SYNC(START|READ) on a dma-buf from %s with a pending write fence never slept (returned %s after %lld us)",
			  dev->node, hilt_errname(-ret), (long long)(t1 - t0) / 1000);
	else
		hilt_expect_errno(ctx, dev, "DMA_BUF_IOCTL_SYNC",
				  "START|READ sleeping on a pending write fence, interrupted by a signal without SA_RESTART",
				  ret ? -1 : 0, -ret, EINTR);
	/* Still pending: a poll says busy; then the signal lets SYNC through. */
	ready = fu_poll(b.fd, POLLIN, 0) != 0;
	ret = fu_vgem_signal(v.fd, fence);
	if (ret == -ETIMEDOUT) {
		/* vgem's 10 s expiry came first: the machine stalled; the buffer is rightly ready. */
		hilt_diag(ctx, "the vgem fence expired by itself before it was signalled (the machine stalled)");
	} else if (ready) {
		hilt_fail(ctx, "the interrupted wait left the dma-buf of %s ready; the fence was still pending", dev->node);
	} else if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_VGEM_FENCE_SIGNAL of fence %u on %s failed with %s", fence, v.vg->node,
			  hilt_errname(-ret));
	}
	if (ret == 0 || ret == -ETIMEDOUT) {
		ret = sync_raw(b.fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		if (ret)
			hilt_fail(ctx, "DMA_BUF_IOCTL_SYNC(START|READ) after the fence signalled failed with %s",
				  hilt_errname(-ret));
		else
			sync_raw(b.fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	}
}

static void t_sync_interrupted(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, sync_interrupted_one);
}

/* SYNC_IOC_FILE_INFO status of a sync_file: 0 pending, 1 signalled, <0 error, -1000 failed. */
static int sf_status(int sfd)
{
	struct sync_file_info info = { 0 };

	return ioctl(sfd, SYNC_IOC_FILE_INFO, &info) ? -1000 : info.status;
}

/*
 * EXPORT_SYNC_FILE of a busy buffer is a snapshot of its fences: the
 * sync_file is unsignalled while the vgem fence is pending, and that same
 * sync_file signals when the fence does (dma_buf_export_sync_file():
 * dma_resv_get_singleton()).
 */
static void export_busy_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct fu_blocker blocker;
	struct vfence_signal sig;
	static const long polls[] = { SYS_poll, SYS_ppoll };
	struct vfence v;
	struct dbuf b;
	int64_t t0, t1;
	int sfd = -1, ret, rev;

	if (!exporter_ok(ctx, dev) || !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &b) ||
	    !vfence_new(ctx, &b, &v) || !vfence_attach(ctx, &v, true, &sig.fence))
		return;
	sig.v = &v;
	ret = fu_dmabuf_export_sync_file(b.fd, DMA_BUF_SYNC_READ, &sfd);
	if (ret) {
		hilt_fail(ctx, "DMA_BUF_IOCTL_EXPORT_SYNC_FILE(READ) of a busy dma-buf from %s failed with %s",
			  dev->node, hilt_errname(-ret));
		return;
	}
	hilt_defer_close(ctx, sfd);
	if ((ret = sf_status(sfd)) != 0) {
		hilt_fail(ctx, "the sync_file exported from a dma-buf of %s with a pending write fence has status %d; expected 0 (unsignalled)",
			  dev->node, ret);
		return;
	}
	t0 = fu_now_ns();
	ret = fu_blocker_start(&blocker, polls, HILT_ARRAY_SIZE(polls), 20, signal_vfence, &sig);
	if (ret) {
		hilt_fail(ctx, "pthread_create failed: %s", hilt_errname(-ret));
		return;
	}
	rev = fu_poll(sfd, POLLIN, FU_WAKE_TIMEOUT_MS);
	t1 = fu_now_ns();
	fu_blocker_waited(&blocker);
	fu_blocker_join(&blocker);
	if (fu_signal_failed(&blocker))
		hilt_fail(ctx, "DRM_IOCTL_VGEM_FENCE_SIGNAL from a second thread failed with %s",
			  hilt_errname(-blocker.ret));
	else if (rev < 0 || !(rev & POLLIN))
		hilt_fail(ctx, "the sync_file exported from a busy dma-buf of %s did not signal within 15 s of its fence (poll %d)",
			  dev->node, rev);
	else
		fu_blocker_check(ctx, &blocker, t0, t1, "poll(2) on a sync_file exported from a busy dma-buf");
	if ((ret = sf_status(sfd)) != 1)
		hilt_fail(ctx, "the sync_file exported from a busy dma-buf of %s has status %d after its fence signalled; expected 1",
			  dev->node, ret);
}

static void t_export_busy(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, export_busy_one);
}

static int signal_pending_fn(void *p)
{
	return fu_pending_signal(p);
}

/*
 * IMPORT_SYNC_FILE makes the next reader wait: a pending fence imported as
 * a write fence into an idle dma-buf makes SYNC_START(READ) on it sleep
 * until the fence signals; imported as a read fence, only a writer waits.
 */
static void import_reader_waits_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct fu_pending s, s2;
	struct dbuf b, c;
	int ret;

	if (!exporter_ok(ctx, dev) || !pending_sync_file(ctx, &s) || !pending_sync_file(ctx, &s2) ||
	    !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &b) || !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &c))
		return;
	sync_must_not_block(ctx, dev, b.fd, DMA_BUF_SYNC_RW, "nothing (before the import)");
	ret = fu_dmabuf_import_sync_file(b.fd, s.sync_fd, DMA_BUF_SYNC_WRITE);
	if (ret) {
		hilt_fail(ctx, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE(WRITE) on a dma-buf from %s failed with %s",
			  dev->node, hilt_errname(-ret));
		return;
	}
	sync_must_block(ctx, dev, b.fd, DMA_BUF_SYNC_READ, "write fence imported from a sync_file",
			signal_pending_fn, &s);
	ret = fu_dmabuf_import_sync_file(c.fd, s2.sync_fd, DMA_BUF_SYNC_READ);
	if (ret) {
		hilt_fail(ctx, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE(READ) on a dma-buf from %s failed with %s",
			  dev->node, hilt_errname(-ret));
		return;
	}
	sync_must_not_block(ctx, dev, c.fd, DMA_BUF_SYNC_READ, "read fence imported from a sync_file");
	sync_must_block(ctx, dev, c.fd, DMA_BUF_SYNC_WRITE, "read fence imported from a sync_file",
			signal_pending_fn, &s2);
}

static void t_import_reader_waits(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, import_reader_waits_one);
}

/* ---- the kernel's own dma-buf self-tests ---- */

#define SELFTEST_MODULE "dmabuf_selftests"

/* The self-tests of drivers/dma-buf/selftests.h, in the order st_init() runs them. */
static const char *const selftests[] = { "sanitycheck", "dma_fence", "dma_fence_chain", "dma_fence_unwrap", "dma_resv" };

/* Finds a dmabuf_selftests.ko in the image (/hilt/modules) or the modules tree. */
static bool find_selftest_module(char *path, size_t n)
{
	static const char *const dirs[] = { "/hilt/modules", NULL };
	static const char *const exts[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };
	struct utsname u;
	char tree[256];

	for (size_t d = 0; dirs[d]; d++)
		for (size_t e = 0; e < HILT_ARRAY_SIZE(exts); e++) {
			snprintf(path, n, "%s/%s%s", dirs[d], SELFTEST_MODULE, exts[e]);
			if (!access(path, R_OK))
				return true;
		}
	if (uname(&u))
		return false;
	snprintf(tree, sizeof(tree), "/lib/modules/%s/kernel/drivers/dma-buf", u.release);
	for (size_t e = 0; e < HILT_ARRAY_SIZE(exts); e++) {
		snprintf(path, n, "%s/%s%s", tree, SELFTEST_MODULE, exts[e]);
		if (!access(path, R_OK))
			return true;
	}
	return false;
}

/*
 * Appends the kernel log records written since kmsg was opened at its end
 * (non-blocking /dev/kmsg reads), one message per line, to buf.
 */
static void read_new_kmsg(int kmsg, char *buf, size_t n)
{
	char rec[1024];
	size_t len = strlen(buf);
	ssize_t r;

	while ((r = read(kmsg, rec, sizeof(rec) - 1)) > 0 || (r < 0 && errno == EPIPE)) {
		char *msg;

		if (r <= 0)
			continue;	/* EPIPE: records were overwritten; go on with the next */
		rec[r] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		msg[strcspn(msg, "\n")] = '\0';
		if (len + strlen(msg) + 2 < n) {
			len += (size_t)snprintf(buf + len, n - len, "%s\n", msg);
		}
	}
}

/*
 * CONFIG_DMABUF_SELFTESTS: dmabuf_selftests runs every self-test when it is
 * loaded (st_init()), logging "dma-buf: Running <name>" and, on a failure,
 * "dma-buf/<name>: <subtest> failed with error <n>"; the load fails then.
 * Each self-test is one KTAP subtest: pass if it ran and did not fail, fail
 * if it failed, skip if an earlier one stopped the run. Built in
 * (CONFIG_DMABUF_SELFTESTS=y) the tests ran at boot: their lines are looked
 * for in the kernel log from its start.
 */
static void t_kernel_selftests(struct hilt_ctx *ctx)
{
	static char log[64 * 1024];
	char path[256], failed_line[256] = "";
	int kmsg, fd, ret = 0, err = 0;
	bool builtin = false, stopped = false;

	log[0] = '\0';
	if (!find_selftest_module(path, sizeof(path))) {
		if (access("/sys/module/" SELFTEST_MODULE, F_OK)) {
			hilt_skip_config(ctx, "CONFIG_DMABUF_SELFTESTS",
					 "no " SELFTEST_MODULE " module in /hilt/modules or /lib/modules, none built in");
			return;
		}
		builtin = true;
	}
	kmsg = hilt_defer_close(ctx, open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC));
	if (kmsg < 0) {
		hilt_fail(ctx, "open /dev/kmsg: %s", strerror(errno));
		return;
	}
	if (builtin) {
		hilt_diag(ctx, "%s is built in: its results are in the kernel log of this boot", SELFTEST_MODULE);
	} else {
		bool compressed = strstr(path, ".ko.") != NULL;

		lseek(kmsg, 0, SEEK_END);
		fd = hilt_defer_close(ctx, open(path, O_RDONLY | O_CLOEXEC));
		if (fd < 0) {
			hilt_fail(ctx, "open %s: %s", path, strerror(errno));
			return;
		}
		/* MODULE_INIT_COMPRESSED_FILE (4) lets the kernel decompress it. */
		ret = (int)syscall(SYS_finit_module, fd, "", compressed ? 4 : 0);
		err = ret ? errno : 0;
		hilt_diag(ctx, "finit_module(%s): %s", path, ret ? hilt_errname(err) : "0");
		if (ret && err == EEXIST) {
			/* Loaded before this case (at boot): its lines are in the log from the start. */
			hilt_diag(ctx, "%s was already loaded: its results are those of that load", SELFTEST_MODULE);
			lseek(kmsg, 0, SEEK_DATA);
			builtin = true;
			ret = 0;
		}
	}
	read_new_kmsg(kmsg, log, sizeof(log));
	for (size_t i = 0; i < HILT_ARRAY_SIZE(selftests); i++) {
		char running[96], fail_prefix[96], *f;

		hilt_sub_begin(ctx);
		snprintf(running, sizeof(running), "dma-buf: Running %s\n", selftests[i]);
		snprintf(fail_prefix, sizeof(fail_prefix), "dma-buf/%s: ", selftests[i]);
		if (stopped) {
			hilt_skip(ctx, "not run: an earlier self-test failed and st_init() stops at the first failure");
		} else if (!strstr(log, running)) {
			if (i == 0 && ret)
				hilt_fail(ctx, "loading %s failed with %s before any self-test ran", SELFTEST_MODULE,
					  hilt_errname(err));
			else
				hilt_fail(ctx, "the kernel log has no \"dma-buf: Running %s\" line", selftests[i]);
			stopped = true;
		} else if ((f = strstr(log, fail_prefix))) {
			snprintf(failed_line, sizeof(failed_line), "%.*s", (int)strcspn(f, "\n"), f);
			hilt_fail(ctx, "%s", failed_line);
			stopped = true;
		}
		hilt_sub_end(ctx, "%s", selftests[i]);
	}
	if (!builtin && !ret)
		syscall(SYS_delete_module, SELFTEST_MODULE, O_NONBLOCK);
	if (!builtin && ret && !stopped)
		hilt_fail(ctx, "loading %s failed with %s though no self-test reported a failure",
			  SELFTEST_MODULE, hilt_errname(err));
}

static const struct hilt_case cases[] = {
	{ "sync", t_sync, "DMA_BUF_IOCTL_SYNC",
	  "START and END with READ, WRITE and RW each succeed on an idle dma-buf", "",
	  "dma_buf_ioctl(), dma_buf_begin_cpu_access(), dma_buf_end_cpu_access()" },
	{ "sync-invalid-flags", t_sync_invalid, "DMA_BUF_IOCTL_SYNC",
	  "flags without a direction or with undefined bits are refused with EINVAL", "ioctl.errno",
	  "dma_buf_ioctl()" },
	{ "sync-waits", t_sync_waits, "DMA_BUF_IOCTL_SYNC",
	  "SYNC_START sleeps while a vgem write fence is pending (READ, WRITE and RW) and, for WRITE, while a read fence is pending, and returns once another thread signals it; READ does not wait for a read fence",
	  "dmabuf.sync-wait", "dma_buf_begin_cpu_access(), dma_resv_wait_timeout(), dma_resv_usage_rw()" },
	{ "sync-interrupted", t_sync_interrupted, "DMA_BUF_IOCTL_SYNC",
	  "a SYNC_START sleeping on a pending fence returns EINTR on a signal whose handler lacks SA_RESTART, leaves the fence pending, and succeeds once it signals",
	  "ioctl.errno", "dma_buf_begin_cpu_access(), dma_resv_wait_timeout(), dma_fence_default_wait()" },
	{ "set-name", t_set_name, "DMA_BUF_SET_NAME",
	  "a name set with DMA_BUF_SET_NAME (_A and _B forms, up to DMA_BUF_NAME_LEN - 1 characters) shows as name: in /proc/self/fdinfo",
	  "dmabuf.name", "dma_buf_set_name(), dma_buf_show_fdinfo()" },
	{ "set-name-invalid", t_set_name_invalid, "DMA_BUF_SET_NAME",
	  "a name longer than DMA_BUF_NAME_LEN - 1 is refused with EINVAL and leaves the name as it was; a NULL pointer is refused with EFAULT",
	  "ioctl.errno", "dma_buf_set_name(), strndup_user()" },
	{ "fdinfo", t_fdinfo, "/proc/self/fdinfo",
	  "fdinfo of a dma-buf shows size (the buffer's), count (one more per dup) and exp_name", "dmabuf.fdinfo",
	  "dma_buf_show_fdinfo()" },
	{ "llseek", t_llseek, "lseek(2)",
	  "SEEK_END returns the size and SEEK_SET 0 returns 0; SEEK_CUR, SEEK_DATA, SEEK_HOLE and nonzero offsets are refused with EINVAL",
	  "dmabuf.llseek,ioctl.errno", "dma_buf_llseek()" },
	{ "mmap", t_mmap, "mmap(2)",
	  "what is written through the dma-buf's mmap reads back through the exporter's own mapping, and the other way", "",
	  "dma_buf_mmap_internal()" },
	{ "mmap-offset", t_mmap_offset, "mmap(2)",
	  "an mmap of the dma-buf at page offset 1 shows the buffer from its page 1 on", "dmabuf.mmap-offset",
	  "dma_buf_mmap_internal(), drm_gem_shmem_fault()" },
	{ "mmap-invalid", t_mmap_invalid, "mmap(2)",
	  "a mapping past the buffer's end is refused with EINVAL, a writable shared mapping of a read-only dma-buf with EACCES",
	  "ioctl.errno", "dma_buf_mmap_internal(), do_mmap()" },
	{ "unknown-ioctl", t_unknown_ioctl, "_IOW(DMA_BUF_BASE, 0x3f, __u64)",
	  "an ioctl number dma-buf does not define is refused with ENOTTY", "ioctl.errno", "dma_buf_ioctl()" },
	{ "export-sync-file", t_export_sync_file, "DMA_BUF_IOCTL_EXPORT_SYNC_FILE",
	  "on an idle dma-buf, EXPORT_SYNC_FILE with READ, WRITE and RW returns a signalled sync_file and poll(2) says ready",
	  "dmabuf.fence", "dma_buf_export_sync_file(), dma_buf_poll()" },
	{ "export-sync-file-busy", t_export_busy, "DMA_BUF_IOCTL_EXPORT_SYNC_FILE",
	  "EXPORT_SYNC_FILE of a buffer with a pending vgem write fence gives an unsignalled sync_file, and a poll on that same sync_file sleeps until the fence signals",
	  "", "dma_buf_export_sync_file(), dma_resv_get_singleton(), sync_file_poll()" },
	{ "export-sync-file-invalid", t_export_sync_file_invalid, "DMA_BUF_IOCTL_EXPORT_SYNC_FILE",
	  "flags without a direction or outside READ|WRITE are refused with EINVAL", "ioctl.errno",
	  "dma_buf_export_sync_file()" },
	{ "vgem-fence", t_vgem_fence, "DRM_IOCTL_VGEM_FENCE_ATTACH",
	  "with a vgem write fence on the buffer, exported sync_files and poll(2) are not ready until DRM_IOCTL_VGEM_FENCE_SIGNAL; with a read fence only writers wait",
	  "dmabuf.fence", "vgem_fence_attach_ioctl(), dma_buf_export_sync_file(), dma_buf_poll()" },
	{ "import-sync-file", t_import_sync_file, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE",
	  "a sync_file carrying an unsignalled vgem fence, imported as a write (read) fence, makes every (only writers') export and poll wait until the fence signals",
	  "dmabuf.fence", "dma_buf_import_sync_file(), dma_resv_add_fence()" },
	{ "import-sync-file-reader-waits", t_import_reader_waits, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE",
	  "after IMPORT_SYNC_FILE of a pending fence as a write fence, the next reader's SYNC_START sleeps until it signals; as a read fence, readers go ahead and a writer sleeps",
	  "dmabuf.sync-wait", "dma_buf_import_sync_file(), dma_buf_begin_cpu_access()" },
	{ "import-sync-file-invalid", t_import_sync_file_invalid, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE",
	  "bad flags, and fds that are not sync_files (-1, a memfd, a dma-buf, a closed fd), are refused with EINVAL and add no fence",
	  "ioctl.errno,dmabuf.fence", "dma_buf_import_sync_file(), sync_file_get_fence()" },
	{ "vgem-fence-misuse", t_vgem_fence_misuse, "DRM_IOCTL_VGEM_FENCE_ATTACH",
	  "vgem refuses bad attach flags and pad (EINVAL), a missing handle (ENOENT), a conflicting write fence (EBUSY), bad signal flags (EINVAL) and unknown or consumed fences (ENOENT)",
	  "ioctl.errno", "vgem_fence_attach_ioctl(), vgem_fence_signal_ioctl()" },
	{ "kernel-selftests", t_kernel_selftests, "finit_module(2)",
	  "the kernel's dma-buf self-tests (dma_fence, dma_fence_chain, dma_fence_unwrap, dma_resv) pass, one subtest each",
	  "", "st_init(), run_selftests()", "CONFIG_DMABUF_SELFTESTS" },
};

int main(int argc, char **argv)
{
	return hilt_main(argc, argv, "dma-buf", cases, HILT_ARRAY_SIZE(cases));
}
