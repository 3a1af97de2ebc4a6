// SPDX-License-Identifier: MIT
/*
 * dma-heap: DMA_HEAP_IOCTL_ALLOC on every heap under /dev/dma_heap, the dma-buf
 * it returns (size, zeroed memory, mmap, DMA_BUF_IOCTL_SYNC), the misuses the
 * dma-heap core refuses (drivers/dma-buf/dma-heap.c), and the import of a heap
 * buffer into vgem through PRIME.
 */
#define _GNU_SOURCE
#include "hilt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "dmabuf.h"
#include "drm-util.h"

#define HEAP_DIR "/dev/dma_heap"
#define MAX_HEAPS 32

struct heap {
	char name[128];
	char path[160];
	int fd;
};

static int heap_order(const void *a, const void *b)
{
	return strcmp(((const struct heap *)a)->name, ((const struct heap *)b)->name);
}

/* The heaps in /dev/dma_heap, sorted by name; -1 when the folder is absent. */
static int list_heaps(struct heap *heaps, int max)
{
	DIR *d = opendir(HEAP_DIR);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) && n < max) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(heaps[n].name, sizeof(heaps[n].name), "%s", e->d_name);
		snprintf(heaps[n].path, sizeof(heaps[n].path), HEAP_DIR "/%s", e->d_name);
		heaps[n].fd = -1;
		n++;
	}
	closedir(d);
	qsort(heaps, (size_t)n, sizeof(heaps[0]), heap_order);
	return n;
}

/*
 * One KTAP subtest per heap, the heap opened read-only (the ioctl needs no
 * more); skips the case when there is no heap.
 */
static void each_heap(struct hilt_ctx *ctx, void (*fn)(struct hilt_ctx *ctx, struct heap *h))
{
	struct heap heaps[MAX_HEAPS];
	int n = list_heaps(heaps, MAX_HEAPS);

	if (n < 0) {
		hilt_skip(ctx, "no " HEAP_DIR ": the kernel has no DMA-BUF heaps (CONFIG_DMABUF_HEAPS)");
		return;
	}
	if (n == 0) {
		hilt_skip(ctx, HEAP_DIR " has no heap");
		return;
	}
	for (int i = 0; i < n; i++) {
		struct heap *h = &heaps[i];

		hilt_sub_begin(ctx);
		h->fd = open(h->path, O_RDONLY | O_CLOEXEC);
		if (h->fd < 0 && (errno == EACCES || errno == EPERM)) {
			hilt_skip(ctx, "no permission to open %s (%s)", h->path, strerror(errno));
		} else if (h->fd < 0) {
			hilt_fail(ctx, "open %s: %s", h->path, strerror(errno));
		} else {
			fn(ctx, h);
			close(h->fd);
		}
		hilt_sub_end(ctx, "%s", h->name);
	}
}

static bool failed(const struct hilt_ctx *ctx)
{
	return ctx->sub_open ? ctx->sub_status == HILT_FAIL : ctx->status == HILT_FAIL;
}

/* DMA_HEAP_IOCTL_ALLOC; returns the ioctl's result, *fd the new dma-buf. */
static int heap_alloc(int heap_fd, uint64_t len, uint32_t fd_flags, uint64_t heap_flags, int *fd)
{
	struct dma_heap_allocation_data a = {
		.len = len, .fd_flags = fd_flags, .heap_flags = heap_flags,
	};
	int ret = hilt_ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &a);

	*fd = ret ? -1 : (int)a.fd;
	return ret;
}

/* Allocates len bytes read-write, close-on-exec; fails the case if it cannot. */
static int alloc_or_fail(struct hilt_ctx *ctx, struct heap *h, uint64_t len)
{
	int fd;

	if (heap_alloc(h->fd, len, O_RDWR | O_CLOEXEC, 0, &fd)) {
		hilt_fail(ctx, "DMA_HEAP_IOCTL_ALLOC of %llu bytes on %s failed with %s; expected a dma-buf",
			  (unsigned long long)len, h->path, hilt_errname(errno));
		return -1;
	}
	return fd;
}

/* ---- cases ---- */

static void heaps_one(struct hilt_ctx *ctx, struct heap *h)
{
	struct hilt_json j;

	hj_begin(&j);
	hj_str(&j, "heap", h->name);
	hj_str(&j, "path", h->path);
	hilt_obs(ctx, "heap.node", &j);
}

static void t_heaps(struct hilt_ctx *ctx)
{
	each_heap(ctx, heaps_one);
}

static void alloc_sizes_one(struct hilt_ctx *ctx, struct heap *h)
{
	const size_t page = dmabuf_page_size();
	const uint64_t sizes[] = { page, 1 << 20, 2 * page + 100 };

	for (size_t i = 0; i < HILT_ARRAY_SIZE(sizes); i++) {
		struct dmabuf_info info;
		struct hilt_json j;
		char what[192];
		int fd = alloc_or_fail(ctx, h, sizes[i]);

		if (fd < 0)
			continue;
		snprintf(what, sizeof(what), "a %llu-byte allocation from %s",
			 (unsigned long long)sizes[i], h->path);
		dmabuf_info(fd, &info);
		hj_begin(&j);
		hj_str(&j, "heap", h->name);
		hj_uint(&j, "requested", sizes[i]);
		hj_uint(&j, "page_size", page);
		hj_uint(&j, "rounded", dmabuf_page_align(sizes[i]));
		hj_str(&j, "fd_flags", "O_RDWR|O_CLOEXEC");
		dmabuf_info_json(ctx, &j, &info, what);
		hilt_obs(ctx, "heap.alloc", &j);
		close(fd);
	}
	hilt_record_only(ctx, "heap.alloc names no driver, so no profile judges it: only the general schema "
			 "(a page multiple at least the request, the three sizes agreeing) does; the exact size "
			 "a heap gives is recorded");
}

static void t_alloc_sizes(struct hilt_ctx *ctx)
{
	each_heap(ctx, alloc_sizes_one);
}

static void misuse(struct hilt_ctx *ctx, struct heap *h, const char *what,
		   struct dma_heap_allocation_data *a, int expected)
{
	char m[256];
	int ret = ioctl(h->fd, DMA_HEAP_IOCTL_ALLOC, a);
	int err = errno;

	if (!ret)
		close((int)a->fd);
	snprintf(m, sizeof(m), "%s on %s", what, h->path);
	hilt_expect_errno(ctx, NULL, "DMA_HEAP_IOCTL_ALLOC", m, ret, err, expected);
}

/* dma_heap_ioctl_allocate(): len = PAGE_ALIGN(len); if (!len) return -EINVAL. */
static void zero_length_one(struct hilt_ctx *ctx, struct heap *h)
{
	struct dma_heap_allocation_data a = { .len = 0, .fd_flags = O_RDWR | O_CLOEXEC };

	misuse(ctx, h, "len 0", &a, EINVAL);
}

static void t_zero_length(struct hilt_ctx *ctx)
{
	each_heap(ctx, zero_length_one);
}

/* fd_flags & ~DMA_HEAP_VALID_FD_FLAGS (O_CLOEXEC | O_ACCMODE) -> -EINVAL. */
static void bad_fd_flags_one(struct hilt_ctx *ctx, struct heap *h)
{
	struct dma_heap_allocation_data a = {
		.len = dmabuf_page_size(), .fd_flags = O_RDWR | O_CLOEXEC | O_NONBLOCK,
	};
	struct dma_heap_allocation_data b = {
		.len = dmabuf_page_size(), .fd_flags = O_RDWR | O_CLOEXEC | O_APPEND,
	};

	misuse(ctx, h, "fd_flags O_RDWR|O_CLOEXEC|O_NONBLOCK", &a, EINVAL);
	misuse(ctx, h, "fd_flags O_RDWR|O_CLOEXEC|O_APPEND", &b, EINVAL);
}

static void t_bad_fd_flags(struct hilt_ctx *ctx)
{
	each_heap(ctx, bad_fd_flags_one);
}

/* heap_flags & ~DMA_HEAP_VALID_HEAP_FLAGS (no flag is defined) -> -EINVAL. */
static void bad_heap_flags_one(struct hilt_ctx *ctx, struct heap *h)
{
	struct dma_heap_allocation_data a = {
		.len = dmabuf_page_size(), .fd_flags = O_RDWR | O_CLOEXEC, .heap_flags = 1,
	};
	struct dma_heap_allocation_data b = {
		.len = dmabuf_page_size(), .fd_flags = O_RDWR | O_CLOEXEC, .heap_flags = 1ull << 63,
	};

	misuse(ctx, h, "heap_flags 0x1", &a, EINVAL);
	misuse(ctx, h, "heap_flags 0x8000000000000000", &b, EINVAL);
}

static void t_bad_heap_flags(struct hilt_ctx *ctx)
{
	each_heap(ctx, bad_heap_flags_one);
}

/* The fd field is output only: dma_heap_ioctl_allocate() refuses a non-zero one with -EINVAL. */
static void fd_set_one(struct hilt_ctx *ctx, struct heap *h)
{
	struct dma_heap_allocation_data a = {
		.len = dmabuf_page_size(), .fd = 1, .fd_flags = O_RDWR | O_CLOEXEC,
	};

	misuse(ctx, h, "fd 1 on input (an output field)", &a, EINVAL);
}

static void t_fd_set(struct hilt_ctx *ctx)
{
	each_heap(ctx, fd_set_one);
}

/* dma_heap_ioctl(): an ioctl number past the command table is -EINVAL (not -ENOTTY). */
static void unknown_ioctl_one(struct hilt_ctx *ctx, struct heap *h)
{
	struct dma_heap_allocation_data a = { .len = dmabuf_page_size(), .fd_flags = O_RDWR };
	char m[256];
	int ret = ioctl(h->fd, _IOWR(DMA_HEAP_IOC_MAGIC, 0x1, struct dma_heap_allocation_data), &a);

	snprintf(m, sizeof(m), "command number 1 (none is defined past ALLOC) on %s", h->path);
	hilt_expect_errno(ctx, NULL, "_IOWR('H', 0x1)", m, ret, errno, EINVAL);
}

static void t_unknown_ioctl(struct hilt_ctx *ctx)
{
	each_heap(ctx, unknown_ioctl_one);
}

/*
 * Heap memory reaches userspace zeroed. The first buffer is dirtied and freed
 * so that the second, of the same size, likely reuses its pages.
 */
static void zeroed_one(struct hilt_ctx *ctx, struct heap *h)
{
	const size_t size = 1 << 20;
	unsigned char *p;
	int fd;

	for (int round = 0; round < 2; round++) {
		if ((fd = alloc_or_fail(ctx, h, size)) < 0)
			return;
		p = dmabuf_mmap(fd, size);
		if (!p) {
			hilt_fail(ctx, "mmap of a %zu-byte dma-buf from %s failed with %s", size, h->path,
				  hilt_errname(errno));
			close(fd);
			return;
		}
		dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
		for (size_t i = 0; i < size; i++) {
			if (p[i]) {
				hilt_fail(ctx, "a fresh %zu-byte buffer from %s (allocation %d) holds %#x at "
					  "byte %zu; heap memory must reach userspace zeroed",
					  size, h->path, round + 1, p[i], i);
				break;
			}
		}
		memset(p, 0xa5, size);
		dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		munmap(p, size);
		close(fd);
		if (failed(ctx))
			return;
	}
}

static void t_zeroed(struct hilt_ctx *ctx)
{
	each_heap(ctx, zeroed_one);
}

static bool sync_ok(struct hilt_ctx *ctx, struct heap *h, int fd, uint64_t flags, const char *name)
{
	int ret = dmabuf_sync(fd, flags);

	if (ret)
		hilt_fail(ctx, "DMA_BUF_IOCTL_SYNC(%s) on a dma-buf from %s failed with %s; expected 0",
			  name, h->path, hilt_errname(-ret));
	return !ret;
}

/* CPU writes and reads through mmap, each bracketed by SYNC_START/SYNC_END. */
static void mmap_sync_one(struct hilt_ctx *ctx, struct heap *h)
{
	const size_t size = 64 << 10;
	uint32_t *p;
	long bad;
	int fd;

	if ((fd = alloc_or_fail(ctx, h, size)) < 0)
		return;
	p = dmabuf_mmap(fd, size);
	if (!p) {
		hilt_fail(ctx, "mmap of a %zu-byte dma-buf from %s failed with %s", size, h->path,
			  hilt_errname(errno));
		close(fd);
		return;
	}
	if (sync_ok(ctx, h, fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE, "START|WRITE")) {
		dmabuf_fill(p, size, 1);
		sync_ok(ctx, h, fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE, "END|WRITE");
	}
	if (sync_ok(ctx, h, fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, "START|READ")) {
		if ((bad = dmabuf_check(p, size, 1)) >= 0)
			hilt_fail(ctx, "a dma-buf from %s does not read back what was written through "
				  "the same mapping (byte %ld)", h->path, bad);
		sync_ok(ctx, h, fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, "END|READ");
	}
	if (sync_ok(ctx, h, fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW, "START|RW")) {
		for (size_t i = 0; i < size / 4; i++)
			p[i] ^= 0xffffffffu;
		sync_ok(ctx, h, fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW, "END|RW");
	}
	munmap(p, size);

	/* A second mapping sees what the first one wrote. */
	p = dmabuf_mmap(fd, size);
	if (!p) {
		hilt_fail(ctx, "a second mmap of a dma-buf from %s failed with %s", h->path,
			  hilt_errname(errno));
	} else {
		if (sync_ok(ctx, h, fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, "START|READ")) {
			for (size_t i = 0; i < size / 4; i++) {
				if (p[i] != (dmabuf_word(i * 4, 1) ^ 0xffffffffu)) {
					hilt_fail(ctx, "a second mmap of a dma-buf from %s does not see "
						  "what the first wrote (byte %zu)", h->path, i * 4);
					break;
				}
			}
			sync_ok(ctx, h, fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, "END|READ");
		}
		munmap(p, size);
	}
	close(fd);
}

static void t_mmap_sync(struct hilt_ctx *ctx)
{
	each_heap(ctx, mmap_sync_one);
}

/*
 * dma_buf_ioctl(): flags outside DMA_BUF_SYNC_VALID_FLAGS_MASK, or neither
 * READ nor WRITE, are -EINVAL (dma-buf core, the same for every exporter).
 */
static void sync_bad_flags_one(struct hilt_ctx *ctx, struct heap *h)
{
	static const struct { uint64_t flags; const char *what; } bad[] = {
		{ DMA_BUF_SYNC_START, "flags START without READ or WRITE" },
		{ DMA_BUF_SYNC_END, "flags END without READ or WRITE" },
		{ DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW | 0x8, "flags START|RW|0x8 (an undefined bit)" },
		{ 1ull << 63, "flags bit 63 (an undefined bit)" },
	};
	int fd = alloc_or_fail(ctx, h, dmabuf_page_size());

	if (fd < 0)
		return;
	for (size_t i = 0; i < HILT_ARRAY_SIZE(bad); i++) {
		struct dma_buf_sync s = { .flags = bad[i].flags };
		char m[256];
		int ret = ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);

		snprintf(m, sizeof(m), "%s on a dma-buf from %s", bad[i].what, h->path);
		hilt_expect_errno(ctx, NULL, "DMA_BUF_IOCTL_SYNC", m, ret, errno, EINVAL);
	}
	close(fd);
}

static void t_sync_bad_flags(struct hilt_ctx *ctx)
{
	each_heap(ctx, sync_bad_flags_one);
}

/* dma_buf_mmap_internal(): vm_pgoff + pages past dmabuf->size is -EINVAL. */
static void mmap_past_end_one(struct hilt_ctx *ctx, struct heap *h)
{
	const size_t page = dmabuf_page_size(), size = 4 * page;
	int fd = alloc_or_fail(ctx, h, size);
	char m[256];
	void *p;

	if (fd < 0)
		return;
	p = mmap(NULL, size + page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	snprintf(m, sizeof(m), "a length one page longer than the %zu-byte dma-buf from %s", size,
		 h->path);
	hilt_expect_errno(ctx, NULL, "mmap(2)", m, p == MAP_FAILED ? -1 : 0, errno, EINVAL);
	if (p != MAP_FAILED)
		munmap(p, size + page);

	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)size);
	snprintf(m, sizeof(m), "offset %zu, the end of the dma-buf from %s", size, h->path);
	hilt_expect_errno(ctx, NULL, "mmap(2)", m, p == MAP_FAILED ? -1 : 0, errno, EINVAL);
	if (p != MAP_FAILED)
		munmap(p, page);
	close(fd);
}

static void t_mmap_past_end(struct hilt_ctx *ctx)
{
	each_heap(ctx, mmap_past_end_one);
}

/*
 * The argument struct in three sizes, as the dmabuf-heaps kselftest's
 * compat tests do: the 16-byte one of kernels before heap_flags, the 24-byte
 * one of 6.12, and a 32-byte one with 8 bytes more, zero or not.
 * dma_heap_ioctl() copies in the caller's size, zero-fills up to its own and
 * copies the caller's size back: all are accepted, and bytes past its struct
 * are ignored.
 */
struct heap_alloc_bigger {
	struct dma_heap_allocation_data d;
	uint64_t more;
};

static void struct_sizes_one(struct hilt_ctx *ctx, struct heap *h)
{
	static const char rule[] = "dma_heap_ioctl() zero-fills a shorter struct and ignores the bytes past its own";
	static const struct { size_t size; uint64_t more; const char *trailing; } sizes[] = {
		{ 16, 0, "none" },
		{ sizeof(struct dma_heap_allocation_data), 0, "none" },
		{ sizeof(struct heap_alloc_bigger), 0, "zero" },
		{ sizeof(struct heap_alloc_bigger), ~0ull, "nonzero" },
	};
	char what[192];

	snprintf(what, sizeof(what), "DMA_HEAP_IOCTL_ALLOC on %s", h->path);
	for (size_t i = 0; i < HILT_ARRAY_SIZE(sizes); i++) {
		struct heap_alloc_bigger a = {
			.d = { .len = dmabuf_page_size(), .fd_flags = O_RDWR | O_CLOEXEC }, .more = sizes[i].more,
		};
		int ret = ioctl(h->fd, hilt_ioc_resize(DMA_HEAP_IOCTL_ALLOC, sizes[i].size), &a);
		int err = errno;

		if (!ret) {
			struct dmabuf_info info;

			hilt_defer_close(ctx, (int)a.d.fd);
			dmabuf_info((int)a.d.fd, &info);
			if (info.size != (long long)dmabuf_page_size())
				hilt_fail(ctx, "%s with a %zu-byte struct gave a dma-buf of %lld bytes; asked for %zu",
					  what, sizes[i].size, info.size, dmabuf_page_size());
			if (a.more != sizes[i].more)
				hilt_fail(ctx, "%s with a %zu-byte struct changed the bytes past the kernel's struct",
					  what, sizes[i].size);
		}
		hilt_check_struct_size(ctx, NULL, what, sizes[i].size, sizeof(struct dma_heap_allocation_data),
				       sizes[i].trailing, ret, err, 0, rule);
	}
}

static void t_struct_sizes(struct hilt_ctx *ctx)
{
	each_heap(ctx, struct_sizes_one);
}

static struct hilt_dev *vgem_or_skip(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = hilt_vgem();

	if (!vgem)
		hilt_skip(ctx, "vgem is not loaded (no vgem node in /dev/dri)");
	return vgem;
}

/*
 * The import goes through vgem's primary node: MODE_MAP_DUMB is not
 * DRM_RENDER_ALLOW, so a render node refuses it with EACCES before the driver
 * is asked, and GEM handles belong to the file that imported.
 */
static void import_vgem_one(struct hilt_ctx *ctx, struct heap *h)
{
	const size_t size = 256 << 10;
	struct hilt_dev *vgem = dmabuf_vgem_primary();
	struct dmabuf_import r;
	struct hilt_json j;
	char what[192];
	int fd;

	if ((fd = alloc_or_fail(ctx, h, size)) < 0)
		return;
	snprintf(what, sizeof(what), "a %zu-byte buffer from %s", size, h->path);
	dmabuf_vgem_import(ctx, vgem, fd, size, what, &r);
	if (r.imported) {
		hj_begin(&j);
		hj_dev(&j, vgem);
		hj_str(&j, "heap", h->name);
		hj_uint(&j, "size", size);
		dmabuf_import_json(&j, &r);
		hilt_obs(ctx, "heap.import", &j);
	}
	close(fd);
}

static void t_import_vgem(struct hilt_ctx *ctx)
{
	/* The heap folder's absence is the better reason to give, so it goes first. */
	if (access(HEAP_DIR, F_OK) == 0 && !vgem_or_skip(ctx))
		return;
	each_heap(ctx, import_vgem_one);
}

static void vgem_fence_one(struct hilt_ctx *ctx, struct heap *h)
{
	struct hilt_dev *vgem = hilt_vgem();
	struct dmabuf_fence r;
	struct hilt_json j;
	char what[192];
	int fd;

	if ((fd = alloc_or_fail(ctx, h, dmabuf_page_size())) < 0)
		return;
	snprintf(what, sizeof(what), "a buffer from %s", h->path);
	dmabuf_vgem_fence(ctx, vgem, fd, what, &r);
	if (r.attached) {
		hj_begin(&j);
		hj_dev(&j, vgem);
		hj_str(&j, "heap", h->name);
		dmabuf_fence_json(&j, &r);
		hilt_obs(ctx, "heap.fence", &j);
	}
	close(fd);
}

static void t_vgem_fence(struct hilt_ctx *ctx)
{
	/* The heap folder's absence is the better reason to give, so it goes first. */
	if (access(HEAP_DIR, F_OK) == 0 && !vgem_or_skip(ctx))
		return;
	each_heap(ctx, vgem_fence_one);
}

#define K_ALLOC "dma_heap_ioctl_allocate()"

static const struct hilt_case cases[] = {
	{ "heaps", t_heaps, "open(2)",
	  "every heap under /dev/dma_heap opens", "heap.node", "dma_heap_open()" },
	{ "alloc-sizes", t_alloc_sizes, "DMA_HEAP_IOCTL_ALLOC",
	  "one page, 1 MiB and an unaligned size allocate; the dma-buf's size is the request rounded up "
	  "to a page, the same from lseek and fdinfo, read-write and close-on-exec as asked (record-only "
	  "beyond the general schema: no driver key, no profile judges the sizes)",
	  "heap.alloc", K_ALLOC ", system_heap_allocate()" },
	{ "alloc-zero-length", t_zero_length, "DMA_HEAP_IOCTL_ALLOC",
	  "len 0 is refused with EINVAL", "ioctl.errno", K_ALLOC },
	{ "alloc-bad-fd-flags", t_bad_fd_flags, "DMA_HEAP_IOCTL_ALLOC",
	  "fd_flags beyond O_CLOEXEC and the access mode are refused with EINVAL", "ioctl.errno", K_ALLOC },
	{ "alloc-bad-heap-flags", t_bad_heap_flags, "DMA_HEAP_IOCTL_ALLOC",
	  "any heap_flags bit (none is defined) is refused with EINVAL", "ioctl.errno", K_ALLOC },
	{ "alloc-fd-set", t_fd_set, "DMA_HEAP_IOCTL_ALLOC",
	  "a non-zero fd on input (an output field) is refused with EINVAL", "ioctl.errno", K_ALLOC },
	{ "alloc-struct-sizes", t_struct_sizes, "DMA_HEAP_IOCTL_ALLOC",
	  "ALLOC takes the older 16-byte struct, the 24-byte one and a 32-byte one (zero or not past the kernel's struct, left as it was), each giving a page-sized dma-buf",
	  "ioctl.struct-size", "dma_heap_ioctl()" },
	{ "unknown-ioctl", t_unknown_ioctl, "_IOWR('H', 0x1)",
	  "a heap ioctl number past ALLOC is refused with EINVAL", "ioctl.errno", "dma_heap_ioctl()" },
	{ "zeroed", t_zeroed, "DMA_HEAP_IOCTL_ALLOC",
	  "a new buffer reads all zero through mmap, also right after a dirtied one was freed", "",
	  "system_heap_allocate()" },
	{ "mmap-sync", t_mmap_sync, "DMA_BUF_IOCTL_SYNC",
	  "SYNC_START/SYNC_END for READ, WRITE and RW succeed around CPU access through mmap, and a "
	  "second mapping sees what the first wrote", "", "system_heap_mmap(), system_heap_dma_buf_begin_cpu_access()" },
	{ "sync-bad-flags", t_sync_bad_flags, "DMA_BUF_IOCTL_SYNC",
	  "SYNC without a direction or with an undefined flag is refused with EINVAL", "ioctl.errno", "dma_buf_ioctl()" },
	{ "mmap-past-end", t_mmap_past_end, "mmap(2)",
	  "mapping past the end of a dma-buf is refused with EINVAL", "ioctl.errno", "dma_buf_mmap_internal()" },
	{ "import-vgem", t_import_vgem, "DRM_IOCTL_PRIME_FD_TO_HANDLE",
	  "vgem imports a heap buffer (the same handle twice), refuses MAP_DUMB of the import with EINVAL, and exports "
	  "the handle back as the same dma-buf with the CPU's data after the round trip", "heap.import,ioctl.errno",
	  "drm_gem_prime_import_dev(), drm_gem_dumb_map_offset(), drm_gem_prime_handle_to_dmabuf()" },
	{ "vgem-fence", t_vgem_fence, "DRM_IOCTL_VGEM_FENCE_ATTACH",
	  "a vgem write fence on the imported handle makes the heap dma-buf busy for poll until it is "
	  "signalled", "heap.fence", "vgem_fence_attach_ioctl(), dma_buf_poll()" },
};

int main(int argc, char **argv)
{
	return hilt_main(argc, argv, "dma-heap", cases, HILT_ARRAY_SIZE(cases));
}
