/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * unit.h - Minimal unit test helpers: one PASS/FAIL line per check
 *
 * Each test program (test/unit/test_NAME.c) includes this header, calls
 * CHECK() and friends, and returns unit_done() from main(). Lines look like:
 *
 *	PASS NAME: description
 *	FAIL NAME: description (test_NAME.c:42: got 3, expected 4)
 *
 * where NAME is the test file name without "test_" and ".c". test/run counts
 * these lines. A first-lines comment "unit-include: module.c" tells
 * test/Makefile that the test includes "../../module.c" itself, so that
 * module's object is not linked. Shared fixtures are in unit.c, linked into
 * every test.
 */

#ifndef UNIT_H
#define UNIT_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static unsigned unit_passed_n, unit_failed_n;

struct ctx;

/* Fixtures in unit.c: configured context, reference checksum */
void unit_ctx_init(struct ctx *c);
uint64_t unit_ref_sum(const uint8_t *p, size_t len, uint64_t sum);
uint16_t unit_ref_fold(uint64_t sum);
uint32_t unit_ref_pseudo(int af, const void *saddr, const void *daddr,
			 uint8_t proto, size_t l4len);
uint16_t unit_ref_csum(const uint8_t *p, size_t len, uint32_t init);

/**
 * unit_name() - Test name derived from the main source file name
 *
 * Return: pointer to a static string, e.g. "util" for test_util.c
 */
static inline const char *unit_name(void)
{
	static char name[64];
	const char *base = __BASE_FILE__, *s;
	size_t len;

	if (*name)
		return name;

	if ((s = strrchr(base, '/')))
		base = s + 1;
	if (!strncmp(base, "test_", 5))
		base += 5;
	len = strcspn(base, ".");
	if (len >= sizeof(name))
		len = sizeof(name) - 1;
	memcpy(name, base, len);
	name[len] = 0;
	return name;
}

/**
 * unit_base() - File name without directories, for failure locations
 * @file:	__FILE__
 *
 * Return: pointer into @file
 */
static inline const char *unit_base(const char *file)
{
	const char *s = strrchr(file, '/');

	return s ? s + 1 : file;
}

/**
 * unit_report() - Print one PASS or FAIL line
 * @ok:		Whether the check passed
 * @file:	Source file of the check
 * @line:	Source line of the check
 * @why:	Extra detail for failures, or NULL
 * @fmt:	Description, printf() format
 *
 * Return: @ok
 */
__attribute__((format(printf, 5, 6)))
static inline int unit_report(int ok, const char *file, int line,
			      const char *why, const char *fmt, ...)
{
	va_list ap;

	printf("%s %s: ", ok ? "PASS" : "FAIL", unit_name());
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok)
		printf(" (%s:%i%s%s)", unit_base(file), line,
		       why ? ": " : "", why ? why : "");
	printf("\n");
	/* Keep lines already printed if the test crashes later */
	fflush(stdout);

	if (ok)
		unit_passed_n++;
	else
		unit_failed_n++;
	return ok;
}

/* CHECK(cond, "description", ...): PASS if @cond is true */
#define CHECK(cond, ...)						\
	unit_report(!!(cond), __FILE__, __LINE__, NULL, __VA_ARGS__)

/* CHECK_EQ_INT(got, expected, "description", ...): integers, shown on FAIL */
#define CHECK_EQ_INT(got, exp, ...)					\
	do {								\
		long long g_ = (long long)(got), e_ = (long long)(exp);	\
		char w_[96];						\
									\
		snprintf(w_, sizeof(w_), "got %lld, expected %lld",	\
			 g_, e_);					\
		unit_report(g_ == e_, __FILE__, __LINE__, w_,		\
			    __VA_ARGS__);				\
	} while (0)

/* CHECK_EQ_STR(got, expected, "description", ...): strings (NULL-safe) */
#define CHECK_EQ_STR(got, exp, ...)					\
	do {								\
		const char *g_ = (got), *e_ = (exp);			\
		char w_[256];						\
									\
		snprintf(w_, sizeof(w_), "got \"%.100s\", expected "	\
			 "\"%.100s\"", g_ ? g_ : "(null)",		\
			 e_ ? e_ : "(null)");				\
		unit_report(g_ && e_ ? !strcmp(g_, e_) : g_ == e_,	\
			    __FILE__, __LINE__, w_, __VA_ARGS__);	\
	} while (0)

/* CHECK_EQ_MEM(got, expected, len, "description", ...): first difference */
#define CHECK_EQ_MEM(got, exp, len, ...)				\
	do {								\
		const unsigned char *g_ = (const void *)(got);		\
		const unsigned char *e_ = (const void *)(exp);		\
		size_t l_ = (len), i_;					\
		char w_[96] = "";					\
									\
		for (i_ = 0; i_ < l_; i_++) {				\
			if (g_[i_] != e_[i_]) {				\
				snprintf(w_, sizeof(w_), "byte %zu: "	\
					 "got 0x%02x, expected 0x%02x",	\
					 i_, g_[i_], e_[i_]);		\
				break;					\
			}						\
		}							\
		unit_report(i_ == l_, __FILE__, __LINE__, w_,		\
			    __VA_ARGS__);				\
	} while (0)

/**
 * rd16() - Read a 16-bit big-endian value, any alignment
 * @p:		Pointer to the value
 *
 * Return: value, host order
 */
static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/**
 * rd32() - Read a 32-bit big-endian value, any alignment
 * @p:		Pointer to the value
 *
 * Return: value, host order
 */
static inline uint32_t rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

/**
 * unit_done() - Print a summary comment and return the exit status
 *
 * Return: 0 if every check passed, 1 if any failed (or none ran)
 */
static inline int unit_done(void)
{
	/* Not a PASS/FAIL line: test/run counts only those */
	printf("# %s: PASS %u, FAIL %u\n", unit_name(),
	       unit_passed_n, unit_failed_n);
	fflush(stdout);
	if (!unit_passed_n && !unit_failed_n)
		return 1;
	return unit_failed_n ? 1 : 0;
}

/**
 * unit_fqdn_longest() - The longest valid FQDN, and its DNS wire encoding
 * @name:	Set to 253 characters: labels of 61, 63, 63 and 63 'f's
 * @wire:	Set to the encoding: length-prefixed labels, root label,
 *		255 bytes
 *
 * Return: length of @wire
 */
static inline size_t unit_fqdn_longest(char *name, uint8_t *wire)
{
	size_t wl = 0, i;

	memset(name, 'f', 253);
	name[61] = name[125] = name[189] = '.';
	name[253] = 0;

	wire[wl++] = 61;
	memset(wire + wl, 'f', 61);
	wl += 61;
	for (i = 0; i < 3; i++) {
		wire[wl++] = 63;
		memset(wire + wl, 'f', 63);
		wl += 63;
	}
	wire[wl++] = 0;
	return wl;
}

#endif /* UNIT_H */
