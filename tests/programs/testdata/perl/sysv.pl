# System V IPC through perl's IPC::SysV, IPC::SharedMem, IPC::Semaphore
# and IPC::Msg: a segment written by a forked child, semaphores with
# SEM_UNDO undone at the child's exit, typed messages between processes.
use strict;
use warnings;
use IPC::SysV qw(IPC_PRIVATE IPC_CREAT IPC_NOWAIT SEM_UNDO S_IRUSR S_IWUSR);
use IPC::SharedMem;
use IPC::Semaphore;
use IPC::Msg;
$| = 1;

my $shm = IPC::SharedMem->new(IPC_PRIVATE, 8192, S_IRUSR | S_IWUSR) or die "shmget: $!";
print "shm id ", $shm->id, "\n";
$shm->write("parent wrote this", 0, 17) or die "shmwrite: $!";
my $sem = IPC::Semaphore->new(IPC_PRIVATE, 2, S_IRUSR | S_IWUSR | IPC_CREAT) or die "semget: $!";
$sem->setall(5, 0) or die "setall: $!";
my $msg = IPC::Msg->new(IPC_PRIVATE, S_IRUSR | S_IWUSR) or die "msgget: $!";

my $pid = fork // die "fork: $!";
if (!$pid) {
	my $seen = $shm->read(0, 17);
	$shm->write("child says: $seen", 100, 29);
	$sem->op(0, -2, SEM_UNDO) or die "child semop: $!";
	$msg->snd(2, "second type") or die "snd: $!";
	$msg->snd(1, "first type") or die "snd: $!";
	$sem->op(1, 1, 0);    # let the parent go on
	$msg->rcv(my $bye, 100, 9) or die "child rcv: $!";    # until it says bye
	exit 7;
}
$sem->op(1, -1, 0) or die "parent semop: $!";
print "child holds: ", join(",", $sem->getall), "\n";
my $buf;
$msg->rcv($buf, 100, 1) or die "rcv: $!";
print "type 1: $buf\n";
$msg->rcv($buf, 100, 0) or die "rcv: $!";
print "then: $buf\n";
print "nothing left: ", (defined $msg->rcv($buf, 100, 0, IPC_NOWAIT) ? "no" : "yes ($!)"), "\n";
$msg->snd(9, "bye") or die "snd: $!";
waitpid($pid, 0);
print "child exit ", $? >> 8, "\n";
print "after exit (undo): ", join(",", $sem->getall), "\n";
print "segment: ", $shm->read(100, 29), "\n";
my $ds = $shm->stat;
print "segsz ", $ds->segsz, " nattch ", $ds->nattch, " mode ", sprintf("%o", $ds->mode & 0777), "\n";
my $qs = $msg->stat;
print "qnum ", $qs->qnum, " qbytes ", $qs->qbytes, "\n";
$shm->remove;
$sem->remove;
$msg->remove;
print "stat after remove: ", (defined $sem->stat ? "still there" : "$!"), "\n";
