package lesson

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

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
