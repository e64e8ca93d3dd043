package callbacks

import (
	"fmt"
	"math"
	"os"
	"os/signal"
)

// TerminateOnNaN stops training as soon as a chunk's loss is NaN or infinite, as Keras'
// TerminateOnNaN does: the weights are then NaN too, and nothing later can recover.
type TerminateOnNaN struct{}

// OnChunkEnd stops the run when the chunk's loss is not finite.
func (TerminateOnNaN) OnChunkEnd(r *Run, c Chunk) {
	if math.IsNaN(c.Loss) || math.IsInf(c.Loss, 0) {
		r.Stop(fmt.Sprintf("the loss became %v in epoch %d (steps %d–%d): training diverged, "+
			"or the data holds NaN or infinite values", c.Loss, c.Epoch, c.FirstStep, c.Step))
	}
}

// StopOnInterrupt stops training after the current chunk when the process gets an interrupt
// (SIGINT: Jupyter's Interrupt Kernel, which GoNB passes on to the cell's process and follows
// with a kill 5 s later), instead of dying with the epoch half done.
type StopOnInterrupt struct {
	signals chan os.Signal
	epoch   int
}

// OnTrainBegin starts listening for interrupts.
func (s *StopOnInterrupt) OnTrainBegin(*Run) error {
	s.signals = make(chan os.Signal, 1)
	signal.Notify(s.signals, os.Interrupt)
	return nil
}

// OnEpochBegin remembers the epoch, for the reason.
func (s *StopOnInterrupt) OnEpochBegin(_ *Run, epoch int) { s.epoch = epoch }

// OnChunkEnd stops the run if an interrupt came.
func (s *StopOnInterrupt) OnChunkEnd(r *Run, _ Chunk) {
	select {
	case <-s.signals:
		r.Stop(fmt.Sprintf("interrupted during epoch %d", s.epoch))
	default:
	}
}

// OnTrainEnd stops listening: interrupts after training end the process as usual.
func (s *StopOnInterrupt) OnTrainEnd(*Run) error {
	signal.Stop(s.signals)
	return nil
}
