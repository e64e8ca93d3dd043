package lesson

import (
	"fmt"
	"os"
)

// exit ends the cell's process; a variable so tests can observe it.
var exit = os.Exit

// Must stops the cell with err's message (no Go stack trace) when err is not nil. A notebook
// cell has nobody to return an error to, so the message itself must say what to do.
func Must(err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "Error: %v\n", err)
		exit(1)
	}
}

// Must1 returns v, or stops the cell with err's message.
func Must1[T any](v T, err error) T {
	Must(err)
	return v
}

// Must2 returns a and b, or stops the cell with err's message.
func Must2[A, B any](a A, b B, err error) (A, B) {
	Must(err)
	return a, b
}

// Must4 returns its four values, or stops the cell with err's message.
func Must4[A, B, C, D any](a A, b B, c C, d D, err error) (A, B, C, D) {
	Must(err)
	return a, b, c, d
}
