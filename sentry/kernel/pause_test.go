package kernel

import (
	"errors"
	"testing"
	"time"
)

// TestPauseParksTasks drives the pause protocol the run loop follows:
// Pause waits for a task in application code to come back, a task that
// tries to enter while paused parks until Resume, and wrong transitions
// fail.
func TestPauseParksTasks(t *testing.T) {
	k := &Kernel{tasks: map[int32]*Task{}}
	task := &Task{k: k, tg: &ThreadGroup{}, wake: make(chan struct{}, 1)}
	k.tasks[1] = task

	if !k.enterApp(task) {
		t.Fatal("enterApp refused while running")
	}
	paused := make(chan error, 1)
	go func() { paused <- k.Pause() }()
	select {
	case err := <-paused:
		t.Fatalf("Pause returned (%v) while a task was in application code", err)
	case <-time.After(50 * time.Millisecond):
	}
	// The interrupt reached the task (its wake channel); it comes back.
	select {
	case <-task.wake:
	default:
		t.Error("Pause did not interrupt the task")
	}
	k.leaveApp()
	if err := <-paused; err != nil {
		t.Fatal(err)
	}
	if !k.Paused() {
		t.Error("Paused() is false after Pause")
	}
	if err := k.Pause(); !errors.Is(err, ErrPaused) {
		t.Errorf("second Pause: %v", err)
	}

	entered := make(chan bool, 1)
	go func() { entered <- k.enterApp(task) }()
	select {
	case ok := <-entered:
		t.Fatalf("enterApp returned %v while paused", ok)
	case <-time.After(50 * time.Millisecond):
	}
	// A wake-up that is not an exit (a signal) leaves it parked.
	task.interrupt()
	select {
	case ok := <-entered:
		t.Fatalf("enterApp returned %v after a mere wake-up", ok)
	case <-time.After(50 * time.Millisecond):
	}
	if err := k.Resume(); err != nil {
		t.Fatal(err)
	}
	if ok := <-entered; ok {
		t.Error("a parked task must go round its loop before entering")
	}
	if !k.enterApp(task) {
		t.Error("enterApp refused after Resume")
	}
	k.leaveApp()
	if err := k.Resume(); !errors.Is(err, ErrNotPaused) {
		t.Errorf("Resume while running: %v", err)
	}

	// An exiting task does not stay parked.
	if err := k.Pause(); err != nil {
		t.Fatal(err)
	}
	go func() { entered <- k.enterApp(task) }()
	task.tg.mu.Lock()
	task.tg.exiting = true
	task.tg.mu.Unlock()
	task.interrupt()
	select {
	case <-entered:
	case <-time.After(5 * time.Second):
		t.Fatal("an exiting task stayed parked")
	}
	k.Resume()
}
