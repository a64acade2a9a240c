package programs_test

import "testing"

// perl returns a case running `perl -e` with script.
func perl(name, script, wantStdout string) tc {
	return tc{name: name, args: []string{"perl", "-e", script}, wantStdout: wantStdout}
}

var perlCases = []tc{
	perl("hashes", `my %h; $h{$_}++ for qw(a b a c b a); print join(",", map {"$_=$h{$_}"} sort keys %h), "\n"; my %inv = reverse %h; print join(" ", map {"$_:$inv{$_}"} sort keys %inv), "\n"; delete $h{a}; print scalar(keys %h), exists $h{a} ? " yes" : " no", "\n"; my @k = sort { $h{$b} <=> $h{$a} } keys %h; print "@k\n";`,
		"a=3,b=2,c=1\n1:c 2:b 3:a\n2 no\nb c\n"),
	perl("regex", `my $s = "2026-11-22 moat v1.2.3 (x86_64)"; my ($y, $m, $d) = $s =~ /^(\d+)-(\d+)-(\d+)/; print "$d/$m/$y\n"; (my $t = $s) =~ s/(\d+)\.(\d+)\.(\d+)/$3.$2.$1/; print "$t\n"; my @w = $s =~ /\b([a-z]\w*)/g; print scalar(@w), " @w\n"; print join("|", split /\s*[ ()]\s*/, $s), "\n"; $_ = "aaa bbb"; tr/a-b/A-B/; print; print "\n"; print "named: $+{arch}\n" if $s =~ /\((?<arch>[^)]+)\)/;`,
		"22/11/2026\n2026-11-22 moat v3.2.1 (x86_64)\n3 moat v1 x86_64\n2026-11-22|moat|v1.2.3|x86_64\nAAA BBB\nnamed: x86_64\n"),
	perl("fork-wait", `$| = 1; my @p; for my $i (1..4) { my $pid = fork; die unless defined $pid; if (!$pid) { exit $i } push @p, $pid } my %st; for (@p) { waitpid($_, 0); $st{$? >> 8}++ } print join(",", sort keys %st), "\n"; print "wait: ", wait, " ", $?, "\n"; my $pid = open(my $fh, "-|") // die; if (!$pid) { print "from child\n"; exit 0 } print "read: ", <$fh>; close $fh; print "close status $?\n";`,
		"1,2,3,4\nwait: -1 -1\nread: from child\nclose status 0\n"),
	perl("sprintf-sort", `my @n = (10, 9, 100, 1, 25); print join(" ", sort @n), "\n"; print join(" ", sort { $a <=> $b } @n), "\n"; print join(" ", reverse sort { $a <=> $b } @n), "\n"; printf("%5.1f|%-5s|%05d|%+d|%o|%b|%.3e|%s\n", 3.14159, "ab", 42, 7, 8, 5, 1234.5, "end"); print sprintf("%vd", "ABC"), "\n"; my @r = map { [$_, length $_] } qw(ccc a bb); print join(",", map { $_->[0] } sort { $a->[1] <=> $b->[1] } @r), "\n";`,
		"1 10 100 25 9\n1 9 10 25 100\n100 25 10 9 1\n  3.1|ab   |00042|+7|10|101|1.234e+03|end\n65.66.67\na,bb,ccc\n"),
	perl("open-write-read", `open(my $o, ">", "/tmp/p.txt") or die; print $o "line $_\n" for 1..1000; close $o; open(my $i, "<", "/tmp/p.txt") or die; my ($n, $sum) = (0, 0); while (<$i>) { $n++; $sum += $1 if /(\d+)/ } close $i; print "$n $sum ", -s "/tmp/p.txt", "\n"; open($o, "+<", "/tmp/p.txt") or die; seek($o, 5, 0); print $o "X"; seek($o, 0, 0); read($o, my $buf, 8); print "$buf\n"; close $o; print unlink("/tmp/p.txt"), "\n"; open(my $bad, "<", "/tmp/none") or print "error: $!\n";`,
		"1000 500500 8893\nline X\nl\n1\nerror: No such file or directory\n"),
	{name: "die-exit", args: []string{"perl", "-e", `print "before\n"; die "fatal error\n";`}, wantStdout: "before\n", wantExit: 255},
	perl("sockets-signals", `use IO::Socket::UNIX; use IO::Select; $| = 1; my $p = "/tmp/s.sock"; my $srv = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => $p, Listen => 5) or die "$!"; my $pid = fork; if (!$pid) { my $c = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $p) or die; print $c "ping\n"; my $r = <$c>; print "child got $r"; exit 0 } my $c = $srv->accept; my $sel = IO::Select->new($c); my @r = $sel->can_read(5); my $l = <$c>; print "server got $l"; print $c "pong\n"; waitpid($pid, 0); print "status $?\n"; socketpair(my $a, my $b, AF_UNIX, SOCK_STREAM, 0) or die; if (!fork) { close $b; print $a "x" x 100000; exit 0 } close $a; my $n = 0; $n += length while <$b>; wait; print "pair $n\n"; local $SIG{ALRM} = sub { print "alarm\n" }; alarm 1; select(undef, undef, undef, 1.5); print "after select\n"; $SIG{USR1} = sub { print "usr1\n" }; kill "USR1", $$; print "end\n";`,
		"server got ping\nchild got pong\nstatus 0\npair 100000\nalarm\nafter select\nusr1\nend\n"),
	{name: "files", args: []string{"perl", testdata("perl", "files.pl")}},
	{name: "stdin-filter", args: []string{"perl", "-ne", `print uc if /b/; END { print "$. lines\n" }`}, stdin: "abc\ndef\nbcd\n",
		wantStdout: "ABC\nBCD\n3 lines\n"},
}

func TestPerl(t *testing.T) { runCases(t, perlCases) }
