/* mqopen: POSIX message queues for TestOCIMqueue. "create NAME" makes
 * the queue (mode 0640, 4 messages of 64 bytes) and sends "hello" at
 * priority 3; "receive NAME" prints the message and its priority;
 * "open NAME" prints ENOENT if the queue is gone, ok otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	const char *cmd = argv[1], *name = argv[2];
	if (strcmp(cmd, "create") == 0) {
		struct mq_attr a = {.mq_maxmsg = 4, .mq_msgsize = 64};
		mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0640, &a);
		if (q < 0 || mq_send(q, "hello", 5, 3) < 0) {
			perror("mq");
			return 1;
		}
		return 0;
	}
	mqd_t q = mq_open(name, O_RDWR | O_NONBLOCK);
	if (q < 0) {
		printf("%s\n", errno == ENOENT ? "ENOENT" : strerror(errno));
		return 0;
	}
	if (strcmp(cmd, "receive") == 0) {
		char buf[64] = {0};
		unsigned prio;
		if (mq_receive(q, buf, sizeof buf, &prio) < 0) {
			perror("mq_receive");
			return 1;
		}
		printf("%s %u\n", buf, prio);
		return 0;
	}
	printf("ok\n");
	return 0;
}
