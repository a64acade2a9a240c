package syscalls_test

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// required lists every system call the suite must exercise through a
// raw syscall(SYS_x, ...) in at least one non-hostile program.
var required = strings.Fields(`
	open openat read write pread64 pwrite64 readv writev preadv pwritev lseek
	close dup dup2 dup3 fcntl fstat stat lstat newfstatat statx getdents64
	readlink readlinkat access faccessat faccessat2 getcwd chdir fchdir mkdir
	mkdirat rmdir unlink unlinkat rename renameat renameat2 symlink link
	truncate ftruncate fsync fdatasync umask chmod fchmod fchmodat chown fchown
	fchownat utimensat statfs fstatfs sendfile copy_file_range mmap munmap
	mprotect brk mremap madvise getpid gettid getppid getuid geteuid getgid
	getegid getgroups uname sysinfo getrandom prlimit64 getrlimit setrlimit
	getrusage times sched_getaffinity sched_yield clock_gettime clock_getres
	gettimeofday time nanosleep clock_nanosleep rt_sigaction rt_sigprocmask
	sigaltstack arch_prctl set_tid_address set_robust_list rseq ioctl exit
	exit_group futex pipe2 restart_syscall mq_open mq_unlink mq_timedsend
	mq_timedreceive mq_notify mq_getsetattr`)

// TestCoverage checks that every required system call is named as
// SYS_<name> in some program, and prints which programs cover it with -v.
func TestCoverage(t *testing.T) {
	uses := map[string][]string{}
	re := regexp.MustCompile(`\bSYS_([a-z0-9_]+)\b`)
	for _, src := range sources(t, false) {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				uses[m[1]] = append(uses[m[1]], strings.TrimSuffix(src, ".c"))
			}
		}
	}
	sort.Strings(required)
	for _, name := range required {
		if len(uses[name]) == 0 {
			t.Errorf("no program makes the raw system call %s (SYS_%s)", name, name)
			continue
		}
		t.Logf("%-18s %s", name, strings.Join(uses[name], " "))
	}
}
