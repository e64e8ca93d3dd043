// Package show draws the lesson's pictures and displays them inline in the notebook, the
// counterparts of the original's matplotlib figures and of what a teacher adds:
//
//   - Digit and Grid: one digit (plt.imshow) and the 10×10 grid of digits titled with their labels;
//   - Summary and ModelDiagram: the model's layers, shapes and parameter counts as Keras'
//     model.summary() table, and drawn from the model itself (Keras' plot_model), as SVG with a
//     PNG twin;
//   - LiveTraining: the callback that shows a progress bar and the training curves, updated in
//     place while model.Fit runs;
//   - History: the training curves afterwards, interactive (plotly) where JavaScript runs and a
//     picture everywhere else, in one output;
//   - ConfusionMatrix, Mistakes and Prediction: what the model gets right and wrong, counted by
//     package metrics from the labels and the model's probabilities, and one test image beside
//     its ten probabilities.
//
// Pictures are drawn with gonum/plot into PNG (or SVG) and handed to GoNB, so they stay in the
// saved notebook and its HTML export; plotly.js comes from the project, never from a CDN. The
// ...PNG and ...SVG functions return the picture and an error, for programs and tests. The
// notebook-facing functions that display them (cells.go) are part of the notebook's edge (see
// package lesson): given the wrong arrays, they stop the cell with that error in one line.
//
// show does not import package keras (nor GoMLX or XLA): it takes the model as an interface
// (Model) and the History from keras/callbacks, so that a cell that draws digits builds into a
// small binary, linked in 0.4 s instead of 1.2 s (a test keeps it so).
package show
