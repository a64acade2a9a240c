package programs_test

import "testing"

// ipcUtils drives util-linux's ipcmk, ipcs and ipcrm: limits (IPC_INFO
// and /proc/sys/kernel), usage (SHM_INFO, SEM_INFO, MSG_INFO), listings
// from /proc/sysvipc, a semaphore set's values, and removal. Both runs
// start in a fresh IPC namespace, so identifiers are the first ones.
const ipcUtils = `m=$(ipcmk -M 10000 -p 0640 | awk '{print $NF}')
s=$(ipcmk -S 3 | awk '{print $NF}')
q=$(ipcmk -Q -p 0600 | awk '{print $NF}')
echo "ids: $m $s $q"
ipcs -l | grep -E '= |seg size'
ipcs -u | grep -E '^(allocated|used|segments|pages)'
ipcs -m | awk 'NR>3 && NF {print $2, $3, $4, $5, $6}'
ipcs -s | awk 'NR>3 && NF {print $2, $3, $4, $5}'
ipcs -q | awk 'NR>3 && NF {print $2, $3, $4, $5, $6}'
ipcs -s -i "$s" | grep -E '^(nsems|[0-9])'
ipcrm -m "$m" -s "$s" -q "$q"
ipcs | awk 'NF && !/^---/ && !/^key/' | wc -l
`

var ipcCases = []tc{
	{name: "perl-sysv", args: []string{"perl", testdata("perl", "sysv.pl")}, wantStdout: "shm id 0\nchild holds: 3,0\n" +
		"type 1: first type\nthen: second type\nnothing left: yes (No message of desired type)\nchild exit 7\n" +
		"after exit (undo): 5,0\nsegment: child says: parent wrote this\nsegsz 8192 nattch 0 mode 600\n" +
		"qnum 0 qbytes 16384\nstat after remove: Invalid argument\n"},
	tc{name: "ipc-utils", args: []string{"bash", "-c", ipcUtils}}.with("ipcmk", "ipcs", "ipcrm", "awk"),
}

// TestSysVIPC runs programs that use System V IPC (docs/ipc.md).
func TestSysVIPC(t *testing.T) { runCases(t, ipcCases) }
