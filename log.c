// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * log.c - Logging to stderr, syslog or a file, without heap allocation
 */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "log.h"
#include "util.h"

int log_level = LOG_INFO;
bool log_trace;

static const char *log_ident = "passt";
static bool log_stderr = true;		/* until daemonised */
static int log_sock = -1;		/* syslog datagram socket */
static int log_fd = -1;			/* --log-file */
static size_t log_size;			/* --log-size cap */
static size_t log_written;		/* current size of the log file */
static size_t log_header_len;		/* header line kept on rotation */
static struct timespec log_start;

#define LOG_LINE_MAX	1024

/**
 * log_init() - Set up logging identity and level
 * @ident:	"passt" or "pasta"
 * @level:	Highest priority logged: LOG_WARNING (-q), LOG_INFO, LOG_DEBUG
 * @trace:	Enable trace messages
 */
void log_init(const char *ident, int level, bool trace)
{
	log_ident = ident;
	log_level = level;
	log_trace = trace;
	if (trace)
		log_level = LOG_DEBUG;
	clock_gettime(CLOCK_MONOTONIC, &log_start);
}

/* Cut the oldest half of the log body, keeping the header line */
static void log_file_rotate(void)
{
	static char buf[65536];
	size_t body = log_written - log_header_len, cut = body / 2;
	off_t rd = log_header_len + cut, wr = log_header_len;
	ssize_t n;

	/* Start the kept part at a line boundary */
	n = pread(log_fd, buf, sizeof(buf), rd);
	if (n > 0) {
		char *nl = memchr(buf, '\n', n);

		if (nl)
			rd += nl - buf + 1;
	}

	while ((n = pread(log_fd, buf, sizeof(buf), rd)) > 0) {
		if (pwrite(log_fd, buf, n, wr) != n)
			break;
		rd += n;
		wr += n;
	}
	if (ftruncate(log_fd, wr))
		wr = log_written;
	log_written = wr;
	lseek(log_fd, 0, SEEK_END);
}

/* #syscalls write pread64 pwrite64 ftruncate lseek */
static void log_to_file(const char *line, size_t len)
{
	if (log_size && log_written + len > log_size)
		log_file_rotate();
	if (write(log_fd, line, len) == (ssize_t)len)
		log_written += len;
}

/* #syscalls socket connect sendto getpid close */
/**
 * log_syslog_prepare() - Connect to the syslog socket while /dev/log is
 *			  still reachable, that is, before isolation
 */
void log_syslog_prepare(void)
{
	static const struct sockaddr_un addr = {
		.sun_family = AF_UNIX, .sun_path = "/dev/log",
	};

	if (log_sock >= 0 || log_fd >= 0)
		return;

	log_sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (log_sock < 0)
		return;
	if (connect(log_sock, (const struct sockaddr *)&addr, sizeof(addr))) {
		close(log_sock);
		log_sock = -1;
	}
}

static void log_to_syslog_sock(int pri, const char *msg, size_t len)
{
	char line[LOG_LINE_MAX + 64];
	int n;

	if (log_sock < 0)
		return;

	n = snprintf(line, sizeof(line), "<%d>%s[%d]: %.*s",
		     LOG_DAEMON | pri, log_ident, getpid(), (int)len, msg);
	if (n > 0)
		send(log_sock, line, MIN((size_t)n, sizeof(line) - 1),
		     MSG_DONTWAIT);
}

/**
 * logmsg() - Log a message at a syslog priority
 * @pri:	LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG
 * @fmt:	printf-style format
 */
void logmsg(int pri, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	int saved_errno = errno;
	va_list ap;
	int n;

	if (pri > log_level)
		return;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	n = MIN((size_t)n, sizeof(msg) - 2);
	msg[n++] = '\n';

	if (log_fd >= 0) {
		char line[LOG_LINE_MAX + 32];
		struct timespec now;
		int hl;

		clock_gettime(CLOCK_MONOTONIC, &now);
		hl = snprintf(line, sizeof(line), "%lld.%04lld: ",
			      (long long)(now.tv_sec - log_start.tv_sec),
			      (long long)((now.tv_nsec + 1000000000LL -
					   log_start.tv_nsec) %
					  1000000000LL / 100000));
		memcpy(line + hl, msg, n);
		log_to_file(line, hl + n);
	} else if (log_stderr) {
		/* Nowhere left to report a failure to */
		(void)!write(STDERR_FILENO, msg, n);
	} else {
		log_to_syslog_sock(pri, msg, n - 1);
	}

	errno = saved_errno;
}

/**
 * die() - Log an error, print it on stderr too, and exit with status 1
 * @fmt:	printf-style format
 *
 * Whoever started us (libvirt, podman) shows the user what we print on
 * stderr when we fail: the reason goes there whatever the log target is.
 * Once daemonised, stderr is /dev/null, and this costs nothing.
 */
void die(const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	n = MIN((size_t)n, sizeof(msg) - 2);

	logmsg(LOG_ERR, "%.*s", n, msg);

	/* logmsg() wrote to stderr already in that case */
	if (log_fd >= 0 || !log_stderr) {
		msg[n++] = '\n';
		(void)!write(STDERR_FILENO, msg, n);
	}
	_exit(EXIT_FAILURE);
}

/**
 * log_open_file() - Log to a file from now on, truncating it
 * @path:	File path
 * @size:	Maximum size in bytes; older content is cut when exceeded
 *
 * Return: 0 on success, -1 with errno set on failure
 */
int log_open_file(const char *path, size_t size)
{
	char hdr[256];
	int fd, n;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	/* Rotation rewrites in place: reopen read-write */
	close(fd);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;

	log_fd = fd;
	log_size = size;
	n = snprintf(hdr, sizeof(hdr), "%s " VERSION " log, pid %d\n",
		     log_ident, getpid());
	if (n > 0 && write(fd, hdr, n) == n)
		log_written = log_header_len = n;
	return 0;
}

/**
 * log_to_syslog() - Stop logging to stderr, log to syslog instead (unless
 *		     a log file is in use): called when daemonising
 */
void log_to_syslog(void)
{
	log_stderr = false;
}
