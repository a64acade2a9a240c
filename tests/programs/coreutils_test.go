package programs_test

import (
	"regexp"
	"testing"
)

// mkTree is a bash prologue that builds a fixed tree in the current
// directory (a fresh one under /tmp): files of known sizes and modes, a
// subdirectory, a symlink, and lines to sort.
const mkTree = `set -e
mkdir -p tree/sub/deeper tree/empty
printf 'alpha\n' > tree/a.txt
printf 'beta beta\n' > tree/b.txt
seq 1 1000 > tree/sub/numbers
printf 'pear\napple\nfig\napple\nbanana\nfig\napple\n' > tree/sub/fruit
head -c 5000 /dev/zero > tree/sub/deeper/zeros
chmod 600 tree/b.txt; chmod 751 tree/sub; chmod 444 tree/sub/fruit
ln -s ../a.txt tree/sub/link
cd tree
`

// coreutils returns a case running mkTree then script under bash.
func coreutils(name, script, wantStdout string) tc {
	return tc{name: name, args: []string{"bash", "-c", mkTree + script}, wantStdout: wantStdout}
}

// ddRate is dd's transfer summary, the only output that depends on time.
var ddRate = regexp.MustCompile(`(?m)^[0-9]+ bytes .* copied, .*$`)

var coreutilsCases = []tc{
	coreutils("ls", `ls -1; ls -1a sub; ls -1R | head -n 21; ls -1d */; ls -l --time-style=+ sub/link | cut -d' ' -f1,5-`,
		"a.txt\nb.txt\nempty\nsub\n.\n..\ndeeper\nfruit\nlink\nnumbers\n.:\na.txt\nb.txt\nempty\nsub\n\n./empty:\n\n./sub:\ndeeper\nfruit\nlink\nnumbers\n\n./sub/deeper:\nzeros\nempty/\nsub/\nlrwxrwxrwx 8  sub/link -> ../a.txt\n"),
	coreutils("stat", `stat -c '%n %a %F %h' sub; stat -c '%n %s %a %F %h' a.txt b.txt sub/fruit sub/numbers sub/deeper/zeros; stat -L -c '%n %s' sub/link; stat -c '%N' sub/link`,
		"sub 751 directory 3\na.txt 6 644 regular file 1\nb.txt 10 600 regular file 1\nsub/fruit 38 444 regular file 1\nsub/numbers 3893 644 regular file 1\nsub/deeper/zeros 5000 644 regular file 1\nsub/link 6\n'sub/link' -> '../a.txt'\n"),
	coreutils("sort-uniq", `sort sub/fruit | uniq -c; sort -u sub/fruit | tr '\n' ' '; echo; sort -rn sub/numbers | head -n 3; sort sub/fruit | uniq -d; seq 20 | sort -R | sort -n | sha256sum`,
		"      3 apple\n      1 banana\n      2 fig\n      1 pear\napple banana fig pear \n1000\n999\n998\napple\nfig\n"+
			"b76ae83c50d6104039c80d312402af3027661e07066325526ad997daf6362bbc  -\n"),
	coreutils("checksums", `seq 1 200000 > big; head -c 3000000 /dev/zero | tr '\0' 'x' > xs; sha256sum big xs sub/numbers; md5sum big xs; cat big xs | sha256sum; sha256sum big > sums; sha256sum -c sums`, ""),
	coreutils("cp-mv", `cp -r sub copy; ls -1 copy; stat -c '%n %a' copy copy/fruit; cmp sub/numbers copy/numbers && echo same; cp -a sub/link l2; readlink l2; mv copy moved; ls -1d moved copy 2>&1 || true; mv a.txt moved/; ls moved | wc -l; mv moved/a.txt renamed && cat renamed`,
		"deeper\nfruit\nlink\nnumbers\ncopy 751\ncopy/fruit 444\nsame\n../a.txt\nls: cannot access 'copy': No such file or directory\nmoved\n5\nalpha\n").with("cmp"),
	coreutils("tar-gzip", `cd ..; tar czf t.tgz tree; tar tzf t.tgz | sort; mkdir x; tar xzf t.tgz -C x; diff -r tree x/tree && echo identical; tar cf t.tar tree; tar tf t.tar | wc -l; gzip -9 -n t.tar; gzip -t t.tar.gz && echo ok; gunzip t.tar.gz; ls t.tar*; seq 10000 | gzip -n | md5sum; seq 10000 | gzip | gunzip | tail -n 1; gzip -l t.tgz | tail -n 1 | awk '{print $4}'`,
		"tree/\ntree/a.txt\ntree/b.txt\ntree/empty/\ntree/sub/\ntree/sub/deeper/\ntree/sub/deeper/zeros\ntree/sub/fruit\ntree/sub/link\ntree/sub/numbers\nidentical\n10\nok\nt.tar\n"+
			"4ea34cba1ec282dcbb1f30b682be770c  -\n10000\nt.tar\n").with("tar", "gzip", "diff", "awk"),
	coreutils("find-xargs", `find . -type f | sort; find . -type d | sort | xargs -n1 basename; find . -name '*.txt' -print0 | sort -z | xargs -0 cat; seq 6 | xargs -n2 echo; seq 5 | xargs -P2 -I{} sh -c 'echo {}' | sort; find . -type l -printf '%p %l\n'`,
		"./a.txt\n./b.txt\n./sub/deeper/zeros\n./sub/fruit\n./sub/numbers\n.\nempty\nsub\ndeeper\nalpha\nbeta beta\n1 2\n3 4\n5 6\n1\n2\n3\n4\n5\n./sub/link ../a.txt\n").with("find", "xargs"),
	coreutils("text-tools", `head -n 3 sub/numbers; tail -n 2 sub/numbers; tail -c 4 sub/numbers; wc sub/numbers sub/fruit; wc -l < sub/numbers; echo 'a:b:c:d' | cut -d: -f2,4; echo hello | tr a-y b-z; echo 'AbC' | tr -d A; seq 5 -2 -3; seq -w 8 10; seq -s, 3; date -u -d @0; date -u -d @1700000000 '+%F %T %s %a'; printf '%05.2f|%x|%s\n' 3.14159 255 str; echo abc | rev; seq 3 > c1; seq 4 6 > c2; paste -d- c1 c2; nl -ba sub/fruit | head -n 2; expr 6 \* 7; basename /a/b.txt .txt; dirname /a/b/c`,
		"1\n2\n3\n999\n1000\n000\n1000 1000 3893 sub/numbers\n   7    7   38 sub/fruit\n1007 1007 3931 total\n1000\nb:d\nifmmp\nbC\n5\n3\n1\n-1\n-3\n08\n09\n10\n1,2,3\nThu Jan  1 00:00:00 UTC 1970\n2023-11-14 22:13:20 1700000000 Tue\n03.14|ff|str\ncba\n1-4\n2-5\n3-6\n     1\tpear\n     2\tapple\n42\nb\n/a/b\n"),
	{name: "dd", args: []string{"bash", "-c", mkTree + `dd if=/dev/zero of=z bs=64k count=100; dd if=sub/numbers of=part bs=1 skip=10 count=20 status=noxfer; cat part; echo; dd if=/dev/urandom of=r bs=1M count=2 status=none; stat -c %s z r; dd if=z bs=1M | wc -c; dd if=sub/numbers bs=100 count=1 conv=ucase status=none | head -c 8; echo; dd if=/dev/zero of=sparse bs=1 count=1 seek=1M status=none; stat -c %s sparse`},
		norm: func(s string) string { return ddRate.ReplaceAllString(s, "<bytes copied>") }},
	coreutils("links", `ln -s sub/numbers rel; ln -s /tmp abs; ln a.txt hard; stat -c '%n %h' a.txt hard; readlink rel abs; readlink -f rel | sed "s|$PWD|.|"; readlink -f sub/link | sed "s|$PWD|.|"; readlink -f /proc/self/cwd | sed "s|$PWD|.|"; ln -sf b.txt rel; cat rel; ln -s loop1 loop2; ln -s loop2 loop1; cat loop1 2>&1 | sed 's/^cat: //'; readlink -e dangling || echo missing`,
		"a.txt 2\nhard 2\nsub/numbers\n/tmp\n./sub/numbers\n./a.txt\n.\nbeta beta\nloop1: Too many levels of symbolic links\nmissing\n"),
	coreutils("du", `du -sb sub/numbers sub/deeper/zeros; du -b --apparent-size -a sub/deeper | cut -f1 | head -n1; head -c 100000 /dev/zero > f100k; du -k f100k; du -sb --exclude=empty . >/dev/null && echo ok`,
		"3893\tsub/numbers\n5000\tsub/deeper/zeros\n5000\n100\tf100k\nok\n"),
	// du -sb of a tree counts directory sizes, which tmpfs makes 40
	// bytes plus 20 per entry with no blocks; a sparse file has no
	// blocks either.
	{name: "du-dirs-and-sparse", args: []string{"bash", "-c", `mkdir -p t/a/b; echo x > t/f; seq 1000 > t/a/n; truncate -s 1M t/sparse; du -sb t; du -ab t | sort -k2; du -k t/sparse t/f; ls -l --time-style=+ t | cut -d' ' -f1,5-; stat -c '%n %s %b' t t/a t/a/b t/sparse`},
		wantStdout: "1052691\tt\n1052691\tt\n4013\tt/a\n40\tt/a/b\n3893\tt/a/n\n2\tt/f\n1048576\tt/sparse\n0\tt/sparse\n4\tt/f\n" +
			"total\ndrwxr-xr-x      80  a\n-rw-r--r--       2  f\n-rw-r--r-- 1048576  sparse\nt 100 0\nt/a 80 0\nt/a/b 40 0\nt/sparse 1048576 0\n"},
	coreutils("rm-mkdir", `mkdir -p a/b/c; rmdir a/b/c; rm -r a; ls -1d a 2>&1 || true; rmdir sub 2>&1 || true; rm -rf sub; find . | sort; mktemp -d -p . | grep -c 'tmp\.'; touch -d @86400 old; stat -c %Y old; truncate -s 10k big; stat -c %s big; shred -u big && echo shredded`,
		"ls: cannot access 'a': No such file or directory\nrmdir: failed to remove 'sub': Directory not empty\n.\n./a.txt\n./b.txt\n./empty\n1\n86400\n10240\nshredded\n"),
	// Megabytes through the harness's stdout pipe and between programs.
	{name: "big-output", args: []string{"seq", "1", "1000000"}},
	{name: "big-pipes", args: []string{"bash", "-c", "yes | head -c 50000000 | wc -c; seq 1 1000000 | md5sum; head -c 20000000 /dev/zero | gzip -1 | gunzip | wc -c"},
		wantStdout: "50000000\n8a7095c1c23bfadc311fe6b16d950582  -\n20000000\n"},
	{name: "sha256-of-stdin", args: []string{"sha256sum"}, stdin: "moat\n",
		wantStdout: "a5cb3d7e5e70e400791958b84af06a215985ae4470424570fdd12f5b44347120  -\n"},
}

func TestCoreutils(t *testing.T) { runCases(t, coreutilsCases) }
