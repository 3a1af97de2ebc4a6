// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "fence-util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kernel.h"

int64_t fu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void fu_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int fu_poll(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int ret;

	do {
		ret = poll(&p, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	return ret ? p.revents : 0;
}

int fu_open(struct hilt_ctx *ctx, const struct hilt_dev *dev)
{
	int fd = open(dev->path, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : hilt_defer_close(ctx, fd);
}

bool fu_check_timed_out(struct hilt_ctx *ctx, const char *what, int timeout_ms, long long j0,
			long long j1, int64_t t0, int64_t t1)
{
	int hz = hilt_kernel_hz(NULL);
	long long want = (long long)timeout_ms * hz / 1000;	/* the kernel's count, rounded down */
	long long us = (long long)(t1 - t0) / 1000;

	if (j0 >= 0 && j1 >= 0) {
		if (j1 - j0 >= want - FU_TOLERANCE_JIFFIES)
			return true;
		hilt_fail(ctx, "%s timed out after %lld jiffies (%lld us); its timeout of %d ms is %lld jiffies at "
			  "HZ=%d, %d tolerated", what, j1 - j0, us, timeout_ms, want, hz, FU_TOLERANCE_JIFFIES);
		return false;
	}
	if (us >= (long long)timeout_ms * 500)
		return true;
	hilt_fail(ctx, "%s timed out after %lld us, less than half its timeout of %d ms (no jiffies in /proc to judge by)",
		  what, us, timeout_ms);
	return false;
}

/* ---- vgem ---- */

struct hilt_dev *fu_vgem(void)
{
	return hilt_find_device("vgem", 1u << HILT_NODE_PRIMARY);
}

int fu_vbuf_new(struct hilt_ctx *ctx, const struct hilt_dev *vgem, bool export, struct fu_vbuf *b)
{
	int ret;

	b->dmabuf = -1;
	b->fd = fu_open(ctx, vgem);
	if (b->fd < 0)
		return b->fd;
	ret = hilt_dumb_create(b->fd, 64, 64, 32, &b->bo);
	if (!ret && export) {
		ret = hilt_prime_export(b->fd, b->bo.handle, DRM_CLOEXEC | DRM_RDWR, &b->dmabuf);
		if (!ret)
			hilt_defer_close(ctx, b->dmabuf);
	}
	return ret;
}

int fu_vgem_attach(int fd, uint32_t handle, uint32_t flags, uint32_t *fence)
{
	struct drm_vgem_fence_attach arg = { .handle = handle, .flags = flags };
	int ret = fu_err(hilt_ioctl(fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &arg));

	if (!ret)
		*fence = arg.out_fence;
	return ret;
}

int fu_vgem_signal(int fd, uint32_t fence)
{
	struct drm_vgem_fence_signal arg = { .fence = fence };

	return fu_err(hilt_ioctl(fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &arg));
}

int fu_dmabuf_export_sync_file(int dmabuf, uint32_t flags, int *sync_fd)
{
	struct dma_buf_export_sync_file arg = { .flags = flags, .fd = -1 };
	int ret = fu_err(hilt_ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &arg));

	if (!ret)
		*sync_fd = arg.fd;
	return ret;
}

int fu_dmabuf_import_sync_file(int dmabuf, int sync_fd, uint32_t flags)
{
	struct dma_buf_import_sync_file arg = { .flags = flags, .fd = sync_fd };

	return fu_err(hilt_ioctl(dmabuf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &arg));
}

int fu_pending_new(struct hilt_ctx *ctx, const struct hilt_dev *vgem, uint32_t fence_flags,
		   uint32_t sync_flags, struct fu_pending *p)
{
	int ret;

	p->fence = 0;
	p->sync_fd = -1;
	ret = fu_vbuf_new(ctx, vgem, true, &p->buf);
	if (!ret)
		ret = fu_vgem_attach(p->buf.fd, p->buf.bo.handle, fence_flags, &p->fence);
	if (!ret && sync_flags) {
		ret = fu_dmabuf_export_sync_file(p->buf.dmabuf, sync_flags, &p->sync_fd);
		if (!ret)
			hilt_defer_close(ctx, p->sync_fd);
	}
	return ret;
}

int fu_pending_signal(struct fu_pending *p)
{
	int ret = fu_vgem_signal(p->buf.fd, p->fence);

	if (!ret)
		p->fence = 0;
	return ret;
}

int fu_signal_pending(void *pending)
{
	return fu_pending_signal(pending);
}

/* ---- sync_file ---- */

int fu_sync_info(int sync_fd, struct sync_file_info *info, struct sync_fence_info *fences, uint32_t max)
{
	int ret;

	memset(info, 0, sizeof(*info));
	ret = fu_err(ioctl(sync_fd, SYNC_IOC_FILE_INFO, info));
	if (ret || !info->num_fences)
		return ret;
	if (info->num_fences > max)
		return -E2BIG;
	memset(fences, 0, sizeof(*fences) * info->num_fences);
	info->sync_fence_info = (uint64_t)(uintptr_t)fences;
	return fu_err(ioctl(sync_fd, SYNC_IOC_FILE_INFO, info));
}

/* ---- the blocker ---- */

pid_t fu_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* Reads /proc/self/task/<tid>/<what> into buf; false when it cannot. */
static bool task_file(pid_t tid, const char *what, char *buf, size_t n)
{
	char path[64];
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/%s", (int)tid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	len = read(fd, buf, n - 1);
	close(fd);
	if (len <= 0)
		return false;
	buf[len] = '\0';
	return true;
}

/* The third field of .../stat, after the command in parentheses: S or D while asleep. */
bool fu_thread_asleep(pid_t tid)
{
	char stat[512], *paren;

	return task_file(tid, "stat", stat, sizeof(stat)) && (paren = strrchr(stat, ')')) &&
	       (paren[2] == 'S' || paren[2] == 'D');
}

/*
 * Whether the waiter sleeps inside one of b's syscalls: the first field of
 * .../syscall is "running" while it runs, the number while it sleeps in one.
 */
static bool asleep_in_wait(struct fu_blocker *b)
{
	char sc[256];
	long nr;

	if (!fu_thread_asleep(b->waiter))
		return false;
	if (!task_file(b->waiter, "syscall", sc, sizeof(sc)))
		return true;	/* no syscall file (no CONFIG_HAVE_ARCH_TRACEHOOK): asleep is what we can tell */
	if (sscanf(sc, "%ld", &nr) != 1)
		return false;	/* "running" */
	for (size_t i = 0; i < HILT_ARRAY_SIZE(b->syscalls); i++)
		if (b->syscalls[i] >= 0 && nr == b->syscalls[i])
			return true;
	return false;
}

static void *blocker_main(void *p)
{
	struct fu_blocker *b = p;
	int64_t give_up = b->start_ns + (int64_t)b->give_up_ms * 1000000;

	while (!b->waiter_done && fu_now_ns() < give_up) {
		if (asleep_in_wait(b)) {
			b->saw_blocked = true;
			b->blocked_ns = fu_now_ns();
			if (task_file(b->waiter, "wchan", b->wchan, sizeof(b->wchan)))
				b->wchan[strcspn(b->wchan, "\n")] = '\0';
			break;
		}
		fu_sleep_ms(1);
	}
	if (b->saw_blocked)
		fu_sleep_ms(b->settle_ms);
	b->call_ns = fu_now_ns();
	b->ret = b->fn(b->arg);
	b->done_ns = fu_now_ns();
	return NULL;
}

int fu_blocker_start(struct fu_blocker *b, const long *syscalls, size_t nsyscalls,
		     unsigned settle_ms, int (*fn)(void *arg), void *arg)
{
	int ret;

	memset(b, 0, sizeof(*b));
	for (size_t i = 0; i < HILT_ARRAY_SIZE(b->syscalls); i++)
		b->syscalls[i] = i < nsyscalls ? syscalls[i] : -1;
	b->waiter = fu_gettid();
	b->settle_ms = settle_ms;
	b->give_up_ms = 10000;
	b->fn = fn;
	b->arg = arg;
	b->ret = -EINPROGRESS;
	b->start_ns = fu_now_ns();
	ret = pthread_create(&b->thread, NULL, blocker_main, b);
	b->started = !ret;
	return -ret;
}

void fu_blocker_waited(struct fu_blocker *b)
{
	__atomic_store_n(&b->waiter_done, 1, __ATOMIC_SEQ_CST);
}

void fu_blocker_join(struct fu_blocker *b)
{
	if (b->started)
		pthread_join(b->thread, NULL);
	b->started = false;
}

bool fu_blocker_check(struct hilt_ctx *ctx, const struct fu_blocker *b, int64_t t0, int64_t t1,
		      const char *what)
{
	long long elapsed_us = (long long)(t1 - t0) / 1000;

	if (!b->saw_blocked) {
		hilt_fail(ctx, "%s returned after %lld us without ever sleeping in the kernel while its "
			  "fence was unsignalled: the wait did not block", what, elapsed_us);
		return false;
	}
	if (b->ret == -ETIMEDOUT) {
		hilt_diag(ctx, "%s slept in %s until the vgem fence expired by itself (the machine stalled "
			  "past VGEM_FENCE_TIMEOUT before the helper's signal): it blocked, %lld us in all",
			  what, b->wchan[0] ? b->wchan : "the kernel", elapsed_us);
		return true;
	}
	if (t1 < b->call_ns) {
		hilt_fail(ctx, "%s returned %lld us before the fence was signalled", what,
			  (long long)(b->call_ns - t1) / 1000);
		return false;
	}
	if (t1 - t0 < (int64_t)b->settle_ms * 1000000) {
		hilt_fail(ctx, "%s returned after %lld us, less than the %u ms it was kept waiting",
			  what, elapsed_us, b->settle_ms);
		return false;
	}
	hilt_diag(ctx, "%s slept in %s, was signalled %u ms later and woke %lld us after the signal "
		  "(%lld us in all)", what, b->wchan[0] ? b->wchan : "the kernel", b->settle_ms,
		  (long long)(t1 - b->call_ns) / 1000, elapsed_us);
	return true;
}
