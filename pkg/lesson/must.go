package lesson

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
)

// exit ends the cell's process; a variable so tests can observe it.
var exit = os.Exit

// catching counts the Catch calls running: then Stop hands its error to Catch instead of exiting.
var catching atomic.Int32

// stopped carries a Stop's error to Catch.
type stopped struct{ err error }

// Stop ends the cell with err's message, "Error: …", and no Go stack trace (inside Catch, it
// returns the error to Catch instead). It does nothing when err is nil. It ends the process, so
// deferred calls do not run: a function that must clean up does it before calling Stop.
func Stop(err error) {
	if err == nil {
		return
	}
	if catching.Load() > 0 {
		panic(stopped{err})
	}
	fmt.Fprintf(os.Stderr, "Error: %v\n", err)
	exit(1)
}

// Catch runs f and returns the error f stopped with (see Stop), or nil.
func Catch(f func()) (err error) {
	catching.Add(1)
	defer func() {
		catching.Add(-1)
		if r := recover(); r != nil {
			s, ok := r.(stopped)
			if !ok {
				panic(r)
			}
			err = s.err
		}
	}()
	f()
	return nil
}

// Must stops the cell with err's message when err is not nil (see Stop).
func Must(err error) { Stop(err) }

// Must1 returns v, or stops the cell with err's message.
func Must1[T any](v T, err error) T {
	Stop(err)
	return v
}

// Must2 returns a and b, or stops the cell with err's message.
func Must2[A, B any](a A, b B, err error) (A, B) {
	Stop(err)
	return a, b
}

// Must4 returns its four values, or stops the cell with err's message.
func Must4[A, B, C, D any](a A, b B, c C, d D, err error) (A, B, C, D) {
	Stop(err)
	return a, b, c, d
}

// NotDone stops the cell with "not done yet": the exercises' starting code (nbgrader's stub in
// the student version) is `panic(lesson.NotDone())`, which compiles wherever code may go, since
// panic ends a function, and stops the cell cleanly before the panic runs.
func NotDone() any {
	Stop(errors.New("not done yet: write your code in place of `panic(lesson.NotDone())` in this cell, then run it again"))
	return "not done yet"
}

// Expect stops the cell with the message when ok is false: the exercises' tests use it, so that
// a failed check says, in one line, what is wrong and how to fix it.
func Expect(ok bool, format string, args ...any) {
	if !ok {
		Stop(fmt.Errorf(format, args...))
	}
}
