package keras

// Callback observes a training run, like a Keras callback: the notebook's live progress bar and
// training curves are one (show.LiveTraining). Methods are called from Fit's goroutine.
type Callback interface {
	// OnEpochBegin is called before epoch (1-based) of epochs, which has steps steps.
	OnEpochBegin(epoch, epochs, steps int)
	// OnBatchEnd is called after each step with the epoch's running mean loss and accuracy.
	OnBatchEnd(step, steps int, meanLoss, meanAccuracy float64)
	// OnEpochEnd is called once the epoch is complete and saved; h holds every completed epoch.
	OnEpochEnd(epoch int, h *History)
	// OnTrainEnd is called when Fit returns, whether training completed or not.
	OnTrainEnd(h *History)
}

// Callbacks adds observers of the training run.
func (c *FitConfig) Callbacks(cbs ...Callback) *FitConfig {
	c.callbacks = append(c.callbacks, cbs...)
	return c
}
