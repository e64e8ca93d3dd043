package show

import (
	"fmt"
	"os"

	grob "github.com/MetalBlueberry/go-plotly/generated/v2.34.0/graph_objects"
	ptypes "github.com/MetalBlueberry/go-plotly/pkg/types"
	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/plotly"

	"mnistlesson/pkg/keras"
)

// EnvPlotlySrc names the environment variable with the URL of the project's plotly.js, set in the
// kernel's environment by set-up: scripts/lab serves it, so charts need no internet.
const EnvPlotlySrc = "LESSON_PLOTLY_SRC"

// curveFigure is one interactive chart of a metric per epoch.
func curveFigure(title, yTitle string, values []float64, color string) *grob.Fig {
	epochs := make([]float64, len(values))
	for i := range values {
		epochs[i] = float64(i + 1)
	}
	return &grob.Fig{
		Data: []ptypes.Trace{&grob.Scatter{
			Name: ptypes.S(yTitle),
			Mode: grob.ScatterModeLines + "+markers",
			X:    ptypes.DataArray(epochs),
			Y:    ptypes.DataArray(values),
			Line: &grob.ScatterLine{Color: ptypes.C(color)},
		}},
		Layout: &grob.Layout{
			Title:  &grob.LayoutTitle{Text: ptypes.S(title)},
			Width:  ptypes.N(440),
			Height: ptypes.N(320),
			Xaxis:  &grob.LayoutXaxis{Title: &grob.LayoutXaxisTitle{Text: ptypes.S("epoch")}, Showgrid: ptypes.B(true)},
			Yaxis:  &grob.LayoutYaxis{Title: &grob.LayoutYaxisTitle{Text: ptypes.S(yTitle)}, Showgrid: ptypes.B(true)},
		},
	}
}

// HistoryFigures returns the interactive loss and accuracy charts of h.
func HistoryFigures(h *keras.History) ([]*grob.Fig, error) {
	if h == nil || h.Completed() == 0 {
		return nil, fmt.Errorf("show: the History has no completed epoch yet: train the model first")
	}
	return []*grob.Fig{
		curveFigure("Training loss", "loss", h.Loss, "#1f77b4"),
		curveFigure("Training accuracy", "accuracy", h.Accuracy, "#ff7f0e"),
	}, nil
}

// InteractiveHistory displays the training curves as plotly charts (zoom, hover) with GoNB's
// plotly support. plotly.js comes from the project ($LESSON_PLOTLY_SRC, served by scripts/lab),
// never from a CDN; History's static picture is what saved and exported notebooks show.
func InteractiveHistory(h *keras.History) error {
	src := os.Getenv(EnvPlotlySrc)
	if src == "" {
		return fmt.Errorf("show: %s is not set, so there is no local plotly.js to draw with; "+
			"open the notebook with scripts/lab (show.History draws the same curves as a picture)", EnvPlotlySrc)
	}
	plotly.PlotlySrc = src
	figs, err := HistoryFigures(h)
	if err != nil {
		return err
	}
	for _, fig := range figs {
		if err := plotly.DisplayFig(fig); err != nil {
			return err
		}
	}
	if gonbui.IsNotebook {
		gonbui.Sync() // See display.
	}
	return nil
}
