//go:build race

package gofer

// raceEnabled is set when the race detector, whose runtime makes system
// calls of its own (sometimes aborting when they fail), is built in.
const raceEnabled = true
