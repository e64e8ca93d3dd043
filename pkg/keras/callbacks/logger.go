package callbacks

import (
	"fmt"
	"io"
)

// ProgbarLogger prints one line per epoch, as Keras does, e.g.
//
//	Epoch 3/100 - 1875/1875 - loss: 0.0712 - accuracy: 0.9781 - 1.4s (0.75 ms/step)
type ProgbarLogger struct {
	W io.Writer // Where the lines go (keras.FitConfig.Output).
}

// OnEpochEnd prints the epoch's line.
func (p ProgbarLogger) OnEpochEnd(r *Run, e Epoch) error {
	_, err := fmt.Fprintf(p.W, "Epoch %d/%d - %d/%d - loss: %.4f - accuracy: %.4f - %.1fs (%.2f ms/step)\n",
		e.Epoch, r.Epochs, r.Steps, r.Steps, e.Loss, e.Accuracy, e.Seconds, e.Seconds*1000/float64(r.Steps))
	if err != nil {
		return fmt.Errorf("callbacks: writing the epoch log: %w", err)
	}
	return nil
}
