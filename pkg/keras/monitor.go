package keras

import (
	"math"

	"mnistlesson/pkg/classboard"
	"mnistlesson/pkg/keras/callbacks"
)

// RemoteMonitor streams a training run to the class board through Client, as Keras'
// RemoteMonitor streams epochs to a server: the run's start, each epoch's loss and accuracy, a
// loss that became NaN or infinite, and the run's end with its reason. Fit adds one by itself on
// a class hub, with the process's client (classboard.FromEnv); elsewhere it is never made.
// Sending queues each report, so training does not wait for the board; the run's end waits,
// within the process's budget (classboard.Budget).
type RemoteMonitor struct {
	Client *classboard.Client
	run    *classboard.Run
}

// OnTrainBegin reports that a training of the run's epochs begins.
func (m *RemoteMonitor) OnTrainBegin(r *callbacks.Run) error {
	m.run = m.Client.Train(r.Epochs)
	return nil
}

// OnChunkEnd reports a chunk whose loss is not finite, as the epoch's loss: the board shows the
// training as diverged (TerminateOnNaN stops it before the epoch ends).
func (m *RemoteMonitor) OnChunkEnd(_ *callbacks.Run, c callbacks.Chunk) {
	if math.IsNaN(c.Loss) || math.IsInf(c.Loss, 0) {
		m.run.Epoch(c.Epoch, c.Loss, c.MeanAccuracy)
	}
}

// OnEpochEnd reports the epoch's training loss and accuracy.
func (m *RemoteMonitor) OnEpochEnd(_ *callbacks.Run, e callbacks.Epoch) error {
	m.run.Epoch(e.Epoch, e.Loss, e.Accuracy)
	return nil
}

// OnTrainEnd reports the end: the last completed epoch and why training stopped, if it did.
func (m *RemoteMonitor) OnTrainEnd(r *callbacks.Run) error {
	reason := r.StopReason()
	if reason == "" && r.Err != nil {
		reason = r.Err.Error()
	}
	m.run.End(r.History.Completed(), reason)
	return nil
}
