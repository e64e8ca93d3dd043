package callbacks

import (
	"fmt"
	"io"
	"time"
)

// Callback observes a training run, like a Keras callback. keras' Fit always runs two of its own
// first: ProgbarLogger (the epoch lines) and keras.ModelCheckpoint (saving each epoch); the
// notebook adds the live progress bar and curves (show.LiveTraining). Embed BaseCallback to
// implement only the methods you need. Methods are called from Fit's goroutine.
type Callback interface {
	// OnTrainBegin is called once before the first epoch; h is the History Fit will fill.
	OnTrainBegin(h *History)
	// OnEpochBegin is called before epoch (1-based) of epochs, which has steps steps.
	OnEpochBegin(epoch, epochs, steps int)
	// OnBatchEnd is called after each chunk of steps with the epoch's running mean loss and accuracy.
	OnBatchEnd(step, steps int, meanLoss, meanAccuracy float64)
	// OnEpochEnd is called once the epoch is complete; h holds every completed epoch. An error
	// stops training (Fit returns it).
	OnEpochEnd(epoch int, h *History) error
	// OnTrainEnd is called when Fit returns, whether training completed or not.
	OnTrainEnd(h *History)
}

// BaseCallback does nothing; embed it in a callback that needs only some of the methods.
type BaseCallback struct{}

func (BaseCallback) OnTrainBegin(*History)                 {}
func (BaseCallback) OnEpochBegin(int, int, int)            {}
func (BaseCallback) OnBatchEnd(int, int, float64, float64) {}
func (BaseCallback) OnEpochEnd(int, *History) error        { return nil }
func (BaseCallback) OnTrainEnd(*History)                   {}

var _ Callback = BaseCallback{}

// ProgbarLogger prints one line per epoch, as Keras does, e.g.
//
//	Epoch 3/100 - 1875/1875 - loss: 0.0712 - accuracy: 0.9781 - 1.4s (0.75 ms/step)
type ProgbarLogger struct {
	BaseCallback
	W     io.Writer // Where the lines go (keras.FitConfig.Output).
	steps int
}

func (p *ProgbarLogger) OnEpochBegin(_, _, steps int) { p.steps = steps }

func (p *ProgbarLogger) OnEpochEnd(epoch int, h *History) error {
	last := h.Completed() - 1
	elapsed := time.Duration(h.EpochSeconds[last] * float64(time.Second))
	_, err := fmt.Fprintf(p.W, "Epoch %d/%d - %d/%d - loss: %.4f - accuracy: %.4f - %.1fs (%.2f ms/step)\n",
		epoch, h.Epochs, p.steps, p.steps, h.Loss[last], h.Accuracy[last], elapsed.Seconds(),
		float64(elapsed.Microseconds())/1000/float64(p.steps))
	if err != nil {
		return fmt.Errorf("keras: writing the epoch log: %w", err)
	}
	return nil
}
