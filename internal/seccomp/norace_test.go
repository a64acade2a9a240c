//go:build !race

package seccomp

// raceEnabled is set when the race detector is built in.
const raceEnabled = false
