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

/* Skips unless dev exports dumb buffers as dma-bufs. */
static bool exporter_ok(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	uint64_t caps = 0;

	if (!hilt_dumb_capable(dev)) {
		hilt_skip(ctx, "%s (%s) cannot create dumb buffers: no generic way to get a dma-buf from it",
			  dev->node, dev->driver);
		return false;
	}
	if (hilt_get_cap(dev, DRM_CAP_PRIME, &caps) || !(caps & DRM_PRIME_CAP_EXPORT)) {
		hilt_skip(ctx, "%s does not advertise DRM_PRIME_CAP_EXPORT", dev->node);
		return false;
	}
	return true;
}

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
	ret = hilt_prime_export(dev->fd, b->bo.handle, flags, &b->fd);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_PRIME_HANDLE_TO_FD on %s failed with %s", dev->node,
			  hilt_errname(-ret));
		hilt_dumb_destroy(dev->fd, b->bo.handle);
		b->dev = NULL;
		b->fd = -1;
		return false;
	}
	return true;
}

static void dbuf_free(struct dbuf *b)
{
	if (b->fd >= 0)
		close(b->fd);
	if (b->dev)
		hilt_dumb_destroy(b->dev->fd, b->bo.handle);
	memset(b, 0, sizeof(*b));
	b->fd = -1;
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
	dbuf_free(&b);
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
	dbuf_free(&b);
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
	dbuf_free(&b);
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
		dbuf_free(&b);
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
	dbuf_free(&b);
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
	dbuf_free(&b);
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
	dbuf_free(&b);
}

static void t_llseek(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, llseek_one);
}

/* ---- mmap ---- */

static void mmap_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	uint8_t *p = MAP_FAILED, *q = MAP_FAILED;
	size_t size;
	struct dbuf b;
	long bad;
	int ret;

	if (!exporter_ok(ctx, dev) || !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &b))
		return;
	size = b.bo.size;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, b.fd, 0);
	if (p == MAP_FAILED) {
		hilt_fail(ctx, "mmap(PROT_READ|PROT_WRITE, MAP_SHARED) of a dma-buf from %s failed with %s",
			  dev->node, hilt_errname(errno));
		goto out;
	}
	ret = hilt_dumb_map(dev->fd, &b.bo, (void **)&q);
	if (ret) {
		q = MAP_FAILED;
		hilt_fail(ctx, "DRM_IOCTL_MODE_MAP_DUMB + mmap on %s failed with %s", dev->node,
			  hilt_errname(-ret));
		goto out;
	}
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
out:
	if (q != MAP_FAILED)
		munmap(q, size);
	if (p != MAP_FAILED)
		munmap(p, size);
	dbuf_free(&b);
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
	uint8_t *q = MAP_FAILED, *r = MAP_FAILED;
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
		goto out;
	}
	ret = hilt_dumb_map(dev->fd, &b.bo, (void **)&q);
	if (ret) {
		q = MAP_FAILED;
		hilt_fail(ctx, "DRM_IOCTL_MODE_MAP_DUMB + mmap on %s failed with %s", dev->node,
			  hilt_errname(-ret));
		goto out;
	}
	for (size_t i = 0; i < npages; i++)
		fill(q + i * page, page, 0x9a9e0000u + (uint32_t)i);
	r = mmap(NULL, (npages - 1) * page, PROT_READ, MAP_SHARED, b.fd, (off_t)page);
	if (r == MAP_FAILED) {
		hilt_fail(ctx, "mmap of a dma-buf from %s at offset %zu (length %zu) failed with %s",
			  dev->node, page, (npages - 1) * page, hilt_errname(errno));
		goto out;
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
out:
	if (r != MAP_FAILED)
		munmap(r, (npages - 1) * page);
	if (q != MAP_FAILED)
		munmap(q, b.bo.size);
	dbuf_free(&b);
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
	dbuf_free(&b);
	/* A dma-buf exported without DRM_RDWR is read-only: no writable shared mapping (mm: -EACCES). */
	if (!dbuf_new(ctx, dev, DRM_CLOEXEC, &ro))
		return;
	expect_mmap_refused(ctx, dev, ro.fd, ro.bo.size, PROT_READ | PROT_WRITE, 0,
			    "PROT_WRITE, MAP_SHARED on a dma-buf exported without DRM_RDWR", EACCES);
	dbuf_free(&ro);
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
	dbuf_free(&b);
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

static int import_sync_file(int fd, uint32_t flags, int sfd)
{
	struct dma_buf_import_sync_file arg = { .flags = flags, .fd = sfd };

	return ioctl(fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &arg) ? -errno : 0;
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
	dbuf_free(&b);
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
	dbuf_free(&b);
}

static void t_export_sync_file_invalid(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, export_sync_file_invalid_one);
}

/* ---- vgem fences ---- */

static struct hilt_dev *vgem_dev(void)
{
	struct hilt_dev *d = hilt_find_device("vgem", 1u << HILT_NODE_PRIMARY);

	return d ? d : hilt_vgem();
}

static int vgem_attach(struct hilt_dev *vg, uint32_t handle, bool write, uint32_t *fence)
{
	struct drm_vgem_fence_attach arg = { .handle = handle, .flags = write ? VGEM_FENCE_WRITE : 0 };

	if (hilt_ioctl(vg->fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &arg))
		return -errno;
	*fence = arg.out_fence;
	return 0;
}

static int vgem_signal(struct hilt_dev *vg, uint32_t fence)
{
	struct drm_vgem_fence_signal arg = { .fence = fence };

	return hilt_ioctl(vg->fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &arg) ? -errno : 0;
}

/*
 * A vgem handle for the buffer behind b: b's own handle when vgem exported
 * it, else an import of b's dma-buf into vgem (*imported set).
 */
static bool vgem_handle(struct hilt_ctx *ctx, struct hilt_dev *vg, struct dbuf *b,
			uint32_t *handle, bool *imported)
{
	int ret;

	*imported = false;
	if (vg == b->dev) {
		*handle = b->bo.handle;
		return true;
	}
	ret = hilt_prime_import(vg->fd, b->fd, handle);
	if (ret) {
		hilt_skip(ctx, "vgem (%s) cannot import a dma-buf from %s (%s): DRM_IOCTL_PRIME_FD_TO_HANDLE refused with %s, so no vgem fence can go on it",
			  vg->node, b->dev->node, b->dev->driver, hilt_errname(-ret));
		return false;
	}
	*imported = true;
	return true;
}

static void vgem_fence_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct hilt_dev *vg = vgem_dev();
	uint32_t h, fence = 0;
	bool imported;
	struct dbuf b;
	int ret;

	if (!vg) {
		hilt_skip(ctx, "vgem is not loaded: no controllable fence");
		return;
	}
	if (!exporter_ok(ctx, dev) || !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &b))
		return;
	if (!vgem_handle(ctx, vg, &b, &h, &imported)) {
		dbuf_free(&b);
		return;
	}
	for (int write = 1; write >= 0; write--) {
		enum fence_kind kind = write ? FENCE_WRITE : FENCE_READ;

		ret = vgem_attach(vg, h, write, &fence);
		if (ret) {
			hilt_fail(ctx, "DRM_IOCTL_VGEM_FENCE_ATTACH (%s) on %s to a buffer from %s failed with %s",
				  write ? "VGEM_FENCE_WRITE" : "read", vg->node, dev->node, hilt_errname(-ret));
			break;
		}
		probe_all(ctx, dev, b.fd, kind, "vgem-attach", false);
		ret = vgem_signal(vg, fence);
		if (ret)
			hilt_fail(ctx, "DRM_IOCTL_VGEM_FENCE_SIGNAL of fence %u on %s failed with %s",
				  fence, vg->node, hilt_errname(-ret));
		probe_all(ctx, dev, b.fd, kind, "vgem-attach", true);
	}
	if (imported)
		hilt_gem_close(vg->fd, h);
	dbuf_free(&b);
}

static void t_vgem_fence(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, vgem_fence_one);
}

/*
 * A sync_file carrying one unsignalled vgem fence: a vgem buffer with a
 * write fence attached, exported with DMA_BUF_SYNC_READ (the writers).
 */
struct vgem_sync {
	struct hilt_dev *vg;
	struct dbuf src;
	uint32_t fence;
	int sfd;
};

static bool vgem_sync_new(struct hilt_ctx *ctx, struct vgem_sync *s)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->sfd = -1;
	s->src.fd = -1;
	s->vg = vgem_dev();
	if (!s->vg) {
		hilt_skip(ctx, "vgem is not loaded: no controllable fence");
		return false;
	}
	if (!dbuf_new(ctx, s->vg, DRM_CLOEXEC | DRM_RDWR, &s->src))
		return false;
	ret = vgem_attach(s->vg, s->src.bo.handle, true, &s->fence);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_VGEM_FENCE_ATTACH on %s failed with %s", s->vg->node,
			  hilt_errname(-ret));
		dbuf_free(&s->src);
		return false;
	}
	ret = export_sync_file(s->src.fd, DMA_BUF_SYNC_READ, &s->sfd);
	if (ret) {
		hilt_fail(ctx, "DMA_BUF_IOCTL_EXPORT_SYNC_FILE(READ) on a vgem dma-buf failed with %s",
			  hilt_errname(-ret));
		vgem_signal(s->vg, s->fence);
		dbuf_free(&s->src);
		return false;
	}
	return true;
}

static int vgem_sync_signal(struct vgem_sync *s)
{
	int ret = 0;

	if (s->fence)
		ret = vgem_signal(s->vg, s->fence);
	s->fence = 0;
	return ret;
}

static void vgem_sync_free(struct vgem_sync *s)
{
	vgem_sync_signal(s);
	if (s->sfd >= 0)
		close(s->sfd);
	dbuf_free(&s->src);
	s->sfd = -1;
}

static void import_sync_file_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct dbuf w = { .fd = -1 }, r = { .fd = -1 };
	struct vgem_sync s;
	int ret;

	if (!exporter_ok(ctx, dev))
		return;
	if (!vgem_sync_new(ctx, &s))
		return;
	if (!dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &w) ||
	    !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &r))
		goto out;
	/* WRITE: the sync_file's fence becomes a write fence of w; READ: a read fence of r. */
	ret = import_sync_file(w.fd, DMA_BUF_SYNC_WRITE, s.sfd);
	if (ret) {
		hilt_fail(ctx, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE(WRITE) on a dma-buf from %s failed with %s",
			  dev->node, hilt_errname(-ret));
		goto out;
	}
	ret = import_sync_file(r.fd, DMA_BUF_SYNC_READ, s.sfd);
	if (ret) {
		hilt_fail(ctx, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE(READ) on a dma-buf from %s failed with %s",
			  dev->node, hilt_errname(-ret));
		goto out;
	}
	probe_all(ctx, dev, w.fd, FENCE_WRITE, "import-sync-file", false);
	probe_all(ctx, dev, r.fd, FENCE_READ, "import-sync-file", false);
	ret = vgem_sync_signal(&s);
	if (ret)
		hilt_fail(ctx, "DRM_IOCTL_VGEM_FENCE_SIGNAL on %s failed with %s", s.vg->node,
			  hilt_errname(-ret));
	probe_all(ctx, dev, w.fd, FENCE_WRITE, "import-sync-file", true);
	probe_all(ctx, dev, r.fd, FENCE_READ, "import-sync-file", true);
out:
	vgem_sync_free(&s);
	if (w.dev)
		dbuf_free(&w);
	if (r.dev)
		dbuf_free(&r);
}

static void t_import_sync_file(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, import_sync_file_one);
}

static void import_sync_file_invalid_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct dbuf b, other;
	struct vgem_sync s;
	int mfd, closed, ret;

	if (!exporter_ok(ctx, dev) || !dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &b))
		return;
	/* dma_buf_import_sync_file(): flags outside RW or without a direction: -EINVAL. */
	if (vgem_sync_new(ctx, &s)) {
		ret = import_sync_file(b.fd, 0, s.sfd);
		hilt_expect_errno(ctx, dev, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE",
				  "flags 0 (neither READ nor WRITE)", ret ? -1 : 0, -ret, EINVAL);
		ret = import_sync_file(b.fd, DMA_BUF_SYNC_RW | 0x100, s.sfd);
		hilt_expect_errno(ctx, dev, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE", "flags RW | 0x100",
				  ret ? -1 : 0, -ret, EINVAL);
		vgem_sync_free(&s);
	}
	/* sync_file_get_fence() finds no sync_file: -EINVAL, whatever the fd is. */
	ret = import_sync_file(b.fd, DMA_BUF_SYNC_WRITE, -1);
	hilt_expect_errno(ctx, dev, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE", "fd -1", ret ? -1 : 0, -ret, EINVAL);
	mfd = memfd_create("hilt-dma-buf", MFD_CLOEXEC);
	if (mfd >= 0) {
		ret = import_sync_file(b.fd, DMA_BUF_SYNC_WRITE, mfd);
		hilt_expect_errno(ctx, dev, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE", "a memfd (not a sync_file)",
				  ret ? -1 : 0, -ret, EINVAL);
		close(mfd);
	}
	if (dbuf_new(ctx, dev, DRM_CLOEXEC | DRM_RDWR, &other)) {
		ret = import_sync_file(b.fd, DMA_BUF_SYNC_WRITE, other.fd);
		hilt_expect_errno(ctx, dev, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE",
				  "a dma-buf fd (not a sync_file)", ret ? -1 : 0, -ret, EINVAL);
		dbuf_free(&other);
	}
	closed = dup(b.fd);
	if (closed >= 0) {
		close(closed);
		ret = import_sync_file(b.fd, DMA_BUF_SYNC_WRITE, closed);
		hilt_expect_errno(ctx, dev, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE", "a closed fd",
				  ret ? -1 : 0, -ret, EINVAL);
	}
	/* Nothing was imported: the buffer is still idle. */
	probe(ctx, dev, b.fd, FENCE_NONE, "none", false, PROBE_POLL_OUT);
	dbuf_free(&b);
}

static void t_import_sync_file_invalid(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, import_sync_file_invalid_one);
}

static void t_vgem_fence_misuse(struct hilt_ctx *ctx)
{
	struct hilt_dev *vg = vgem_dev();
	struct drm_vgem_fence_attach at;
	struct drm_vgem_fence_signal sig;
	uint32_t f1 = 0, f2 = 0;
	struct dbuf b;
	int ret, err;

	if (!vg) {
		hilt_skip(ctx, "vgem is not loaded");
		return;
	}
	if (!dbuf_new(ctx, vg, DRM_CLOEXEC | DRM_RDWR, &b))
		return;
	/* vgem_fence_attach_ioctl(): flags other than VGEM_FENCE_WRITE, or pad set: -EINVAL. */
	at = (struct drm_vgem_fence_attach){ .handle = b.bo.handle, .flags = 0x2 };
	ret = ioctl(vg->fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &at);
	err = errno;
	if (!ret)
		vgem_signal(vg, at.out_fence);
	hilt_expect_errno(ctx, vg, "DRM_IOCTL_VGEM_FENCE_ATTACH", "flags 0x2 (not VGEM_FENCE_WRITE)",
			  ret, err, EINVAL);
	at = (struct drm_vgem_fence_attach){ .handle = b.bo.handle, .pad = 1 };
	ret = ioctl(vg->fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &at);
	err = errno;
	if (!ret)
		vgem_signal(vg, at.out_fence);
	hilt_expect_errno(ctx, vg, "DRM_IOCTL_VGEM_FENCE_ATTACH", "pad 1", ret, err, EINVAL);
	/* No such GEM object: -ENOENT. */
	at = (struct drm_vgem_fence_attach){ .handle = 0 };
	ret = ioctl(vg->fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &at);
	err = errno;
	if (!ret)
		vgem_signal(vg, at.out_fence);
	hilt_expect_errno(ctx, vg, "DRM_IOCTL_VGEM_FENCE_ATTACH", "handle 0", ret, err, ENOENT);
	/* A write fence while another fence is unsignalled conflicts: -EBUSY. */
	ret = vgem_attach(vg, b.bo.handle, true, &f1);
	if (!hilt_expect_ok(ctx, vg, "DRM_IOCTL_VGEM_FENCE_ATTACH (VGEM_FENCE_WRITE)", ret, -ret))
		goto out;
	ret = vgem_attach(vg, b.bo.handle, true, &f2);
	hilt_expect_errno(ctx, vg, "DRM_IOCTL_VGEM_FENCE_ATTACH",
			  "a second write fence while the first is unsignalled", ret ? -1 : 0, -ret, EBUSY);
	if (!ret) {
		vgem_signal(vg, f2);
		f2 = 0;
	}
	/* vgem_fence_signal_ioctl(): flags set: -EINVAL; unknown or consumed fence: -ENOENT. */
	sig = (struct drm_vgem_fence_signal){ .fence = f1, .flags = 1 };
	ret = ioctl(vg->fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &sig);
	hilt_expect_errno(ctx, vg, "DRM_IOCTL_VGEM_FENCE_SIGNAL", "flags 1", ret, errno, EINVAL);
	if (!ret)
		f1 = 0;
	sig = (struct drm_vgem_fence_signal){ .fence = 0x7ffffff0 };
	ret = ioctl(vg->fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &sig);
	hilt_expect_errno(ctx, vg, "DRM_IOCTL_VGEM_FENCE_SIGNAL", "a fence id never handed out",
			  ret, errno, ENOENT);
	if (f1) {
		ret = vgem_signal(vg, f1);
		hilt_expect_ok(ctx, vg, "DRM_IOCTL_VGEM_FENCE_SIGNAL", ret, -ret);
		ret = vgem_signal(vg, f1);
		hilt_expect_errno(ctx, vg, "DRM_IOCTL_VGEM_FENCE_SIGNAL", "a fence already signalled",
				  ret ? -1 : 0, -ret, ENOENT);
		f1 = 0;
	}
out:
	if (f1)
		vgem_signal(vg, f1);
	dbuf_free(&b);
}

static const struct hilt_case cases[] = {
	{ "sync", t_sync, "DMA_BUF_IOCTL_SYNC",
	  "START and END with READ, WRITE and RW each succeed on an idle dma-buf", "" },
	{ "sync-invalid-flags", t_sync_invalid, "DMA_BUF_IOCTL_SYNC",
	  "flags without a direction or with undefined bits are refused with EINVAL", "ioctl.errno" },
	{ "set-name", t_set_name, "DMA_BUF_SET_NAME",
	  "a name set with DMA_BUF_SET_NAME (_A and _B forms, up to DMA_BUF_NAME_LEN - 1 characters) shows as name: in /proc/self/fdinfo",
	  "dmabuf.name" },
	{ "set-name-invalid", t_set_name_invalid, "DMA_BUF_SET_NAME",
	  "a name longer than DMA_BUF_NAME_LEN - 1 is refused with EINVAL and leaves the name as it was; a NULL pointer is refused with EFAULT",
	  "ioctl.errno" },
	{ "fdinfo", t_fdinfo, "/proc/self/fdinfo",
	  "fdinfo of a dma-buf shows size (the buffer's), count (one more per dup) and exp_name", "dmabuf.fdinfo" },
	{ "llseek", t_llseek, "lseek(2)",
	  "SEEK_END returns the size and SEEK_SET 0 returns 0; SEEK_CUR, SEEK_DATA, SEEK_HOLE and nonzero offsets are refused with EINVAL",
	  "dmabuf.llseek,ioctl.errno" },
	{ "mmap", t_mmap, "mmap(2)",
	  "what is written through the dma-buf's mmap reads back through the exporter's own mapping, and the other way", "" },
	{ "mmap-offset", t_mmap_offset, "mmap(2)",
	  "an mmap of the dma-buf at page offset 1 shows the buffer from its page 1 on", "dmabuf.mmap-offset" },
	{ "mmap-invalid", t_mmap_invalid, "mmap(2)",
	  "a mapping past the buffer's end is refused with EINVAL, a writable shared mapping of a read-only dma-buf with EACCES",
	  "ioctl.errno" },
	{ "unknown-ioctl", t_unknown_ioctl, "_IOW(DMA_BUF_BASE, 0x3f, __u64)",
	  "an ioctl number dma-buf does not define is refused with ENOTTY", "ioctl.errno" },
	{ "export-sync-file", t_export_sync_file, "DMA_BUF_IOCTL_EXPORT_SYNC_FILE",
	  "on an idle dma-buf, EXPORT_SYNC_FILE with READ, WRITE and RW returns a signalled sync_file and poll(2) says ready",
	  "dmabuf.fence" },
	{ "export-sync-file-invalid", t_export_sync_file_invalid, "DMA_BUF_IOCTL_EXPORT_SYNC_FILE",
	  "flags without a direction or outside READ|WRITE are refused with EINVAL", "ioctl.errno" },
	{ "vgem-fence", t_vgem_fence, "DRM_IOCTL_VGEM_FENCE_ATTACH",
	  "with a vgem write fence on the buffer, exported sync_files and poll(2) are not ready until DRM_IOCTL_VGEM_FENCE_SIGNAL; with a read fence only writers wait",
	  "dmabuf.fence" },
	{ "import-sync-file", t_import_sync_file, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE",
	  "a sync_file carrying an unsignalled vgem fence, imported as a write (read) fence, makes every (only writers') export and poll wait until the fence signals",
	  "dmabuf.fence" },
	{ "import-sync-file-invalid", t_import_sync_file_invalid, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE",
	  "bad flags, and fds that are not sync_files (-1, a memfd, a dma-buf, a closed fd), are refused with EINVAL and add no fence",
	  "ioctl.errno,dmabuf.fence" },
	{ "vgem-fence-misuse", t_vgem_fence_misuse, "DRM_IOCTL_VGEM_FENCE_ATTACH",
	  "vgem refuses bad attach flags and pad (EINVAL), a missing handle (ENOENT), a conflicting write fence (EBUSY), bad signal flags (EINVAL) and unknown or consumed fences (ENOENT)",
	  "ioctl.errno" },
};

int main(int argc, char **argv)
{
	return hilt_main(argc, argv, "dma-buf", cases, HILT_ARRAY_SIZE(cases));
}
