// SPDX-License-Identifier: MIT
/*
 * Frames stdin the way the agent does, numbering records from 0: each line
 * as an "out" record, or with --whole all of stdin as one record. Lets the
 * harness tests check that the agent's framing and the host's decoder agree.
 */
#include "frame.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	char line[FRAME_MAX / 4], out[FRAME_MAX + 64];
	unsigned long seq = 0;

	if (argc == 2 && !strcmp(argv[1], "--whole")) {
		size_t n = fread(line, 1, sizeof(line), stdin);

		fwrite(out, 1, frame_format(out, sizeof(out), seq, "out", line, n), stdout);
		return 0;
	}
	while (fgets(line, sizeof(line), stdin)) {
		size_t n = strcspn(line, "\n");

		fwrite(out, 1, frame_format(out, sizeof(out), seq++, "out", line, n), stdout);
	}
	return 0;
}
