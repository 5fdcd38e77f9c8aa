// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_isolation.c - isolation.c: descriptors, capabilities, identity,
 * namespaces, empty root, seccomp kill and trap
 *
 * Each step runs in a child process, so that the test itself keeps its
 * privileges; the parent looks at the child through /proc, like the rig does
 * with the daemon. Needs root (CI and rig run as root).
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "unit.h"
#include "passt.h"
#include "util.h"
#include "isolation.h"

#define CAPB(x)		(1ULL << (x))

/* Value of a "Field:\t..." line of /proc/PID/status, as text */
static int status_field(pid_t pid, const char *field, char *out, size_t len)
{
	char path[64], buf[4096], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%i/status", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;

	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		size_t fl = strlen(field);

		if (!strncmp(p, field, fl) && p[fl] == ':') {
			p += fl + 1;
			p += strspn(p, " \t");
			snprintf(out, len, "%.*s", (int)strcspn(p, "\n"), p);
			return 0;
		}
	}
	return -1;
}

static uint64_t status_hex(pid_t pid, const char *field)
{
	char v[64];

	if (status_field(pid, field, v, sizeof(v)))
		return ~0ULL;
	return strtoull(v, NULL, 16);
}

static long status_long(pid_t pid, const char *field)
{
	char v[64];

	if (status_field(pid, field, v, sizeof(v)))
		return -1;
	return strtol(v, NULL, 10);
}

/* Entries in a directory, "." and ".." excluded, -1 on error */
static int dir_count(const char *path)
{
	struct dirent *d;
	DIR *dir;
	int n = 0;

	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			n++;
	closedir(dir);
	return n;
}

static bool ns_same(pid_t a, pid_t b, const char *ns)
{
	char pa[64], pb[64];
	struct stat sa, sb;

	snprintf(pa, sizeof(pa), "/proc/%i/ns/%s", a, ns);
	snprintf(pb, sizeof(pb), "/proc/%i/ns/%s", b, ns);
	if (stat(pa, &sa) || stat(pb, &sb))
		return true;
	return sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

static int wait_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

/* --fd N, --fd=N, -F N keep descriptors, everything else above 2 closes */
static void test_fds(void)
{
	static const char *const forms[][3] = {
		{ "--fd", "%i", NULL }, { "--fd=%i", NULL, NULL },
		{ "-F", "%i", NULL }, { "-F%i", NULL, NULL },
	};
	unsigned int f;

	for (f = 0; f < ARRAY_SIZE(forms); f++) {
		int p[2], keep, other, st;
		pid_t pid;

		if (pipe(p))
			return;
		pid = fork();
		if (!pid) {
			char a1[32], a2[32], *argv[5] = { "passt", NULL };
			int argc = 1;

			close(p[0]);
			keep = open("/dev/null", O_RDONLY);
			other = open("/dev/null", O_RDONLY);
			snprintf(a1, sizeof(a1), forms[f][0], keep);
			argv[argc++] = a1;
			if (forms[f][1]) {
				snprintf(a2, sizeof(a2), forms[f][1], keep);
				argv[argc++] = a2;
			}
			argv[argc++] = "-1";	/* some other option */

			/* The pipe is closed too: report through exit code */
			isolate_initial(argc, argv);
			if (fcntl(keep, F_GETFD) < 0)
				_exit(1);
			if (fcntl(other, F_GETFD) >= 0)
				_exit(2);
			if (fcntl(p[1], F_GETFD) >= 0)
				_exit(3);
			if (fcntl(0, F_GETFD) < 0 || fcntl(2, F_GETFD) < 0)
				_exit(4);
			_exit(0);
		}
		close(p[0]);
		close(p[1]);
		st = wait_status(pid);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "isolate_initial(): %s%s%s keeps that fd only (status %x)",
		      forms[f][0], forms[f][1] ? " " : "",
		      forms[f][1] ? forms[f][1] : "", st);
	}
}

/* Capabilities after isolate_initial() and isolate_user() */
static void test_caps_user(void)
{
	int sync[2], done[2], st;
	char c = 0;
	pid_t pid;

	if (pipe(sync) || pipe(done))
		return;

	pid = fork();
	if (!pid) {
		char fd[16], *argv[] = { "passt", "--fd", fd, NULL };

		snprintf(fd, sizeof(fd), "%i", sync[1]);
		/* keeps sync[1] only: wait on the parent via a signal */
		isolate_initial(3, argv);
		isolate_user(65534, 65534, true, NULL, MODE_PASST);
		if (write(sync[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(sync[1]);
	if (read(sync[0], &c, 1) == 1) {
		uint64_t eff = status_hex(pid, "CapEff");
		uint64_t prm = status_hex(pid, "CapPrm");
		char uid[64] = "";

		status_field(pid, "Uid", uid, sizeof(uid));
		CHECK(!strncmp(uid, "65534\t65534\t65534\t65534", 23),
		      "isolate_user(): switched to 65534 (%s)", uid);
		CHECK(eff == (CAPB(CAP_NET_BIND_SERVICE) |
			      CAPB(CAP_SETPCAP) | CAPB(CAP_SETFCAP)),
		      "passt after isolate_user(): NET_BIND_SERVICE, SETPCAP, SETFCAP "
		      "left (CapEff %llx)", (unsigned long long)eff);
		CHECK(prm == eff, "permitted equals effective (%llx)",
		      (unsigned long long)prm);
		CHECK(status_hex(pid, "CapInh") == 0, "no inheritable caps");
	} else {
		CHECK(0, "child reached isolate_user()");
	}
	kill(pid, SIGKILL);
	st = wait_status(pid);
	(void)st;
	close(sync[0]);
	close(done[0]);
	close(done[1]);
}

/* isolate_prefork(): namespaces, root, capabilities, no_new_privs */
static void test_prefork(enum passt_mode mode, bool switch_user)
{
	const char *name = mode == MODE_PASTA ? "pasta" : "passt";
	int sync[2];
	char c = 0;
	pid_t pid;

	if (pipe(sync))
		return;

	pid = fork();
	if (!pid) {
		struct ctx ctx = { .mode = mode, .foreground = 1 };
		char fd[16], *argv[] = { (char *)name, "--fd", fd, NULL };

		snprintf(fd, sizeof(fd), "%i", sync[1]);
		isolate_initial(3, argv);
		if (switch_user)
			isolate_user(65534, 65534, true, NULL, mode);
		else
			isolate_user(0, 0, false, NULL, mode);
		if (isolate_prefork(&ctx))
			_exit(1);
		if (write(sync[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(sync[1]);

	if (read(sync[0], &c, 1) == 1) {
		uint64_t want = mode == MODE_PASTA ?
			CAPB(CAP_SYS_ADMIN) | CAPB(CAP_NET_BIND_SERVICE) : 0;
		char root[64];

		snprintf(root, sizeof(root), "/proc/%i/root", pid);

		CHECK(status_hex(pid, "CapEff") == want &&
		      status_hex(pid, "CapPrm") == want,
		      "%s%s prefork: CapEff, CapPrm %llx", name,
		      switch_user ? " as nobody" : " as root",
		      (unsigned long long)want);
		CHECK(status_hex(pid, "CapBnd") == want,
		      "%s%s prefork: CapBnd %llx (got %llx)", name,
		      switch_user ? " as nobody" : " as root",
		      (unsigned long long)want,
		      (unsigned long long)status_hex(pid, "CapBnd"));
		CHECK(status_hex(pid, "CapAmb") == 0 &&
		      status_hex(pid, "CapInh") == 0,
		      "%s prefork: no ambient, inheritable caps", name);
		CHECK(status_long(pid, "NoNewPrivs") == 1,
		      "%s prefork: NoNewPrivs 1", name);
		CHECK(dir_count(root) == 0, "%s prefork: root is empty (%i)",
		      name, dir_count(root));
		CHECK(!ns_same(pid, getpid(), "mnt") &&
		      !ns_same(pid, getpid(), "uts") &&
		      !ns_same(pid, getpid(), "ipc"),
		      "%s prefork: mount, UTS, IPC namespaces detached", name);
		CHECK(ns_same(pid, getpid(), "net"),
		      "%s prefork: network namespace kept", name);
		if (mode == MODE_PASST) {
			char path[64], map[64] = "";
			int fd;

			CHECK(!ns_same(pid, getpid(), "user"),
			      "passt prefork: user namespace of its own");
			snprintf(path, sizeof(path), "/proc/%i/uid_map", pid);
			fd = open(path, O_RDONLY);
			if (fd >= 0) {
				if (read(fd, map, sizeof(map) - 1) < 0)
					*map = 0;
				close(fd);
			}
			CHECK(*map &&
			      strtol(map, NULL, 10) == (switch_user ? 65534 : 0),
			      "passt prefork: own UID mapped in user namespace");
		}
		else
			CHECK(ns_same(pid, getpid(), "user"),
			      "pasta prefork: user namespace kept (setns)");
	} else {
		CHECK(0, "%s: child reached isolate_prefork()", name);
	}
	kill(pid, SIGKILL);
	wait_status(pid);
	close(sync[0]);
}

/* passt --vhost-user: seccomp_child() uses the filter of that mode */
static bool seccomp_vu;

/* Run a call under the filter of @mode; exit code tells what happened */
static int seccomp_child(enum passt_mode mode, bool debug, long nr)
{
	pid_t pid;

	pid = fork();
	if (!pid) {
		struct ctx ctx = { .mode = mode, .foreground = 1,
				   .vhost_user = seccomp_vu };
		long rc;

		if (debug)
			setenv(ISOLATE_SECCOMP_DEBUG_ENV, "1", 1);
		else
			unsetenv(ISOLATE_SECCOMP_DEBUG_ENV);
		/* stderr: debug mode logs the blocked call there */
		dup2(open("/dev/null", O_WRONLY), STDERR_FILENO);

		isolate_postfork(&ctx);
		rc = syscall(nr, 0, 0, 0, 0);
		if (rc < 0 && errno == ENOSYS)
			_exit(42);
		_exit(0);
	}
	return wait_status(pid);
}

static void test_seccomp(void)
{
	int st;

	/* mknodat, a call nobody annotates */
	st = seccomp_child(MODE_PASST, false, SYS_mknodat);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	      "passt filter: mknodat() kills with SIGSYS (status %x)", st);
	st = seccomp_child(MODE_PASTA, false, SYS_mknodat);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	      "pasta filter: mknodat() kills with SIGSYS (status %x)", st);
	st = seccomp_child(MODE_PASST, false, SYS_setns);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	      "passt filter: setns() (pasta only) kills (status %x)", st);
	st = seccomp_child(MODE_PASST, false, SYS_execve);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	      "passt filter: execve() kills (status %x)", st);

	/* An allowed call, then _exit(): exit_group allowed */
	st = seccomp_child(MODE_PASST, false, SYS_getpid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "passt filter: getpid(), exit_group() allowed (status %x)", st);
	st = seccomp_child(MODE_PASTA, false, SYS_setns);
	CHECK(WIFEXITED(st),
	      "pasta filter: setns() allowed (status %x)", st);

	/* vhost-user: guest memory mapped, only in that mode */
	st = seccomp_child(MODE_PASST, false, SYS_munmap);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	      "passt filter: munmap() (vhost-user only) kills (status %x)",
	      st);
	seccomp_vu = true;
	st = seccomp_child(MODE_PASST, false, SYS_munmap);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "vhost-user filter: munmap() allowed (status %x)", st);
	st = seccomp_child(MODE_PASST, false, SYS_getpid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "vhost-user filter: passt's calls allowed (status %x)", st);
	st = seccomp_child(MODE_PASST, false, SYS_setns);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	      "vhost-user filter: setns() (pasta only) kills (status %x)", st);
	seccomp_vu = false;

	/* Debug mode: trapped, logged, fails with ENOSYS, process goes on */
	st = seccomp_child(MODE_PASST, true, SYS_mknodat);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42,
	      "debug mode: blocked call fails with ENOSYS (status %x)", st);

#ifdef __x86_64__
	/* x32 ABI numbers (bit 30) of an allowed call are refused */
	st = seccomp_child(MODE_PASST, false, 0x40000000 | SYS_getpid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	      "passt filter: x32 getpid() kills (status %x)", st);
#endif
}

/* isolate_keep_open() and isolate_reread() */
static void test_keep(void)
{
	char buf[16];
	ssize_t n;
	int fd;

	fd = isolate_keep_open("/proc/self/status");
	CHECK(fd >= 0, "isolate_keep_open() before isolation");
	n = isolate_reread(fd, buf, sizeof(buf), 0);
	CHECK(n == sizeof(buf) - 1 && !strncmp(buf, "Name:", 5),
	      "isolate_reread() from 0, NUL-terminated");
	n = isolate_reread(fd, buf, sizeof(buf), 1);
	CHECK(n > 0 && !strncmp(buf, "ame:", 4),
	      "isolate_reread() from an offset");
	close(fd);
}

int main(void)
{
	if (geteuid()) {
		printf("SKIP isolation: needs root\n");
		return 0;
	}

	test_keep();
	test_fds();
	test_caps_user();
	test_prefork(MODE_PASST, false);
	test_prefork(MODE_PASST, true);
	test_prefork(MODE_PASTA, false);
	test_seccomp();

	return unit_done();
}
