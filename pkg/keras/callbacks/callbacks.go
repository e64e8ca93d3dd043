package callbacks

import (
	"fmt"
	"reflect"
)

// Callback observes a training run, like a Keras callback: any value that implements at least
// one of TrainBeginner, EpochBeginner, ChunkEnder, EpochEnder and TrainEnder. Fit calls the
// methods a callback has, from its own goroutine, in the order the callbacks were given; Check
// refuses a value that implements none.
type Callback any

// TrainBeginner is called once before the first epoch. An error ends training before it starts.
type TrainBeginner interface {
	OnTrainBegin(r *Run) error
}

// EpochBeginner is called before each epoch (1-based).
type EpochBeginner interface {
	OnEpochBegin(r *Run, epoch int)
}

// ChunkEnder is called after each chunk of training steps that ran in one compiled call (125
// steps on XLA CPU, 5 on the Go backend: see keras.DefaultStepsPerCall), not after each batch:
// the steps of a chunk run on the device without returning to Go in between.
type ChunkEnder interface {
	OnChunkEnd(r *Run, c Chunk)
}

// EpochEnder is called when an epoch is complete. An error ends training (Fit returns it).
type EpochEnder interface {
	OnEpochEnd(r *Run, e Epoch) error
}

// TrainEnder is called when training ends, whether it completed, was stopped or failed; r.Err
// says which. An error is returned by Fit when training itself did not fail.
type TrainEnder interface {
	OnTrainEnd(r *Run) error
}

// Chunk is what one chunk of steps measured.
type Chunk struct {
	Epoch        int     // 1-based.
	FirstStep    int     // The chunk's first step in the epoch, 1-based.
	Step         int     // The chunk's last step: steps 1..Step of the epoch are done.
	Loss         float64 // Mean batch loss over the chunk's steps (NaN or ±Inf when training diverges).
	MeanLoss     float64 // Mean batch loss over the epoch's steps so far.
	MeanAccuracy float64 // Mean batch accuracy over the epoch's steps so far.
}

// Epoch is what one complete epoch measured (Keras' logs at on_epoch_end).
type Epoch struct {
	Epoch    int     // 1-based.
	Loss     float64 // Mean training loss over the epoch's batches.
	Accuracy float64 // Mean training accuracy over the epoch's batches.
	Seconds  float64 // Wall time of the epoch.
}

// Run is one training run as callbacks see it (Keras gives its callbacks self.params and
// self.model): what was asked for, the History filled so far, and Stop.
type Run struct {
	Epochs    int      // Epochs asked for.
	Steps     int      // Training steps (batches) per epoch.
	BatchSize int      // Examples per step.
	History   *History // Every completed epoch, filled by Fit's History callback before the others run.
	Err       error    // Set before OnTrainEnd when training failed or stopped: how Fit will return.

	stopReason string
}

// Stop asks Fit to end training after the current chunk of steps (or, from OnEpochEnd, after this
// epoch): the one stop flag, as Keras' model.stop_training = True. The first reason given is
// kept; reason says what happened, e.g. "interrupted during epoch 7".
func (r *Run) Stop(reason string) {
	if r.stopReason == "" {
		r.stopReason = reason
	}
}

// StopReason returns the reason given to Stop, or "" while training goes on.
func (r *Run) StopReason() string { return r.stopReason }

// Check returns an error naming each callback that implements none of the callback interfaces,
// e.g. one whose method has a signature of an older version: it would be silently never called.
func Check(cbs []Callback) error {
	for i, cb := range cbs {
		switch cb.(type) {
		case TrainBeginner, EpochBeginner, ChunkEnder, EpochEnder, TrainEnder:
		default:
			return fmt.Errorf("callbacks: callback %d (%v) has none of the methods OnTrainBegin, OnEpochBegin, "+
				"OnChunkEnd, OnEpochEnd, OnTrainEnd with their signatures in package callbacks", i+1, reflect.TypeOf(cb))
		}
	}
	return nil
}
