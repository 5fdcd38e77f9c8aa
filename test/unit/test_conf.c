/* SPDX-License-Identifier: GPL-2.0-or-later
 *
 * test_conf.c - Unit tests for conf.c: options, errors, defaults, DNS
 *
 * unit-include: conf.c
 *
 * Option parsing runs in a child process (fork) whenever it may exit: the
 * parent checks the exit status and that an error is exactly one line on
 * stderr. Accepted command lines are then parsed again in-process to check
 * the resulting context.
 */

#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "../../conf.c"
#include "unit.h"

#define MAXARGS		64
#define OUT_MAX		16384

/**
 * struct run - Outcome of parsing a command line in a child
 * @status:	Exit status (0 if conf_parse() returned), -1 if killed
 * @out:	What the child wrote on stdout
 * @err:	What the child wrote on stderr
 */
struct run {
	int status;
	char out[OUT_MAX];
	char err[OUT_MAX];
};

static struct ctx c;
static struct conf_opts o;
static struct run r;

/* run_conf() in a new network namespace, only lo: result in @run_ctx */
static bool run_newnet;
static struct ctx *run_ctx;

/**
 * drain() - Read a pipe into a buffer until EOF
 * @fd:		Read end
 * @buf:	Buffer, NUL-terminated on return
 */
static void drain(int fd, char *buf)
{
	size_t n = 0;
	ssize_t rc;

	while (n < OUT_MAX - 1 &&
	       (rc = read(fd, buf + n, OUT_MAX - 1 - n)) > 0)
		n += rc;
	buf[n] = 0;
	close(fd);
}

/**
 * run_conf() - Parse a command line in a child process
 * @mode:	MODE_PASST or MODE_PASTA
 * @full:	Run conf() (netlink, resolv.conf) rather than conf_parse()
 * @args:	Arguments after argv[0], NULL-terminated
 */
static void run_conf(enum passt_mode mode, bool full,
		     const char *const *args)
{
	int po[2], pe[2], status, n = 0;
	char *argv[MAXARGS + 2];
	pid_t pid;

	argv[n++] = mode == MODE_PASTA ? "pasta" : "passt";
	while (*args && n < MAXARGS)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;

	if (pipe(po) || pipe(pe)) {
		r.status = -1;
		return;
	}

	fflush(stdout);
	pid = fork();
	if (!pid) {
		dup2(po[1], STDOUT_FILENO);
		dup2(pe[1], STDERR_FILENO);
		close(po[0]);
		close(pe[0]);
		alarm(10);

		memset(&c, 0, sizeof(c));
		c.mode = mode;
		log_init(mode == MODE_PASTA ? "pasta" : "passt", LOG_INFO,
			 false);
		if (run_newnet && unshare(CLONE_NEWNET))
			_exit(77);
		if (full)
			conf(&c, n, argv);
		else
			conf_parse(&c, &o, n, argv);
		if (run_ctx)
			*run_ctx = c;
		fflush(stdout);
		_exit(0);
	}

	close(po[1]);
	close(pe[1]);
	/* Small outputs: read stderr after stdout is closed */
	drain(po[0], r.out);
	drain(pe[0], r.err);
	waitpid(pid, &status, 0);
	r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/**
 * one_line() - Is the text exactly one non-empty line?
 * @s:		Text
 *
 * Return: true if so
 */
static bool one_line(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl && nl > s && !nl[1];
}

/**
 * args_str() - Format arguments for descriptions
 * @args:	NULL-terminated arguments
 *
 * Return: static string
 */
static const char *args_str(const char *const *args)
{
	static char buf[512];
	size_t n = 0;

	buf[0] = 0;
	for (; *args && n < sizeof(buf) - 1; args++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? " " : "",
			      *args);
	return buf;
}

/**
 * parse_ok() - Check a command line is accepted, then parse it here
 * @mode:	MODE_PASST or MODE_PASTA
 * @args:	Arguments, NULL-terminated
 *
 * Return: true if accepted (and @c, @o filled)
 */
static bool parse_ok(enum passt_mode mode, const char *const *args)
{
	char *argv[MAXARGS + 2];
	int n = 0;

	/* Warnings (e.g. for --stderr) may appear on stderr */
	run_conf(mode, false, args);
	if (!CHECK(r.status == 0, "%s %s: accepted%s%.*s",
		   mode == MODE_PASTA ? "pasta" : "passt", args_str(args),
		   *r.err ? ": " : "", (int)strcspn(r.err, "\n"), r.err))
		return false;

	argv[n++] = mode == MODE_PASTA ? "pasta" : "passt";
	while (*args && n < MAXARGS)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;

	memset(&c, 0, sizeof(c));
	c.mode = mode;
	conf_parse(&c, &o, n, argv);
	return true;
}

#define ARGS(...)	((const char *[]){ __VA_ARGS__, NULL })
#define PASST_OK(...)	parse_ok(MODE_PASST, ARGS(__VA_ARGS__))
#define PASTA_OK(...)	parse_ok(MODE_PASTA, ARGS(__VA_ARGS__))

/* One rejected command line */
struct bad {
	enum passt_mode mode;
	const char *args[8];
	const char *msg;	/* substring expected in the message */
};

static char long_path[300];

static const struct bad bad_cmds[] = {
	{ MODE_PASST, { "--bogus" }, "--bogus" },
	{ MODE_PASST, { "-x" }, "-x" },
	{ MODE_PASST, { "-fx" }, "-x" },
	{ MODE_PASST, { "-t" }, "requires an argument" },
	{ MODE_PASST, { "--mtu" }, "requires an argument" },
	{ MODE_PASST, { "--quiet=1" }, "--quiet=1" },
	{ MODE_PASST, { "--tcp" }, NULL },	/* ambiguous */
	{ MODE_PASST, { "-m", "65522" }, "MTU 65522 too large (max 65521" },
	{ MODE_PASTA, { "--mtu=65536" }, "MTU 65536 too large (max 65521" },
	{ MODE_PASST, { "-m", "99999999999999999999999" }, "0 to 65521" },
	{ MODE_PASST, { "-a", "10.0.0.1/24", "-n", "16" }, "--netmask" },
	{ MODE_PASST, { "-n", "16", "-a", "10.0.0.1/24" }, "--netmask" },
	{ MODE_PASST, { "-a", "10.0.0.1/33" }, "prefix length" },
	{ MODE_PASST, { "-a", "10.0.0.1/0" }, "prefix length" },
	{ MODE_PASST, { "-a", "10.0.0.1/" }, "prefix length" },
	{ MODE_PASST, { "-a", "10.0.0.1/24x" }, "prefix length" },
	{ MODE_PASST, { "-a", "10.0.0.1/255.255.255.0" }, "prefix length" },
	{ MODE_PASTA, { "-a", "2001:db8::1/129" }, "prefix length" },
	{ MODE_PASST, { "-a", "/24" }, "address" },
	{ MODE_PASST, { "-a", "127.0.0.1/8" }, "loopback" },
	{ MODE_PASST, { "-a", "2001:db8:1:2:3:4:5:6:7:8:9:10:11:12/64" },
	  "address" },
	{ MODE_PASST, { "-m", "abc" }, "MTU" },
	{ MODE_PASST, { "-m", "-1" }, "MTU" },
	{ MODE_PASST, { "-m", "" }, "MTU" },
	{ MODE_PASST, { "--mtu=1500x" }, "MTU" },
	{ MODE_PASTA, { "--mtu= 1500" }, "MTU" },
	{ MODE_PASST, { "-a", "0.0.0.0" }, "unspecified" },
	{ MODE_PASST, { "-a", "127.0.0.1" }, "loopback" },
	{ MODE_PASST, { "-a", "224.0.0.1" }, "multicast" },
	{ MODE_PASST, { "-a", "255.255.255.255" }, "broadcast" },
	{ MODE_PASST, { "-a", "::" }, "unspecified" },
	{ MODE_PASST, { "-a", "::1" }, "loopback" },
	{ MODE_PASST, { "-a", "ff02::1" }, "multicast" },
	{ MODE_PASST, { "-a", "::ffff:192.0.2.1" }, "mapped" },
	{ MODE_PASST, { "-a", "::192.0.2.1" }, "compatible" },
	{ MODE_PASST, { "-a", "1.2.3" }, "address" },
	{ MODE_PASST, { "--address=example.com" }, "address" },
	{ MODE_PASST, { "-a", "10.0.0.1", "-a", "10.0.0.2" }, "IPv4" },
	{ MODE_PASTA, { "-a", "2001:db8::1", "-a", "2001:db8::2" }, "IPv6" },
	{ MODE_PASST, { "-n", "0" }, "netmask" },
	{ MODE_PASST, { "-n", "33" }, "netmask" },
	{ MODE_PASST, { "-n", "255.0.255.0" }, "netmask" },
	{ MODE_PASST, { "-n", "0.0.0.0" }, "netmask" },
	{ MODE_PASST, { "-n", "x" }, "netmask" },
	{ MODE_PASST, { "-g", "garbage" }, "gateway" },
	{ MODE_PASST, { "-g", "0.0.0.0" }, "gateway" },
	{ MODE_PASST, { "-g", "10.0.0.1", "-g", "10.0.0.2" }, "gateway" },
	{ MODE_PASST, { "-M", "00:11:22:33:44" }, "MAC" },
	{ MODE_PASST, { "-M", "00:11:22:33:44:55:66" }, "MAC" },
	{ MODE_PASST, { "-M", "zz:11:22:33:44:55" }, "MAC" },
	{ MODE_PASST, { "-M", "001:11:22:33:44:55" }, "MAC" },
	{ MODE_PASTA, { "--ns-mac-addr", "1:2:3" }, "MAC" },
	{ MODE_PASST, { "-T", "22" }, "pasta" },
	{ MODE_PASST, { "-U", "22" }, "pasta" },
	{ MODE_PASST, { "--tcp-ns=22" }, "pasta" },
	{ MODE_PASST, { "-t", "auto" }, "auto" },
	{ MODE_PASST, { "-t", "none", "-t", "22" }, "-t" },
	{ MODE_PASST, { "-t", "22-" }, "-t '22-'" },
	{ MODE_PASST, { "--udp-ports=0" }, "-u" },
	{ MODE_PASST, { "-t", "22", "-t", "22" }, "Overlapping" },
	{ MODE_PASST, { "-t", "22", "-t", "~3000" }, "-t" },
	{ MODE_PASST, { "--netns", "x" }, "pasta" },
	{ MODE_PASST, { "--userns", "/x" }, "pasta" },
	{ MODE_PASST, { "--config-net" }, "pasta" },
	{ MODE_PASST, { "-I", "tap0" }, "pasta" },
	{ MODE_PASST, { "--dhcp-dns" }, "pasta" },
	{ MODE_PASST, { "--dhcp-search" }, "pasta" },
	{ MODE_PASST, { "--ns-mac-addr", "02:00:00:00:00:01" }, "pasta" },
	{ MODE_PASST, { "--no-splice" }, "pasta" },
	{ MODE_PASST, { "--netns-only" }, "pasta" },
	{ MODE_PASST, { "--no-netns-quit" }, "pasta" },
	{ MODE_PASST, { "--no-copy-routes" }, "pasta" },
	{ MODE_PASST, { "--host-lo-to-ns-lo" }, "pasta" },
	{ MODE_PASST, { "--fd", "2" }, "--fd" },
	{ MODE_PASST, { "--fd", "x" }, "--fd" },
	{ MODE_PASST, { "-F", "987" }, "not open" },
	{ MODE_PASST, { "--vhost-user", "-s", "/tmp/a", "--fd", "3" }, "--fd" },
	{ MODE_PASST, { "--splice-only" }, "pasta" },
	{ MODE_PASTA, { "--splice-only", "--no-splice" }, "--no-splice" },
	{ MODE_PASTA, { "--no-splice", "--splice-only" }, "--no-splice" },
	{ MODE_PASST, { "--stats", "1" }, "--foreground" },
	{ MODE_PASTA, { "--stats", "1", "--netns", "/x" }, "--foreground" },
	{ MODE_PASST, { "-f", "--stats", "0" }, "--stats" },
	{ MODE_PASST, { "-f", "--stats", "1s" }, "--stats" },
	{ MODE_PASST, { "-f", "--stats" }, "requires an argument" },
	{ MODE_PASST, { "--busy-poll", "10001" }, "--busy-poll" },
	{ MODE_PASTA, { "--busy-poll", "-1" }, "--busy-poll" },
	{ MODE_PASST, { "--busy-poll", "50us" }, "--busy-poll" },
	{ MODE_PASST, { "--busy-poll" }, "requires an argument" },
	{ MODE_PASST, { "--migrate-exit" }, "vhost-user" },
	{ MODE_PASST, { "--migrate-no-linger" }, "vhost-user" },
	{ MODE_PASST, { "--repair-path", "/tmp/r" }, "vhost-user" },
	{ MODE_PASST, { "--repair-path", "none" }, "vhost-user" },
	{ MODE_PASST, { "--repair-path", "" }, "--repair-path" },
	{ MODE_PASTA, { "--migrate-exit" }, "passt" },
	{ MODE_PASTA, { "--repair-path", "none" }, "passt" },
	{ MODE_PASST, { "extra" }, "extra" },
	{ MODE_PASST, { "--no-tcp", "-t", "22" }, "TCP" },
	{ MODE_PASST, { "-u", "22", "--no-udp" }, "UDP" },
	{ MODE_PASTA, { "--no-tcp", "-T", "22" }, "TCP" },
	{ MODE_PASST, { "--log-size", "10" }, "--log-size" },
	{ MODE_PASST, { "--log-size", "x" }, "--log-size" },
	{ MODE_PASST, { "--runas", "nosuchuser-xyz" }, "user" },
	{ MODE_PASST, { "--runas", "0:nosuchgroup-xyz" }, "group" },
	{ MODE_PASST, { "--runas", ":0" }, "--runas" },
	{ MODE_PASST, { "--runas", "0:" }, "--runas" },
	{ MODE_PASST, { "-s", long_path }, "too long" },
	{ MODE_PASST, { "-s", "" }, "Empty" },
	{ MODE_PASST, { "-P", "", "-s", "/tmp/x" }, "--pid" },
	{ MODE_PASST, { "--pcap=" }, "--pcap" },
	{ MODE_PASST, { "-s", "/tmp/a", "--fd", "1" }, "--fd" },
	{ MODE_PASST, { "-D", "none", "-D", "192.0.2.1" }, "none" },
	{ MODE_PASST, { "-D", "192.0.2.1", "-D", "none" }, "none" },
	{ MODE_PASST, { "-D", "bad" }, "nameserver" },
	{ MODE_PASST, { "-D", "0.0.0.0" }, "nameserver" },
	{ MODE_PASST, { "-S", "bad!domain" }, "search" },
	{ MODE_PASST, { "-S", "none", "-S", "example.com" }, "none" },
	{ MODE_PASST, { "--dns-forward", "x" }, "--dns-forward" },
	{ MODE_PASST, { "--dns-forward", "10.0.2.3", "--dns-forward",
			"10.0.2.4" }, "--dns-forward" },
	{ MODE_PASST, { "--dns-host", "::" }, "--dns-host" },
	{ MODE_PASST, { "--map-host-loopback", "127.0.0.1" }, "loopback" },
	{ MODE_PASST, { "--map-host-loopback", "x" }, "map-host-loopback" },
	{ MODE_PASST, { "--map-guest-addr", "x" }, "map-guest-addr" },
	{ MODE_PASST, { "--map-guest-addr", "none", "--map-guest-addr",
			"192.0.2.2" }, "map-guest-addr" },
	{ MODE_PASST, { "-o", "bad" }, "outbound" },
	{ MODE_PASST, { "--outbound-if4", "waytoolonginterface0" }, "long" },
	{ MODE_PASST, { "-i", "" }, "interface" },
	{ MODE_PASST, { "-i", "a/b" }, "interface" },
	{ MODE_PASST, { "-l", "" }, "log-file" },
	{ MODE_PASTA, { "-t", "all" }, "all" },
	{ MODE_PASTA, { "--socket", "/tmp/x" }, "passt" },
	{ MODE_PASTA, { "-s", "/tmp/x" }, "passt" },
	{ MODE_PASTA, { "-1" }, "passt" },
	{ MODE_PASTA, { "--one-off" }, "passt" },
	{ MODE_PASTA, { "--fd", "3" }, "passt" },
	{ MODE_PASTA, { "--no-dhcp-dns" }, "passt" },
	{ MODE_PASTA, { "--no-dhcp-search" }, "passt" },
	{ MODE_PASTA, { "--netns", "x", "1234" }, "--netns" },
	{ MODE_PASTA, { "--netns", "x", "--", "true" }, "--netns" },
	{ MODE_PASTA, { "--netns", "/x", "--netns", "/y" }, "--netns" },
	{ MODE_PASTA, { "--netns", "" }, "--netns" },
	{ MODE_PASTA, { "--no-copy-addrs" }, "--config-net" },
	{ MODE_PASTA, { "--no-copy-routes", "1" }, "--config-net" },
	{ MODE_PASTA, { "-T", "127.0.0.1/22" }, "-T" },
	{ MODE_PASTA, { "-U", "%lo/22" }, "-U" },
	{ MODE_PASTA, { "--userns", "/proc/1/ns/user" }, "--userns" },
	{ MODE_PASTA, { "-t", "none", "-t", "auto" }, "-t" },
	{ MODE_PASTA, { "-I", "" }, "interface" },
	{ MODE_PASTA, { "-I", "abcdefghijklmnopq" }, "too long" },
	{ MODE_PASST, { "-H" }, "requires an argument" },
	{ MODE_PASST, { "--hostname" }, "requires an argument" },
	{ MODE_PASST, { "-H", "" }, "--hostname" },
	{ MODE_PASTA, { "--hostname=" }, "--hostname" },
	{ MODE_PASST, { "-H", "a b" }, "--hostname" },
	{ MODE_PASST, { "-H", "guest;reboot" }, "--hostname" },
	{ MODE_PASST, { "-H", "a..b" }, "empty label" },
	{ MODE_PASTA, { "-H", ".guest" }, "empty label" },
	{ MODE_PASST, { "-H", "guest." }, "empty label" },
	{ MODE_PASST, { "-H", "-guest" }, "hyphen" },
	{ MODE_PASTA, { "-fH", "--version" }, "hyphen" },
	{ MODE_PASST, { "--fqdn" }, "requires an argument" },
	{ MODE_PASST, { "--fqdn", "" }, "--fqdn" },
	{ MODE_PASTA, { "--fqdn=" }, "--fqdn" },
	{ MODE_PASST, { "--fqdn", "." }, "--fqdn" },
	{ MODE_PASST, { "--fqdn", "a..example.org" }, "empty label" },
	{ MODE_PASTA, { "--fqdn=.example.org" }, "empty label" },
	{ MODE_PASST, { "--fqdn", "guest.example.org.." }, "empty label" },
	{ MODE_PASST, { "--fqdn", "guest.ex ample.org" }, "--fqdn" },
	{ MODE_PASST, { "--fqdn", "guest-.example.org" }, "hyphen" },
	{ MODE_PASST, { "--fqdn", "g/uest.example.org" }, "--fqdn" },
};

/**
 * test_errors() - Every rejected command line: status 1, one line
 */
static void test_errors(void)
{
	unsigned int i;

	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[0] = '/';

	for (i = 0; i < ARRAY_SIZE(bad_cmds); i++) {
		const struct bad *b = &bad_cmds[i];
		const char *mode = b->mode == MODE_PASTA ? "pasta" : "passt";
		const char *a = args_str(b->args);

		run_conf(b->mode, false, b->args);
		CHECK(r.status == 1 && one_line(r.err) && !*r.out,
		      "%s %s: exit 1, one line on stderr (status %d, \"%.*s\")",
		      mode, a, r.status, (int)strcspn(r.err, "\n"), r.err);
		if (b->msg)
			CHECK(strstr(r.err, b->msg),
			      "%s %s: message mentions '%s'", mode, a, b->msg);
	}

	/* With host derivation: unknown template interface */
	run_conf(MODE_PASST, true, ARGS("-i", "nosuchif0"));
	CHECK(r.status == 1 && one_line(r.err) && strstr(r.err, "nosuchif0"),
	      "passt -i nosuchif0: exit 1 naming the interface");
	run_conf(MODE_PASST, true, ARGS("--outbound-if6", "nosuchif0"));
	CHECK(r.status == 1 && one_line(r.err) && strstr(r.err, "nosuchif0"),
	      "passt --outbound-if6 nosuchif0: exit 1 naming the interface");
	run_conf(MODE_PASST, true, ARGS("-l", "/nonexistent-dir/x/log"));
	CHECK(r.status == 1 && one_line(r.err) && strstr(r.err, "log"),
	      "passt -l unwritable: exit 1");
}

/**
 * test_table() - Every option has a table entry, and its mode is enforced
 */
static void test_table(void)
{
	unsigned int i, j, missing = 0;

	for (i = 0; options[i].name; i++) {
		if (!conf_opt_find(options[i].val)) {
			printf("# no table entry for --%s\n", options[i].name);
			missing++;
		}
	}
	CHECK(!missing, "every long option has a handler in the table");

	for (i = 0; i < ARRAY_SIZE(conf_opts_table); i++) {
		const struct conf_opt *e = &conf_opts_table[i];
		bool found = false;

		for (j = 0; options[j].name; j++)
			found = found || options[j].val == e->val;
		CHECK(found && e->name && e->handler &&
		      (e->modes == IN_PASST || e->modes == IN_PASTA ||
		       e->modes == IN_BOTH),
		      "table entry %s: a getopt option, named, with a mode",
		      e->name ? e->name : "?");
	}

	/* Options of one mode, given to the other: status 1, named */
	for (i = 0; i < ARRAY_SIZE(conf_opts_table); i++) {
		const struct conf_opt *e = &conf_opts_table[i];
		enum passt_mode wrong;
		const char *lname;
		char arg[64];

		if (e->modes == IN_BOTH)
			continue;
		wrong = e->modes == IN_PASST ? MODE_PASTA : MODE_PASST;
		for (j = 0; options[j].val != e->val; j++)
			;
		lname = options[j].name;
		if (options[j].has_arg == required_argument)
			snprintf(arg, sizeof(arg), "--%s=x", lname);
		else
			snprintf(arg, sizeof(arg), "--%s", lname);

		run_conf(wrong, false, ARGS(arg));
		CHECK(r.status == 1 && strstr(r.err, e->name) &&
		      strstr(r.err, "only available in") &&
		      strstr(r.err, wrong == MODE_PASST ? "pasta" : "passt"),
		      "%s %s: refused, for %s only (%.*s)",
		      wrong == MODE_PASST ? "passt" : "pasta", arg,
		      wrong == MODE_PASST ? "pasta" : "passt",
		      (int)strcspn(r.err, "\n"), r.err);
	}
}

/**
 * test_info() - --help, --version, --print-capabilities
 */
static void test_info(void)
{
	run_conf(MODE_PASST, false, ARGS("--help"));
	CHECK(r.status == 0 && !*r.err, "passt --help: exit 0, no stderr");
	CHECK(strstr(r.out, "Usage: passt") && strstr(r.out, "--socket") &&
	      strstr(r.out, "--one-off") && strstr(r.out, "--tcp-ports") &&
	      strstr(r.out, "--no-dhcp-dns"),
	      "passt --help lists passt options");
	CHECK(!strstr(r.out, "--netns") && !strstr(r.out, "--tcp-ns") &&
	      !strstr(r.out, "--config-net"),
	      "passt --help doesn't list pasta options");

	run_conf(MODE_PASTA, false, ARGS("-h"));
	CHECK(r.status == 0 && strstr(r.out, "Usage: pasta") &&
	      strstr(r.out, "--netns") && strstr(r.out, "--config-net") &&
	      strstr(r.out, "--tcp-ns") && strstr(r.out, "--dhcp-dns") &&
	      !strstr(r.out, "--socket") && !strstr(r.out, "--one-off"),
	      "pasta -h: exit 0, pasta options only");

	run_conf(MODE_PASST, false, ARGS("--version"));
	CHECK(r.status == 0 && !strcmp(r.out, "passt " VERSION "\n"),
	      "passt --version prints 'passt VERSION'");
	run_conf(MODE_PASTA, false, ARGS("--version"));
	CHECK(r.status == 0 && !strcmp(r.out, "pasta " VERSION "\n"),
	      "pasta --version prints 'pasta VERSION'");

	run_conf(MODE_PASST, false, ARGS("--print-capabilities"));
	CHECK(r.status == 0 && !*r.out && strstr(r.err, "\"type\": \"net\""),
	      "passt --print-capabilities prints {\"type\": \"net\"} on "
	      "stderr");
	run_conf(MODE_PASTA, false, ARGS("--print-capabilities"));
	CHECK(r.status == 0 && strstr(r.err, "\"type\": \"net\""),
	      "pasta --print-capabilities: the same");

	run_conf(MODE_PASST, false, ARGS("-e"));
	CHECK(r.status == 0 && one_line(r.err) && strstr(r.err, "stderr"),
	      "passt -e: accepted with a warning");
	run_conf(MODE_PASTA, false, ARGS("--stderr", "--quiet"));
	CHECK(r.status == 0, "pasta --stderr --quiet accepted");
}

/**
 * test_vhost_user() - --vhost-user: accepted, with its options, in any mode
 */
static void test_vhost_user(void)
{
	struct ctx *v = mmap(NULL, sizeof(*v), PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (v == MAP_FAILED) {
		CHECK(0, "vhost-user: shared memory for results");
		return;
	}
	run_ctx = v;

	run_conf(MODE_PASST, false, ARGS("--vhost-user", "--migrate-exit",
					 "--repair-path", "none"));
	CHECK(r.status == 0 && v->vhost_user && v->mode == MODE_PASST,
	      "passt --vhost-user --migrate-exit --repair-path none: accepted");

	memset(v, 0, sizeof(*v));
	run_conf(MODE_PASST, false, ARGS("-s", "/tmp/x", "--vhost-user", "-1"));
	CHECK(r.status == 0 && v->vhost_user && v->one_off &&
	      !strcmp(v->sock_path, "/tmp/x"),
	      "passt -s PATH --vhost-user -1: accepted");

	memset(v, 0, sizeof(*v));
	run_conf(MODE_PASTA, false, ARGS("--vhost-user", "-s", "/tmp/x"));
	CHECK(r.status == 0 && v->vhost_user && v->mode == MODE_PASST,
	      "pasta --vhost-user: runs as passt");

	memset(v, 0, sizeof(*v));
	run_conf(MODE_PASST, false, ARGS("-s", "/tmp/x"));
	CHECK(r.status == 0 && !v->vhost_user,
	      "passt without --vhost-user: stream socket");

	run_ctx = NULL;
	munmap(v, sizeof(*v));
}

/**
 * name_of() - Build a name of labels of the given lengths
 * @buf:	Output, big enough
 * @first:	Length of the first label (letters)
 * @n:		Number of further labels
 * @len:	Length of each further label
 *
 * Return: @buf
 */
static char *name_of(char *buf, size_t first, int n, size_t len)
{
	size_t pos = 0;
	int i;

	memset(buf, 'g', first);
	pos = first;
	for (i = 0; i < n; i++) {
		buf[pos++] = '.';
		memset(buf + pos, '0' + i % 10, len);
		pos += len;
	}
	buf[pos] = 0;
	return buf;
}

/**
 * test_names() - -H, --hostname and --fqdn: limits, forms, both modes
 */
static void test_names(void)
{
	char n1[400], n2[420], opt[420];
	enum passt_mode m;

	for (m = MODE_PASST; m <= MODE_PASTA; m++) {
		const char *mn = m == MODE_PASTA ? "pasta" : "passt";

		if (parse_ok(m, ARGS("-H", "guest")))
			CHECK(!strcmp(c.hostname, "guest") && !*c.fqdn,
			      "%s -H guest: host name set, no FQDN", mn);
		if (parse_ok(m, ARGS("--hostname", "vm-1.example.org")))
			CHECK(!strcmp(c.hostname, "vm-1.example.org"),
			      "%s --hostname NAME: qualified name kept", mn);
		if (parse_ok(m, ARGS("--hostname=my_vm2")))
			CHECK(!strcmp(c.hostname, "my_vm2"),
			      "%s --hostname=NAME", mn);
		if (parse_ok(m, ARGS("-fHx9")))
			CHECK(!strcmp(c.hostname, "x9") && c.foreground,
			      "%s -fHx9: clustered, argument attached", mn);
		if (parse_ok(m, ARGS("-fH", "y")))
			CHECK(!strcmp(c.hostname, "y") && c.foreground,
			      "%s -fH y: clustered, argument separate", mn);
		if (parse_ok(m, ARGS("-H", "a", "-H", "b")))
			CHECK(!strcmp(c.hostname, "b"),
			      "%s -H a -H b: the last one counts", mn);

		/* 64 characters is the most, 65 is too long */
		name_of(n1, 64, 0, 0);
		if (parse_ok(m, ARGS("-H", n1)))
			CHECK(!strcmp(c.hostname, n1),
			      "%s -H: 64 characters accepted", mn);
		name_of(n1, 20, 4, 10);		/* 64 with dots */
		if (parse_ok(m, ARGS("-H", n1)))
			CHECK(strlen(c.hostname) == 64,
			      "%s -H: 64 characters with dots accepted", mn);
		name_of(n1, 65, 0, 0);
		run_conf(m, false, ARGS("-H", n1));
		CHECK(r.status == 1 && one_line(r.err) &&
		      strstr(r.err, "--hostname") && strstr(r.err, "64"),
		      "%s -H, 65 characters: exit 1, one line saying 64 (%.*s)",
		      mn, (int)strcspn(r.err, "\n"), r.err);
		name_of(n1, 10, 10, 10);	/* 120, labels fine */
		snprintf(opt, sizeof(opt), "--hostname=%s", n1);
		run_conf(m, false, ARGS(opt));
		CHECK(r.status == 1 && one_line(r.err),
		      "%s --hostname=NAME of 120 characters: exit 1", mn);

		if (parse_ok(m, ARGS("--fqdn", "guest.example.org")))
			CHECK(!strcmp(c.fqdn, "guest.example.org") &&
			      !*c.hostname,
			      "%s --fqdn NAME: set, no host name", mn);
		if (parse_ok(m, ARGS("--fqdn=guest.example.org.")))
			CHECK(!strcmp(c.fqdn, "guest.example.org"),
			      "%s --fqdn=NAME.: root's dot dropped", mn);
		if (parse_ok(m, ARGS("--fqdn", "localhost")))
			CHECK(!strcmp(c.fqdn, "localhost"),
			      "%s --fqdn: single label accepted", mn);
		if (parse_ok(m, ARGS("-H", "vm", "--fqdn", "vm.example.org")))
			CHECK(!strcmp(c.hostname, "vm") &&
			      !strcmp(c.fqdn, "vm.example.org"),
			      "%s -H and --fqdn together", mn);

		/* Labels: 63 fine, 64 not; names: 253 fine, 254 not */
		name_of(n1, 63, 1, 63);
		if (parse_ok(m, ARGS("--fqdn", n1)))
			CHECK(!strcmp(c.fqdn, n1),
			      "%s --fqdn: 63-character labels accepted", mn);
		name_of(n1, 64, 1, 3);
		run_conf(m, false, ARGS("--fqdn", n1));
		CHECK(r.status == 1 && one_line(r.err) &&
		      strstr(r.err, "63"),
		      "%s --fqdn, 64-character first label: exit 1", mn);
		name_of(n1, 3, 1, 64);
		run_conf(m, false, ARGS("--fqdn", n1));
		CHECK(r.status == 1 && one_line(r.err) &&
		      strstr(r.err, "63"),
		      "%s --fqdn, 64-character last label: exit 1", mn);
		name_of(n1, 61, 3, 63);		/* 61 + 3 * 64 = 253 */
		if (parse_ok(m, ARGS("--fqdn", n1)))
			CHECK(strlen(c.fqdn) == 253 && !strcmp(c.fqdn, n1),
			      "%s --fqdn: 253 characters accepted", mn);
		snprintf(n2, sizeof(n2), "%s.", n1);
		if (parse_ok(m, ARGS("--fqdn", n2)))
			CHECK(!strcmp(c.fqdn, n1),
			      "%s --fqdn: 253 characters and the root's dot",
			      mn);
		name_of(n1, 62, 3, 63);		/* 254 */
		run_conf(m, false, ARGS("--fqdn", n1));
		CHECK(r.status == 1 && one_line(r.err) &&
		      strstr(r.err, "--fqdn") && strstr(r.err, "253"),
		      "%s --fqdn, 254 characters: exit 1, one line (%.*s)",
		      mn, (int)strcspn(r.err, "\n"), r.err);
		name_of(n1, 63, 5, 63);		/* 383 */
		snprintf(opt, sizeof(opt), "--fqdn=%s", n1);
		run_conf(m, false, ARGS(opt));
		CHECK(r.status == 1 && one_line(r.err),
		      "%s --fqdn=NAME of 383 characters: exit 1", mn);
	}

	if (PASST_OK("-f"))
		CHECK(!*c.hostname && !*c.fqdn,
		      "passt: no host name or FQDN by default");
	if (PASTA_OK("--config-net"))
		CHECK(!*c.hostname && !*c.fqdn,
		      "pasta: no host name or FQDN by default");

	run_conf(MODE_PASST, false, ARGS("--help"));
	CHECK(strstr(r.out, "-H, --hostname NAME") && strstr(r.out, "--fqdn"),
	      "passt --help lists -H, --hostname and --fqdn");
	run_conf(MODE_PASTA, false, ARGS("--help"));
	CHECK(strstr(r.out, "-H, --hostname NAME") && strstr(r.out, "--fqdn"),
	      "pasta --help lists -H, --hostname and --fqdn");
}

/**
 * test_passt() - Accepted passt command lines and their effect
 */
static void test_passt(void)
{
	struct in_addr a4;
	struct in6_addr a6;
	int fd;

	if (PASST_OK("-f")) {
		CHECK(c.foreground && c.tcp_in.mode == FWD_NONE &&
		      c.udp_in.mode == FWD_NONE && c.tcp_out.mode == FWD_NONE &&
		      c.udp_out.mode == FWD_NONE,
		      "passt: forwarding defaults to none");
		CHECK(c.mtu == 65520, "passt: MTU defaults to 65520");
		CHECK(!memcmp(c.our_tap_mac, mac_default, 6),
		      "passt: MAC defaults to 9a:55:9a:55:9a:55");
		CHECK(!c.no_dhcp_dns && !c.no_dhcp_dns_search,
		      "passt: DNS advertised by default");
		CHECK(c.fd_passed == -1 && !c.one_off && !*c.sock_path,
		      "passt: no --fd, no one-off, default socket");
	}
	if (PASST_OK("-fq"))
		CHECK(c.foreground && o.quiet, "passt -fq: clustered");
	if (PASST_OK("-q1f"))
		CHECK(c.foreground && o.quiet && c.one_off,
		      "passt -q1f: clustered");
	if (PASST_OK("-46"))
		CHECK(o.v6_only && !o.v4_only, "passt -46: last wins (IPv6)");
	if (PASST_OK("-64"))
		CHECK(o.v4_only && !o.v6_only, "passt -64: last wins (IPv4)");
	if (PASST_OK("--ipv4-only", "--ipv6-only"))
		CHECK(o.v6_only && !o.v4_only, "passt -4 -6: last wins");
	if (PASST_OK("-d", "--trace"))
		CHECK(o.debug && o.trace, "passt -d --trace");
	if (PASST_OK("--mtu=1500"))
		CHECK(c.mtu == 1500, "passt --mtu=1500");
	if (PASST_OK("-m", "0"))
		CHECK(c.mtu == 0, "passt -m 0: no MTU advertised");
	if (PASST_OK("--mtu", "68"))
		CHECK(c.mtu == 68, "passt --mtu 68 (minimum)");
	if (PASST_OK("-m65521"))
		CHECK(c.mtu == 65521, "passt -m65521 (maximum, attached)");
	run_conf(MODE_PASST, false, ARGS("-m", "67"));
	CHECK(r.status == 0 && strstr(r.err, "too small for IPv4"),
	      "passt -m 67: accepted with a warning about IPv4 (%.*s)",
	      (int)strcspn(r.err, "\n"), r.err);
	run_conf(MODE_PASTA, false, ARGS("-m", "1279"));
	CHECK(r.status == 0 && strstr(r.err, "too small for IPv6") &&
	      !strstr(r.err, "IPv4"),
	      "pasta -m 1279: accepted with a warning about IPv6 (%.*s)",
	      (int)strcspn(r.err, "\n"), r.err);
	run_conf(MODE_PASST, false, ARGS("-m", "1280"));
	CHECK(r.status == 0 && !*r.err, "passt -m 1280: no warning");

	if (PASTA_OK("--splice-only", "-t", "8080"))
		CHECK(c.splice_only && c.no_icmp && c.no_dhcp &&
		      c.no_dhcpv6 && c.no_ndp && c.no_ra && c.no_dns &&
		      c.no_dns_search && !c.no_splice && !c.no_tcp &&
		      c.tcp_in.mode == FWD_SPEC,
		      "pasta --splice-only: no tap services, ports kept");
	if (PASTA_OK("-t", "8080"))
		CHECK(!c.splice_only && !c.no_icmp && !c.no_ndp,
		      "pasta: tap services without --splice-only");
	if (PASST_OK("-f", "--stats", "5"))
		CHECK(c.stats == 5, "passt -f --stats 5");
	if (PASST_OK("-f"))
		CHECK(!c.stats, "passt: no --stats by default");
	if (PASTA_OK("--stats", "1"))
		CHECK(c.stats == 1 && c.foreground,
		      "pasta --stats 1 spawning a shell: foreground implied");
	if (PASST_OK("-f"))
		CHECK(c.busy_poll_ns == 100000,
		      "passt: busy polling up to 100 us by default");
	if (PASTA_OK("--busy-poll", "0"))
		CHECK(!c.busy_poll_ns, "pasta --busy-poll 0: no polling");
	if (PASST_OK("--busy-poll", "10000"))
		CHECK(c.busy_poll_ns == 10000000LL, "passt --busy-poll 10000");
	if (PASST_OK("--chroot-fallback"))
		CHECK(c.mode == MODE_PASST, "passt --chroot-fallback accepted");
	PASTA_OK("--chroot-fallback");

	if (PASST_OK("-a", "10.200.0.2/24")) {
		inet_pton(AF_INET, "10.200.0.2", &a4);
		CHECK(c.ip4.addr.s_addr == a4.s_addr && o.prefix4_set &&
		      o.prefix4 == 24, "passt -a 10.200.0.2/24: address, prefix");
	}
	if (PASST_OK("--address=2001:db8::2/64", "-a", "192.0.2.1/32")) {
		inet_pton(AF_INET6, "2001:db8::2", &a6);
		CHECK(IN6_ARE_ADDR_EQUAL(&c.ip6.addr, &a6) &&
		      o.addr_prefix6 == 64 && o.prefix4 == 32,
		      "passt -a 2001:db8::2/64 -a 192.0.2.1/32");
	}

	if (PASST_OK("-a", "10.0.2.100", "-n", "24", "-g", "10.0.2.2")) {
		inet_pton(AF_INET, "10.0.2.100", &a4);
		CHECK(c.ip4.addr.s_addr == a4.s_addr && o.addr4_set &&
		      o.prefix4_set && o.prefix4 == 24 && o.gw4_set,
		      "passt -a -n -g: IPv4 address, prefix, gateway");
	}
	if (PASST_OK("--address=169.254.2.15", "--netmask=16"))
		CHECK(o.prefix4 == 16, "passt --netmask=16 (libvirt)");
	if (PASST_OK("--netmask", "255.255.240.0"))
		CHECK(o.prefix4 == 20, "passt --netmask 255.255.240.0");
	if (PASST_OK("-a", "2001:db8::5", "-a", "192.0.2.5",
		     "-g", "fe80::1")) {
		inet_pton(AF_INET6, "2001:db8::5", &a6);
		CHECK(IN6_ARE_ADDR_EQUAL(&c.ip6.addr, &a6) && o.addr6_set &&
		      o.addr4_set && o.gw6_set,
		      "passt: one -a per family, IPv6 gateway");
	}
	if (PASST_OK("-M", "02:00:5E:00:00:01")) {
		static const unsigned char m[6] = { 2, 0, 0x5e, 0, 0, 1 };

		CHECK(!memcmp(c.our_tap_mac, m, 6), "passt -M");
	}

	if (PASST_OK("--tcp-ports=22,80:8080")) {
		CHECK(c.tcp_in.mode == FWD_SPEC && c.tcp_in.count == 2 &&
		      c.tcp_in.rules[1].to == 8080,
		      "passt --tcp-ports=22,80:8080");
		CHECK(c.udp_in.mode == FWD_NONE && !c.udp_in.count,
		      "passt -t: no UDP forwarding without -u");
	}
	if (PASST_OK("-t", "22", "-u", "53"))
		CHECK(c.udp_in.count == 1 && c.udp_in.rules[0].first == 53,
		      "passt: explicit -u isn't replaced by -t ports");
	if (PASST_OK("-t", "22", "-u", "none"))
		CHECK(c.udp_in.mode == FWD_NONE, "passt -t 22 -u none");
	if (PASST_OK("-t", "22", "--no-udp"))
		CHECK(c.udp_in.mode == FWD_NONE,
		      "passt -t 22 --no-udp: no implicit UDP");
	if (PASST_OK("-t", "all"))
		CHECK(c.tcp_in.mode == FWD_ALL && c.udp_in.mode == FWD_NONE,
		      "passt -t all: no UDP without -u");
	if (PASST_OK("--tcp-ports", "127.0.0.1%lo/8080:80",
		     "--tcp-ports", "[::1]/443"))
		CHECK(c.tcp_in.count == 2 && c.tcp_in.rules[0].af == AF_INET &&
		      !strcmp(c.tcp_in.rules[0].ifname, "lo") &&
		      c.tcp_in.rules[1].af == AF_INET6,
		      "passt: repeated -t with addresses accumulate");
	if (PASST_OK("-t", "none", "-u", "none", "--no-tcp", "--no-udp"))
		CHECK(c.no_tcp && c.no_udp, "passt: none with --no-tcp ok");

	if (PASST_OK("--socket-path=/tmp/x.sock", "-1"))
		CHECK(!strcmp(c.sock_path, "/tmp/x.sock") && c.one_off,
		      "passt --socket-path= and -1");
	if (PASST_OK("-s", "/tmp/y.sock", "--one-off"))
		CHECK(!strcmp(c.sock_path, "/tmp/y.sock"), "passt -s PATH");
	if (PASST_OK("--socket", "/tmp/z.sock"))
		CHECK(!strcmp(c.sock_path, "/tmp/z.sock"),
		      "passt --socket PATH");

	fd = open("/dev/null", O_RDONLY);
	if (fd > 2) {
		char s[16];

		snprintf(s, sizeof(s), "%d", fd);
		if (PASST_OK("--fd", s, "-f"))
			CHECK(c.fd_passed == fd && c.one_off,
			      "passt --fd N: passed fd, implies one-off");
		if (PASST_OK("-F", s))
			CHECK(c.fd_passed == fd, "passt -F N");
		close(fd);
	}

	if (PASST_OK("-P", "/tmp/p.pid", "-p", "/tmp/c.pcap", "-l",
		     "/tmp/l.log", "--log-size", "65536"))
		CHECK(!strcmp(c.pidfile, "/tmp/p.pid") &&
		      !strcmp(c.pcap, "/tmp/c.pcap") &&
		      !strcmp(o.log_file, "/tmp/l.log") &&
		      o.log_size == 65536,
		      "passt -P -p -l --log-size");
	if (PASST_OK("--pid=/tmp/q.pid", "--pcap=/tmp/d.pcap"))
		CHECK(!strcmp(c.pidfile, "/tmp/q.pid") &&
		      !strcmp(c.pcap, "/tmp/d.pcap"), "passt --pid= --pcap=");

	if (PASST_OK("--runas", "0:0"))
		CHECK(c.uid == 0 && c.gid == 0, "passt --runas 0:0");
	if (PASST_OK("--runas=12345:678"))
		CHECK(c.uid == 12345 && c.gid == 678, "passt --runas=UID:GID");
	if (PASST_OK("--runas", "root"))
		CHECK(c.uid == 0, "passt --runas root (login name)");
	if (PASST_OK("-f")) {
		if (geteuid() == 0 && in_init_userns())
			CHECK(c.uid != 0, "passt as root in init userns: not root");
		else
			CHECK(c.uid == geteuid(), "passt: runs as current user");
	}

	if (PASST_OK("--dns-forward", "169.254.1.1", "--map-guest-addr",
		     "169.254.1.2", "--no-map-gw")) {
		inet_pton(AF_INET, "169.254.1.1", &a4);
		CHECK(c.ip4.dns_match.s_addr == a4.s_addr && c.no_map_gw &&
		      c.ip4.map_guest_addr.s_addr,
		      "passt --dns-forward --map-guest-addr --no-map-gw");
	}
	if (PASST_OK("--map-host-loopback", "none"))
		CHECK(c.no_map_gw && !c.ip4.map_host_loopback.s_addr,
		      "--map-host-loopback none implies --no-map-gw");
	if (PASST_OK("--map-host-loopback", "192.0.2.1", "--map-host-loopback",
		     "2001:db8:9a55::1")) {
		inet_pton(AF_INET, "192.0.2.1", &a4);
		CHECK(c.ip4.map_host_loopback.s_addr == a4.s_addr &&
		      o.mhl4_set && o.mhl6_set && !c.no_map_gw,
		      "--map-host-loopback once per family");
	}
	if (PASST_OK("--map-guest-addr", "none"))
		CHECK(!c.ip4.map_guest_addr.s_addr, "--map-guest-addr none");
	if (PASST_OK("--dns-host", "192.0.2.53"))
		CHECK(o.dns_host4_set, "--dns-host");

	if (PASST_OK("-D", "192.0.2.53", "-D", "2001:db8::53", "--dns",
		     "192.0.2.54", "-S", "example.com,example.org.",
		     "--search", "example.net")) {
		inet_pton(AF_INET, "192.0.2.54", &a4);
		CHECK(o.dns_set && o.dns4_n == 2 && o.dns6_n == 1 &&
		      c.ip4.dns[1].s_addr == a4.s_addr,
		      "-D repeated, both families");
		CHECK(!strcmp(c.dns_search[0].n, "example.com") &&
		      !strcmp(c.dns_search[1].n, "example.org") &&
		      !strcmp(c.dns_search[2].n, "example.net") &&
		      !*c.dns_search[3].n,
		      "-S lists accumulate, trailing dot dropped");
	}
	if (PASST_OK("-D", "none", "-S", "none"))
		CHECK(c.no_dns && c.no_dns_search, "-D none -S none");
	if (PASST_OK("--no-dhcp-dns", "--no-dhcp-search"))
		CHECK(c.no_dhcp_dns && c.no_dhcp_dns_search,
		      "passt --no-dhcp-dns --no-dhcp-search");

	if (PASST_OK("--no-dhcp", "--no-ndp", "--no-dhcpv6", "--no-ra",
		     "--no-icmp", "--freebind"))
		CHECK(c.no_dhcp && c.no_ndp && c.no_dhcpv6 && c.no_ra &&
		      c.no_icmp && c.freebind, "passt --no-* services");
	if (PASST_OK("-i", "eth0", "-o", "192.0.2.9", "-o", "2001:db8::9",
		     "--outbound-if4", "eth1", "--outbound-if6=eth2"))
		CHECK(!strcmp(o.ifname, "eth0") && o.out4_set && o.out6_set &&
		      !strcmp(c.ip4.ifname_out, "eth1") &&
		      !strcmp(c.ip6.ifname_out, "eth2"),
		      "passt -i -o --outbound-if4/6");

	/* libvirt, QEMU, libkrun, avocado, kata */
	PASST_OK("--one-off", "--socket", "/run/x.socket", "--pid",
		 "/run/x.pid", "--address", "169.254.2.15", "--netmask", "16",
		 "--mtu", "1500", "--interface", "eth0", "--log-file",
		 "/tmp/x.log", "--tcp-ports", "192.0.2.1%eth0/2222:22",
		 "--udp-ports", "~5000-5010");
	PASST_OK("--one-off", "--socket", "/tmp/x", "--mac-addr",
		 "52:54:00:12:34:56");
	PASST_OK("--quiet", "--pid", "/tmp/qemu.pid", "-f");
	PASST_OK("-t", "all", "-f", "-q");
	PASST_OK("-P", "/tmp/kata-passt-1.pid", "-s",
		 "/tmp/kata-passt-1.socket");
}

/**
 * test_pasta() - Accepted pasta command lines and their effect
 */
static void test_pasta(void)
{
	if (PASTA_OK("--config-net")) {
		CHECK(c.tcp_in.mode == FWD_AUTO && c.udp_in.mode == FWD_AUTO &&
		      c.tcp_out.mode == FWD_AUTO && c.udp_out.mode == FWD_AUTO,
		      "pasta: forwarding defaults to auto");
		CHECK(c.no_dhcp_dns && c.no_dhcp_dns_search,
		      "pasta: DNS not advertised by default");
		CHECK(c.pasta_conf_ns && c.no_ra, "pasta --config-net: no RA");
		CHECK(!c.pasta_cmd && !c.pasta_pid && !*c.netns_path &&
		      c.foreground, "pasta: spawns a shell, in foreground");
	}
	if (PASTA_OK("1234"))
		CHECK(c.pasta_pid == 1234 &&
		      !strcmp(c.netns_path, "/proc/1234/ns/net") &&
		      !strcmp(c.userns_path, "/proc/1234/ns/user") &&
		      !c.pasta_cmd && !c.netns_only,
		      "pasta PID: joins its namespaces");
	if (PASTA_OK("--netns-only", "1234"))
		CHECK(c.pasta_pid == 1234 && !*c.userns_path && c.netns_only,
		      "pasta --netns-only PID");
	if (PASTA_OK("--", "1234"))
		CHECK(!c.pasta_pid && c.pasta_cmd &&
		      !strcmp(c.pasta_cmd[0], "1234") && !c.pasta_cmd[1],
		      "pasta -- 1234: a command, not a PID");
	if (PASTA_OK("sh", "-c", "true"))
		CHECK(c.pasta_cmd && !strcmp(c.pasta_cmd[0], "sh") &&
		      !strcmp(c.pasta_cmd[1], "-c") && !c.pasta_cmd[3] &&
		      c.foreground,
		      "pasta CMD ARGS: options after the command are its own");
	if (PASTA_OK("-q", "--", "ls", "-l"))
		CHECK(o.quiet && c.pasta_cmd && !strcmp(c.pasta_cmd[1], "-l"),
		      "pasta -q -- ls -l");
	if (PASTA_OK("1234", "5678"))
		CHECK(!c.pasta_pid && c.pasta_cmd,
		      "pasta with two numbers: a command");
	if (PASTA_OK("--netns", "foo"))
		CHECK(!strcmp(c.netns_path, "/run/netns/foo") && c.netns_only,
		      "pasta --netns NAME: /run/netns/NAME, implies netns-only");
	if (PASTA_OK("--netns=/run/user/1000/netns/x",
		     "--userns=/proc/1/ns/user"))
		CHECK(!strcmp(c.netns_path, "/run/user/1000/netns/x") &&
		      !strcmp(c.userns_path, "/proc/1/ns/user") &&
		      !c.netns_only, "pasta --netns PATH --userns PATH");
	if (PASTA_OK("--userns", "/proc/1/ns/user", "1"))
		CHECK(c.pasta_pid == 1 &&
		      !strcmp(c.userns_path, "/proc/1/ns/user"),
		      "pasta --userns PATH PID");

	if (PASTA_OK("-T", "22", "-t", "8080:80")) {
		CHECK(c.tcp_out.mode == FWD_SPEC && c.udp_out.mode == FWD_SPEC &&
		      c.udp_out.rules[0].first == 22,
		      "pasta -T 22: UDP out follows");
		CHECK(c.tcp_in.rules[0].to == 80 && c.udp_in.mode == FWD_SPEC &&
		      c.udp_in.rules[0].first == 8080 &&
		      c.udp_in.rules[0].to == 8080,
		      "pasta -t 8080:80: UDP in follows, untranslated");
	}
	if (PASTA_OK("-t", "none", "-u", "none", "-T", "none", "-U", "none"))
		CHECK(c.tcp_in.mode == FWD_NONE && c.udp_in.mode == FWD_NONE &&
		      c.tcp_out.mode == FWD_NONE && c.udp_out.mode == FWD_NONE,
		      "pasta: all none");
	if (PASTA_OK("-t", "auto", "-t", "~22"))
		CHECK(c.tcp_in.mode == FWD_AUTO &&
		      fwd_port_excluded(&c.tcp_in, 22), "pasta -t auto -t ~22");
	if (PASTA_OK("--no-tcp"))
		CHECK(c.tcp_in.mode == FWD_NONE && c.tcp_out.mode == FWD_NONE &&
		      c.udp_in.mode == FWD_AUTO, "pasta --no-tcp: no TCP auto");
	if (PASTA_OK("--dhcp-dns", "--dhcp-search"))
		CHECK(!c.no_dhcp_dns && !c.no_dhcp_dns_search,
		      "pasta --dhcp-dns --dhcp-search");
	if (PASTA_OK("-I", "tap0", "--ns-mac-addr", "02:00:00:00:00:01")) {
		static const unsigned char m[6] = { 2, 0, 0, 0, 0, 1 };

		CHECK(!strcmp(c.pasta_ifname, "tap0") &&
		      !memcmp(c.ns_mac, m, 6), "pasta -I --ns-mac-addr");
	}
	if (PASTA_OK("--config-net", "--no-copy-routes", "--no-copy-addrs"))
		CHECK(c.ip4.no_copy_routes && c.ip6.no_copy_routes &&
		      c.ip4.no_copy_addrs && c.ip6.no_copy_addrs,
		      "pasta --no-copy-routes --no-copy-addrs");
	if (PASTA_OK("-a", "10.0.2.100", "-g", "10.0.2.2"))
		CHECK(c.ip4.no_copy_addrs && c.ip4.no_copy_routes &&
		      !c.ip6.no_copy_addrs,
		      "pasta -a/-g: configure only these (IPv4)");
	if (PASTA_OK("--no-splice", "--no-netns-quit", "--host-lo-to-ns-lo",
		     "--freebind"))
		CHECK(c.no_splice && c.no_netns_quit && c.freebind,
		      "pasta --no-splice --no-netns-quit");

	/* rootlesskit */
	if (PASTA_OK("--stderr", "--ns-ifname=tap0", "--mtu=65520",
		     "--config-net", "--address=10.0.2.100", "--netmask=24",
		     "--gateway=10.0.2.2", "--dns-forward=10.0.2.3",
		     "--no-map-gw", "--ipv4-only", "--tcp-ports=auto",
		     "--udp-ports=auto", "--userns=/proc/42/ns/user",
		     "--netns=/run/user/1000/netns/d"))
		CHECK(o.v4_only && c.tcp_in.mode == FWD_AUTO &&
		      !strcmp(c.pasta_ifname, "tap0") && c.mtu == 65520,
		      "rootlesskit command line");
	PASTA_OK("--stderr", "--ns-ifname=tap0", "--mtu=65520",
		 "--config-net", "--tcp-ports=none", "--udp-ports=none", "42");

	/* podman */
	if (PASTA_OK("--config-net", "-t", "8000-8000:8000-8000",
		     "--dns-forward", "169.254.1.1", "-u", "none", "-T", "none",
		     "-U", "none", "--no-map-gw", "--quiet", "--netns",
		     "/run/user/1000/netns/netns-x", "--map-guest-addr",
		     "169.254.1.2"))
		CHECK(c.tcp_in.mode == FWD_SPEC && c.udp_in.mode == FWD_NONE &&
		      c.netns_only && o.quiet, "podman 5.3 command line");
	PASTA_OK("--config-net", "-t", "none", "-u", "none", "-T", "none",
		 "-U", "none", "--no-map-gw", "--dns", "none", "--quiet",
		 "--netns", "/run/user/1000/netns/netns-y", "--pid",
		 "/tmp/rootless-netns-conn.pid");
	PASTA_OK("--config-net", "-I", "myname", "-a", "192.0.2.10", "-n",
		 "24", "-g", "192.0.2.1", "-m", "1500", "-4", "-6", "-d",
		 "--interface", "eth0", "--outbound-if4", "eth0",
		 "--map-host-loopback", "none", "--map-guest-addr", "none",
		 "--tcp-ports", "192.0.2.10%eth0/8080:80", "--no-ndp",
		 "--no-dhcpv6", "--no-dhcp", "--netns", "/tmp/ns");
}

/**
 * write_file_tmp() - Write a temporary file
 * @path:	Path template, modified
 * @s:		Content
 */
static void write_file_tmp(char *path, const char *s)
{
	int fd = mkstemp(path);

	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0)
			path[0] = 0;
		close(fd);
	}
}

/**
 * dns_ctx() - Context with both families enabled, for conf_dns()
 */
static void dns_ctx(void)
{
	memset(&c, 0, sizeof(c));
	memset(&o, 0, sizeof(o));
	c.mode = MODE_PASST;
	c.ifi4 = c.ifi6 = 1;
	inet_pton(AF_INET, "198.18.0.2", &c.ip4.map_host_loopback);
	inet_pton(AF_INET6, "fe80::1", &c.ip6.map_host_loopback);
}

/**
 * v4eq() - Compare an IPv4 address to text
 * @a:		Address
 * @s:		Text
 *
 * Return: true if equal
 */
static bool v4eq(struct in_addr a, const char *s)
{
	struct in_addr b;

	return inet_pton(AF_INET, s, &b) == 1 && a.s_addr == b.s_addr;
}

/**
 * v6eq() - Compare an IPv6 address to text
 * @a:		Address
 * @s:		Text
 *
 * Return: true if equal
 */
static bool v6eq(const struct in6_addr *a, const char *s)
{
	struct in6_addr b;

	return inet_pton(AF_INET6, s, &b) == 1 && IN6_ARE_ADDR_EQUAL(a, &b);
}

/**
 * test_dns() - Nameservers and search list from resolv.conf
 */
static void test_dns(void)
{
	char path[] = "/tmp/passt-unit-resolv-XXXXXX";
	char path2[] = "/tmp/passt-unit-resolv-XXXXXX";
	char path3[] = "/tmp/passt-unit-resolv-XXXXXX";

	write_file_tmp(path,
		       "# generated\n"
		       "domain old.example\n"
		       "nameserver 127.0.0.53\n"
		       "nameserver 192.0.2.53 # comment\n"
		       "  nameserver\tfe80::1%eth0\n"
		       "nameserver ::1\n"
		       "nameserver 2001:db8::53\n"
		       "nameserver 192.0.2.54\n"
		       "nameserver 192.0.2.55\n"
		       "options edns0\n"
		       "search a.example b.example.\n");
	write_file_tmp(path2, "nameserver 127.0.0.1\n");

	dns_ctx();
	conf_dns(&c, &o, path);
	CHECK(v4eq(c.ip4.dns[0], "198.18.0.2") &&
	      v4eq(c.ip4.dns[1], "192.0.2.53") &&
	      v4eq(c.ip4.dns[2], "192.0.2.54") && !c.ip4.dns[3].s_addr,
	      "resolv.conf: loopback resolver replaced by host mapping, max 3");
	CHECK(v4eq(c.ip4.dns_host, "127.0.0.53"),
	      "resolv.conf: --dns-host default is the real first resolver");
	CHECK(v6eq(&c.ip6.dns[0], "fe80::1") &&
	      v6eq(&c.ip6.dns[1], "2001:db8::53") &&
	      IN6_IS_ADDR_UNSPECIFIED(&c.ip6.dns[2]),
	      "resolv.conf: IPv6 zone stripped, ::1 mapped (no duplicate)");
	CHECK(v6eq(&c.ip6.dns_host, "fe80::1"),
	      "resolv.conf: IPv6 --dns-host default");
	CHECK(!strcmp(c.dns_search[0].n, "a.example") &&
	      !strcmp(c.dns_search[1].n, "b.example") &&
	      !*c.dns_search[2].n, "resolv.conf: last search line wins");

	dns_ctx();
	memset(&c.ip4.map_host_loopback, 0, sizeof(c.ip4.map_host_loopback));
	conf_dns(&c, &o, path);
	CHECK(v4eq(c.ip4.dns[0], "192.0.2.53") &&
	      v4eq(c.ip4.dns[1], "192.0.2.54") && !c.ip4.dns[2].s_addr,
	      "resolv.conf: loopback resolver dropped without mapping");

	dns_ctx();
	inet_pton(AF_INET, "169.254.1.1", &c.ip4.dns_match);
	inet_pton(AF_INET6, "fd00::53", &c.ip6.dns_match);
	conf_dns(&c, &o, path);
	CHECK(v4eq(c.ip4.dns[0], "169.254.1.1") &&
	      v4eq(c.ip4.dns[1], "192.0.2.53") &&
	      v4eq(c.ip4.dns[2], "192.0.2.54") &&
	      v4eq(c.ip4.dns_host, "127.0.0.53"),
	      "--dns-forward: in place of the loopback resolver only");
	CHECK(v6eq(&c.ip6.dns[0], "fe80::1") &&
	      v6eq(&c.ip6.dns[1], "fd00::53") &&
	      v6eq(&c.ip6.dns[2], "2001:db8::53"),
	      "--dns-forward (IPv6): in place of ::1 only, order kept");

	/* Only reachable resolvers: kept, --dns-forward not advertised */
	write_file_tmp(path3, "nameserver 192.0.2.53\n"
			      "nameserver 2001:db8::53\n");
	dns_ctx();
	inet_pton(AF_INET, "169.254.1.1", &c.ip4.dns_match);
	inet_pton(AF_INET6, "fd00::53", &c.ip6.dns_match);
	conf_dns(&c, &o, path3);
	CHECK(v4eq(c.ip4.dns[0], "192.0.2.53") && !c.ip4.dns[1].s_addr &&
	      v4eq(c.ip4.dns_host, "192.0.2.53"),
	      "--dns-forward, reachable IPv4 resolver: advertised as is");
	CHECK(v6eq(&c.ip6.dns[0], "2001:db8::53") &&
	      IN6_IS_ADDR_UNSPECIFIED(&c.ip6.dns[1]),
	      "--dns-forward, reachable IPv6 resolver: advertised as is");

	/* No resolver but --dns-host: the --dns-forward address */
	dns_ctx();
	inet_pton(AF_INET, "169.254.1.1", &c.ip4.dns_match);
	inet_pton(AF_INET, "192.0.2.99", &c.ip4.dns_host);
	o.dns_host4_set = true;
	conf_dns(&c, &o, "/nonexistent/resolv.conf");
	CHECK(v4eq(c.ip4.dns[0], "169.254.1.1") && !c.ip4.dns[1].s_addr,
	      "--dns-forward --dns-host, no host resolver: advertised");

	/* Loopback resolver, no mapping: --dns-forward still stands in */
	dns_ctx();
	memset(&c.ip4.map_host_loopback, 0, sizeof(c.ip4.map_host_loopback));
	inet_pton(AF_INET, "169.254.1.1", &c.ip4.dns_match);
	conf_dns(&c, &o, path2);
	CHECK(v4eq(c.ip4.dns[0], "169.254.1.1") && !c.ip4.dns[1].s_addr,
	      "--dns-forward --no-map-gw: in place of 127.0.0.1");

	dns_ctx();
	o.dns_set = true;
	inet_pton(AF_INET, "192.0.2.99", &c.ip4.dns[0]);
	o.search_set = true;
	strcpy(c.dns_search[0].n, "given.example");
	conf_dns(&c, &o, path);
	CHECK(v4eq(c.ip4.dns[0], "192.0.2.99") && !c.ip4.dns[1].s_addr &&
	      IN6_IS_ADDR_UNSPECIFIED(&c.ip6.dns[0]) &&
	      !strcmp(c.dns_search[0].n, "given.example"),
	      "-D and -S override resolv.conf");

	dns_ctx();
	c.no_dns = c.no_dns_search = 1;
	conf_dns(&c, &o, path);
	CHECK(!c.ip4.dns[0].s_addr && IN6_IS_ADDR_UNSPECIFIED(&c.ip6.dns[0]) &&
	      !*c.dns_search[0].n, "-D none -S none: nothing advertised");

	dns_ctx();
	c.ifi6 = 0;
	conf_dns(&c, &o, path);
	CHECK(c.ip4.dns[0].s_addr && IN6_IS_ADDR_UNSPECIFIED(&c.ip6.dns[0]),
	      "disabled family gets no nameservers");

	dns_ctx();
	conf_dns(&c, &o, "/nonexistent/resolv.conf");
	CHECK(!c.ip4.dns[0].s_addr && !*c.dns_search[0].n,
	      "missing resolv.conf: no nameservers, no failure");

	unlink(path);
	unlink(path2);
	unlink(path3);
}

/**
 * test_helpers() - Small parsers
 */
static void test_helpers(void)
{
	unsigned char mac[6];
	unsigned long v;
	struct in_addr a;

	CHECK(!parse_mac("9a:55:9a:55:9a:55", mac) && mac[0] == 0x9a &&
	      mac[5] == 0x55, "MAC parse");
	CHECK(!parse_mac("2:0:0:0:0:1", mac) && mac[0] == 2 && mac[5] == 1,
	      "MAC parse, single digits");
	CHECK(parse_mac("9a:55:9a:55:9a:55:", mac) &&
	      parse_mac("9a-55-9a-55-9a-55", mac) && parse_mac("", mac),
	      "MAC parse rejects garbage");
	CHECK(!parse_uint("42", 0, 100, &v) && v == 42 &&
	      parse_uint("101", 0, 100, &v) && parse_uint("4 2", 0, 100, &v) &&
	      parse_uint("", 0, 100, &v) && parse_uint("-1", 0, 100, &v),
	      "strict numbers");
	inet_pton(AF_INET, "10.1.2.3", &a);
	CHECK(classful_prefix(a) == 8, "class A prefix");
	inet_pton(AF_INET, "172.16.2.3", &a);
	CHECK(classful_prefix(a) == 16, "class B prefix");
	inet_pton(AF_INET, "192.0.2.3", &a);
	CHECK(classful_prefix(a) == 24, "class C prefix");
}

/**
 * local_conf() - conf() in a network namespace with nothing but lo
 * @mode:	MODE_PASST or MODE_PASTA
 * @args:	Arguments, NULL-terminated
 *
 * Return: true if conf() returned, @run_ctx then holds the context
 */
static bool local_conf(enum passt_mode mode, const char *const *args)
{
	run_newnet = true;
	memset(run_ctx, 0, sizeof(*run_ctx));
	run_conf(mode, true, args);
	run_newnet = false;

	return CHECK(r.status == 0, "%s %s, only lo: accepted%s%.*s",
		     mode == MODE_PASTA ? "pasta" : "passt", args_str(args),
		     r.status && *r.err ? ": " : "",
		     r.status ? (int)strcspn(r.err, "\n") : 0, r.err);
}

/**
 * v4_eq() - Is an IPv4 address the given one, in text?
 * @a:		Address
 * @s:		Expected, dotted quad
 *
 * Return: true if equal
 */
static bool v4_eq(struct in_addr a, const char *s)
{
	struct in_addr e;

	return inet_pton(AF_INET, s, &e) == 1 && a.s_addr == e.s_addr;
}

/**
 * v6_eq() - Is an IPv6 address the given one, in text?
 * @a:		Address
 * @s:		Expected
 *
 * Return: true if equal
 */
static bool v6_eq(const struct in6_addr *a, const char *s)
{
	struct in6_addr e;

	return inet_pton(AF_INET6, s, &e) == 1 && IN6_ARE_ADDR_EQUAL(a, &e);
}

/**
 * test_local() - Local mode: no external interface on the host
 */
static void test_local(void)
{
	const struct ctx *l;

	run_ctx = mmap(NULL, sizeof(*run_ctx), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (run_ctx == MAP_FAILED) {
		CHECK(0, "local mode: shared memory for results");
		run_ctx = NULL;
		return;
	}
	l = run_ctx;

	run_newnet = true;
	run_conf(MODE_PASST, false, ARGS("-f"));
	run_newnet = false;
	if (r.status == 77) {
		printf("SKIP local mode: can't create network namespaces\n");
		goto out;
	}

	if (local_conf(MODE_PASST, ARGS("-f"))) {
		CHECK(l->ifi4 == IFI_LOCAL && !*l->ifname4,
		      "local mode: IPv4 enabled without template interface");
		CHECK(v4_eq(l->ip4.addr, "169.254.2.1") &&
		      v4_eq(l->ip4.addr_seen, "169.254.2.1") &&
		      l->ip4.prefix_len == 16,
		      "local mode: guest gets 169.254.2.1/16");
		CHECK(v4_eq(l->ip4.gw, "169.254.2.2"),
		      "local mode: gateway 169.254.2.2");
		CHECK(v4_eq(l->ip4.map_host_loopback, "169.254.2.2"),
		      "local mode: gateway maps to host loopback");
		CHECK(l->ifi6 == IFI_LOCAL && !*l->ifname6,
		      "local mode: IPv6 enabled without template interface");
		CHECK(IN6_IS_ADDR_UNSPECIFIED(&l->ip6.addr),
		      "local mode: no global IPv6 address to give");
		CHECK(v6_eq(&l->ip6.gw, "fe80::1") &&
		      v6_eq(&l->ip6.our_tap_ll, "fe80::1") &&
		      v6_eq(&l->ip6.map_host_loopback, "fe80::1"),
		      "local mode: IPv6 gateway fe80::1, mapped to ::1");
		CHECK(strstr(r.err, "local mode") &&
		      strstr(r.err, "169.254.2.1/16") &&
		      strstr(r.err, "169.254.2.2"),
		      "local mode: one info line says so");
	}

	if (local_conf(MODE_PASTA, ARGS("--netns", "/proc/self/ns/net")))
		CHECK(!strcmp(l->pasta_ifname, "tap0"),
		      "local mode: pasta interface falls back to tap0");

	if (local_conf(MODE_PASTA, ARGS("--netns", "/proc/self/ns/net",
					"-I", "ns0")))
		CHECK(!strcmp(l->pasta_ifname, "ns0"),
		      "local mode: -I still names the pasta interface");

	if (local_conf(MODE_PASST, ARGS("-f", "-a", "198.18.7.1", "-n", "24",
					"-g", "198.18.7.254"))) {
		CHECK(l->ifi4 == IFI_LOCAL && v4_eq(l->ip4.addr, "198.18.7.1") &&
		      l->ip4.prefix_len == 24,
		      "local mode: -a and -n win");
		CHECK(v4_eq(l->ip4.gw, "198.18.7.254") &&
		      v4_eq(l->ip4.map_host_loopback, "198.18.7.254"),
		      "local mode: -g wins, and is the loopback mapping");
	}

	if (local_conf(MODE_PASTA, ARGS("--netns", "/proc/self/ns/net",
					"-a", "10.200.0.2/24",
					"-a", "2001:db8::2/56"))) {
		CHECK(v4_eq(l->ip4.addr, "10.200.0.2") &&
		      l->ip4.prefix_len == 24,
		      "local mode: -a 10.200.0.2/24: address and prefix");
		CHECK(v6_eq(&l->ip6.addr, "2001:db8::2") &&
		      l->ip6.prefix_len == 56,
		      "local mode: -a 2001:db8::2/56: address and prefix");
	}

	if (local_conf(MODE_PASST, ARGS("-f", "-a", "10.0.0.2")))
		CHECK(v4_eq(l->ip4.addr, "10.0.0.2") &&
		      l->ip4.prefix_len == 8 &&
		      v4_eq(l->ip4.gw, "169.254.2.2"),
		      "local mode: -a alone, classful prefix, local gateway");

	if (local_conf(MODE_PASST, ARGS("-f", "-a", "2001:db8::5",
					"-g", "fe80::7")))
		CHECK(v6_eq(&l->ip6.addr, "2001:db8::5") &&
		      l->ip6.prefix_len == 64 &&
		      v6_eq(&l->ip6.gw, "fe80::7") &&
		      v6_eq(&l->ip6.our_tap_ll, "fe80::7"),
		      "local mode: IPv6 -a and -g win");

	if (local_conf(MODE_PASST, ARGS("-f", "-4")))
		CHECK(l->ifi4 == IFI_LOCAL && !l->ifi6,
		      "local mode: -4 still disables IPv6");

	if (local_conf(MODE_PASST, ARGS("-f", "-6")))
		CHECK(!l->ifi4 && l->ifi6 == IFI_LOCAL,
		      "local mode: -6 still disables IPv4");

	if (local_conf(MODE_PASST, ARGS("-f", "--no-map-gw")))
		CHECK(!l->ip4.map_host_loopback.s_addr &&
		      IN6_IS_ADDR_UNSPECIFIED(&l->ip6.map_host_loopback) &&
		      v4_eq(l->ip4.gw, "169.254.2.2"),
		      "local mode: --no-map-gw, no loopback mapping");

	if (local_conf(MODE_PASST, ARGS("-f", "-i", "lo")))
		CHECK(!l->ifi4 && !l->ifi6,
		      "local mode: not with an explicit -i (lo: no route)");

out:
	munmap(run_ctx, sizeof(*run_ctx));
	run_ctx = NULL;
}

/* Following the host: resolv.conf read again, -D, -S, --dns-host pinned */
static void test_dns_reread(void)
{
	char r1[] = "nameserver 192.0.2.53\nnameserver 2001:db8::53\n"
		    "search one.example\n";
	char r2[] = "nameserver 192.0.2.99\nnameserver 2001:db8::99\n"
		    "search two.example\n";
	char r3[] = "nameserver 192.0.2.77\nsearch three.example\n";
	char r4[] = "# nothing\n";

	dns_ctx();
	conf_dns_reread(&c, &o, r1);
	CHECK(v4eq(c.ip4.dns[0], "192.0.2.53") && !c.ip4.dns[1].s_addr &&
	      v6eq(&c.ip6.dns[0], "2001:db8::53") &&
	      !strcmp(c.dns_search[0].n, "one.example"),
	      "reread: nameservers and search list from resolv.conf");
	conf_dns_reread(&c, &o, r2);
	CHECK(v4eq(c.ip4.dns[0], "192.0.2.99") && !c.ip4.dns[1].s_addr &&
	      v6eq(&c.ip6.dns[0], "2001:db8::99") &&
	      IN6_IS_ADDR_UNSPECIFIED(&c.ip6.dns[1]),
	      "reread: new nameservers replace the old ones, not added");
	CHECK(!strcmp(c.dns_search[0].n, "two.example") &&
	      !*c.dns_search[1].n, "reread: new search list replaces the old");
	CHECK(v4eq(c.ip4.dns_host, "192.0.2.99") &&
	      v6eq(&c.ip6.dns_host, "2001:db8::99"),
	      "reread: --dns-host default follows the first resolver");
	conf_dns_reread(&c, &o, r4);
	CHECK(!c.ip4.dns[0].s_addr && IN6_IS_ADDR_UNSPECIFIED(&c.ip6.dns[0]) &&
	      !*c.dns_search[0].n,
	      "reread: resolv.conf without entries: none left");

	/* -D and -S given: those lists stay, --dns-host given: stays */
	dns_ctx();
	o.dns_set = o.search_set = true;
	o.dns_host4_set = true;
	inet_pton(AF_INET, "198.18.0.99", &c.ip4.dns[0]);
	inet_pton(AF_INET, "198.18.0.98", &c.ip4.dns_host);
	strcpy(c.dns_search[0].n, "pinned.example");
	conf_dns_reread(&c, &o, r3);
	CHECK(v4eq(c.ip4.dns[0], "198.18.0.99") && !c.ip4.dns[1].s_addr,
	      "reread: -D nameservers stay");
	CHECK(!strcmp(c.dns_search[0].n, "pinned.example") &&
	      !*c.dns_search[1].n, "reread: -S search list stays");
	CHECK(v4eq(c.ip4.dns_host, "198.18.0.98"), "reread: --dns-host stays");

	/* -D none, -S none: still nothing */
	dns_ctx();
	o.dns_none = true;
	c.no_dns = c.no_dns_search = 1;
	conf_dns_reread(&c, &o, r2);
	CHECK(!c.ip4.dns[0].s_addr && IN6_IS_ADDR_UNSPECIFIED(&c.ip6.dns[0]) &&
	      !*c.dns_search[0].n, "reread: -D none, -S none stay empty");
}

int main(void)
{
	log_init("passt", LOG_ERR, false);

	test_helpers();
	test_errors();
	test_table();
	test_info();
	test_vhost_user();
	test_names();
	test_passt();
	test_pasta();
	test_dns();
	test_dns_reread();
	test_local();

	return unit_done();
}
