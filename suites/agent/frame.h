/* SPDX-License-Identifier: MIT */
/*
 * Console framing shared by the agent and its tests. One record is one line:
 *
 *   @hilt <seq> <kind> <crc32> <payload>\n
 *
 * seq is decimal and starts at 0 on every boot; kind is [a-z]+; crc32 is
 * eight lowercase hex digits, the IEEE CRC-32 of "<seq> <kind> <payload>" as
 * sent (escaped). The payload escapes '\\' as "\\\\", a newline as "\\n" and every
 * other byte below 0x20 and 0x7f as "\\xHH", so a record never spans two lines.
 * The host side lives in harness/src/agent-protocol/.
 */
#ifndef HILT_FRAME_H
#define HILT_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_PREFIX "@hilt "
#define FRAME_MAX 8192

uint32_t frame_crc32(const void *data, size_t len);
/* Escapes src into dst (at most dstsize-1 bytes plus NUL); returns the length written. */
size_t frame_escape(char *dst, size_t dstsize, const char *src, size_t len);
/* Formats a whole record line, newline included, into out; returns its length. */
size_t frame_format(char *out, size_t outsize, unsigned long seq, const char *kind,
		    const char *payload, size_t payload_len);

#endif
