package lesson

import (
	"errors"
	"fmt"
	"os"

	"mnistlesson/pkg/classboard"
)

// exit ends the cell's process; a variable so that this package's tests can observe it.
var exit = os.Exit

// Stop ends the cell with err's message, "Error: …", on stderr and exit status 1, and no Go
// stack trace. It does nothing when err is nil.
//
// It is the one place where the lesson's code ends a process. Libraries return errors; only the
// notebook's edge calls Stop: the notebook itself (through Must…), the notebook-facing functions
// of prep and show, and the exercises' checks (Expect). It ends the process at once, so deferred
// calls do not run: call it where nothing is left to clean up, as those do.
func Stop(err error) {
	if err == nil {
		return
	}
	line := fmt.Sprintf("Error: %v", err)
	fmt.Fprintln(os.Stderr, line)
	classboard.ErrorLine(line) // On a class hub, the teacher's board shows it (at most 100 ms).
	exit(1)
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

// exercise is the exercise whose tests run (Exercise), for Expect and Passed.
var exercise string

// Exercise names the exercise whose tests follow, e.g. "Exercise 1": its tests cell starts with
// it, so that Expect's failures and Passed are reported under that name (on a class hub, the
// teacher's board counts each exercise's checks).
func Exercise(name string) { exercise = name }

// Expect stops the cell with the message when ok is false: the exercises' tests use it, so that
// a failed check says, in one line, what is wrong and how to fix it.
func Expect(ok bool, format string, args ...any) {
	if !ok {
		err := fmt.Errorf(format, args...)
		if exercise != "" {
			classboard.Check(exercise, false, err.Error())
		}
		Stop(err)
	}
}

// Passed ends an exercise's tests cell: it prints "Exercise 1: the tests pass." (with the name
// given to Exercise) and reports the exercise passed.
func Passed() {
	fmt.Printf("%s: the tests pass.\n", exercise)
	classboard.Check(exercise, true, "")
}
