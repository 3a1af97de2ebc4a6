// SPDX-License-Identifier: MIT
/*
 * udmabuf: dma-bufs made from memfd pages through /dev/udmabuf
 * (drivers/dma-buf/udmabuf.c). UDMABUF_CREATE and UDMABUF_CREATE_LIST, the
 * memfds and ranges the driver refuses and with which errno, the memfd and
 * the dma-buf sharing pages, and the import of a udmabuf into vgem.
 */
#define _GNU_SOURCE
#include "hilt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/udmabuf.h>

#include "dmabuf.h"
#include "drm-util.h"

#define UDMABUF_DEV "/dev/udmabuf"
#define PARAMS "/sys/module/udmabuf/parameters/"

/* include/uapi/linux/memfd.h, Linux 6.3; Debian's linux-libc-dev 6.1 lacks it. */
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif

/* udmabuf.c's defaults for its module parameters, used when sysfs does not say. */
#define DEFAULT_LIST_LIMIT 1024
#define DEFAULT_SIZE_LIMIT_MB 64

static size_t page;

/* /dev/udmabuf opened read-write, or -1 with the case skipped (absent, no permission) or failed. */
static int open_udmabuf(struct hilt_ctx *ctx)
{
	int fd = open(UDMABUF_DEV, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return hilt_defer_close(ctx, fd);
	if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
		hilt_skip(ctx, "no " UDMABUF_DEV ": the kernel has no udmabuf (CONFIG_UDMABUF)");
	else if (errno == EACCES || errno == EPERM)
		hilt_skip(ctx, "no permission to open " UDMABUF_DEV " (%s)", strerror(errno));
	else
		hilt_fail(ctx, "open " UDMABUF_DEV ": %s", strerror(errno));
	return -1;
}

/*
 * A memfd of size bytes with these seals added. Sealing is allowed unless
 * allow_sealing is false (then the kernel itself puts F_SEAL_SEAL on it).
 * MFD_NOEXEC_SEAL keeps it working under vm.memfd_noexec=2; kernels before
 * 6.3 do not know the flag and get the memfd without it.
 */
static int new_memfd(struct hilt_ctx *ctx, size_t size, unsigned int seals, bool allow_sealing)
{
	unsigned int flags = MFD_CLOEXEC | (allow_sealing ? MFD_ALLOW_SEALING : 0);
	int fd = memfd_create("hilt-udmabuf", flags | (allow_sealing ? MFD_NOEXEC_SEAL : 0));

	if (fd < 0 && errno == EINVAL && allow_sealing)
		fd = memfd_create("hilt-udmabuf", flags);
	if (fd < 0) {
		hilt_fail(ctx, "memfd_create(%s) failed: %s",
			  allow_sealing ? "MFD_ALLOW_SEALING" : "0", strerror(errno));
		return -1;
	}
	hilt_defer_close(ctx, fd);
	if (ftruncate(fd, (off_t)size)) {
		hilt_fail(ctx, "ftruncate of a memfd to %zu bytes failed: %s", size, strerror(errno));
		return -1;
	}
	if (seals && fcntl(fd, F_ADD_SEALS, seals)) {
		hilt_fail(ctx, "fcntl(F_ADD_SEALS, %#x) on a memfd failed: %s", seals, strerror(errno));
		return -1;
	}
	return fd;
}


/* UDMABUF_CREATE: the ioctl's result (the new dma-buf fd or -1, errno set). */
static int create(int dev, int memfd, uint64_t offset, uint64_t size, uint32_t flags)
{
	struct udmabuf_create c = { .memfd = (uint32_t)memfd, .flags = flags, .offset = offset, .size = size };

	return ioctl(dev, UDMABUF_CREATE, &c);
}

/* UDMABUF_CREATE_LIST with n items (the list follows the header in memory). */
static int create_list(int dev, uint32_t flags, const struct udmabuf_create_item *items, uint32_t n)
{
	size_t len = sizeof(struct udmabuf_create_list) + n * sizeof(*items);
	struct udmabuf_create_list *head = calloc(1, len);
	int ret, err;

	if (!head)
		return -1;
	head->flags = flags;
	head->count = n;
	memcpy((char *)head + sizeof(*head), items, n * sizeof(*items));
	ret = ioctl(dev, UDMABUF_CREATE_LIST, head);
	err = errno;
	free(head);
	errno = err;
	return ret;
}

static long read_param(const char *name, long fallback)
{
	char path[128], buf[32];
	FILE *f;
	long v = fallback;

	snprintf(path, sizeof(path), PARAMS "%s", name);
	f = fopen(path, "re");
	if (f) {
		if (fgets(buf, sizeof(buf), f))
			v = strtol(buf, NULL, 10);
		fclose(f);
	}
	return v;
}

/* Emits udmabuf.create for a new dma-buf. */
static void create_obs(struct hilt_ctx *ctx, int fd, int ranges, uint64_t offset, uint64_t requested,
		       uint32_t flags, const char *what)
{
	struct dmabuf_info info;
	struct hilt_json j;

	dmabuf_info(fd, &info);
	hj_begin(&j);
	hj_int(&j, "ranges", ranges);
	if (ranges == 1)
		hj_uint(&j, "offset", offset);
	hj_uint(&j, "requested", requested);
	hj_uint(&j, "page_size", page);
	hj_str(&j, "flags", flags & UDMABUF_FLAGS_CLOEXEC ? "UDMABUF_FLAGS_CLOEXEC" : "0");
	dmabuf_info_json(ctx, &j, &info, what);
	hilt_obs(ctx, "udmabuf.create", &j);
}

/* Checks that the dma-buf maps the memfd's bytes [offset, offset + size). */
static void check_contents(struct hilt_ctx *ctx, int fd, int memfd, size_t offset, size_t size,
			   size_t at, const char *what)
{
	unsigned char *want, *p = hilt_defer_munmap(ctx, dmabuf_mmap(fd, at + size), at + size);

	want = malloc(size);
	hilt_defer_call(ctx, free, want);
	if (!want || !p) {
		hilt_fail(ctx, "mmap of %s failed with %s", what, hilt_errname(errno));
		return;
	}
	if (pread(memfd, want, size, (off_t)offset) != (ssize_t)size) {
		hilt_fail(ctx, "pread of the memfd behind %s failed: %s", what, strerror(errno));
		return;
	}
	dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	for (size_t i = 0; i < size; i++) {
		if (p[at + i] != want[i]) {
			hilt_fail(ctx, "%s: byte %zu of the dma-buf is %#x, byte %zu of the memfd is %#x; "
				  "expected the dma-buf to map the memfd's pages", what, at + i, p[at + i],
				  offset + i, want[i]);
			break;
		}
	}
	dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
}


/* Writes a pattern into the memfd with pwrite(2). */
static bool memfd_fill(struct hilt_ctx *ctx, int memfd, size_t offset, size_t size, uint32_t seed)
{
	void *buf = malloc(size);
	bool ok;

	if (!buf)
		return false;
	dmabuf_fill(buf, size, seed);
	ok = pwrite(memfd, buf, size, (off_t)offset) == (ssize_t)size;
	if (!ok)
		hilt_fail(ctx, "pwrite of %zu bytes into a memfd failed: %s", size, strerror(errno));
	free(buf);
	return ok;
}

/* ---- cases ---- */

static void t_create(struct hilt_ctx *ctx)
{
	const size_t msize = 16 * page;
	int dev = open_udmabuf(ctx), memfd, fd;

	if (dev < 0)
		return;
	if ((memfd = new_memfd(ctx, msize, F_SEAL_SHRINK, true)) < 0)
		return;
	if (!memfd_fill(ctx, memfd, 0, msize, 7))
		return;

	/* The whole memfd, close-on-exec. */
	fd = hilt_defer_close(ctx, create(dev, memfd, 0, msize, UDMABUF_FLAGS_CLOEXEC));
	if (fd < 0) {
		hilt_fail(ctx, "UDMABUF_CREATE of a %zu-byte memfd sealed F_SEAL_SHRINK failed with %s; "
			  "expected a dma-buf", msize, hilt_errname(errno));
		return;
	}
	create_obs(ctx, fd, 1, 0, msize, UDMABUF_FLAGS_CLOEXEC, "a udmabuf of a whole memfd");
	check_contents(ctx, fd, memfd, 0, msize, 0, "a udmabuf of a whole memfd");

	/* Two pages from the second one, without close-on-exec. */
	fd = hilt_defer_close(ctx, create(dev, memfd, page, 2 * page, 0));
	if (fd < 0) {
		hilt_fail(ctx, "UDMABUF_CREATE of pages 1-2 of a sealed memfd failed with %s; expected a "
			  "dma-buf", hilt_errname(errno));
		return;
	}
	create_obs(ctx, fd, 1, page, 2 * page, 0, "a udmabuf of pages 1-2 of a memfd");
	check_contents(ctx, fd, memfd, page, 2 * page, 0, "a udmabuf of pages 1-2 of a memfd");
}

/* One UDMABUF_CREATE misuse against a memfd the caller made. */
static void create_misuse(struct hilt_ctx *ctx, int dev, int memfd, uint64_t offset, uint64_t size,
			  const char *what, int expected)
{
	int ret = create(dev, memfd, offset, size, UDMABUF_FLAGS_CLOEXEC);
	int err = errno;

	if (ret >= 0)
		close(ret);
	hilt_expect_errno(ctx, NULL, "UDMABUF_CREATE", what, ret, err, expected);
}

/* check_memfd_seals(): F_SEAL_SHRINK missing -> -EINVAL. */
static void t_create_unsealed(struct hilt_ctx *ctx)
{
	int dev = open_udmabuf(ctx), memfd;

	if (dev < 0)
		return;
	if ((memfd = new_memfd(ctx, 4 * page, 0, true)) >= 0) {
		create_misuse(ctx, dev, memfd, 0, 4 * page,
			      "a memfd that allows sealing but has no seal (F_SEAL_SHRINK missing)", EINVAL);
	}
	if ((memfd = new_memfd(ctx, 4 * page, 0, false)) >= 0) {
		create_misuse(ctx, dev, memfd, 0, 4 * page,
			      "a memfd made without MFD_ALLOW_SEALING (its only seal is F_SEAL_SEAL)",
			      EINVAL);
	}
}

/* check_memfd_seals(): F_SEAL_WRITE or F_SEAL_FUTURE_WRITE present -> -EINVAL. */
static void t_create_write_sealed(struct hilt_ctx *ctx)
{
	int dev = open_udmabuf(ctx), memfd;

	if (dev < 0)
		return;
	if ((memfd = new_memfd(ctx, 4 * page, F_SEAL_SHRINK | F_SEAL_WRITE, true)) >= 0) {
		create_misuse(ctx, dev, memfd, 0, 4 * page, "a memfd sealed F_SEAL_SHRINK|F_SEAL_WRITE",
			      EINVAL);
	}
	if ((memfd = new_memfd(ctx, 4 * page, F_SEAL_SHRINK | F_SEAL_FUTURE_WRITE, true)) >= 0) {
		create_misuse(ctx, dev, memfd, 0, 4 * page,
			      "a memfd sealed F_SEAL_SHRINK|F_SEAL_FUTURE_WRITE", EINVAL);
	}
}

/* udmabuf_create(): !PAGE_ALIGNED(size) -> -EINVAL. */
static void t_create_unaligned_size(struct hilt_ctx *ctx)
{
	int dev = open_udmabuf(ctx), memfd;
	char m[128];

	if (dev < 0)
		return;
	if ((memfd = new_memfd(ctx, 4 * page, F_SEAL_SHRINK, true)) >= 0) {
		snprintf(m, sizeof(m), "size %zu (a page and one byte) of a %zu-byte sealed memfd",
			 page + 1, 4 * page);
		create_misuse(ctx, dev, memfd, 0, page + 1, m, EINVAL);
		snprintf(m, sizeof(m), "size %zu (half a page) of a %zu-byte sealed memfd", page / 2,
			 4 * page);
		create_misuse(ctx, dev, memfd, 0, page / 2, m, EINVAL);
	}
}

/* udmabuf_create(): !PAGE_ALIGNED(offset) -> -EINVAL. */
static void t_create_unaligned_offset(struct hilt_ctx *ctx)
{
	int dev = open_udmabuf(ctx), memfd;

	if (dev < 0)
		return;
	if ((memfd = new_memfd(ctx, 4 * page, F_SEAL_SHRINK, true)) >= 0) {
		create_misuse(ctx, dev, memfd, 100, page,
			      "offset 100 (not page aligned) into a sealed memfd", EINVAL);
	}
}

/* memfd_pin_folios(): the range's last byte at or past i_size -> -EINVAL. */
static void t_create_offset_past_end(struct hilt_ctx *ctx)
{
	int dev = open_udmabuf(ctx), memfd;
	char m[160];

	if (dev < 0)
		return;
	if ((memfd = new_memfd(ctx, 4 * page, F_SEAL_SHRINK, true)) >= 0) {
		snprintf(m, sizeof(m), "offset %zu, past the end of a %zu-byte sealed memfd", 8 * page,
			 4 * page);
		create_misuse(ctx, dev, memfd, 8 * page, page, m, EINVAL);
		snprintf(m, sizeof(m), "offset %zu, the end of a %zu-byte sealed memfd", 4 * page,
			 4 * page);
		create_misuse(ctx, dev, memfd, 4 * page, page, m, EINVAL);
		snprintf(m, sizeof(m), "offset %zu size %zu, a range running past the end of a %zu-byte "
			 "sealed memfd", 3 * page, 2 * page, 4 * page);
		create_misuse(ctx, dev, memfd, 3 * page, 2 * page, m, EINVAL);
	}
}

/* udmabuf_create(): no page in all the ranges -> -EINVAL. */
static void t_create_zero_size(struct hilt_ctx *ctx)
{
	int dev = open_udmabuf(ctx), memfd, ret;

	if (dev < 0)
		return;
	if ((memfd = new_memfd(ctx, 4 * page, F_SEAL_SHRINK, true)) >= 0) {
		create_misuse(ctx, dev, memfd, 0, 0, "size 0 of a sealed memfd", EINVAL);
	}
	ret = create_list(dev, UDMABUF_FLAGS_CLOEXEC, NULL, 0);
	if (ret >= 0)
		close(ret);
	hilt_expect_errno(ctx, NULL, "UDMABUF_CREATE_LIST", "count 0 (no range)", ret, errno, EINVAL);
}

/*
 * udmabuf_create(): an fd that is not open -> fget() fails -> -EBADFD;
 * check_memfd_seals(): a file that is neither shmem nor hugetlbfs -> -EBADFD.
 */
static void t_create_bad_memfd(struct hilt_ctx *ctx)
{
	int dev = open_udmabuf(ctx), p[2], closed;

	if (dev < 0)
		return;
	if (pipe2(p, O_CLOEXEC)) {
		hilt_fail(ctx, "pipe2 failed: %s", strerror(errno));
	} else {
		create_misuse(ctx, dev, p[0], 0, page, "a pipe instead of a memfd", EBADFD);
		close(p[0]);
		close(p[1]);
	}
	closed = dup(dev);
	if (closed >= 0) {
		close(closed);
		create_misuse(ctx, dev, closed, 0, page, "an fd number that is not open", EBADFD);
	}
}

/* udmabuf_create(): more pages than size_limit_mb (a module parameter) -> -EINVAL. */
static void t_create_too_large(struct hilt_ctx *ctx)
{
	long limit = read_param("size_limit_mb", DEFAULT_SIZE_LIMIT_MB);
	int dev = open_udmabuf(ctx), memfd;
	char m[160];

	if (dev < 0)
		return;
	/* The size is refused before the memfd is looked at: a small one does. */
	if ((memfd = new_memfd(ctx, 4 * page, F_SEAL_SHRINK, true)) >= 0) {
		snprintf(m, sizeof(m), "size %ld MiB, one more than size_limit_mb", limit + 1);
		create_misuse(ctx, dev, memfd, 0, (uint64_t)(limit + 1) << 20, m, EINVAL);
	}
}

/* Two ranges from two memfds: the dma-buf is the first range followed by the second. */
static void t_create_list(struct hilt_ctx *ctx)
{
	int dev = open_udmabuf(ctx), a = -1, b = -1, fd;
	struct udmabuf_create_item items[2];

	if (dev < 0)
		return;
	if ((a = new_memfd(ctx, 4 * page, F_SEAL_SHRINK, true)) < 0 ||
	    (b = new_memfd(ctx, 4 * page, F_SEAL_SHRINK, true)) < 0)
		return;
	if (!memfd_fill(ctx, a, 0, 4 * page, 11) || !memfd_fill(ctx, b, 0, 4 * page, 13))
		return;
	items[0] = (struct udmabuf_create_item){ .memfd = (uint32_t)a, .offset = page, .size = 2 * page };
	items[1] = (struct udmabuf_create_item){ .memfd = (uint32_t)b, .offset = 0, .size = page };
	fd = hilt_defer_close(ctx, create_list(dev, UDMABUF_FLAGS_CLOEXEC, items, 2));
	if (fd < 0) {
		hilt_fail(ctx, "UDMABUF_CREATE_LIST of two ranges (2 pages of one sealed memfd, 1 of "
			  "another) failed with %s; expected a dma-buf", hilt_errname(errno));
		return;
	}
	create_obs(ctx, fd, 2, 0, 3 * page, UDMABUF_FLAGS_CLOEXEC, "a udmabuf of two ranges");
	check_contents(ctx, fd, a, page, 2 * page, 0, "the first range of a two-range udmabuf");
	check_contents(ctx, fd, b, 0, page, 2 * page, "the second range of a two-range udmabuf");
}

/* udmabuf_ioctl_create_list(): count > list_limit (a module parameter) -> -EINVAL. */
static void t_create_list_too_long(struct hilt_ctx *ctx)
{
	long limit = read_param("list_limit", DEFAULT_LIST_LIMIT);
	struct udmabuf_create_list head = { .flags = UDMABUF_FLAGS_CLOEXEC, .count = (uint32_t)limit + 1 };
	int dev = open_udmabuf(ctx), ret;
	char m[128];

	if (dev < 0)
		return;
	/* The count is refused before the items are read: the header alone does. */
	ret = ioctl(dev, UDMABUF_CREATE_LIST, &head);
	if (ret >= 0)
		close(ret);
	snprintf(m, sizeof(m), "count %ld, one more than list_limit", limit + 1);
	hilt_expect_errno(ctx, NULL, "UDMABUF_CREATE_LIST", m, ret, errno, EINVAL);
}

/*
 * The dma-buf maps the memfd's own pages: what pwrite(2) and a mapping of the
 * memfd write is read through the dma-buf's mmap, and what is written through
 * the dma-buf is read back with pread(2).
 */
static void t_memfd_writes(struct hilt_ctx *ctx)
{
	const size_t msize = 16 * page, off = 2 * page, size = 8 * page;
	int dev = open_udmabuf(ctx), memfd, fd = -1;
	uint32_t *p = NULL, *m = NULL, *buf = NULL;
	long bad;

	if (dev < 0)
		return;
	if ((memfd = new_memfd(ctx, msize, F_SEAL_SHRINK, true)) < 0)
		return;
	fd = hilt_defer_close(ctx, create(dev, memfd, off, size, UDMABUF_FLAGS_CLOEXEC));
	if (fd < 0) {
		hilt_fail(ctx, "UDMABUF_CREATE of pages 2-9 of a sealed memfd failed with %s",
			  hilt_errname(errno));
		return;
	}
	p = hilt_defer_munmap(ctx, dmabuf_mmap(fd, size), size);
	m = hilt_defer_munmap(ctx, mmap(NULL, msize, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0), msize);
	buf = malloc(size);
	hilt_defer_call(ctx, free, buf);
	if (!p || m == MAP_FAILED || !buf) {
		hilt_fail(ctx, "mmap of the udmabuf or of its memfd failed: %s", strerror(errno));
		return;
	}

	/* 1. pwrite into the memfd after the udmabuf exists. */
	if (!memfd_fill(ctx, memfd, off, size, 21))
		return;
	dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	bad = dmabuf_check(p, size, 21);
	dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	if (bad >= 0)
		hilt_fail(ctx, "what pwrite(2) wrote into the memfd is not read through the udmabuf's "
			  "mmap (first difference at byte %ld of %zu)", bad, size);

	/* 2. Stores through a mapping of the memfd. */
	dmabuf_fill((char *)m + off, size, 22);
	dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	bad = dmabuf_check(p, size, 22);
	dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	if (bad >= 0)
		hilt_fail(ctx, "what was stored through a mapping of the memfd is not read through the "
			  "udmabuf's mmap (first difference at byte %ld of %zu)", bad, size);

	/* 3. And back: stores through the dma-buf, pread from the memfd. */
	dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	dmabuf_fill(p, size, 23);
	dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	if (pread(memfd, buf, size, (off_t)off) != (ssize_t)size)
		hilt_fail(ctx, "pread of the memfd failed: %s", strerror(errno));
	else if ((bad = dmabuf_check(buf, size, 23)) >= 0)
		hilt_fail(ctx, "what was stored through the udmabuf's mmap is not read from the memfd "
			  "with pread(2) (first difference at byte %ld of %zu)", bad, size);

	/* The memfd's pages outside the range stay as they were (zero). */
	for (size_t i = 0; i < msize / 4; i++) {
		if ((i * 4 < off || i * 4 >= off + size) && m[i]) {
			hilt_fail(ctx, "stores through a udmabuf of the memfd's bytes %zu-%zu changed its "
				  "byte %zu, outside that range", off, off + size - 1, i * 4);
			break;
		}
	}
}


/* mmap_udmabuf(): a mapping without VM_SHARED -> -EINVAL. */
static void t_mmap_private(struct hilt_ctx *ctx)
{
	int dev = open_udmabuf(ctx), memfd, fd;
	void *p;

	if (dev < 0)
		return;
	if ((memfd = new_memfd(ctx, 4 * page, F_SEAL_SHRINK, true)) < 0)
		return;
	fd = hilt_defer_close(ctx, create(dev, memfd, 0, 4 * page, UDMABUF_FLAGS_CLOEXEC));
	if (fd < 0) {
		hilt_fail(ctx, "UDMABUF_CREATE of a sealed memfd failed with %s", hilt_errname(errno));
	} else {
		p = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		hilt_expect_errno(ctx, NULL, "mmap(2)", "MAP_PRIVATE of a udmabuf",
				  p == MAP_FAILED ? -1 : 0, errno, EINVAL);
		if (p != MAP_FAILED)
			munmap(p, 4 * page);
	}
}

/* SYNC around CPU access; SYNC_END before any SYNC_START is recorded (udmabuf has no sg table yet). */
static void t_sync(struct hilt_ctx *ctx)
{
	static const struct { uint64_t flags; const char *name; } pairs[] = {
		{ DMA_BUF_SYNC_READ, "READ" }, { DMA_BUF_SYNC_WRITE, "WRITE" }, { DMA_BUF_SYNC_RW, "RW" },
	};
	int dev = open_udmabuf(ctx), memfd, fd, ret, end_first;
	struct hilt_json j;

	if (dev < 0)
		return;
	if ((memfd = new_memfd(ctx, 4 * page, F_SEAL_SHRINK, true)) < 0)
		return;
	fd = hilt_defer_close(ctx, create(dev, memfd, 0, 4 * page, UDMABUF_FLAGS_CLOEXEC));
	if (fd < 0) {
		hilt_fail(ctx, "UDMABUF_CREATE of a sealed memfd failed with %s", hilt_errname(errno));
		return;
	}
	end_first = -dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	for (size_t i = 0; i < HILT_ARRAY_SIZE(pairs); i++) {
		if ((ret = dmabuf_sync(fd, DMA_BUF_SYNC_START | pairs[i].flags)))
			hilt_fail(ctx, "DMA_BUF_IOCTL_SYNC(START|%s) on a udmabuf failed with %s; "
				  "expected 0", pairs[i].name, hilt_errname(-ret));
		else if ((ret = dmabuf_sync(fd, DMA_BUF_SYNC_END | pairs[i].flags)))
			hilt_fail(ctx, "DMA_BUF_IOCTL_SYNC(END|%s) on a udmabuf after START failed with "
				  "%s; expected 0", pairs[i].name, hilt_errname(-ret));
	}
	hj_begin(&j);
	hj_int(&j, "end_first_errno", end_first);
	hj_str(&j, "end_first_errname", hilt_errname(end_first));
	hilt_obs(ctx, "udmabuf.sync", &j);
	hilt_record_only(ctx, "udmabuf.sync: SYNC_END before any SYNC_START returned %s; the schema allows 0 or "
			 "EINVAL and no profile judges it (the observation names no driver)", hilt_errname(end_first));
}

/* udmabuf_create() reads only UDMABUF_FLAGS_CLOEXEC from flags; whether others are refused is recorded. */
static void t_create_undefined_flags(struct hilt_ctx *ctx)
{
	int dev = open_udmabuf(ctx), memfd, fd, err;
	struct hilt_json j;

	if (dev < 0)
		return;
	if ((memfd = new_memfd(ctx, 4 * page, F_SEAL_SHRINK, true)) >= 0) {
		fd = hilt_defer_close(ctx, create(dev, memfd, 0, page, UDMABUF_FLAGS_CLOEXEC | 0x2));
		err = fd < 0 ? errno : 0;
		if (fd >= 0)
		hj_begin(&j);
		hj_str(&j, "flags", "UDMABUF_FLAGS_CLOEXEC|0x2");
		hj_int(&j, "errno", err);
		hj_str(&j, "errname", hilt_errname(err));
		hilt_obs(ctx, "udmabuf.flags", &j);
		hilt_record_only(ctx, "udmabuf.flags: an undefined flag bit was %s; the schema allows either and no "
				 "profile judges it (the observation names no driver)", err ? "refused" : "ignored");
	}
}

/* udmabuf_ioctl(): any other command -> -ENOTTY. */
static void t_unknown_ioctl(struct hilt_ctx *ctx)
{
	struct udmabuf_create c = { 0 };
	int dev = open_udmabuf(ctx), ret;

	if (dev < 0)
		return;
	ret = ioctl(dev, _IOW('u', 0x44, struct udmabuf_create), &c);
	if (ret >= 0)
		close(ret);
	hilt_expect_errno(ctx, NULL, "_IOW('u', 0x44)", "a command udmabuf does not define", ret, errno,
			  ENOTTY);
}

/* A udmabuf of size bytes over a sealed memfd, or -1 with the case failed or skipped. */
static int udmabuf_or_skip(struct hilt_ctx *ctx, size_t size, struct hilt_dev **vgem, bool primary)
{
	int dev, memfd, fd;

	*vgem = primary ? dmabuf_vgem_primary() : hilt_vgem();
	if ((dev = open_udmabuf(ctx)) < 0)
		return -1;
	if (!*vgem) {
		hilt_skip(ctx, "vgem is not loaded (no vgem node in /dev/dri)");
		return -1;
	}
	fd = -1;
	if ((memfd = new_memfd(ctx, size, F_SEAL_SHRINK, true)) >= 0) {
		fd = hilt_defer_close(ctx, create(dev, memfd, 0, size, UDMABUF_FLAGS_CLOEXEC));
		if (fd < 0)
			hilt_fail(ctx, "UDMABUF_CREATE of a sealed memfd failed with %s",
				  hilt_errname(errno));
		hilt_close(ctx, &memfd);	/* the udmabuf keeps its pages pinned */
	}
	return fd;
}

/*
 * Through vgem's primary node: MODE_MAP_DUMB is not DRM_RENDER_ALLOW, so a
 * render node refuses it with EACCES before the driver is asked.
 */
static void t_import_vgem(struct hilt_ctx *ctx)
{
	const size_t size = 64 << 10;
	struct hilt_dev *vgem;
	struct dmabuf_import r;
	struct hilt_json j;
	int fd = udmabuf_or_skip(ctx, size, &vgem, true);

	if (fd < 0)
		return;
	dmabuf_vgem_import(ctx, vgem, fd, size, "a udmabuf", &r);
	if (r.imported) {
		hj_begin(&j);
		hj_dev(&j, vgem);
		hj_uint(&j, "size", size);
		dmabuf_import_json(&j, &r);
		hilt_obs(ctx, "udmabuf.import", &j);
	}
}

static void t_vgem_fence(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem;
	struct dmabuf_fence r;
	struct hilt_json j;
	int fd = udmabuf_or_skip(ctx, page, &vgem, false);

	if (fd < 0)
		return;
	dmabuf_vgem_fence(ctx, vgem, fd, "a udmabuf", &r);
	if (r.attached) {
		hj_begin(&j);
		hj_dev(&j, vgem);
		dmabuf_fence_json(&j, &r);
		hilt_obs(ctx, "udmabuf.fence", &j);
	}
}

#define K_CREATE "udmabuf_ioctl_create(), udmabuf_create()"

static const struct hilt_case cases[] = {
	{ "create", t_create, "UDMABUF_CREATE",
	  "a memfd sealed F_SEAL_SHRINK, whole and a two-page range at an offset, becomes a dma-buf of "
	  "exactly the requested size that maps the memfd's bytes", "udmabuf.create", K_CREATE ", memfd_pin_folios()" },
	{ "create-unsealed", t_create_unsealed, "UDMABUF_CREATE",
	  "a memfd without F_SEAL_SHRINK (sealing allowed or not) is refused with EINVAL", "ioctl.errno",
	  "check_memfd_seals()" },
	{ "create-write-sealed", t_create_write_sealed, "UDMABUF_CREATE",
	  "a memfd sealed F_SEAL_WRITE or F_SEAL_FUTURE_WRITE is refused with EINVAL", "ioctl.errno",
	  "check_memfd_seals()" },
	{ "create-unaligned-size", t_create_unaligned_size, "UDMABUF_CREATE",
	  "a size that is not a whole number of pages is refused with EINVAL", "ioctl.errno", K_CREATE },
	{ "create-unaligned-offset", t_create_unaligned_offset, "UDMABUF_CREATE",
	  "an offset that is not page aligned is refused with EINVAL", "ioctl.errno", K_CREATE },
	{ "create-offset-past-end", t_create_offset_past_end, "UDMABUF_CREATE",
	  "an offset at or past the memfd's end, or a range running past it, is refused with EINVAL",
	  "ioctl.errno", "memfd_pin_folios()" },
	{ "create-zero-size", t_create_zero_size, "UDMABUF_CREATE",
	  "size 0, and a list of no range, are refused with EINVAL", "ioctl.errno", K_CREATE },
	{ "create-bad-memfd", t_create_bad_memfd, "UDMABUF_CREATE",
	  "a pipe instead of a memfd, or an fd that is not open, is refused with EBADFD", "ioctl.errno",
	  "udmabuf_create(), check_memfd_seals()" },
	{ "create-too-large", t_create_too_large, "UDMABUF_CREATE",
	  "a size over the size_limit_mb parameter is refused with EINVAL", "ioctl.errno", K_CREATE },
	{ "create-undefined-flags", t_create_undefined_flags, "UDMABUF_CREATE",
	  "an undefined flag bit is either ignored or refused with EINVAL (record-only: no driver key, no profile judges it)",
	  "udmabuf.flags", K_CREATE },
	{ "create-list", t_create_list, "UDMABUF_CREATE_LIST",
	  "two ranges of two memfds make one dma-buf of their summed size, the first range then the "
	  "second", "udmabuf.create", "udmabuf_ioctl_create_list(), udmabuf_create()" },
	{ "create-list-too-long", t_create_list_too_long, "UDMABUF_CREATE_LIST",
	  "a count over the list_limit parameter is refused with EINVAL", "ioctl.errno", "udmabuf_ioctl_create_list()" },
	{ "memfd-writes-visible", t_memfd_writes, "mmap(2)",
	  "pwrite and stores through the memfd are read through the dma-buf's mmap, and stores through "
	  "the dma-buf are read from the memfd", "", "mmap_udmabuf(), udmabuf_vm_fault()" },
	{ "mmap-private", t_mmap_private, "mmap(2)",
	  "a MAP_PRIVATE mapping of a udmabuf is refused with EINVAL", "ioctl.errno", "mmap_udmabuf()" },
	{ "sync", t_sync, "DMA_BUF_IOCTL_SYNC",
	  "SYNC_START/SYNC_END for READ, WRITE and RW succeed; SYNC_END before any START is recorded (record-only: no driver key, no profile judges it)",
	  "udmabuf.sync", "begin_cpu_udmabuf(), end_cpu_udmabuf()" },
	{ "unknown-ioctl", t_unknown_ioctl, "_IOW('u', 0x44)",
	  "a command udmabuf does not define is refused with ENOTTY", "ioctl.errno", "udmabuf_ioctl()" },
	{ "import-vgem", t_import_vgem, "DRM_IOCTL_PRIME_FD_TO_HANDLE",
	  "vgem imports a udmabuf (the same handle twice), refuses MAP_DUMB of the import with EINVAL, and exports the "
	  "handle back as the same dma-buf with the CPU's data after the round trip", "udmabuf.import,ioctl.errno",
	  "drm_gem_prime_import_dev(), drm_gem_dumb_map_offset(), drm_gem_prime_handle_to_dmabuf()" },
	{ "vgem-fence", t_vgem_fence, "DRM_IOCTL_VGEM_FENCE_ATTACH",
	  "a vgem write fence on the imported handle makes the udmabuf busy for poll until it is "
	  "signalled", "udmabuf.fence", "vgem_fence_attach_ioctl(), dma_buf_poll()" },
};

int main(int argc, char **argv)
{
	page = dmabuf_page_size();
	return hilt_main(argc, argv, "udmabuf", cases, HILT_ARRAY_SIZE(cases));
}
