//go:build ignore

/* cpu_timers: timers and sleeps on CPU-time clocks. timer_create on
 * CLOCK_THREAD_CPUTIME_ID and on pthread_getcpuclockid clocks (the
 * caller's and another thread's) fires once that thread has used the
 * time, not while it sleeps; clock_nanosleep on the process clock
 * (relative, TIMER_ABSTIME, EINTR with the CPU time left) and on another
 * thread's clock; EINVAL for the caller's own thread clock (EOPNOTSUPP
 * for CLOCK_THREAD_CPUTIME_ID) and for clocks naming no thread;
 * clock_getres of the CPU clocks is 1 ns. Another process's CPU clock
 * (clock_getcpuclockid of a child) can be read, slept on and timed. */
#include "common.h"
#include <pthread.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#define MS 1000000LL

static long long cpu(clockid_t c)
{
	struct timespec ts;
	if (syscall(SYS_clock_gettime, c, &ts) != 0)
		FAIL("clock_gettime: %s", errname(errno));
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct timespec ns_ts(long long ns) { return (struct timespec){ns / 1000000000LL, ns % 1000000000LL}; }

static void burn_until(volatile int *flag)
{
	while (!*flag)
		;
}

static volatile int stop, fired, ready, snap;
static volatile long long burner_before, burner_after;
static clockid_t burner_clock;

static void *burner(void *arg)
{
	(void)arg;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	burner_before = cpu(CLOCK_THREAD_CPUTIME_ID);
	ready = 1;
	while (!stop) {
		if (snap == 1) {
			burner_before = cpu(CLOCK_THREAD_CPUTIME_ID);
			snap = 2;
		}
		if (fired && !burner_after)
			burner_after = cpu(CLOCK_THREAD_CPUTIME_ID);
	}
	return NULL;
}

static void start_burner(pthread_t *t)
{
	stop = fired = ready = snap = 0;
	burner_after = 0;
	OKQ(pthread_create(t, NULL, burner, NULL));
	while (!ready)
		usleep(1000);
	OKQ(pthread_getcpuclockid(*t, &burner_clock));
}

static void stop_burner(pthread_t t)
{
	stop = 1;
	OKQ(pthread_join(t, NULL));
}

static void on_usr1(int sig) { (void)sig; fired = 1; }

static void *sleeper(void *arg)
{
	timer_t tm = *(timer_t *)arg;
	struct itimerspec its = {.it_value = ns_ts(50 * MS)};
	OKQ(timer_settime(tm, 0, &its, NULL));
	usleep(200000);
	struct itimerspec cur;
	OKQ(timer_gettime(tm, &cur));
	long long left = cur.it_value.tv_sec * 1000000000LL + cur.it_value.tv_nsec;
	YES("a sleeping thread's CPU timer has not run down", left > 40 * MS);
	return NULL;
}

static void thread_timers(void)
{
	struct sigaction sa = {.sa_handler = on_usr1};
	OKQ(sigaction(SIGUSR1, &sa, NULL));
	struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1};
	timer_t tm;

	/* The caller's thread clock: fires after 50 ms of its CPU time. */
	OK("timer_create(CLOCK_THREAD_CPUTIME_ID)", timer_create(CLOCK_THREAD_CPUTIME_ID, &ev, &tm));
	long long start = cpu(CLOCK_THREAD_CPUTIME_ID);
	struct itimerspec its = {.it_value = ns_ts(50 * MS)};
	fired = 0;
	OKQ(timer_settime(tm, 0, &its, NULL));
	burn_until(&fired);
	YES("fired after 50 ms of the thread's CPU time", cpu(CLOCK_THREAD_CPUTIME_ID) - start >= 50 * MS);
	struct itimerspec cur;
	OKQ(timer_gettime(tm, &cur));
	YES("and disarmed", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
	OKQ(timer_delete(tm));

	/* pthread_getcpuclockid(pthread_self()), with TIMER_ABSTIME. */
	clockid_t self;
	OKQ(pthread_getcpuclockid(pthread_self(), &self));
	OK("timer_create(own pthread clock)", timer_create(self, &ev, &tm));
	its.it_value = ns_ts(cpu(self) + 30 * MS);
	fired = 0;
	OKQ(timer_settime(tm, TIMER_ABSTIME, &its, NULL));
	burn_until(&fired);
	YES("absolute expiry reached", cpu(self) >= its.it_value.tv_sec * 1000000000LL + its.it_value.tv_nsec);
	OKQ(timer_delete(tm));

	/* A thread that sleeps uses no CPU: its timer does not fire. */
	ev.sigev_notify = SIGEV_NONE;
	OKQ(timer_create(CLOCK_THREAD_CPUTIME_ID, &ev, &tm));
	pthread_t t;
	OKQ(pthread_create(&t, NULL, sleeper, &tm));
	OKQ(pthread_join(t, NULL));
	OKQ(timer_delete(tm));

	/* Another thread's clock: the burner's 50 ms of CPU. */
	sigset_t s, old;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	OKQ(sigprocmask(SIG_BLOCK, &s, &old));
	start_burner(&t);
	ev.sigev_notify = SIGEV_SIGNAL;
	OK("timer_create(another thread's clock)", timer_create(burner_clock, &ev, &tm));
	its.it_value = ns_ts(50 * MS);
	OKQ(timer_settime(tm, 0, &its, NULL));
	siginfo_t si;
	EQ("sigwaitinfo", sigwaitinfo(&s, &si), SIGUSR1);
	EQ("si_code", si.si_code, SI_TIMER);
	fired = 1;
	while (!burner_after)
		usleep(1000);
	YES("fired after 50 ms of that thread's CPU time", burner_after - burner_before >= 50 * MS);
	stop_burner(t);
	OKQ(timer_delete(tm));
	OKQ(sigprocmask(SIG_SETMASK, &old, NULL));
}

static void nanosleeps(void)
{
	struct timespec req = ns_ts(20 * MS), rem;
	ERR("clock_nanosleep(CLOCK_THREAD_CPUTIME_ID)", syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL), EOPNOTSUPP);
	clockid_t self, proc;
	OKQ(pthread_getcpuclockid(pthread_self(), &self));
	ERR("clock_nanosleep(own pthread clock)", syscall(SYS_clock_nanosleep, self, 0, &req, NULL), EINVAL);
	clockid_t mine = (~(clockid_t)syscall(SYS_gettid) << 3) | 6;
	ERR("clock_nanosleep(own thread clock by TID)", syscall(SYS_clock_nanosleep, mine, 0, &req, NULL), EINVAL);
	clockid_t nobody = (~(clockid_t)0x3ffffff << 3) | 6;
	ERR("clock_nanosleep(a thread clock naming nobody)", syscall(SYS_clock_nanosleep, nobody, 0, &req, NULL), EINVAL);
	struct timespec bad = {0, 1000000000L};
	ERR("clock_nanosleep(process clock, tv_nsec 1e9)", syscall(SYS_clock_nanosleep, CLOCK_PROCESS_CPUTIME_ID, 0, &bad, NULL), EINVAL);
	ERR("clock_nanosleep(process clock, bad pointer)", syscall(SYS_clock_nanosleep, CLOCK_PROCESS_CPUTIME_ID, 0, BADPTR, NULL), EFAULT);

	pthread_t t;
	start_burner(&t);
	long long p0 = cpu(CLOCK_PROCESS_CPUTIME_ID);
	OK("clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID, 50 ms)", syscall(SYS_clock_nanosleep, CLOCK_PROCESS_CPUTIME_ID, 0, &(struct timespec){0, 50 * MS}, NULL));
	YES("the process used 50 ms meanwhile", cpu(CLOCK_PROCESS_CPUTIME_ID) - p0 >= 50 * MS);
	OKQ(clock_getcpuclockid(0, &proc));
	long long target = cpu(proc) + 30 * MS;
	struct timespec abs = ns_ts(target);
	OK("clock_nanosleep(clock_getcpuclockid(0), TIMER_ABSTIME)", syscall(SYS_clock_nanosleep, proc, TIMER_ABSTIME, &abs, NULL));
	YES("the process clock reached the target", cpu(proc) >= target);
	abs = ns_ts(1);
	OK("an absolute CPU time already past", syscall(SYS_clock_nanosleep, CLOCK_PROCESS_CPUTIME_ID, TIMER_ABSTIME, &abs, NULL));
	snap = 1;
	while (snap != 2)
		;
	OK("clock_nanosleep(another thread's clock, 50 ms)", syscall(SYS_clock_nanosleep, burner_clock, 0, &(struct timespec){0, 50 * MS}, NULL));
	fired = 1;
	while (!burner_after)
		usleep(1000);
	YES("that thread used 50 ms meanwhile", burner_after - burner_before >= 50 * MS);
	stop_burner(t);

	/* EINTR with the CPU time left: nothing burns, a real-time alarm
	 * interrupts. */
	struct sigaction sa = {.sa_handler = on_usr1};
	OKQ(sigaction(SIGALRM, &sa, NULL));
	struct itimerval it = {.it_value = {0, 50000}};
	OKQ(setitimer(ITIMER_REAL, &it, NULL));
	req = ns_ts(10000 * MS);
	ERR("interrupted clock_nanosleep(CLOCK_PROCESS_CPUTIME_ID)", syscall(SYS_clock_nanosleep, CLOCK_PROCESS_CPUTIME_ID, 0, &req, &rem), EINTR);
	long long left = rem.tv_sec * 1000000000LL + rem.tv_nsec;
	YES("rem is the CPU time left", left > 9000 * MS && left <= 10000 * MS);
}

static void getres(void)
{
	clockid_t self, proc;
	OKQ(pthread_getcpuclockid(pthread_self(), &self));
	OKQ(clock_getcpuclockid(0, &proc));
	clockid_t ids[] = {CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, self, proc};
	const char *names[] = {"CLOCK_PROCESS_CPUTIME_ID", "CLOCK_THREAD_CPUTIME_ID", "own pthread clock", "own process clock"};
	for (int i = 0; i < 4; i++) {
		struct timespec ts;
		OKQ(syscall(SYS_clock_getres, ids[i], &ts));
		printf("clock_getres(%s): %ld.%09ld\n", names[i], (long)ts.tv_sec, ts.tv_nsec);
	}
	pthread_t t;
	start_burner(&t);
	struct timespec ts;
	OK("clock_getres(another thread's clock)", syscall(SYS_clock_getres, burner_clock, &ts));
	EQ("its resolution", ts.tv_nsec, 1);
	stop_burner(t);
	clockid_t nobody = (~(clockid_t)0x3ffffff << 3) | 6;
	ERR("clock_getres(a thread clock naming nobody)", syscall(SYS_clock_getres, nobody, &ts), EINVAL);
}

static void other_process(void)
{
	pid_t c = OKQ(fork());
	if (c == 0) {
		for (;;)
			;
	}
	clockid_t cc;
	EQ("clock_getcpuclockid(child)", clock_getcpuclockid(c, &cc), 0);
	struct timespec ts;
	OK("clock_getres(child's clock)", syscall(SYS_clock_getres, cc, &ts));
	EQ("its resolution", ts.tv_nsec, 1);
	long long c0 = cpu(cc);
	OK("clock_nanosleep(child's clock, 50 ms)", syscall(SYS_clock_nanosleep, cc, 0, &(struct timespec){0, 50 * MS}, NULL));
	YES("the child used 50 ms meanwhile", cpu(cc) - c0 >= 50 * MS);
	struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1};
	timer_t tm;
	sigset_t s, old;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	OKQ(sigprocmask(SIG_BLOCK, &s, &old));
	OK("timer_create(child's clock)", timer_create(cc, &ev, &tm));
	long long c1 = cpu(cc);
	struct itimerspec its = {.it_value = ns_ts(50 * MS)};
	OKQ(timer_settime(tm, 0, &its, NULL));
	EQ("sigwaitinfo", sigwaitinfo(&s, NULL), SIGUSR1);
	YES("fired after 50 ms of the child's CPU time", cpu(cc) - c1 >= 50 * MS);
	OKQ(timer_delete(tm));
	OKQ(sigprocmask(SIG_SETMASK, &old, NULL));
	OKQ(kill(c, SIGKILL));
	OKQ(waitpid(c, NULL, 0));
	ERR("clock_gettime(a reaped child's clock)", syscall(SYS_clock_gettime, cc, &ts), EINVAL);
	clockid_t nobody = (~(clockid_t)0x3ffffff << 3) | 2;
	ERR("clock_gettime(a process clock naming nobody)", syscall(SYS_clock_gettime, nobody, &ts), EINVAL);
}

int main(void)
{
	getres();
	thread_timers();
	nanosleeps();
	other_process();
	return 0;
}
