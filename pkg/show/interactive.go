package show

import (
	"encoding/json"
	"fmt"

	grob "github.com/MetalBlueberry/go-plotly/generated/v2.34.0/graph_objects"
	ptypes "github.com/MetalBlueberry/go-plotly/pkg/types"
	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"

	"mnistlesson/pkg/keras/callbacks"
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
			Xaxis:  &grob.LayoutXaxis{Title: &grob.LayoutXaxisTitle{Text: ptypes.S("에포크 / epoch")}, Showgrid: ptypes.B(true)},
			Yaxis:  &grob.LayoutYaxis{Title: &grob.LayoutYaxisTitle{Text: ptypes.S(yTitle)}, Showgrid: ptypes.B(true)},
		},
	}
}

// HistoryFigures returns the interactive loss and accuracy charts of h, labelled in Korean and
// English whatever fonts this machine has: the browser draws them, with its own.
func HistoryFigures(h *callbacks.History) ([]*grob.Fig, error) {
	if h == nil || h.Completed() == 0 {
		return nil, fmt.Errorf("show: the History has no completed epoch yet: train the model first")
	}
	return []*grob.Fig{
		curveFigure("학습 손실 / Training loss", "손실 / loss", h.Loss, "#1f77b4"),
		curveFigure("학습 정확도 / Training accuracy", "정확도 / accuracy", h.Accuracy, "#ff7f0e"),
	}, nil
}

// historyOutput is the training curves' one output, with both representations: a PNG, for the
// saved notebook, its HTML export and any viewer without JavaScript; and HTML that shows the same
// PNG and, when JavaScript runs (a live JupyterLab), replaces it with two plotly charts. plotly.js
// comes from the project (plotlySrc, served by scripts/lab and by each student's server on the class
// hub, under the page's base URL), never from a CDN; with no plotlySrc
// the output is the picture alone. JupyterLab shows the HTML, sanitised when the notebook is not
// trusted: the script goes, the picture stays.
func historyOutput(h *callbacks.History, png []byte, plotlySrc string) (map[protocol.MIMEType]any, error) {
	output := map[protocol.MIMEType]any{protocol.MIMEImagePNG: png}
	if plotlySrc == "" {
		return output, nil
	}
	figs, err := HistoryFigures(h)
	if err != nil {
		return nil, err
	}
	figsJSON, err := json.Marshal(figs) // Escapes <, > and &: safe inside a <script>.
	if err != nil {
		return nil, err
	}
	srcJSON, _ := json.Marshal(plotlySrc)
	id := "curves-" + gonbui.UniqueId()
	output[protocol.MIMETextHTML] = fmt.Sprintf(`<div id="%s">%s</div>
<script charset="utf-8">
(function () {
  const box = document.getElementById(%q), figures = %s;
  const draw = () => {
    box.replaceChildren();
    for (const fig of figures) {
      const chart = document.createElement("div");
      chart.style.display = "inline-block";
      box.appendChild(chart);
      window.Plotly.newPlot(chart, fig.data, fig.layout);
    }
  };
  if (window.Plotly) { draw(); return; }
  // A path from the server's root is taken from Jupyter's base URL, as the page names it: "/" for
  // scripts/lab, "/user/NAME/" on a class hub, where the server serves its static files.
  let src = %s;
  const config = document.getElementById("jupyter-config-data");
  if (config && src.startsWith("/") && !src.startsWith("//")) {
    try { src = JSON.parse(config.textContent).baseUrl.replace(/\/$/, "") + src; } catch (e) {}
  }
  const script = document.createElement("script");
  script.src = src;
  script.charset = "utf-8";
  script.onload = draw; // If plotly.js cannot load (a saved page), the picture stays.
  document.head.appendChild(script);
})();
</script>`, id, imgHTML(png, "loss and accuracy per epoch"), id, figsJSON, srcJSON)
	return output, nil
}
