//go:build ignore

/* nproc: RLIMIT_NPROC stops a fork bomb with EAGAIN. As an unprivileged
 * user (a UID no other process on the machine has) with RLIMIT_NPROC 8,
 * forks succeed until the user has 8 tasks, then fork fails with EAGAIN
 * (threads count too, and pthread_create fails the same way); after the
 * children exit, fork works again. Root is exempt. */
#include "common.h"
#include <pthread.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define UID 54321
#define LIMIT 8

static void *idle(void *a)
{
	(void)a;
	for (;;) pause();
	return NULL;
}

int main(void)
{
	struct rlimit rl = {LIMIT, LIMIT};
	OK("setrlimit(RLIMIT_NPROC, 8)", setrlimit(RLIMIT_NPROC, &rl));
	pid_t c = fork();
	if (c == 0) {
		/* Root is exempt: a child of root may fork past the limit. */
		pid_t kids[LIMIT + 2];
		int ok = 1;
		for (int i = 0; i < LIMIT + 2; i++) {
			kids[i] = fork();
			if (kids[i] == 0) { pause(); _exit(0); }
			if (kids[i] < 0) ok = 0;
		}
		for (int i = 0; i < LIMIT + 2; i++) if (kids[i] > 0) kill(kids[i], SIGKILL);
		while (wait(NULL) > 0) {}
		_exit(ok ? 0 : 1);
	}
	int st;
	OKQ(waitpid(c, &st, 0));
	YES("root forks past RLIMIT_NPROC", WIFEXITED(st) && WEXITSTATUS(st) == 0);

	OK("setuid to an unprivileged user", setuid(UID));
	pid_t kids[LIMIT];
	int n = 0, err = 0;
	/* This process is one task of the user; fork until refused. */
	for (int i = 0; i < LIMIT; i++) {
		pid_t k = fork();
		if (k == 0) { pause(); _exit(0); }
		if (k < 0) { err = errno; break; }
		kids[n++] = k;
	}
	EQ("children forked", n, LIMIT - 1);
	SEQ("the next fork", errname(err), "EAGAIN");
	pthread_t t;
	EQ("pthread_create at the limit", pthread_create(&t, NULL, idle, NULL), EAGAIN);
	kill(kids[0], SIGKILL);
	OKQ(waitpid(kids[0], &st, 0));
	pid_t k = fork();
	if (k == 0) { pause(); _exit(0); }
	YES("one exited: fork works again", k > 0);
	kids[0] = k;
	for (int i = 0; i < n; i++) kill(kids[i], SIGKILL);
	while (wait(NULL) > 0) {}
	return 0;
}
