package lesson

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

func ExampleCatch() {
	// A notebook-facing function stops the cell when misused; outside a cell, Catch gets the error.
	err := Catch(func() {
		Must1(fmt.Sscan("seven", new(int)))
		fmt.Println("not reached")
	})
	fmt.Println("stopped:", err)
	// Output:
	// stopped: expected integer
}

// captureStdout runs fn and returns what it printed.
func captureStdout(t *testing.T, fn func()) string {
	t.Helper()
	r, w, _ := os.Pipe()
	old := os.Stdout
	os.Stdout = w
	fn()
	w.Close()
	os.Stdout = old
	out, _ := io.ReadAll(r)
	return string(out)
}

func TestEpochsOverrideIsAnnounced(t *testing.T) {
	t.Setenv(EnvEpochs, "")
	if got := Epochs(100); got != 100 {
		t.Errorf("unset: %d", got)
	}
	t.Setenv(EnvEpochs, "2")
	var got int
	out := captureStdout(t, func() { got = Epochs(100) })
	if got != 2 || !strings.Contains(out, "training 2 epoch(s) instead of the lesson's 100") {
		t.Errorf("LESSON_EPOCHS=2: got %d, printed %q", got, out)
	}
	t.Setenv(EnvEpochs, "zero")
	out = captureStdout(t, func() { got = Epochs(100) })
	if got != 100 || !strings.Contains(out, "not a positive number") {
		t.Errorf("LESSON_EPOCHS=zero: got %d, printed %q", got, out)
	}
}

func TestMustStopsOnError(t *testing.T) {
	code := -1
	exit = func(c int) { code = c }
	defer func() { exit = os.Exit }()
	if v := Must1(7, nil); v != 7 || code != -1 {
		t.Fatalf("Must1 without error: %d, exit %d", v, code)
	}
	Must1(0, errors.New("boom"))
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
}

func TestCatchLetsOtherPanicsThrough(t *testing.T) {
	defer func() {
		if r := recover(); r != "not a Stop" {
			t.Errorf("recovered %v, want the original panic", r)
		}
	}()
	_ = Catch(func() { panic("not a Stop") })
}

func ExampleEpochs() {
	os.Setenv(EnvEpochs, "3") // As the tests do; unset, the lesson's 100 epochs train.
	defer os.Unsetenv(EnvEpochs)
	fmt.Println(Epochs(100))
	// Output:
	// LESSON_EPOCHS=3 is set: training 3 epoch(s) instead of the lesson's 100.
	// 3
}

func TestExerciseHelpers(t *testing.T) {
	err := Catch(func() { panic(NotDone()) })
	if err == nil || !strings.Contains(err.Error(), "not done yet") {
		t.Errorf("NotDone stopped with %v", err)
	}
	if err := Catch(func() { Expect(true, "unused") }); err != nil {
		t.Errorf("Expect(true) stopped: %v", err)
	}
	err = Catch(func() { Expect(1+1 == 3, "your sum is %d: add again", 2) })
	if err == nil || err.Error() != "your sum is 2: add again" {
		t.Errorf("Expect(false) stopped with %v", err)
	}
}
