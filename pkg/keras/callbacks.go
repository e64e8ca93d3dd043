package keras

import "mnistlesson/pkg/keras/callbacks"

// The observers of Fit and the History it fills live in package callbacks (Keras'
// keras.callbacks), which does not import GoMLX; these are the same types under keras' names.
type (
	// Callback observes a training run: see callbacks.Callback.
	Callback = callbacks.Callback
	// BaseCallback does nothing; embed it in a callback that needs only some of the methods.
	BaseCallback = callbacks.BaseCallback
	// ProgbarLogger prints one line per epoch, as Keras does.
	ProgbarLogger = callbacks.ProgbarLogger
	// History holds what Fit measured at each epoch (Keras' History.history).
	History = callbacks.History
)

// LoadHistory reads the History that Fit saved in dir.
func LoadHistory(dir string) (*History, error) { return callbacks.LoadHistory(dir) }

// Callbacks adds observers of the training run, after Fit's own.
func (c *FitConfig) Callbacks(cbs ...Callback) *FitConfig {
	c.callbacks = append(c.callbacks, cbs...)
	return c
}
