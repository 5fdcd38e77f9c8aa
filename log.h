/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * log.h - Logging to stderr, syslog or a file
 */

#ifndef LOG_H
#define LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

/**
 * logmsg() - Log a message at a syslog priority
 * @pri:	LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG
 * @fmt:	printf-style format
 */
void logmsg(int pri, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * die() - Log an error and exit with status 1
 * @fmt:	printf-style format
 */
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

/**
 * log_init() - Set up logging identity and level
 * @ident:	"passt" or "pasta"
 * @level:	Highest priority logged: LOG_WARNING (-q), LOG_INFO, LOG_DEBUG
 * @trace:	Enable trace messages
 */
void log_init(const char *ident, int level, bool trace);

/**
 * log_open_file() - Log to a file from now on, truncating it
 * @path:	File path
 * @size:	Maximum size in bytes; older content is cut when exceeded
 *
 * Return: 0 on success, -1 with errno set on failure
 */
int log_open_file(const char *path, size_t size);

/**
 * log_to_syslog() - Stop logging to stderr, log to syslog instead (unless
 *		     a log file is in use): called when daemonising
 */
void log_to_syslog(void);

/**
 * log_syslog_prepare() - Connect to the syslog socket while /dev/log is
 *			  still reachable, that is, before isolation
 */
void log_syslog_prepare(void);

/**
 * log_file_fd() - File descriptor of the log file, to keep across isolation
 *
 * Return: file descriptor, or -1 if not logging to a file
 */
int log_file_fd(void);

#endif /* LOG_H */
