//go:build ignore

/* tid_address: set_tid_address(2) (the clear-and-wake word of a thread
 * that exits), set_robust_list(2) / get_robust_list(2), and rseq(2)
 * (libc registers an area at start; its rules for re-registration). */
#include "common.h"
#include <linux/futex.h>
#include <pthread.h>
#include <sys/rseq.h>

static volatile int32_t clear_word = -1;

static void *thread_main(void *arg)
{
	(void)arg;
	long tid = syscall(SYS_gettid);
	clear_word = (int32_t)tid;
	syscall(SYS_set_tid_address, &clear_word);
	/* Exit just this thread, without libc's bookkeeping. */
	syscall(SYS_exit, 0);
	return NULL;
}

struct robust_head { void *list; long futex_offset; void *pending; };

int main(void)
{
	long tid = syscall(SYS_gettid);
	int32_t dummy;
	YES("set_tid_address returns tid", syscall(SYS_set_tid_address, &dummy) == tid);

	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_t th;
	if (pthread_create(&th, &attr, thread_main, NULL) != 0) FAIL("pthread_create");
	/* Wait until the word is cleared: the kernel stores 0 and wakes us. */
	for (int i = 0; i < 1000; i++) {
		int32_t v = clear_word;
		if (v == 0) break;
		struct timespec ts = { 0, 10000000 };
		syscall(SYS_futex, &clear_word, FUTEX_WAIT, v, &ts, NULL, 0);
	}
	EQ("thread exit cleared the word", clear_word, 0);

	/* Robust futex list head. */
	struct robust_head *libc_head = NULL;
	size_t len = 0;
	OK("get_robust_list", syscall(SYS_get_robust_list, 0, &libc_head, &len));
	EQ("robust head size", len, sizeof(struct robust_head));
	YES("libc registered a head", libc_head != NULL);
	static struct robust_head mine = { &mine, 0, NULL };
	OK("set_robust_list", syscall(SYS_set_robust_list, &mine, sizeof mine));
	struct robust_head *got = NULL;
	OKQ(syscall(SYS_get_robust_list, 0, &got, &len));
	YES("head stored", got == &mine);
	ERR("set_robust_list bad size", syscall(SYS_set_robust_list, &mine, sizeof mine + 8), EINVAL);
	ERR("get_robust_list bad pointer", syscall(SYS_get_robust_list, 0, BADPTR, &len), EFAULT);
	ERR("get_robust_list missing pid", syscall(SYS_get_robust_list, 0x3ffffff0, &got, &len), ESRCH);
	OK("restore libc's head", syscall(SYS_set_robust_list, libc_head, sizeof mine));

	/* rseq: libc's registration. */
	YES("libc registered rseq", __rseq_size > 0);
	struct rseq *area = (struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset);
	syscall(SYS_getppid);
	YES("cpu_id filled in", (int32_t)area->cpu_id >= 0 && area->cpu_id_start == area->cpu_id);
	uint32_t sig = RSEQ_SIG;
	uint32_t rlen = 32;
	ERR("register again", syscall(SYS_rseq, area, rlen, 0, sig), EBUSY);
	ERR("register again, other signature", syscall(SYS_rseq, area, rlen, 0, sig + 1), EPERM);
	static struct rseq other __attribute__((aligned(32)));
	ERR("register another area", syscall(SYS_rseq, &other, 32, 0, sig), EINVAL);
	ERR("unregister other area", syscall(SYS_rseq, &other, 32, RSEQ_FLAG_UNREGISTER, sig), EINVAL);
	ERR("unregister wrong signature", syscall(SYS_rseq, area, rlen, RSEQ_FLAG_UNREGISTER, sig + 1), EPERM);
	OK("unregister libc's area", syscall(SYS_rseq, area, rlen, RSEQ_FLAG_UNREGISTER, sig));
	ERR("unregister again", syscall(SYS_rseq, area, rlen, RSEQ_FLAG_UNREGISTER, sig), EINVAL);

	other.cpu_id = RSEQ_CPU_ID_UNINITIALIZED;
	ERR("bad flags", syscall(SYS_rseq, &other, 32, 2, sig), EINVAL);
	ERR("short length", syscall(SYS_rseq, &other, 16, 0, sig), EINVAL);
	ERR("misaligned", syscall(SYS_rseq, (char *)&other + 8, 32, 0, sig), EINVAL);
	ERR("kernel address", syscall(SYS_rseq, (void *)0xffff800000000000UL, 32, 0, sig), EFAULT);
	OK("register own area", syscall(SYS_rseq, &other, 32, 0, sig));
	syscall(SYS_getppid);
	YES("own cpu_id filled in", (int32_t)other.cpu_id >= 0);
	OK("unregister own area", syscall(SYS_rseq, &other, 32, RSEQ_FLAG_UNREGISTER, sig));
	OK("give libc its area back", syscall(SYS_rseq, area, rlen, 0, sig));
	return 0;
}
