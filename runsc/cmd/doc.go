// Package cmd holds one file per runsc command: each parses its flags and
// delegates to runsc/container, runsc/sandbox or (for boot) the sentry.
package cmd
