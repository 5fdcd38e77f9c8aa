// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pesto.c - Client of the configuration socket of passt and pasta (-c):
 *	     show and change forwarding rules, list flows, set the log level
 *
 * Each operation is one request on its own connection (protocol in
 * ctl.c and doc/pesto.1), sent in command line order; the first error
 * stops, with the daemon's message on stderr and exit status 1.
 */

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#define REQ_MAX		4096	/* as the daemon accepts */
#define OPS_MAX		64
#define TIMEOUT_S	10

/**
 * struct op - One request to send
 * @req:	Request line, newline included
 * @len:	Length of @req
 * @table:	Table of a rule change, NULL for others
 * @cmd:	"add", "del", "set", or NULL for others
 */
struct op {
	char req[REQ_MAX + 1];
	size_t len;
	const char *table;
	const char *cmd;
};

static struct op ops[OPS_MAX];
static unsigned int nops;
static bool debug, json;

/**
 * usage() - Print the options, exit
 * @fp:		stdout for --help, stderr for mistakes
 * @status:	Exit status
 */
static void usage(FILE *fp, int status)
{
	fprintf(fp,
"Usage: pesto [OPTION]... PATH\n"
"\n"
"Show or change the port forwarding of a running passt or pasta started\n"
"with -c PATH, list its flows, change its log level. Without options,\n"
"print the forwarding tables.\n"
"\n"
"  -t, --tcp-ports SPEC     Inbound TCP rules (as passt -t)\n"
"  -u, --udp-ports SPEC     Inbound UDP rules (as passt -u)\n"
"  -T, --tcp-ns SPEC        Outbound TCP rules (as pasta -T)\n"
"  -U, --udp-ns SPEC        Outbound UDP rules (as pasta -U)\n"
"        Without -A or -D, the specs replace the whole table\n"
"  -A, --add                Following specs add rules\n"
"  -D, --delete             Following specs remove the rules they describe\n"
"  -C, --clear TABLE        Empty a table: tcp-in, udp-in, tcp-out, udp-out,\n"
"                           HOST (both inbound), SPLICE (both outbound)\n"
"  -s, --show               Print the tables before and after changes\n"
"      --flows              List flows, totals and counters\n"
"      --log-level LEVEL    error, warning, info or debug\n"
"      --json               Machine-readable output (JSON)\n"
"  -d, --debug              Print requests and replies on stderr\n"
"  -h, --help               Show this help and exit\n"
"      --version            Show the version and exit\n");
	exit(status);
}

/**
 * op_add() - Queue a request, or extend the previous one
 * @cmd:	Command word
 * @table:	Table word, or NULL
 * @arg:	Argument (a spec, a level, "json"), or NULL
 *
 * Consecutive rule changes of the same kind to the same table go in one
 * request: they're applied together, all or nothing.
 */
static void op_add(const char *cmd, const char *table, const char *arg)
{
	struct op *o = nops ? &ops[nops - 1] : NULL;
	size_t room;
	int n;

	if (!(o && table && o->table && !strcmp(o->table, table) &&
	      o->cmd && !strcmp(o->cmd, cmd))) {
		if (nops == OPS_MAX) {
			fprintf(stderr, "pesto: too many operations\n");
			exit(EXIT_FAILURE);
		}
		o = &ops[nops++];
		o->table = table;
		o->cmd = table ? cmd : NULL;
		o->len = (size_t)snprintf(o->req, sizeof(o->req),
					  "pesto 1 %s%s%s", cmd,
					  table ? " " : "",
					  table ? table : "");
	}

	if (arg) {
		if (strchr(arg, ' ') || strchr(arg, '\t') ||
		    strchr(arg, '\n')) {
			fprintf(stderr, "pesto: blank in argument: '%s'\n",
				arg);
			exit(EXIT_FAILURE);
		}
		room = sizeof(o->req) - o->len;
		n = snprintf(o->req + o->len, room, " %s", arg);
		if (n < 0 || (size_t)n >= room) {
			fprintf(stderr, "pesto: request too long\n");
			exit(EXIT_FAILURE);
		}
		o->len += (size_t)n;
	}
}

/**
 * op_end() - Terminate the requests with newlines
 */
static void op_end(void)
{
	unsigned int i;

	for (i = 0; i < nops; i++) {
		if (ops[i].len >= REQ_MAX) {
			fprintf(stderr, "pesto: request too long\n");
			exit(EXIT_FAILURE);
		}
		ops[i].req[ops[i].len++] = '\n';
		ops[i].req[ops[i].len] = 0;
	}
}

/**
 * json_msg() - Print the summary of a change as a JSON object
 * @s:		Text, up to a newline
 * @len:	Length of @s
 */
static void json_msg(const char *s, size_t len)
{
	size_t i;

	fputs("{\"result\":\"", stdout);
	for (i = 0; i < len && s[i] != '\n'; i++) {
		if (s[i] == '"' || s[i] == '\\')
			putchar('\\');
		if ((unsigned char)s[i] >= 0x20)
			putchar(s[i]);
	}
	fputs("\"}\n", stdout);
}

/**
 * run() - Send one request, print the reply
 * @path:	Socket path
 * @o:		Request
 *
 * Return: 0 if the daemon said "ok", 1 otherwise
 */
static int run(const char *path, const struct op *o)
{
	struct timeval tv = { .tv_sec = TIMEOUT_S };
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	static char buf[65536];
	bool first = true, ok = false;
	size_t have = 0, off = 0;
	ssize_t n;
	int s;

	if (strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "pesto: path too long: %s\n", path);
		return 1;
	}
	strcpy(a.sun_path, path);

	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a))) {
		fprintf(stderr, "pesto: %s: %s\n", path, strerror(errno));
		return 1;
	}
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));

	if (debug)
		fprintf(stderr, "> %s", o->req);
	while (off < o->len) {
		n = send(s, o->req + off, o->len - off, MSG_NOSIGNAL);
		if (n <= 0) {
			/* The daemon may have answered already: read it */
			break;
		}
		off += (size_t)n;
	}

	/* First line: status; then the body, passed through */
	for (;;) {
		char *nl;

		n = recv(s, buf + have, sizeof(buf) - have - 1, 0);
		if (n < 0) {
			fprintf(stderr, "pesto: %s: %s\n", path,
				errno == EAGAIN ? "no reply" : strerror(errno));
			close(s);
			return 1;
		}
		have += (size_t)n;
		buf[have] = 0;

		if (first) {
			nl = strchr(buf, '\n');
			if (!nl && n && have < sizeof(buf) - 1)
				continue;
			if (!nl) {
				fprintf(stderr, "pesto: bad reply\n");
				close(s);
				return 1;
			}
			*nl = 0;
			if (debug)
				fprintf(stderr, "< %s\n", buf);
			if (!strcmp(buf, "ok")) {
				ok = true;
			} else if (!strncmp(buf, "error ", 6)) {
				fprintf(stderr, "pesto: %s\n", buf + 6);
			} else {
				fprintf(stderr, "pesto: bad reply: %s\n", buf);
			}
			first = false;
			have -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, have);
		}

		if (ok && have && json && o->table)
			json_msg(buf, have);
		else if (ok && have)
			fwrite(buf, 1, have, stdout);
		have = 0;
		if (!n)
			break;
	}

	close(s);
	if (first)
		fprintf(stderr, "pesto: no reply\n");
	return ok ? 0 : 1;
}

/**
 * main() - Parse options into requests, send them in order
 * @argc:	Argument count
 * @argv:	Options, then the socket path
 *
 * Return: 0 on success, 1 on any failure, 2 on bad usage
 */
int main(int argc, char **argv)
{
	enum { OPT_FLOWS = 256, OPT_LOG_LEVEL, OPT_JSON, OPT_VERSION };
	static const struct option options[] = {
		{ "tcp-ports",	required_argument,	NULL, 't' },
		{ "udp-ports",	required_argument,	NULL, 'u' },
		{ "tcp-ns",	required_argument,	NULL, 'T' },
		{ "udp-ns",	required_argument,	NULL, 'U' },
		{ "add",	no_argument,		NULL, 'A' },
		{ "delete",	no_argument,		NULL, 'D' },
		{ "clear",	required_argument,	NULL, 'C' },
		{ "show",	no_argument,		NULL, 's' },
		{ "flows",	no_argument,		NULL, OPT_FLOWS },
		{ "log-level",	required_argument, NULL, OPT_LOG_LEVEL },
		{ "json",	no_argument,		NULL, OPT_JSON },
		{ "debug",	no_argument,		NULL, 'd' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,	NULL, OPT_VERSION },
		{ 0 },
	};
	const char *mode = "set", *show = NULL, *jarg = NULL;
	bool changes = false;
	unsigned int i;
	int opt, rc = 0;

	/* --json applies to every listing: find it first */
	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--json"))
			jarg = "json";
		if (!strcmp(argv[i], "--"))
			break;
	}

	while ((opt = getopt_long(argc, argv, "t:u:T:U:ADC:sdh", options,
				  NULL)) != -1) {
		switch (opt) {
		case 't':
			op_add(mode, "tcp-in", optarg);
			changes = true;
			break;
		case 'u':
			op_add(mode, "udp-in", optarg);
			changes = true;
			break;
		case 'T':
			op_add(mode, "tcp-out", optarg);
			changes = true;
			break;
		case 'U':
			op_add(mode, "udp-out", optarg);
			changes = true;
			break;
		case 'A':
			mode = "add";
			break;
		case 'D':
			mode = "del";
			break;
		case 'C':
			if (!strcmp(optarg, "HOST")) {
				op_add("set", "tcp-in", NULL);
				op_add("set", "udp-in", NULL);
			} else if (!strcmp(optarg, "SPLICE")) {
				op_add("set", "tcp-out", NULL);
				op_add("set", "udp-out", NULL);
			} else if (!strcmp(optarg, "tcp-in") ||
				   !strcmp(optarg, "udp-in") ||
				   !strcmp(optarg, "tcp-out") ||
				   !strcmp(optarg, "udp-out")) {
				op_add("set", optarg, NULL);
			} else {
				fprintf(stderr, "pesto: unknown table: %s\n",
					optarg);
				usage(stderr, 2);
			}
			/* A following spec starts its own replacement */
			ops[nops - 1].cmd = "clear";
			changes = true;
			break;
		case 's':
			show = "show";
			break;
		case OPT_FLOWS:
			op_add("flows", NULL, jarg);
			break;
		case OPT_LOG_LEVEL:
			op_add("log-level", NULL, optarg);
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'd':
			debug = true;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		case OPT_VERSION:
			printf("pesto " VERSION "\n");
			return 0;
		default:
			usage(stderr, 2);
		}
	}

	if (optind != argc - 1)
		usage(stderr, 2);

	if (show && changes) {
		/* Before and after: shift the queue by one */
		if (nops + 2 > OPS_MAX) {
			fprintf(stderr, "pesto: too many operations\n");
			return 1;
		}
		memmove(&ops[1], &ops[0], nops * sizeof(ops[0]));
		nops++;
		ops[0].len = (size_t)snprintf(ops[0].req, sizeof(ops[0].req),
					      "pesto 1 show%s%s",
					      jarg ? " " : "",
					      jarg ? jarg : "");
		ops[0].table = ops[0].cmd = NULL;
		ops[nops] = ops[0];
		nops++;
	} else if (show || !nops) {
		op_add("show", NULL, jarg);
	}
	op_end();

	for (i = 0; i < nops && !rc; i++)
		rc = run(argv[argc - 1], &ops[i]);

	return rc;
}
