/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the suites that wait on fences (fences, syncobj,
 * sync-file, dma-buf): a private vgem buffer with its dma-buf, a pending vgem
 * fence and its sync_file, poll(2) without waiting, sync_file FILE_INFO, a
 * monotonic clock, the timing tolerance of the running kernel, and a helper
 * thread that makes a call only once a waiting thread is seen asleep in the
 * kernel, which is what proves that a wait really blocked.
 *
 * Functions return 0 or -errno. The *_new() ones register what they open
 * with the case's cleanup list (hilt_defer_close), so a case never closes
 * them by hand.
 */
#ifndef HILT_FENCE_UTIL_H
#define HILT_FENCE_UTIL_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <drm.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>

#include "drm-util.h"
#include "hilt.h"
#include "vgem_drm.h"

static inline int fu_err(int ret)
{
	return ret < 0 ? -errno : 0;
}

int64_t fu_now_ns(void);
void fu_sleep_ms(unsigned ms);

/* poll(2) on one fd; returns revents (0 when not ready) or -errno. */
int fu_poll(int fd, short events, int timeout_ms);

/* A second, private open of a device node, registered for cleanup: -errno on failure. */
int fu_open(struct hilt_ctx *ctx, const struct hilt_dev *dev);

/* ---- timing ---- */

/*
 * How early a timed wait may end. The kernel turns a timeout into jiffies
 * (drm_timeout_abs_to_jiffies() rounds up and adds one) and sleeps at least
 * that many, so a wait is judged in the kernel's own jiffies, read before
 * and after it (hilt_jiffies): it must have lasted its timeout in jiffies
 * less FU_TOLERANCE_JIFFIES (for the reads around it and rounding). The
 * wall clock is no judge under an emulator: the vCPU that keeps jiffies may
 * be starved by the host and catch up a hundred milliseconds at once, and a
 * timeout then ends early by CLOCK_MONOTONIC (seen: a 200 ms wait returning
 * after 105 ms with the host at load 14). Where /proc shows no jiffies, half
 * the timeout by the wall clock is the rule.
 */
#define FU_TOLERANCE_JIFFIES 2
/* A wait whose point is that it really waited its timeout out: long against the tolerance. */
#define FU_REAL_WAIT_MS 200

/*
 * Judges a wait that returned ETIME (or timed out) after timeout_ms: j0/j1
 * the jiffies read before and after it (-1 if unknown), t0/t1 the clock.
 * Fails the case (naming what) and returns false when it ended early.
 */
bool fu_check_timed_out(struct hilt_ctx *ctx, const char *what, int timeout_ms, long long j0,
			long long j1, int64_t t0, int64_t t1);

/* ---- vgem ---- */

/*
 * The vgem node the buffers come from: vgem allocates only through
 * DRM_IOCTL_MODE_CREATE_DUMB, which DRM core refuses on render nodes (EACCES),
 * so this is the primary node, NULL when vgem is not loaded.
 */
struct hilt_dev *fu_vgem(void);

/* A vgem dumb buffer (64x64x32: 16 KiB) on a private fd, optionally exported as a dma-buf. */
struct fu_vbuf {
	int fd;			/* private vgem fd; closing it signals its pending fences */
	struct hilt_bo bo;
	int dmabuf;		/* -1 when not exported */
};
int fu_vbuf_new(struct hilt_ctx *ctx, const struct hilt_dev *vgem, bool export, struct fu_vbuf *b);

int fu_vgem_attach(int fd, uint32_t handle, uint32_t flags, uint32_t *fence);
int fu_vgem_signal(int fd, uint32_t fence);

/* DMA_BUF_IOCTL_EXPORT_SYNC_FILE / IMPORT_SYNC_FILE (Linux 6.0). */
int fu_dmabuf_export_sync_file(int dmabuf, uint32_t flags, int *sync_fd);
int fu_dmabuf_import_sync_file(int dmabuf, int sync_fd, uint32_t flags);

/*
 * A pending vgem fence: a vgem buffer, exported, with a fence attached
 * (VGEM_FENCE_WRITE or 0 for a read fence), and, when sync_flags is not 0, a
 * sync_file of the dma-buf's fences for that access (DMA_BUF_SYNC_READ: the
 * writers). Everything is registered for cleanup; closing the vgem fd
 * signals the fence if the case did not.
 */
struct fu_pending {
	struct fu_vbuf buf;
	uint32_t fence;		/* vgem fence id, 0 once signalled */
	int sync_fd;		/* -1 unless sync_flags asked for one */
};
int fu_pending_new(struct hilt_ctx *ctx, const struct hilt_dev *vgem, uint32_t fence_flags,
		   uint32_t sync_flags, struct fu_pending *p);
int fu_pending_signal(struct fu_pending *p);

/* ---- sync_file ---- */

/*
 * SYNC_IOC_FILE_INFO in one go: the first call (num_fences 0) counts the
 * fences, the second fills up to max entries of fences[]. info->num_fences
 * says how many the kernel has.
 */
int fu_sync_info(int sync_fd, struct sync_file_info *info, struct sync_fence_info *fences, uint32_t max);

/* ---- a call made once a waiter is seen blocked ---- */

/*
 * Proves that a wait blocked: a helper thread watches the waiting thread
 * (/proc/self/task/<tid>/stat and /syscall) until it is asleep inside one of
 * the syscalls named, then lets settle_ms pass and makes the call (the
 * signal the wait is for). If the waiter never sleeps there within
 * give_up_ms, or says its wait is over (fu_blocker_waited), the call is
 * made anyway and saw_blocked stays false.
 *
 *   t0 = fu_now_ns();  (check the fence is still unsignalled)
 *   fu_blocker_start(&b, ...);  ret = the wait;  t1 = fu_now_ns();
 *   fu_blocker_waited(&b); fu_blocker_join(&b); fu_blocker_check(ctx, &b, t0, t1, ...);
 */
struct fu_blocker {
	pthread_t thread;
	pid_t waiter;			/* the thread that waits (gettid of the starter) */
	long syscalls[3];		/* syscall numbers the wait may sleep in, -1 unused */
	unsigned settle_ms, give_up_ms;
	int (*fn)(void *arg);
	void *arg;
	int ret;			/* what fn returned */
	bool started, saw_blocked;
	volatile int waiter_done;
	char wchan[64];			/* where the waiter slept (/proc/.../wchan), "" if unknown */
	int64_t start_ns, blocked_ns, call_ns, done_ns;
};
/* Starts the helper for the calling thread as the waiter; -errno when the thread cannot start. */
int fu_blocker_start(struct fu_blocker *b, const long *syscalls, size_t nsyscalls,
		     unsigned settle_ms, int (*fn)(void *arg), void *arg);
void fu_blocker_waited(struct fu_blocker *b);
void fu_blocker_join(struct fu_blocker *b);
/*
 * Judges the wait that ran from t0 to t1 (what says: "DMA_BUF_IOCTL_SYNC on
 * card0 (pending write fence)"): it must have been seen asleep before the
 * call, returned after the call was made, and lasted at least settle_ms.
 * Fails the case and returns false otherwise; prints a diagnostic either way.
 */
bool fu_blocker_check(struct hilt_ctx *ctx, const struct fu_blocker *b, int64_t t0, int64_t t1,
		      const char *what);

/*
 * How long the waiting side of a blocker waits before it gives up (poll
 * timeouts, long syncobj waits): longer than the helper's give-up (10 s)
 * plus its settle time, so that on a starved machine the helper's verdict
 * comes first.
 */
#define FU_WAKE_TIMEOUT_MS 15000

/*
 * A vgem fence lives 10 s (VGEM_FENCE_TIMEOUT): on a machine stalled that
 * long it signals itself before the helper does, and the helper's
 * FENCE_SIGNAL says ETIMEDOUT. fu_blocker_check() then only asks that the
 * waiter was seen asleep; callers treat that ETIMEDOUT as the signal it is.
 */
static inline bool fu_signal_failed(const struct fu_blocker *b)
{
	return b->ret && b->ret != -ETIMEDOUT;
}

/* The calling thread's id (gettid). */
pid_t fu_gettid(void);
/* Whether thread tid of this process sleeps (state S or D) right now. */
bool fu_thread_asleep(pid_t tid);

/* fn for fu_blocker: signals the vgem fence of a fu_pending. */
int fu_signal_pending(void *pending);

#endif
