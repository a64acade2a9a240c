// Empty: its presence lets task_park_unsafe.go declare the Go runtime
// functions it reaches with go:linkname without a body.
