package lesson

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// capture runs fn and returns what it wrote to *f (os.Stdout or os.Stderr).
func capture(t *testing.T, f **os.File, fn func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := *f
	*f = w
	fn()
	w.Close()
	*f = old
	out, _ := io.ReadAll(r)
	return string(out)
}

func captureStdout(t *testing.T, fn func()) string { return capture(t, &os.Stdout, fn) }
func captureStderr(t *testing.T, fn func()) string { return capture(t, &os.Stderr, fn) }

func TestMustStopsOnError(t *testing.T) {
	code := -1
	exit = func(c int) { code = c }
	defer func() { exit = os.Exit }()
	if v := Must1(7, nil); v != 7 || code != -1 {
		t.Fatalf("Must1 without error: %d, exit %d", v, code)
	}
	out := captureStderr(t, func() { Must1(0, errors.New("boom")) })
	if code != 1 || out != "Error: boom\n" {
		t.Errorf("exit code %d, printed %q; want 1 and one Error line", code, out)
	}
}

func TestExerciseHelpers(t *testing.T) {
	var codes []int
	exit = func(c int) { codes = append(codes, c) }
	defer func() { exit = os.Exit }()
	Expect(true, "unused")
	if len(codes) != 0 {
		t.Fatalf("Expect(true) stopped")
	}
	out := captureStderr(t, func() { Expect(1+1 == 3, "your sum is %d: add again", 2) })
	if out != "Error: your sum is 2: add again\n" || len(codes) != 1 {
		t.Errorf("Expect(false) printed %q, exits %v", out, codes)
	}
	out = captureStderr(t, func() { _ = NotDone() })
	if !strings.HasPrefix(out, "Error: not done yet") || len(codes) != 2 {
		t.Errorf("NotDone printed %q, exits %v", out, codes)
	}
}

func TestAnExerciseSaysItPassed(t *testing.T) {
	Exercise("Exercise 3")
	defer Exercise("")
	if out := captureStdout(t, Passed); out != "Exercise 3: the tests pass.\n" {
		t.Errorf("Passed printed %q", out)
	}
}
