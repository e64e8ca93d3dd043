package show

import (
	"encoding/base64"
	"fmt"
	"html"
	"time"

	"github.com/janpfeifer/gonb/gonbui"
	"gonum.org/v1/plot/vg"

	"mnistlesson/pkg/keras/callbacks"
)

// progressEvery throttles the in-epoch progress bar: a handful of redraws a second is smooth to
// the eye and costs nothing next to training.
const progressEvery = 250 * time.Millisecond

// Live is a callbacks.Callback that shows, inline and updated in place, a Keras-style progress bar
// within the epoch and the training curves after each epoch. Outside a notebook it does nothing
// (Fit's per-epoch lines remain).
type Live struct {
	callbacks.BaseCallback
	progressID, curvesID string
	epoch, epochs        int
	last                 time.Time
	started              time.Time
}

// LiveTraining returns the callback to pass to Fit: model.Fit(x, y)...Callbacks(show.LiveTraining()).
func LiveTraining() *Live {
	return &Live{progressID: "progress-" + gonbui.UniqueId(), curvesID: "curves-" + gonbui.UniqueId()}
}

var _ callbacks.Callback = (*Live)(nil)

// OnEpochBegin implements callbacks.Callback.
func (l *Live) OnEpochBegin(epoch, epochs, steps int) {
	l.epoch, l.epochs, l.started = epoch, epochs, time.Now()
	if epoch == 1 && gonbui.IsNotebook {
		// Create both displays once; later updates replace their content in place.
		gonbui.UpdateHTML(l.progressID, progressHTML(epoch, epochs, 0, steps, 0, 0, 0))
		gonbui.UpdateHTML(l.curvesID, "<i>Training curves appear after the first epoch.</i>")
	}
}

// OnBatchEnd implements callbacks.Callback.
func (l *Live) OnBatchEnd(step, steps int, loss, acc float64) {
	if !gonbui.IsNotebook || (step != steps && time.Since(l.last) < progressEvery) {
		return
	}
	l.last = time.Now()
	gonbui.UpdateHTML(l.progressID, progressHTML(l.epoch, l.epochs, step, steps, loss, acc, time.Since(l.started)))
}

// OnEpochEnd implements callbacks.Callback: the training curves so far replace the chart.
func (l *Live) OnEpochEnd(_ int, h *callbacks.History) error {
	if !gonbui.IsNotebook {
		return nil
	}
	data, err := HistoryPNG(h, 9*vg.Inch)
	if err != nil {
		return nil // Only a picture: training goes on.
	}
	gonbui.UpdateHTML(l.curvesID, imgHTML(data, "training curves"))
	return nil
}

// OnTrainEnd implements callbacks.Callback. The chart and the progress bar keep their final state,
// so the cell still shows the finished training; show.History draws the curves again from the
// saved History in a later cell. It waits until GoNB has the last updates (see display).
func (l *Live) OnTrainEnd(*callbacks.History) {
	if gonbui.IsNotebook {
		gonbui.Sync()
	}
}

// progressHTML renders Keras' progress line as HTML: "Epoch 3/100 [=====>....] 1200/1875 - loss: … - accuracy: …".
func progressHTML(epoch, epochs, step, steps int, loss, acc float64, elapsed time.Duration) string {
	return fmt.Sprintf(`<div style="font-family:monospace">Epoch %d/%d `+
		`<progress value="%d" max="%d" style="width:20em;vertical-align:middle"></progress> %d/%d `+
		`- %.1fs - loss: %.4f - accuracy: %.4f</div>`,
		epoch, epochs, step, steps, step, steps, elapsed.Seconds(), loss, acc)
}

// imgHTML embeds a PNG in an <img> tag, so it survives saving and HTML export.
func imgHTML(png []byte, alt string) string {
	return fmt.Sprintf(`<img alt="%s" src="data:image/png;base64,%s">`, html.EscapeString(alt),
		base64.StdEncoding.EncodeToString(png))
}
