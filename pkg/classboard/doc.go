// Package classboard is the kernel's side of the class board: the reports a student's cells
// send, in the spirit of Keras' RemoteMonitor callback, so that the teacher sees the class live
// on the class hub (the board itself is package classboard/service/board, its binary
// classboard/service/cmd/class-board).
//
// # When reports are sent
//
// Only in a kernel on the class hub, where CLASS_BOARD_URL (set by the hub's spawner) and
// JUPYTERHUB_API_TOKEN (the student's server's own token) are both in the environment.
// Anywhere else (scripts/lab, scripts/run, the tests) every call costs one nil check: FromEnv
// returns nil, no goroutine starts, nothing is allocated.
//
// # What a report costs a cell
//
// Each GoNB cell is a new, short-lived process, so a report left to a goroutine could be lost at
// exit. The calls therefore come in two kinds:
//
//   - Queued (Send, Train, Run.Epoch): returns at once; a goroutine of the process posts the
//     queue in batches while the cell goes on. Epochs are reported this way, so training speed
//     does not change.
//   - Waiting (Reached, Compiled, Evaluated, ErrorLine, Check, Run.End, Flush): posts what is
//     queued and waits for the board's answer, about 1 ms on the loopback.
//
// All the waiting of one process together is bounded by Budget (100 ms); once it is spent,
// waiting calls return at once. When the board is down, slow or refuses reports, they are
// dropped: never a panic, never an error for the cell, and one line on stderr, at most once per
// process, and once per 10 minutes per server (processes of the same server share a small
// marker file in the user's cache folder; after a failure they skip the board for 30 s).
//
// # Identity
//
// The kernel sends its server's JupyterHub API token ("Authorization: token …"). The board asks
// the hub whose token it is (GET /hub/api/user) and files the reports under that account, so a
// student cannot report as another. A report may name its sender (Report.User); a board refuses
// the request if that is not the token's owner.
//
// # The format (version 1)
//
// POST {CLASS_BOARD_URL}api/reports, Content-Type: application/json, a body of at most 64 KiB:
//
//	{"v": 1, "reports": [
//	  {"kind": "step", "step": 1},
//	  {"kind": "model", "layers": "784 → 64 (relu) → 32 (relu) → 10 (softmax)", "params": 52650},
//	  {"kind": "train", "run": "9f2c4e1a7b3d", "epochs": 100},
//	  {"kind": "epoch", "run": "9f2c4e1a7b3d", "epoch": 1, "epochs": 100, "loss": 0.2934, "accuracy": 0.9141},
//	  {"kind": "epoch", "run": "9f2c4e1a7b3d", "epoch": 2, "epochs": 100, "loss": "NaN", "accuracy": 0.0987},
//	  {"kind": "train_end", "run": "9f2c4e1a7b3d", "epoch": 2, "epochs": 100, "reason": "loss is NaN"},
//	  {"kind": "evaluate", "loss": 0.0988, "accuracy": 0.9744},
//	  {"kind": "error", "message": "Error: the model's input has 784 values; x_train has 28×28"},
//	  {"kind": "check", "exercise": "compile", "passed": true, "message": "ok"}
//	]}
//
// Each kind carries exactly the fields shown (any other is refused); "user" may be added to any.
// Steps are 0 libraries, 1 data loaded, 2 images looked at, 3 preprocessed, 4 model compiled,
// 5 training, 6 evaluated, 7 error analysis; "model", "train", "epoch", "train_end" and
// "evaluate" imply theirs. Losses are numbers ≥ 0, or "NaN" or "Inf" (JSON has no NaN);
// accuracies are within [0, 1]. The whole batch is stored, or none of it: the board answers 200
// {"stored": n}, or 400 (malformed JSON), 401 (no token), 403 (a token the hub does not know,
// or a report naming another user), 413 (too large), 415 (not JSON), 422 (unknown kind or
// field, absurd value, other version), 429 (too many reports from this account: Retry-After
// says when to try again).
package classboard
