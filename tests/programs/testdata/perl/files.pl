# Perl's file and process work: open/write/read/append, directory
# listing, stat, rename/unlink, fork with a pipe, wait statuses, exec,
# system and backticks, %ENV, sort by value, local $/, sprintf, pack.
use strict;
use warnings;

my $dir = "/tmp/perl-files";
mkdir $dir or die "mkdir: $!";
chdir $dir or die "chdir: $!";
open(my $fh, '>', 'data.txt') or die "open: $!";
printf $fh "%03d %s\n", $_, ('x' x $_) for 1 .. 5;
close $fh;
open($fh, '>>', 'data.txt') or die;
print $fh "appended\n";
close $fh;
open($fh, '<', 'data.txt') or die;
my @lines = <$fh>;
close $fh;
print "lines: ", scalar(@lines), " last: $lines[-1]";
my @st = stat('data.txt');
printf "size %d mode %o\n", $st[7], $st[2] & 07777;
{
	local $/;
	open($fh, '<', 'data.txt') or die;
	my $all = <$fh>;
	close $fh;
	print "slurp length: ", length($all), "\n";
}
rename 'data.txt', 'moved.txt' or die;
open($fh, '>', "f$_") && close($fh) for 1 .. 3;
opendir(my $dh, '.') or die;
print "dir: ", join(',', sort grep { !/^\./ } readdir $dh), "\n";
closedir $dh;
print "unlinked: ", unlink(glob('f*')), "\n";
print "exists: ", (-e 'moved.txt' ? 1 : 0), (-d '.' ? 1 : 0), (-e 'data.txt' ? 1 : 0), "\n";

pipe(my $r, my $w) or die;
my $pid = fork // die "fork: $!";
if ($pid == 0) {
	close $r;
	print $w "child says hi\n";
	close $w;
	exit 7;
}
close $w;
my $msg = <$r>;
close $r;
waitpid($pid, 0);
print "from child: $msg", "status: ", $? >> 8, "\n";

my @kids;
for my $n (1 .. 5) {
	my $p = fork // die;
	if (!$p) { exit $n * 10 }
	push @kids, $p;
}
my @codes = sort { $a <=> $b } map { waitpid($_, 0); $? >> 8 } @kids;
print "codes: @codes\n";
print "wait none: ", wait(), "\n";

$pid = fork // die;
if (!$pid) { kill 'TERM', $$; sleep 5; exit 0 }
waitpid($pid, 0);
print "signalled: ", $? & 127, "\n";

$ENV{MOAT_PERL} = "inherited";
print "backticks: ", `echo \$MOAT_PERL`;
my $rc = system('sh', '-c', 'exit 3');
print "system: ", $rc >> 8, "\n";
my $out = `printf 'c\nb\na\n' | sort`;
print "sorted by child: ", join('', split /\n/, $out), "\n";

my %score = (alice => 3, bob => 1, carol => 2, dave => 3);
print "by score: ", join(' ', sort { $score{$b} <=> $score{$a} || $a cmp $b } keys %score), "\n";
print "sprintf: ", sprintf("%-6s|%6.2f|%x|%e|%s", "ab", 3.14159, 255, 12345.678, join(',', (1) x 3)), "\n";
print "pack: ", unpack('H*', pack('NnC', 0xdeadbeef, 513, 7)), "\n";
chdir '/';
unlink "$dir/moved.txt";
rmdir $dir or die "rmdir: $!";
print "cleaned: ", (-e $dir ? 0 : 1), "\n";
