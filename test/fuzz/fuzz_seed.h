/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * fuzz_seed.h - Seed inputs a fuzz target writes for itself at start
 */

#ifndef FUZZ_SEED_H
#define FUZZ_SEED_H

#include <stdio.h>
#include <stdlib.h>

/**
 * fuzz_seed() - Write one seed input to FUZZ_SEED_DIR, if set
 * @name:	File name in that directory
 * @buf:	Input
 * @len:	Its length
 */
static void fuzz_seed(const char *name, const void *buf, size_t len)
{
	const char *dir = getenv("FUZZ_SEED_DIR");
	char path[4096];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w"))) {
		fwrite(buf, 1, len, f);
		fclose(f);
	}
}

#endif /* FUZZ_SEED_H */
