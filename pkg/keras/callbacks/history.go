package callbacks

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"mnistlesson/pkg/atomicfile"
)

// historyFile is the name of the History saved beside the weights.
const historyFile = "history.json"

// History holds what Fit measured at each epoch, the counterpart of Keras' History.history. It
// is a callback, as in Keras: Fit runs one before all others and returns it.
type History struct {
	Loss         []float64 `json:"loss"`          // Mean training loss of each epoch.
	Accuracy     []float64 `json:"accuracy"`      // Mean training accuracy of each epoch.
	EpochSeconds []float64 `json:"epoch_seconds"` // Wall time of each epoch.
	Epochs       int       `json:"epochs"`        // Epochs asked for; len(Loss) is how many completed.
	BatchSize    int       `json:"batch_size"`
	Backend      string    `json:"backend"`
	StepsPerCall int       `json:"steps_per_call"`    // Training steps per compiled call (StepsPerCall or UnrolledStepsPerCall).
	StepsInLoop  bool      `json:"steps_in_loop"`     // Whether those steps ran in a graph While loop (else unrolled).
	Stopped      string    `json:"stopped,omitempty"` // Why training ended early, if it did.
}

// OnTrainBegin records what the run asked for and starts an empty record.
func (h *History) OnTrainBegin(r *Run) error {
	h.Epochs, h.BatchSize = r.Epochs, r.BatchSize
	h.Loss, h.Accuracy, h.EpochSeconds, h.Stopped = nil, nil, nil, ""
	return nil
}

// OnEpochEnd records the epoch.
func (h *History) OnEpochEnd(_ *Run, e Epoch) error {
	h.Loss = append(h.Loss, e.Loss)
	h.Accuracy = append(h.Accuracy, e.Accuracy)
	h.EpochSeconds = append(h.EpochSeconds, e.Seconds)
	return nil
}

// OnTrainEnd records why training stopped early, if it did.
func (h *History) OnTrainEnd(r *Run) error {
	h.Stopped = r.StopReason()
	return nil
}

// Note returns a one-line reminder when training did not complete all its epochs, else "".
func (h *History) Note() string {
	if h.Stopped == "" && h.Completed() >= h.Epochs {
		return ""
	}
	return fmt.Sprintf("Note: training stopped at epoch %d of %d (%s); these results are for that model.",
		h.Completed(), h.Epochs, h.Stopped)
}

// Completed returns the number of epochs that finished.
func (h *History) Completed() int { return len(h.Loss) }

// Save writes the History to dir (as history.json, beside the weights), atomically: a reader
// sees the previous History or this one, never half of one.
func (h *History) Save(dir string) error {
	data, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return fmt.Errorf("callbacks: encoding the History: %w", err)
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, historyFile), data); err != nil {
		return fmt.Errorf("callbacks: saving the History: %w", err)
	}
	return nil
}

// LoadHistory reads the History that keras' Fit saved in dir.
func LoadHistory(dir string) (*History, error) {
	data, err := os.ReadFile(filepath.Join(dir, historyFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("callbacks: no training history in %s: train the model first (run the model.Fit cell)", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("callbacks: reading the training history: %w", err)
	}
	h := &History{}
	if err := json.Unmarshal(data, h); err != nil {
		return nil, fmt.Errorf("callbacks: %s is damaged (%v): train the model again (run the model.Fit cell)",
			filepath.Join(dir, historyFile), err)
	}
	return h, nil
}
