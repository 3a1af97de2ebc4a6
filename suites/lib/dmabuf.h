/* SPDX-License-Identifier: MIT */
/*
 * dma-buf helpers shared by the dma-heap and udmabuf suites: the size a
 * dma-buf reports, CPU access bracketed by DMA_BUF_IOCTL_SYNC, a data pattern,
 * and the import of a dma-buf into vgem through PRIME.
 */
#ifndef HILT_SUITE_DMABUF_H
#define HILT_SUITE_DMABUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hilt.h"

/* What the kernel says about a dma-buf fd: lseek(2), /proc/self/fdinfo, fcntl(2). */
struct dmabuf_info {
	long long size;		/* lseek(fd, 0, SEEK_END) (dma_buf_llseek), -errno on failure */
	long long stat_size;	/* fstat(2) st_size (the dma-buf inode's i_size), -errno on failure */
	long long fdinfo_size;	/* "size:" in fdinfo, -1 when fdinfo is unreadable */
	char exp_name[64];	/* "exp_name:" in fdinfo, "" when unreadable */
	int accmode;		/* fcntl(F_GETFL) & O_ACCMODE, -1 on failure */
	bool cloexec;		/* FD_CLOEXEC is set */
};
void dmabuf_info(int fd, struct dmabuf_info *out);
/*
 * Adds size (from lseek), stat_size, fdinfo_size (null if unreadable),
 * exp_name (null if unreadable), accmode and cloexec; fails the case when
 * lseek, fstat or fcntl fail. The schemas say the three sizes agree.
 */
void dmabuf_info_json(struct hilt_ctx *ctx, struct hilt_json *j, const struct dmabuf_info *in,
		      const char *what);

/* DMA_BUF_IOCTL_SYNC with these flags: 0 or -errno. */
int dmabuf_sync(int fd, uint64_t flags);

/* mmap(2) of the whole buffer, shared, read-write: NULL with errno set on failure. */
void *dmabuf_mmap(int fd, size_t size);

/* Writes / checks a pattern of 32-bit words that depends on the offset and the seed. */
void dmabuf_fill(void *p, size_t size, uint32_t seed);
uint32_t dmabuf_word(size_t offset, uint32_t seed);
/* Byte offset of the first word that differs from the pattern, -1 if none. */
long dmabuf_check(const void *p, size_t size, uint32_t seed);

/*
 * Fills the dma-buf through its own mmap (inside SYNC_START/SYNC_END),
 * imports it into vgem with DRM_IOCTL_PRIME_FD_TO_HANDLE and proves what DRM
 * core lets a GPU importer prove: the import succeeds, importing again gives
 * the same handle, MODE_MAP_DUMB of the imported handle is refused with
 * EINVAL (drm_gem_dumb_map_offset(): imported objects are never mapped
 * through the importer; recorded as ioctl.errno), the handle exports back as
 * the same dma-buf (inode) and the exporter's data reads back after that
 * round trip. The importer's own view of the memory is not read. Fails the
 * case with a message naming the step; closes everything it opened. The
 * fields go into an observation with dmabuf_import_json().
 */
struct dmabuf_import {
	bool imported;
	bool reimport_same_handle;	/* importing the same dma-buf again gave the same handle */
	int map_dumb_errno;		/* MODE_MAP_DUMB on the imported handle: 0 or errno */
	bool reexport_same_buffer;	/* PRIME_HANDLE_TO_FD gave back the same dma-buf (inode) */
	bool exporter_data;		/* the exporter's data read back after the round trip */
};
bool dmabuf_vgem_import(struct hilt_ctx *ctx, const struct hilt_dev *vgem, int fd, size_t size,
			const char *what, struct dmabuf_import *out);
void dmabuf_import_json(struct hilt_json *j, const struct dmabuf_import *r);

/*
 * Imports the dma-buf into vgem, attaches a vgem write fence to the imported
 * handle (DRM_IOCTL_VGEM_FENCE_ATTACH) and checks that the dma-buf itself is
 * busy for poll(POLLIN) until the fence is signalled (DRM_IOCTL_VGEM_FENCE_SIGNAL):
 * vgem's object shares the dma-buf's reservation object.
 */
struct dmabuf_fence {
	bool attached;
	bool busy_before_signal;
	bool ready_after_signal;
};
bool dmabuf_vgem_fence(struct hilt_ctx *ctx, const struct hilt_dev *vgem, int fd,
		       const char *what, struct dmabuf_fence *out);
void dmabuf_fence_json(struct hilt_json *j, const struct dmabuf_fence *r);

/*
 * How many dma-bufs the kernel has right now, system wide, for leak checks:
 * /sys/kernel/dmabuf/buffers (CONFIG_DMABUF_SYSFS_STATS) or the "Total N
 * objects" line of debugfs' dma_buf/bufinfo (CONFIG_DEBUG_FS); -1 when the
 * kernel shows neither. *source names which.
 */
long dmabuf_count_live(const char **source);

/* vgem's primary node (MODE_MAP_DUMB is refused on render nodes), else its render node, else NULL. */
struct hilt_dev *dmabuf_vgem_primary(void);

/* The page size of this machine (sysconf), and n rounded up to it. */
size_t dmabuf_page_size(void);
size_t dmabuf_page_align(size_t n);

#endif
