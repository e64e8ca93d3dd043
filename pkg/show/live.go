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
// the eye and costs nothing next to training. (GoMLX's train.PeriodicCallback does this for its
// own train.Loop, which keras' Fit does not run: Fit runs chunks of steps per compiled call.)
const progressEvery = 250 * time.Millisecond

// Live is a training callback (see package callbacks) that shows, inline and updated in place,
// a Keras-style progress bar within the epoch and the training curves after each epoch. Outside
// a notebook it does nothing (Fit's per-epoch lines remain).
type Live struct {
	progressID, curvesID string
	epoch                int
	last                 time.Time
	started              time.Time
}

// LiveTraining returns the callback to pass to Fit: model.Fit(x, y)...Callbacks(show.LiveTraining()).
func LiveTraining() *Live {
	return &Live{progressID: "progress-" + gonbui.UniqueId(), curvesID: "curves-" + gonbui.UniqueId()}
}

var (
	_ callbacks.EpochBeginner = (*Live)(nil)
	_ callbacks.ChunkEnder    = (*Live)(nil)
	_ callbacks.EpochEnder    = (*Live)(nil)
	_ callbacks.TrainEnder    = (*Live)(nil)
)

// OnEpochBegin creates both displays at the first epoch; later updates replace their content.
func (l *Live) OnEpochBegin(r *callbacks.Run, epoch int) {
	l.epoch, l.started = epoch, time.Now()
	if epoch == 1 && gonbui.IsNotebook {
		gonbui.UpdateHTML(l.progressID, progressHTML(epoch, r.Epochs, 0, r.Steps, 0, 0, 0))
		gonbui.UpdateHTML(l.curvesID, "<i>학습 곡선은 첫 에포크가 끝나면 나타납니다. / Training curves appear after the first epoch.</i>")
	}
}

// OnChunkEnd redraws the progress bar, at most every progressEvery, and at the epoch's last step.
func (l *Live) OnChunkEnd(r *callbacks.Run, c callbacks.Chunk) {
	if !gonbui.IsNotebook || (c.Step != r.Steps && time.Since(l.last) < progressEvery) {
		return
	}
	l.last = time.Now()
	gonbui.UpdateHTML(l.progressID, progressHTML(l.epoch, r.Epochs, c.Step, r.Steps, c.MeanLoss, c.MeanAccuracy,
		time.Since(l.started)))
}

// OnEpochEnd replaces the chart with the training curves so far.
func (l *Live) OnEpochEnd(r *callbacks.Run, _ callbacks.Epoch) error {
	if !gonbui.IsNotebook {
		return nil
	}
	data, err := HistoryPNG(r.History, 9*vg.Inch)
	if err != nil {
		return nil // Only a picture: training goes on.
	}
	gonbui.UpdateHTML(l.curvesID, imgHTML(data, "training curves"))
	return nil
}

// OnTrainEnd waits until GoNB has the last updates (see display). The chart and the progress bar
// keep their final state, so the cell still shows the finished training; show.History draws the
// curves again from the saved History in a later cell.
func (l *Live) OnTrainEnd(*callbacks.Run) error {
	if gonbui.IsNotebook {
		gonbui.Sync()
	}
	return nil
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
