package classboard

// The calls the lesson's packages make, one per event, on the process's Client (FromEnv). Off a
// class hub each costs a nil check: no goroutine, no allocation, no system call.
//
// On the hub, the calls marked "waits" post their report before returning (Client.Report),
// holding the cell at most what is left of the process's Budget (100 ms in all): about 1 ms on
// the loopback when the board is up, and nothing once the budget is spent or the board has
// failed. The others only queue (Client.Send) and never wait.

// Reached reports that the student reached lesson step s. Waits.
func Reached(s Step) { FromEnv().Report(Report{Kind: KindStep, Step: s}) }

// Compiled reports a compiled model: its layers as the summary writes them
// ("784 → 64 (relu) → 32 (relu) → 10 (softmax)") and its parameter count. Waits.
func Compiled(layers string, params int) {
	if c := FromEnv(); c != nil {
		c.Report(Report{Kind: KindModel, Layers: OneLine(layers, MaxLayersRunes), Params: int64(params)})
	}
}

// Evaluated reports the test set's loss and accuracy. Waits.
func Evaluated(loss, accuracy float64) {
	FromEnv().Report(Report{Kind: KindEvaluate, Loss: loss, Accuracy: accuracy})
}

// ErrorLine reports the line a cell stopped with ("Error: …"), cut to one line of
// MaxTextRunes. Waits: call it before the process exits.
func ErrorLine(line string) {
	if c := FromEnv(); c != nil {
		c.Report(Report{Kind: KindError, Message: OneLine(line, MaxTextRunes)})
	}
}

// Check reports an exercise's check: its name, whether it passed, and the message the student
// saw. Waits.
func Check(exercise string, passed bool, message string) {
	if c := FromEnv(); c != nil {
		c.Report(Report{Kind: KindCheck, Exercise: OneLine(exercise, MaxNameRunes), Passed: passed,
			Message: OneLine(message, MaxTextRunes)})
	}
}

// Flush waits for the process's queued reports, within what is left of its Budget.
func Flush() { FromEnv().Flush() }

// Run is one training (one call of Fit), whose epochs make one curve on the board. A nil *Run
// is valid and does nothing: Train returns nil off a class hub.
type Run struct {
	c      *Client
	id     string
	epochs int
}

// Train reports that a training of the given number of epochs begins, and returns the Run
// that reports its epochs and its end. Queues; does not wait.
func Train(epochs int) *Run { return FromEnv().Train(epochs) }

// Train is the package's Train on this Client.
func (c *Client) Train(epochs int) *Run {
	if c == nil {
		return nil
	}
	r := &Run{c: c, id: newRunID(), epochs: max(epochs, 1)}
	c.Send(Report{Kind: KindTrain, Run: r.id, Epochs: r.epochs})
	return r
}

// Epoch reports an ended epoch (counted from 1) with its training loss and accuracy. Loss may
// be NaN or +Inf. Queues; does not wait: the reports go out while training goes on.
func (r *Run) Epoch(epoch int, loss, accuracy float64) {
	if r == nil {
		return
	}
	r.c.Send(Report{Kind: KindEpoch, Run: r.id, Epoch: epoch, Epochs: max(r.epochs, epoch), Loss: loss, Accuracy: accuracy})
}

// End reports the training's end: the last epoch done and why it ended ("done", or the reason
// it stopped: "interrupted", "loss is NaN", …). Waits, for it and the epochs still queued:
// call it when Fit returns, however it returns.
func (r *Run) End(lastEpoch int, reason string) {
	if r == nil {
		return
	}
	if reason = OneLine(reason, MaxTextRunes); reason == "" {
		reason = "done"
	}
	r.c.Report(Report{Kind: KindTrainEnd, Run: r.id, Epoch: min(max(lastEpoch, 0), max(r.epochs, lastEpoch)),
		Epochs: max(r.epochs, lastEpoch), Reason: reason})
}
