package callbacks

import (
	"math"
	"os"
	"strings"
	"testing"
)

func TestCheckRefusesAValueWithNoCallbackMethod(t *testing.T) {
	type epochEndWithOldSignature struct{}
	if err := Check([]Callback{&History{}, TerminateOnNaN{}, &StopOnInterrupt{}, ProgbarLogger{}}); err != nil {
		t.Errorf("Fit's own callbacks: %v", err)
	}
	err := Check([]Callback{&History{}, epochEndWithOldSignature{}})
	if err == nil || !strings.Contains(err.Error(), "callback 2 (callbacks.epochEndWithOldSignature) has none of the methods") {
		t.Errorf("err = %v", err)
	}
}

func TestTheFirstStopReasonIsKept(t *testing.T) {
	run := &Run{}
	run.Stop("first")
	run.Stop("second")
	if run.StopReason() != "first" {
		t.Errorf("reason %q", run.StopReason())
	}
}

func TestTerminateOnNaNStopsOnInfinityToo(t *testing.T) {
	for _, loss := range []float64{math.Inf(1), math.Inf(-1), math.NaN()} {
		run := &Run{}
		TerminateOnNaN{}.OnChunkEnd(run, Chunk{Epoch: 3, FirstStep: 1, Step: 125, Loss: loss})
		if !strings.Contains(run.StopReason(), "in epoch 3 (steps 1–125)") {
			t.Errorf("loss %v: reason %q", loss, run.StopReason())
		}
	}
}

func TestStopOnInterruptStopsAfterTheChunk(t *testing.T) {
	s := &StopOnInterrupt{}
	run := &Run{}
	if err := s.OnTrainBegin(run); err != nil {
		t.Fatal(err)
	}
	defer s.OnTrainEnd(run)
	s.OnEpochBegin(run, 4)
	s.OnChunkEnd(run, Chunk{})
	if run.StopReason() != "" {
		t.Fatalf("stopped with no interrupt: %q", run.StopReason())
	}
	self, err := os.FindProcess(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if err := self.Signal(os.Interrupt); err != nil {
		t.Skipf("SKIP: this system cannot send an interrupt to a process (%v)", err)
	}
	// The signal arrives asynchronously: wait for it on the callback's own channel.
	s.signals <- <-s.signals
	s.OnChunkEnd(run, Chunk{})
	if run.StopReason() != "interrupted during epoch 4" {
		t.Errorf("reason %q", run.StopReason())
	}
}

func TestHistoryRecordsEachEpochAndTheStop(t *testing.T) {
	h := &History{Loss: []float64{9}} // A History reused for a new run starts empty.
	run := &Run{Epochs: 3, BatchSize: 32, History: h}
	_ = h.OnTrainBegin(run)
	_ = h.OnEpochEnd(run, Epoch{Epoch: 1, Loss: 0.5, Accuracy: 0.8, Seconds: 2})
	run.Stop("interrupted during epoch 2")
	_ = h.OnTrainEnd(run)
	if h.Completed() != 1 || h.Epochs != 3 || h.BatchSize != 32 || h.Accuracy[0] != 0.8 || h.EpochSeconds[0] != 2 ||
		h.Note() != "Note: training stopped at epoch 1 of 3 (interrupted during epoch 2); these results are for that model." {
		t.Errorf("History %+v, note %q", h, h.Note())
	}
}
