package lessontest

import (
	"errors"
	"testing"

	"mnistlesson/pkg/lesson"
)

func TestExpectStopsSeesAStop(t *testing.T) {
	ExpectStops(t,
		Case{Name: "must", Call: func() { lesson.Must(errors.New("boom: do this")) }, Want: "boom: do this"},
		Case{Name: "expect", Call: func() { lesson.Expect(false, "%d is odd", 3) }, Want: "3 is odd"},
	)
}

// A call that returns instead of stopping is reported, and so is a panic (a stack trace) or a
// stop with another message.
func TestExpectStopsSeesOtherEndings(t *testing.T) {
	cases := []Case{
		{Name: "returns", Call: func() {}, Want: ""},
		{Name: "panics", Call: func() { panic("boom") }, Want: "boom"},
		{Name: "other message", Call: func() { lesson.Must(errors.New("bang")) }, Want: "boom"},
	}
	runChild(cases)
	for _, c := range cases {
		if p := problem(t.Name(), c); p == "" {
			t.Errorf("%s: not reported", c.Name)
		}
	}
}
