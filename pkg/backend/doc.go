// Package backend picks the GoMLX compute backend the lesson trains on and says which one, in
// one line.
//
// The lesson's backend is XLA on the CPU. When its PJRT plugin cannot be loaded, Default says
// why in one sentence and falls back to GoMLX's pure Go backend, so a classroom never stops
// at this step. Setting LESSON_BACKEND (e.g. "xla:cpu", "go", "xla:cuda") asks for one backend
// strictly: if it cannot start, the error is returned instead of falling back.
package backend
