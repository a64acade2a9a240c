//go:build ignore

/* timerfd: timerfd_create(2), timerfd_settime(2), timerfd_gettime(2):
 * one-shot and periodic timers, absolute times in the past, expiration
 * counts, blocking and non-blocking reads, poll, and the errors. */
#include "common.h"
#include <poll.h>
#include <sys/timerfd.h>
#include <time.h>

int main(void)
{
	uint64_t v;
	int tf = OK("timerfd_create", timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
	YES("TFD_CLOEXEC", fcntl(tf, F_GETFD) == FD_CLOEXEC);
	ERR("read disarmed", read(tf, &v, 8), EAGAIN);
	struct itimerspec its = { .it_value = { 0, 20000000 }, .it_interval = { 0, 10000000 } }, cur;
	OK("settime periodic", timerfd_settime(tf, 0, &its, NULL));
	OK("gettime", timerfd_gettime(tf, &cur));
	YES("interval kept", cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 10000000);
	YES("value at most 20 ms", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 20000000);
	struct pollfd p = { .fd = tf, .events = POLLIN };
	EQ("poll until it fires", poll(&p, 1, 5000), 1);
	EQ("revents", p.revents, POLLIN);
	usleep(35000);
	EQ("read", read(tf, &v, 8), 8);
	YES("several expirations counted", v >= 2);
	ERR("short read", read(tf, &v, 4), EINVAL);
	struct itimerspec zero = { 0 }, old;
	OK("disarm", timerfd_settime(tf, 0, &zero, &old));
	YES("old interval returned", old.it_interval.tv_nsec == 10000000);
	ERR("disarmed: nothing to read", read(tf, &v, 8), EAGAIN);

	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int tr = OKQ(timerfd_create(CLOCK_REALTIME, 0));
	struct itimerspec abs = { .it_value = now };
	OK("absolute time in the past", timerfd_settime(tr, TFD_TIMER_ABSTIME, &abs, NULL));
	EQ("blocking read: one expiration", (read(tr, &v, 8), v), 1);
	OK("gettime of a spent one-shot timer", timerfd_gettime(tr, &cur));
	YES("it_value zero", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
	OK("CLOCK_BOOTTIME", timerfd_create(CLOCK_BOOTTIME, 0));

	ERR("bad clock", timerfd_create(99, 0), EINVAL);
	ERR("bad create flags", timerfd_create(CLOCK_MONOTONIC, 1), EINVAL);
	ERR("bad settime flags", timerfd_settime(tf, 8, &its, NULL), EINVAL);
	struct itimerspec bad = { .it_value = { 0, 1000000000 } };
	ERR("bad nanoseconds", timerfd_settime(tf, 0, &bad, NULL), EINVAL);
	OK("CANCEL_ON_SET without ABSTIME is accepted", timerfd_settime(tr, TFD_TIMER_CANCEL_ON_SET, &its, NULL));
	ERR("settime on a pipe", (pipe((int[2]){0}), timerfd_settime(0, 0, &its, NULL)), EINVAL);
	ERR("settime on a closed fd", timerfd_settime(9999, 0, &its, NULL), EBADF);
	ERR("settime bad pointer", timerfd_settime(tf, 0, BADPTR, NULL), EFAULT);
	ERR("lseek is 0, pread ESPIPE", pread(tf, &v, 8, 0), ESPIPE);
	return 0;
}
