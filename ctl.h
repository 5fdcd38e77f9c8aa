/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * ctl.h - Control socket (-c, --conf-path): forwarding rules, flows, log
 *	   level at run time, for the pesto client
 */

#ifndef CTL_H
#define CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "fwd.h"
#include "passt.h"

#define CTL_MAGIC		"pesto"
#define CTL_VERSION		1
#define CTL_REQ_MAX		4096	/* request bytes, with newline */
#define CTL_WORDS_MAX		64	/* words in a request */
#define CTL_CONN_MAX		4	/* clients at once */
#define CTL_TIMEOUT		10	/* seconds a client may take */

/**
 * enum ctl_cmd - Requests
 * @CTL_SHOW:		List forwarding tables
 * @CTL_FLOWS:		List flows, totals and counters
 * @CTL_LOG_LEVEL:	Change the log level
 * @CTL_ADD:		Add rules to a table
 * @CTL_DEL:		Remove rules from a table
 * @CTL_SET:		Replace a table (no spec: clear it)
 */
enum ctl_cmd {
	CTL_SHOW,
	CTL_FLOWS,
	CTL_LOG_LEVEL,
	CTL_ADD,
	CTL_DEL,
	CTL_SET,
};

/**
 * struct ctl_req - A parsed request
 * @cmd:	enum ctl_cmd
 * @json:	Reply in JSON (CTL_SHOW, CTL_FLOWS)
 * @table:	Table (CTL_ADD, CTL_DEL, CTL_SET)
 * @level:	LOG_ERR ... LOG_DEBUG (CTL_LOG_LEVEL)
 * @nspec:	Number of specifications in @spec
 * @spec:	Specifications, pointing into @buf
 * @buf:	Copy of the request, words split
 */
struct ctl_req {
	enum ctl_cmd cmd;
	bool json;
	enum fwd_table table;
	int level;
	unsigned int nspec;
	const char *spec[CTL_WORDS_MAX];
	char buf[CTL_REQ_MAX + 1];
};

/* Protocol */
int ctl_parse(const char *data, size_t len, struct ctl_req *req,
	      const char **err);

/* Daemon side */
void ctl_set_path(const char *path);
void ctl_init(struct ctx *c);
void ctl_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		 const struct timespec *now);
void ctl_timer(struct ctx *c, const struct timespec *now);

#endif /* CTL_H */
