/* ipcmsg: a System V message queue from the command line, for the pod
 * tests. "ipcmsg put KEY TEXT" queues TEXT on KEY's queue (made if
 * missing); "ipcmsg get KEY" prints the first message, or the error of
 * finding the queue or of an empty one ("ENOENT", "ENOMSG"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>

int main(int argc, char **argv)
{
	struct { long type; char text[256]; } m = {1, ""};
	if (argc == 4 && strcmp(argv[1], "put") == 0) {
		int id = msgget(atoi(argv[2]), IPC_CREAT | 0600);
		strncpy(m.text, argv[3], sizeof m.text - 1);
		if (id < 0 || msgsnd(id, &m, strlen(m.text), 0) < 0) {
			perror("ipcmsg put");
			return 1;
		}
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "get") == 0) {
		int id = msgget(atoi(argv[2]), 0);
		if (id < 0) {
			puts(errno == ENOENT ? "ENOENT" : strerror(errno));
			return 0;
		}
		long n = msgrcv(id, &m, sizeof m.text - 1, 0, IPC_NOWAIT);
		puts(n >= 0 ? m.text : errno == ENOMSG ? "ENOMSG" : strerror(errno));
		return 0;
	}
	fprintf(stderr, "usage: ipcmsg put KEY TEXT | get KEY\n");
	return 2;
}
