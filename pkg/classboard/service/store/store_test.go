package store

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"mnistlesson/pkg/classboard"
)

func TestAddEachSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "board.sqlite")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 9, 0, 0, 123_456_789, time.UTC)
	in := []classboard.Report{
		{Kind: classboard.KindStep, Step: classboard.StepData},
		{Kind: classboard.KindModel, Layers: "784 → 64 (relu) → 32 (relu) → 10 (softmax)", Params: 52650},
		{Kind: classboard.KindEpoch, Run: "r1", Epoch: 1, Epochs: 100, Loss: math.NaN(), Accuracy: 0.1},
	}
	recs, err := s.Add(context.Background(), "minji", at, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0].ID >= recs[2].ID || recs[0].User != "minji" {
		t.Fatalf("records: %+v", recs)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(context.Background(), "minji", at, in); err != ErrClosed {
		t.Errorf("Add after Close: %v, want ErrClosed", err)
	}

	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got []Record
	if err := s.Each(context.Background(), func(r Record) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("after reopening: %d records, want 3", len(got))
	}
	if !got[0].At.Equal(at.Truncate(time.Millisecond)) {
		t.Errorf("time: %v, want %v", got[0].At, at.Truncate(time.Millisecond))
	}
	if got[1].Report != in[1] {
		t.Errorf("model report: %+v, want %+v", got[1].Report, in[1])
	}
	if !math.IsNaN(got[2].Report.Loss) {
		t.Errorf("a NaN loss came back as %v", got[2].Report.Loss)
	}
}

// Concurrent adds are grouped into few transactions and none is lost.
func TestConcurrentAdds(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "board.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const users, each = 30, 20
	var wg sync.WaitGroup
	for u := range users {
		wg.Go(func() {
			for e := range each {
				r := classboard.Report{Kind: classboard.KindEpoch, Run: "r", Epoch: e + 1, Epochs: each, Loss: 0.5, Accuracy: 0.9}
				if _, err := s.Add(context.Background(), fmt.Sprintf("s%02d", u), time.Now(), []classboard.Report{r}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	counts, err := s.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != users {
		t.Fatalf("%d users stored, want %d", len(counts), users)
	}
	for u, n := range counts {
		if n != each {
			t.Errorf("%s: %d reports stored, want %d", u, n, each)
		}
	}
}

func TestAddHonoursContext(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "board.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Add(ctx, "x", time.Now(), []classboard.Report{{Kind: classboard.KindStep}}); err == nil {
		// The add may win the race with the cancelled context; either way nothing hangs.
		t.Log("stored despite a cancelled context (allowed)")
	}
}
