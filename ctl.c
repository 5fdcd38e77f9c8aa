// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctl.c - Control socket (-c, --conf-path): forwarding rules, flows, log
 *	   level at run time, for the pesto client
 *
 * A UNIX stream socket, mode 0600, created before isolation. Peers must
 * run as the user that started us, or as root (SO_PEERCRED). One request
 * per connection, one line of text (see ctl_parse() and doc/pesto.1):
 *
 *   pesto 1 COMMAND [ARG]...\n
 *
 * and one reply: "ok" or "error MESSAGE" on the first line, then the body;
 * we close the connection once it's sent. Everything is non-blocking and
 * bounded: a few clients at once (CTL_CONN_MAX), CTL_REQ_MAX bytes per
 * request, CTL_TIMEOUT seconds per client, replies produced piecewise as
 * the client reads them. A silent or stuck client costs a slot, never the
 * event loop.
 */

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "ctl.h"
#include "flow.h"
#include "fwd.h"
#include "log.h"
#include "passt.h"
#include "util.h"

/* Reply buffer: room for the largest table listing */
#define CTL_OUT_SIZE	(128 * 1024)

/**
 * enum ctl_state - Where a client is
 * @CTL_FREE:	Slot unused
 * @CTL_READ:	Reading its request
 * @CTL_WRITE:	Sending the reply
 */
enum ctl_state {
	CTL_FREE = 0,
	CTL_READ,
	CTL_WRITE,
};

/**
 * struct ctl_conn - A client
 * @state:	enum ctl_state
 * @fd:		Connected socket
 * @since:	Time of connection, seconds (CLOCK_MONOTONIC)
 * @in_len:	Bytes of request received
 * @in:		Request received so far
 * @out_len:	Bytes of reply in @out
 * @out_off:	Bytes of @out already sent
 * @listing:	Flows still to list (CTL_FLOWS), from @pos
 * @json:	Listing in JSON
 * @pos:	Next flow index to list
 * @out:	Reply, or its next part
 */
struct ctl_conn {
	enum ctl_state state;
	int fd;
	time_t since;
	size_t in_len;
	char in[CTL_REQ_MAX + 1];
	size_t out_len;
	size_t out_off;
	bool listing;
	bool json;
	uint32_t pos;
	char out[CTL_OUT_SIZE];
};

static char ctl_path[108];		/* sizeof(sun_path) */
static int ctl_listen_fd = -1;
static uid_t ctl_uid;
static struct ctl_conn ctl_conn[CTL_CONN_MAX];
static struct ctl_req ctl_req_buf;

static const char *const ctl_table_word[FWD_TABLES] = {
	[FWD_TCP_IN]	= "tcp-in",
	[FWD_UDP_IN]	= "udp-in",
	[FWD_TCP_OUT]	= "tcp-out",
	[FWD_UDP_OUT]	= "udp-out",
};

static const char *const ctl_table_opt[FWD_TABLES] = {
	[FWD_TCP_IN]	= "-t",
	[FWD_UDP_IN]	= "-u",
	[FWD_TCP_OUT]	= "-T",
	[FWD_UDP_OUT]	= "-U",
};

static const struct {
	const char *name;
	int level;
} ctl_levels[] = {
	{ "error",	LOG_ERR },
	{ "warning",	LOG_WARNING },
	{ "info",	LOG_INFO },
	{ "debug",	LOG_DEBUG },
};

/**
 * ctl_parse() - Parse and check a request
 * @data:	Bytes received, untrusted, not NUL-terminated
 * @len:	Length of @data
 * @req:	Filled on success (@data copied, split into words)
 * @err:	Message on failure
 *
 * The request is one line ended by '\n' (at most CTL_REQ_MAX bytes in
 * all), of printable ASCII words separated by spaces or tabs:
 * "pesto" VERSION COMMAND [ARG]..., with COMMAND one of:
 *   show [json]			forwarding tables
 *   flows [json]			flows, totals, counters
 *   log-level error|warning|info|debug
 *   add TABLE SPEC...		add rules (TABLE: tcp-in, udp-in,
 *   del TABLE SPEC...		tcp-out, udp-out; SPEC as -t -u -T -U)
 *   set TABLE [SPEC]...		replace the table, clear it without SPEC
 * Nothing may follow the newline.
 *
 * Return: 0 on success, -1 on a malformed request
 */
int ctl_parse(const char *data, size_t len, struct ctl_req *req,
	      const char **err)
{
	const char *w[CTL_WORDS_MAX + 4];	/* pesto 1 COMMAND TABLE */
	unsigned int n = 0, i;
	const char *nl;
	char *p;

	memset(req, 0, offsetof(struct ctl_req, buf));

	if (len > CTL_REQ_MAX) {
		*err = "Request too long";
		return -1;
	}
	nl = memchr(data, '\n', len);
	if (!nl) {
		*err = "Request not terminated by a newline";
		return -1;
	}
	if ((size_t)(nl - data) + 1 != len) {
		*err = "Data after the request";
		return -1;
	}

	for (i = 0; i < len - 1; i++) {
		unsigned char ch = (unsigned char)data[i];

		if ((ch < 0x20 && ch != '\t') || ch >= 0x7f) {
			*err = "Invalid character in request";
			return -1;
		}
	}

	memcpy(req->buf, data, len - 1);
	req->buf[len - 1] = 0;

	for (p = req->buf; *p; ) {
		while (*p == ' ' || *p == '\t')
			*p++ = 0;
		if (!*p)
			break;
		if (n == ARRAY_SIZE(w)) {
			*err = "Too many words in request";
			return -1;
		}
		w[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}

	if (n < 1 || strcmp(w[0], CTL_MAGIC)) {
		*err = "Not a pesto request";
		return -1;
	}
	if (n < 2 || strcmp(w[1], "1")) {
		*err = "Unsupported protocol version (this is 1)";
		return -1;
	}
	if (n < 3) {
		*err = "Missing command";
		return -1;
	}

	if (!strcmp(w[2], "show") || !strcmp(w[2], "flows")) {
		req->cmd = !strcmp(w[2], "show") ? CTL_SHOW : CTL_FLOWS;
		if (n == 4 && !strcmp(w[3], "json")) {
			req->json = true;
		} else if (n != 3) {
			*err = "Unexpected argument";
			return -1;
		}
		return 0;
	}

	if (!strcmp(w[2], "log-level")) {
		req->cmd = CTL_LOG_LEVEL;
		for (i = 0; n == 4 && i < ARRAY_SIZE(ctl_levels); i++) {
			if (!strcmp(w[3], ctl_levels[i].name)) {
				req->level = ctl_levels[i].level;
				return 0;
			}
		}
		*err = "Log level must be one of: error, warning, info, debug";
		return -1;
	}

	if (!strcmp(w[2], "add"))
		req->cmd = CTL_ADD;
	else if (!strcmp(w[2], "del"))
		req->cmd = CTL_DEL;
	else if (!strcmp(w[2], "set"))
		req->cmd = CTL_SET;
	else {
		*err = "Unknown command";
		return -1;
	}

	if (n < 4) {
		*err = "Missing table";
		return -1;
	}
	for (i = 0; i < FWD_TABLES; i++) {
		if (!strcmp(w[3], ctl_table_word[i]))
			break;
	}
	if (i == FWD_TABLES) {
		*err = "Unknown table (tcp-in, udp-in, tcp-out, udp-out)";
		return -1;
	}
	req->table = i;

	if (n == 4 && req->cmd != CTL_SET) {
		*err = "Missing port specification";
		return -1;
	}
	if (n - 4 > CTL_WORDS_MAX) {
		*err = "Too many port specifications";
		return -1;
	}
	for (i = 4; i < n; i++)
		req->spec[req->nspec++] = w[i];

	return 0;
}

/**
 * ctl_set_path() - Set the socket path (-c option)
 * @path:	Path, checked for length by the caller
 */
void ctl_set_path(const char *path)
{
	snprintf(ctl_path, sizeof(ctl_path), "%s", path);
}

/**
 * ctl_init() - Create the control socket, if a path was given
 * @c:		Execution context
 *
 * Exits on failure. Before isolation: the path is gone afterwards.
 */
void ctl_init(struct ctx *c)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_CTL_LISTEN };
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t um;
	int fd, s;

	if (!*ctl_path)
		return;

	if (strlen(ctl_path) >= sizeof(a.sun_path))
		die("Configuration socket path too long: %s", ctl_path);
	memcpy(a.sun_path, ctl_path, strlen(ctl_path) + 1);

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("Failed to create configuration socket: %s",
		    strerror(errno));

	/* A live instance there: leave it alone. A stale socket: replace.
	 * Anything else: not ours to remove
	 */
	if (!lstat(ctl_path, &st)) {
		if (!S_ISSOCK(st.st_mode))
			die("Configuration socket path %s exists, not a socket",
			    ctl_path);
		s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s >= 0 && !connect(s, (struct sockaddr *)&a, sizeof(a)))
			die("Configuration socket %s already in use",
			    ctl_path);
		if (s >= 0)
			close(s);
		unlink(ctl_path);
	}

	um = umask(0177);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 8)) {
		umask(um);
		die("Failed to bind configuration socket %s: %s", ctl_path,
		    strerror(errno));
	}
	umask(um);
	chmod(ctl_path, 0600);

	ref.fd = fd;
	if (fd > FD_REF_MAX || passt_epoll_add(c, EPOLLIN, ref))
		die("Failed to add configuration socket to epoll");

	ctl_listen_fd = fd;
	ctl_uid = getuid();
	fwd_ephemeral_range(&(uint16_t){ 0 }, &(uint16_t){ 0 }); /* cache it */
	info("Configuration socket: %s", ctl_path);
}

/**
 * ctl_close() - Drop a client
 * @c:		Execution context
 * @cc:		Client
 */
static void ctl_close(struct ctx *c, struct ctl_conn *cc)
{
	passt_epoll_del(c, cc->fd);
	close(cc->fd);
	cc->state = CTL_FREE;
	cc->fd = -1;
}

/**
 * ctl_out() - Append to a client's reply
 * @cc:		Client
 * @fmt:	Format string
 */
__attribute__((format(printf, 2, 3)))
static void ctl_out(struct ctl_conn *cc, const char *fmt, ...)
{
	size_t room = sizeof(cc->out) - cc->out_len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cc->out + cc->out_len, room, fmt, ap);
	va_end(ap);

	if (n < 0)
		return;
	cc->out_len += (size_t)n < room ? (size_t)n : room - 1;
}

/**
 * ctl_show() - Reply with the forwarding tables
 * @c:		Execution context
 * @cc:		Client
 * @json:	In JSON
 */
static void ctl_show(struct ctx *c, struct ctl_conn *cc, bool json)
{
	static const char *const mode_name[] = {
		[FWD_UNSET] = "none", [FWD_NONE] = "none", [FWD_SPEC] = "spec",
		[FWD_ALL] = "all", [FWD_AUTO] = "auto",
	};
	unsigned int t, i, tables = c->mode == MODE_PASTA ? FWD_TABLES : 2;
	char buf[256];

	if (json)
		ctl_out(cc, "{\"tables\":[");

	for (t = 0; t < tables; t++) {
		const struct fwd_ports *fwd = fwd_table_get(c, t);
		const char *mode = fwd->mode < ARRAY_SIZE(mode_name) ?
				   mode_name[fwd->mode] : "?";
		unsigned int p, first = 0;
		bool any = false;

		if (json)
			ctl_out(cc, "%s{\"table\":\"%s\",\"option\":\"%s\","
				"\"mode\":\"%s\",\"rules\":[", t ? "," : "",
				ctl_table_word[t], ctl_table_opt[t], mode);
		else
			ctl_out(cc, "%s (%s): %s\n", ctl_table_word[t],
				ctl_table_opt[t], mode);

		for (i = 0; i < fwd->count && i < FWD_RULES_MAX; i++) {
			fwd_rule_fmt(&fwd->rules[i], json, buf, sizeof(buf));
			if (json)
				ctl_out(cc, "%s%s", i ? "," : "", buf);
			else
				ctl_out(cc, "    %s\n", buf);
		}

		ctl_out(cc, json ? "],\"excluded\":\"" : "");
		for (p = 1; p <= NUM_PORTS; p++) {
			bool ex = p < NUM_PORTS &&
				  fwd_port_excluded(fwd, (uint16_t)p);

			if (ex && !first) {
				first = p;
			} else if (!ex && first) {
				if (!any && !json)
					ctl_out(cc, "    excluded: ");
				ctl_out(cc, "%s%u", any ? "," : "", first);
				if (p - 1 != first)
					ctl_out(cc, "-%u", p - 1);
				any = true;
				first = 0;
			}
		}
		if (json)
			ctl_out(cc, "\"}");
		else if (any)
			ctl_out(cc, "\n");
	}

	if (json)
		ctl_out(cc, "]}\n");
}

/**
 * ctl_fill() - Refill the reply of a flow listing, once sent
 * @cc:		Client
 * @now:	Current time
 */
static void ctl_fill(struct ctl_conn *cc, const struct timespec *now)
{
	char buf[512];
	int n;

	cc->out_len = cc->out_off = 0;
	if (!cc->listing)
		return;

	if (cc->pos < flow_hwm()) {
		n = flow_list((uint32_t)now->tv_sec, cc->json, cc->out,
			      sizeof(cc->out), &cc->pos);
		cc->out_len = (size_t)n;
		if (cc->out_len)
			return;
	}

	flow_totals(cc->json, buf, sizeof(buf));
	ctl_out(cc, cc->json ? "],\"totals\":%s}\n" : "%s\n", buf);
	cc->listing = false;
}

/**
 * ctl_run() - Act on a request, prepare the reply
 * @c:		Execution context
 * @cc:		Client
 * @now:	Current time
 */
static void ctl_run(struct ctx *c, struct ctl_conn *cc,
		    const struct timespec *now)
{
	struct ctl_req *req = &ctl_req_buf;
	char msg[512];
	const char *e;

	cc->out_len = cc->out_off = 0;

	if (ctl_parse(cc->in, cc->in_len, req, &e)) {
		ctl_out(cc, "error %s\n", e);
		debug("Configuration socket: bad request: %s", e);
		return;
	}

	switch (req->cmd) {
	case CTL_SHOW:
		ctl_out(cc, "ok\n");
		ctl_show(c, cc, req->json);
		break;
	case CTL_FLOWS:
		ctl_out(cc, "ok\n%s", req->json ? "{\"flows\":[\n" : "");
		cc->listing = true;
		cc->json = req->json;
		cc->pos = 0;
		break;
	case CTL_LOG_LEVEL:
		log_level = req->level;
		ctl_out(cc, "ok\n");
		logmsg(LOG_NOTICE, "Log level changed by configuration client");
		break;
	default:
		if (fwd_change(c, req->table, req->cmd == CTL_ADD ? FWD_OP_ADD :
			       req->cmd == CTL_DEL ? FWD_OP_DEL : FWD_OP_SET,
			       req->spec, req->nspec, msg, sizeof(msg))) {
			ctl_out(cc, "error %s\n", msg);
			info("Configuration request refused: %s", msg);
		} else {
			ctl_out(cc, "ok\n%s\n", msg);
		}
	}
	(void)now;
}

/**
 * ctl_accept() - New clients: check who they are, give them a slot
 * @c:		Execution context
 * @now:	Current time
 *
 * #syscalls accept4 accept getsockopt
 */
static void ctl_accept(struct ctx *c, const struct timespec *now)
{
	int i;

	for (i = 0; i < 8; i++) {
		static const char busy[] = "error Too many clients\n";
		static const char deny[] = "error Permission denied\n";
		union epoll_ref ref = { .type = EPOLL_TYPE_CTL };
		struct ucred cred;
		socklen_t sl = sizeof(cred);
		struct ctl_conn *cc = NULL;
		int fd, j;

		fd = accept4(ctl_listen_fd, NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;

		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &sl) ||
		    (cred.uid != ctl_uid && cred.uid != 0)) {
			info("Configuration client refused: uid %i",
			     sl == sizeof(cred) ? (int)cred.uid : -1);
			send(fd, deny, sizeof(deny) - 1,
			     MSG_DONTWAIT | MSG_NOSIGNAL);
			close(fd);
			continue;
		}

		for (j = 0; j < CTL_CONN_MAX; j++) {
			if (ctl_conn[j].state == CTL_FREE) {
				cc = &ctl_conn[j];
				break;
			}
		}
		ref.fd = fd;
		ref.data = (uint32_t)j;
		if (!cc || fd > FD_REF_MAX ||
		    passt_epoll_add(c, EPOLLIN | EPOLLRDHUP, ref)) {
			send(fd, busy, sizeof(busy) - 1,
			     MSG_DONTWAIT | MSG_NOSIGNAL);
			close(fd);
			continue;
		}

		debug("Configuration client, pid %i", (int)cred.pid);
		cc->state = CTL_READ;
		cc->fd = fd;
		cc->since = now->tv_sec;
		cc->in_len = cc->out_len = cc->out_off = 0;
		cc->listing = false;
	}
}

/**
 * ctl_write() - Send what we can of the reply, close when all is sent
 * @c:		Execution context
 * @cc:		Client
 * @now:	Current time
 *
 * #syscalls sendto
 */
static void ctl_write(struct ctx *c, struct ctl_conn *cc,
		      const struct timespec *now)
{
	for (;;) {
		ssize_t n;

		if (cc->out_off == cc->out_len) {
			ctl_fill(cc, now);
			if (!cc->out_len) {
				ctl_close(c, cc);
				return;
			}
		}

		n = send(cc->fd, cc->out + cc->out_off,
			 cc->out_len - cc->out_off,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			ctl_close(c, cc);
			return;
		}
		cc->out_off += (size_t)n;
	}
}

/**
 * ctl_read() - Receive (more of) a request, act on it once complete
 * @c:		Execution context
 * @cc:		Client
 * @now:	Current time
 *
 * #syscalls recvfrom
 */
static void ctl_read(struct ctx *c, struct ctl_conn *cc,
		     const struct timespec *now)
{
	union epoll_ref ref = { .type = EPOLL_TYPE_CTL, .fd = cc->fd };
	bool eof = false;
	ssize_t n;

	n = recv(cc->fd, cc->in + cc->in_len, sizeof(cc->in) - cc->in_len,
		 MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n < 0) {
		ctl_close(c, cc);
		return;
	}
	if (!n)
		eof = true;
	cc->in_len += (size_t)n;

	/* Whole line, too much, or no more coming: answer now */
	if (!memchr(cc->in, '\n', cc->in_len) && !eof &&
	    cc->in_len < sizeof(cc->in))
		return;

	ctl_run(c, cc, now);
	cc->state = CTL_WRITE;
	ref.data = (uint32_t)(cc - ctl_conn);
	if (passt_epoll_mod(c, EPOLLOUT, ref)) {
		ctl_close(c, cc);
		return;
	}
	ctl_write(c, cc, now);
}

/**
 * ctl_handler() - Events on the control socket and its clients
 * @c:		Execution context
 * @ref:	epoll reference: EPOLL_TYPE_CTL_LISTEN, or EPOLL_TYPE_CTL
 *		with the client slot in @data
 * @events:	epoll events
 * @now:	Current time
 */
void ctl_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		 const struct timespec *now)
{
	struct ctl_conn *cc;

	if (ref.type == EPOLL_TYPE_CTL_LISTEN) {
		ctl_accept(c, now);
		return;
	}

	if (ref.data >= CTL_CONN_MAX)
		return;
	cc = &ctl_conn[ref.data];
	if (cc->state == CTL_FREE || cc->fd != ref.fd)
		return;

	if (cc->state == CTL_READ && (events & (EPOLLIN | EPOLLRDHUP |
						EPOLLHUP | EPOLLERR)))
		ctl_read(c, cc, now);
	else if (cc->state == CTL_WRITE && (events & (EPOLLHUP | EPOLLERR)))
		ctl_close(c, cc);
	else if (cc->state == CTL_WRITE && (events & EPOLLOUT))
		ctl_write(c, cc, now);
}

/**
 * ctl_timer() - Drop clients past their deadline
 * @c:		Execution context
 * @now:	Current time
 */
void ctl_timer(struct ctx *c, const struct timespec *now)
{
	int i;

	for (i = 0; i < CTL_CONN_MAX; i++) {
		struct ctl_conn *cc = &ctl_conn[i];

		if (cc->state != CTL_FREE &&
		    now->tv_sec - cc->since > CTL_TIMEOUT) {
			debug("Configuration client timed out");
			ctl_close(c, cc);
		}
	}
}
