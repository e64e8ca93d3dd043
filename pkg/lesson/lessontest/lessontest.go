// Package lessontest checks, in a test, that a notebook-facing function stops its cell the
// lesson's way (lesson.Stop): one line "Error: …" on stderr, exit status 1, no Go stack trace.
// Since Stop ends the process, each case runs in a new process of the test binary itself.
package lessontest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// envCase names the case a child process of the test binary runs.
const envCase = "LESSONTEST_CASE"

// Case is one call that must stop the cell with a message containing Want.
type Case struct {
	Name string
	Call func()
	Want string
}

// ExpectStops runs each case's Call in a new process of the test binary (running only the
// calling test) and checks that it stops the lesson's way with its Want in the message. The
// calling test must be a top-level Test function and must call ExpectStops before anything
// else with side effects: the child process runs the test again, up to here.
func ExpectStops(t *testing.T, cases ...Case) {
	t.Helper()
	runChild(cases)
	for _, c := range cases {
		if p := problem(t.Name(), c); p != "" {
			t.Errorf("%s: %s", c.Name, p)
		}
	}
}

// runChild, in a child process, runs the case it was started for and exits: 0 when the call
// returned, which the parent reports. In the parent it does nothing.
func runChild(cases []Case) {
	name := os.Getenv(envCase)
	if name == "" {
		return
	}
	for _, c := range cases {
		if c.Name == name {
			c.Call()
			os.Exit(0)
		}
	}
	os.Exit(3)
}

// problem runs c in a child process of the test binary, running test, and says what is wrong
// with how it ended, or returns "".
func problem(test string, c Case) string {
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), envCase+"="+c.Name)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
	} else if err != nil {
		return err.Error()
	}
	out := stderr.String()
	if code != 1 || !strings.HasPrefix(out, "Error: ") || strings.Count(out, "\n") != 1 || !strings.Contains(out, c.Want) {
		return fmt.Sprintf("exit status %d, stderr %q; want status 1 and one line \"Error: …%s…\"", code, out, c.Want)
	}
	return ""
}
