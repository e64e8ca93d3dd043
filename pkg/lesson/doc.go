// Package lesson is what the notebook's cells share besides the lesson's own packages:
//
//   - How a cell stops on an error. A cell has nobody to return an error to, so it stops with
//     one line, "Error: …", that says what went wrong and what to do, and no Go stack trace.
//     The notebook-facing functions of prep, show and metrics stop the cell themselves when
//     misused (Stop); calls that can fail for reasons outside the cell (reading files, training,
//     loading a trained model) return errors, and the notebook wraps them in Must, Must1, Must2
//     or Must4. Catch turns a Stop back into an error, for tests and for programs that are not
//     notebooks.
//   - The exercises of the student version (nbgrader): NotDone, the starting code of each
//     exercise, and Expect, the one-line checks of their tests.
//   - Settings that come from the environment, so that tests and demos can shorten the lesson
//     without editing it: Epochs (LESSON_EPOCHS).
package lesson
