//go:build !race

package gofer

// raceEnabled is set when the race detector is built in.
const raceEnabled = false
