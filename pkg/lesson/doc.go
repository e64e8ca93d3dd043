// Package lesson is the notebook's edge: what the cells share besides the lesson's own packages.
//
//   - How a cell stops on an error. Libraries (ndarray, mnist, metrics, keras, backend, figure)
//     return errors, as Go's do. A cell has nobody to return an error to, so at the edge an
//     error stops the cell with one line, "Error: …", that says what went wrong and what to do,
//     and no Go stack trace: Stop, here, is the only place that ends a process. The notebook
//     wraps the calls that can fail for reasons outside the cell (reading files, training,
//     loading a trained model) in Must, Must1, Must2 or Must4; the notebook-facing functions of
//     prep and show call Stop themselves, so that each of their cells reads like its Keras line.
//   - The exercises of the student version (nbgrader): NotDone, the starting code of each
//     exercise, and Expect, the one-line checks of their tests.
//
// Package lessontest checks, in a test, that a function stops its process this way.
package lesson
