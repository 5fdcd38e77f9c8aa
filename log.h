/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * log.h - Logging to stderr, syslog or a file
 */

#ifndef LOG_H
#define LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

/* Messages: logmsg() and the helpers below; die() exits */
void logmsg(int pri, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#define err(...)	logmsg(LOG_ERR, __VA_ARGS__)
#define warn(...)	logmsg(LOG_WARNING, __VA_ARGS__)
#define notice(...)	logmsg(LOG_NOTICE, __VA_ARGS__)
#define info(...)	logmsg(LOG_INFO, __VA_ARGS__)
#define debug(...)						\
	do {							\
		if (log_level >= LOG_DEBUG)			\
			logmsg(LOG_DEBUG, __VA_ARGS__);		\
	} while (0)

/* --trace: per-packet messages, checked before formatting anything */
#define trace(...)						\
	do {							\
		if (log_trace)					\
			logmsg(LOG_DEBUG, __VA_ARGS__);		\
	} while (0)

/* Rate-limited warning: once per call site */
#define warn_once(...)						\
	do {							\
		static bool warned_;				\
		if (!warned_) {					\
			warned_ = true;				\
			warn(__VA_ARGS__);			\
		}						\
	} while (0)

extern int log_level;
extern bool log_trace;

/* Set-up: identity and level, then the targets */
void log_init(const char *ident, int level, bool trace);
int log_open_file(const char *path, size_t size);
void log_to_syslog(void);
void log_syslog_prepare(void);

#endif /* LOG_H */
