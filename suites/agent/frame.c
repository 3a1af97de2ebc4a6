// SPDX-License-Identifier: MIT
#include "frame.h"

#include <stdio.h>
#include <string.h>

uint32_t frame_crc32(const void *data, size_t len)
{
	static uint32_t table[256];
	const unsigned char *p = data;
	uint32_t crc = 0xffffffffu;

	if (!table[1]) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	}
	for (size_t i = 0; i < len; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return crc ^ 0xffffffffu;
}

size_t frame_escape(char *dst, size_t dstsize, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];

		if (c == '\\' || c == '\n') {
			if (o + 2 >= dstsize)
				break;
			dst[o++] = '\\';
			dst[o++] = c == '\n' ? 'n' : '\\';
		} else if (c < 0x20 || c == 0x7f) {
			if (o + 4 >= dstsize)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		} else {
			if (o + 1 >= dstsize)
				break;
			dst[o++] = (char)c;
		}
	}
	dst[o] = '\0';
	return o;
}

size_t frame_format(char *out, size_t outsize, unsigned long seq, const char *kind,
		    const char *payload, size_t payload_len)
{
	char body[FRAME_MAX];
	size_t n, esc;
	int head;

	head = snprintf(body, sizeof(body), "%lu %s ", seq, kind);
	esc = frame_escape(body + head, sizeof(body) - (size_t)head, payload, payload_len);
	n = (size_t)head + esc;
	/* "@hilt " + seq kind + crc + payload + newline */
	return (size_t)snprintf(out, outsize, FRAME_PREFIX "%lu %s %08x %s\n", seq, kind,
				frame_crc32(body, n), body + head);
}
