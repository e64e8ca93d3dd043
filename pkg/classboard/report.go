package classboard

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Version is the version of the report format, the "v" of every batch. A board refuses any
// other (422), so that a kernel built from an older lesson cannot file half-understood reports.
const Version = 1

// Limits of the format. A batch or field beyond them is refused whole (413 or 422).
const (
	MaxBodyBytes   = 64 << 10 // One request's body.
	MaxBatch       = 200      // Reports in one request.
	MaxTextRunes   = 300      // An Error line, a check's message, a training's stop reason.
	MaxLayersRunes = 200      // A model's layers, as Keras' summary writes them.
	MaxNameRunes   = 64       // An exercise's name.
	MaxEpochs      = 100_000
	MaxParams      = 1_000_000_000_000
)

// Kind is what a report says happened.
type Kind string

// The kinds of report. Each one implies the lesson step in brackets.
const (
	KindStep     Kind = "step"      // A lesson step was reached: Step.
	KindModel    Kind = "model"     // [StepCompiled] A model compiled: Layers, Params.
	KindTrain    Kind = "train"     // [StepTraining] Training began: Run, Epochs (planned).
	KindEpoch    Kind = "epoch"     // [StepTraining] An epoch ended: Run, Epoch, Epochs, Loss, Accuracy.
	KindTrainEnd Kind = "train_end" // [StepTraining] Training ended or stopped: Run, Epoch (last done), Epochs, Reason.
	KindEvaluate Kind = "evaluate"  // [StepEvaluated] The test set was evaluated: Loss, Accuracy.
	KindError    Kind = "error"     // A cell stopped with an "Error: …" line: Message.
	KindCheck    Kind = "check"     // An exercise's check ran: Exercise, Passed, Message.
)

// Step is a step of the lesson, in the notebook's order.
type Step int

// The lesson's steps.
const (
	StepLibraries     Step = 0 // Libraries imported, backend chosen.
	StepData          Step = 1 // MNIST loaded.
	StepImages        Step = 2 // Digits looked at.
	StepPreprocessed  Step = 3 // Reshaped, normalised, one-hot.
	StepCompiled      Step = 4 // The model compiled.
	StepTraining      Step = 5 // Training (each epoch), to its end.
	StepEvaluated     Step = 6 // Evaluated on the test set.
	StepErrorAnalysis Step = 7 // Mistakes and confusion looked at.
	LastStep               = StepErrorAnalysis
)

// StepNames are the steps' labels, in Korean and English, as the board shows them.
var StepNames = [...]string{
	"라이브러리 / Libraries",
	"데이터 / Data loaded",
	"이미지 / Images",
	"전처리 / Preprocessed",
	"모델 / Model compiled",
	"학습 / Training",
	"평가 / Evaluated",
	"오류 분석 / Error analysis",
}

// Report is one event of a student's lesson. Which fields count depends on Kind (see the Kind
// constants); the others must be zero. Loss may be NaN or +Inf (a diverged training);
// Accuracy is always within [0, 1].
type Report struct {
	Kind     Kind
	User     string // Optional: the account the sender believes it is. A board refuses a report whose User is not the token's owner.
	Step     Step
	Layers   string
	Params   int64
	Run      string // Names one training (one call of Fit), so that a new one starts a new curve.
	Epoch    int
	Epochs   int
	Loss     float64
	Accuracy float64
	Reason   string
	Exercise string
	Passed   bool
	Message  string
}

// ImpliedStep is the lesson step a report shows the student reached, or -1 for reports that
// say nothing about progress (errors and checks).
func (r Report) ImpliedStep() Step {
	switch r.Kind {
	case KindStep:
		return r.Step
	case KindModel:
		return StepCompiled
	case KindTrain, KindEpoch, KindTrainEnd:
		return StepTraining
	case KindEvaluate:
		return StepEvaluated
	}
	return -1
}

// Validate says whether a board would accept r: nil, or an *InputError (422) naming the fault.
func (r Report) Validate() error {
	_, err := fromWire(r.toWire())
	return err
}

// Batch is the body of one request: {"v": 1, "reports": [...]}.
type Batch struct {
	Reports []Report
}

// wire is a report as JSON carries it. Pointers tell a missing field from a zero one, so that
// a field that does not belong to the kind is refused rather than ignored.
type wire struct {
	Kind     string  `json:"kind"`
	User     *string `json:"user,omitempty"`
	Step     *int    `json:"step,omitempty"`
	Layers   *string `json:"layers,omitempty"`
	Params   *int64  `json:"params,omitempty"`
	Run      *string `json:"run,omitempty"`
	Epoch    *int    `json:"epoch,omitempty"`
	Epochs   *int    `json:"epochs,omitempty"`
	Loss     *number `json:"loss,omitempty"`
	Accuracy *number `json:"accuracy,omitempty"`
	Reason   *string `json:"reason,omitempty"`
	Exercise *string `json:"exercise,omitempty"`
	Passed   *bool   `json:"passed,omitempty"`
	Message  *string `json:"message,omitempty"`
}

type wireBatch struct {
	V       *int   `json:"v"`
	Reports []wire `json:"reports"`
}

// number is a float64 that JSON carries as a number, or as the string "NaN" or "Inf", which
// JSON numbers cannot be.
type number float64

func (n number) MarshalJSON() ([]byte, error) {
	f := float64(n)
	switch {
	case math.IsNaN(f):
		return []byte(`"NaN"`), nil
	case math.IsInf(f, 1):
		return []byte(`"Inf"`), nil
	case math.IsInf(f, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

func (n *number) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"NaN"`:
		*n = number(math.NaN())
		return nil
	case `"Inf"`, `"+Inf"`:
		*n = number(math.Inf(1))
		return nil
	case `"-Inf"`:
		*n = number(math.Inf(-1))
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || len(b) == 0 || b[0] == '"' {
		return invalid(`not a number: %.20s (a number, "NaN" or "Inf")`, b)
	}
	*n = number(f)
	return nil
}

func ptr[T any](v T) *T { return &v }

// toWire keeps only the fields of r's kind.
func (r Report) toWire() wire {
	w := wire{Kind: string(r.Kind)}
	if r.User != "" {
		w.User = ptr(r.User)
	}
	switch r.Kind {
	case KindStep:
		w.Step = ptr(int(r.Step))
	case KindModel:
		w.Layers, w.Params = ptr(r.Layers), ptr(r.Params)
	case KindTrain:
		w.Run, w.Epochs = ptr(r.Run), ptr(r.Epochs)
	case KindEpoch:
		w.Run, w.Epoch, w.Epochs = ptr(r.Run), ptr(r.Epoch), ptr(r.Epochs)
		w.Loss, w.Accuracy = ptr(number(r.Loss)), ptr(number(r.Accuracy))
	case KindTrainEnd:
		w.Run, w.Epoch, w.Epochs, w.Reason = ptr(r.Run), ptr(r.Epoch), ptr(r.Epochs), ptr(r.Reason)
	case KindEvaluate:
		w.Loss, w.Accuracy = ptr(number(r.Loss)), ptr(number(r.Accuracy))
	case KindError:
		w.Message = ptr(r.Message)
	case KindCheck:
		w.Exercise, w.Passed, w.Message = ptr(r.Exercise), ptr(r.Passed), ptr(r.Message)
	}
	return w
}

// MarshalJSON writes the report as the board receives it: the kind and its own fields only.
func (r Report) MarshalJSON() ([]byte, error) { return json.Marshal(r.toWire()) }

// UnmarshalJSON reads and validates one report (see Decode).
func (r *Report) UnmarshalJSON(b []byte) error {
	var w wire
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return &InputError{Status: 400, Msg: "malformed report: " + err.Error()}
	}
	got, err := fromWire(w)
	if err != nil {
		return err
	}
	*r = got
	return nil
}

// MarshalJSON writes {"v": Version, "reports": [...]}.
func (b Batch) MarshalJSON() ([]byte, error) {
	ws := make([]wire, len(b.Reports))
	for i, r := range b.Reports {
		ws[i] = r.toWire()
	}
	return json.Marshal(wireBatch{V: ptr(Version), Reports: ws})
}

// InputError is a request a board refuses, with the HTTP status that says why: 400 malformed
// JSON, 413 too large, 422 well-formed but not a valid report (unknown kind or field, absurd
// value, unknown version).
type InputError struct {
	Status int
	Msg    string
}

func (e *InputError) Error() string { return "classboard: " + e.Msg }

func invalid(format string, args ...any) error {
	return &InputError{Status: 422, Msg: fmt.Sprintf(format, args...)}
}

// Decode reads one request body: a batch of 1 to MaxBatch valid reports, at most MaxBodyBytes
// long, nothing after it. Any fault refuses the whole batch with an *InputError.
func Decode(body io.Reader) (Batch, error) {
	data, err := io.ReadAll(io.LimitReader(body, MaxBodyBytes+1))
	if err != nil {
		return Batch{}, &InputError{Status: 400, Msg: "reading the body: " + err.Error()}
	}
	if len(data) > MaxBodyBytes {
		return Batch{}, &InputError{Status: 413, Msg: fmt.Sprintf("body over %d bytes", MaxBodyBytes)}
	}
	var wb wireBatch
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&wb); err != nil {
		var typeErr *json.UnmarshalTypeError
		var ie *InputError
		if errors.As(err, &ie) {
			return Batch{}, ie
		}
		if strings.Contains(err.Error(), "unknown field") {
			// An unknown kind brings fields of its own: say that, rather than the first field.
			var loose struct {
				Reports []struct {
					Kind string `json:"kind"`
				} `json:"reports"`
			}
			if json.Unmarshal(data, &loose) == nil {
				for i, r := range loose.Reports {
					if _, ok := fields[Kind(r.Kind)]; !ok {
						return Batch{}, invalid("reports[%d]: unknown kind of report %q", i, truncate(r.Kind, 40))
					}
				}
			}
		}
		if errors.As(err, &typeErr) || strings.Contains(err.Error(), "unknown field") {
			return Batch{}, invalid("%v", err)
		}
		return Batch{}, &InputError{Status: 400, Msg: "malformed JSON: " + err.Error()}
	}
	if dec.More() {
		return Batch{}, &InputError{Status: 400, Msg: "malformed JSON: data after the batch"}
	}
	if wb.V == nil {
		return Batch{}, invalid(`missing "v" (the format's version, %d)`, Version)
	}
	if *wb.V != Version {
		return Batch{}, invalid(`unsupported version "v": %d (this board reads %d)`, *wb.V, Version)
	}
	if len(wb.Reports) == 0 || len(wb.Reports) > MaxBatch {
		return Batch{}, invalid("a batch holds 1 to %d reports, not %d", MaxBatch, len(wb.Reports))
	}
	b := Batch{Reports: make([]Report, len(wb.Reports))}
	for i, w := range wb.Reports {
		r, err := fromWire(w)
		if err != nil {
			var ie *InputError
			if errors.As(err, &ie) {
				return Batch{}, &InputError{Status: ie.Status, Msg: fmt.Sprintf("reports[%d]: %s", i, ie.Msg)}
			}
			return Batch{}, err
		}
		b.Reports[i] = r
	}
	return b, nil
}

// fields lists, per kind, the fields it carries (all required); kind and user are always allowed.
var fields = map[Kind][]string{
	KindStep:     {"step"},
	KindModel:    {"layers", "params"},
	KindTrain:    {"run", "epochs"},
	KindEpoch:    {"run", "epoch", "epochs", "loss", "accuracy"},
	KindTrainEnd: {"run", "epoch", "epochs", "reason"},
	KindEvaluate: {"loss", "accuracy"},
	KindError:    {"message"},
	KindCheck:    {"exercise", "passed", "message"},
}

func (w wire) present() map[string]bool {
	return map[string]bool{
		"step": w.Step != nil, "layers": w.Layers != nil, "params": w.Params != nil, "run": w.Run != nil,
		"epoch": w.Epoch != nil, "epochs": w.Epochs != nil, "loss": w.Loss != nil, "accuracy": w.Accuracy != nil,
		"reason": w.Reason != nil, "exercise": w.Exercise != nil, "passed": w.Passed != nil, "message": w.Message != nil,
	}
}

var runID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

func fromWire(w wire) (Report, error) {
	kind := Kind(w.Kind)
	want, ok := fields[kind]
	if !ok {
		return Report{}, invalid("unknown kind of report %q", truncate(w.Kind, 40))
	}
	present := w.present()
	for _, f := range want {
		if !present[f] {
			return Report{}, invalid("%s: missing %q", kind, f)
		}
		delete(present, f)
	}
	for f, p := range present {
		if p {
			return Report{}, invalid("%s: %q does not belong to this kind", kind, f)
		}
	}
	r := Report{Kind: kind}
	if w.User != nil {
		if err := checkText("user", *w.User, 1, 255); err != nil {
			return Report{}, err
		}
		r.User = *w.User
	}
	var err error
	switch kind {
	case KindStep:
		r.Step = Step(*w.Step)
		if r.Step < 0 || r.Step > LastStep {
			err = invalid("step: %d is not a lesson step (0 to %d)", *w.Step, LastStep)
		}
	case KindModel:
		r.Layers, r.Params = *w.Layers, *w.Params
		err = checkText("layers", r.Layers, 1, MaxLayersRunes)
		if err == nil && (r.Params < 1 || r.Params > MaxParams) {
			err = invalid("model: %d parameters is absurd", r.Params)
		}
	case KindTrain:
		r.Run, r.Epochs = *w.Run, *w.Epochs
		err = checkRun(r.Run, 0, r.Epochs)
	case KindEpoch:
		r.Run, r.Epoch, r.Epochs, r.Loss, r.Accuracy = *w.Run, *w.Epoch, *w.Epochs, float64(*w.Loss), float64(*w.Accuracy)
		err = checkRun(r.Run, r.Epoch, r.Epochs)
		if err == nil && r.Epoch < 1 {
			err = invalid("epoch: epoch %d (epochs count from 1)", r.Epoch)
		}
		if err == nil {
			err = checkLossAccuracy(kind, r.Loss, r.Accuracy)
		}
	case KindTrainEnd:
		r.Run, r.Epoch, r.Epochs, r.Reason = *w.Run, *w.Epoch, *w.Epochs, *w.Reason
		err = checkRun(r.Run, r.Epoch, r.Epochs)
		if err == nil {
			err = checkText("reason", r.Reason, 1, MaxTextRunes)
		}
	case KindEvaluate:
		r.Loss, r.Accuracy = float64(*w.Loss), float64(*w.Accuracy)
		err = checkLossAccuracy(kind, r.Loss, r.Accuracy)
	case KindError:
		r.Message = *w.Message
		err = checkText("message", r.Message, 1, MaxTextRunes)
	case KindCheck:
		r.Exercise, r.Passed, r.Message = *w.Exercise, *w.Passed, *w.Message
		err = checkText("exercise", r.Exercise, 1, MaxNameRunes)
		if err == nil {
			err = checkText("message", r.Message, 0, MaxTextRunes)
		}
	}
	if err != nil {
		return Report{}, err
	}
	return r, nil
}

func checkRun(run string, epoch, epochs int) error {
	if !runID.MatchString(run) {
		return invalid("run: %q is not a run id (1 to 32 of A-Z a-z 0-9 _ -)", truncate(run, 40))
	}
	if epochs < 1 || epochs > MaxEpochs {
		return invalid("epochs: %d is absurd (1 to %d)", epochs, MaxEpochs)
	}
	if epoch < 0 || epoch > epochs {
		return invalid("epoch: %d is not within 0 to epochs (%d)", epoch, epochs)
	}
	return nil
}

// checkLossAccuracy: a loss is ≥ 0 (every loss Keras' lessons use is), or NaN or +Inf, which
// a diverging training really reports; an accuracy is a fraction.
func checkLossAccuracy(kind Kind, loss, accuracy float64) error {
	if loss < 0 || math.IsInf(loss, -1) {
		return invalid("%s: loss %g is absurd (a loss is ≥ 0, or NaN)", kind, loss)
	}
	if math.IsNaN(accuracy) || accuracy < 0 || accuracy > 1 {
		return invalid("%s: accuracy %g is absurd (0 to 1)", kind, accuracy)
	}
	return nil
}

// checkText refuses text that is too short or long, or has control characters (a report's
// text is one line).
func checkText(field, s string, minRunes, maxRunes int) error {
	if !utf8.ValidString(s) {
		return invalid("%s: not UTF-8", field)
	}
	n := utf8.RuneCountInString(s)
	if n < minRunes || n > maxRunes {
		return invalid("%s: %d characters (%d to %d)", field, n, minRunes, maxRunes)
	}
	if i := strings.IndexFunc(s, unicode.IsControl); i >= 0 {
		return invalid("%s: a control character at byte %d (one line of text)", field, i)
	}
	return nil
}

// OneLine makes s fit a report's text field: control characters and runs of white space become
// one space, and it is cut to max runes, the last one "…".
func OneLine(s string, max int) string {
	s = strings.Join(strings.FieldsFunc(s, func(c rune) bool {
		return unicode.IsSpace(c) || unicode.IsControl(c) || c == utf8.RuneError
	}), " ")
	if max < 1 {
		return ""
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	runes := []rune(s)
	return strings.TrimSpace(string(runes[:max-1])) + "…"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
