package classboard

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestDecodeRoundTrip(t *testing.T) {
	in := []Report{
		{Kind: KindStep, Step: StepLibraries},
		{Kind: KindModel, Layers: "784 → 64 (relu) → 32 (relu) → 10 (softmax)", Params: 52650},
		{Kind: KindTrain, Run: "abc", Epochs: 100},
		{Kind: KindEpoch, Run: "abc", Epoch: 1, Epochs: 100, Loss: 0.29, Accuracy: 0.91},
		{Kind: KindEpoch, Run: "abc", Epoch: 2, Epochs: 100, Loss: math.NaN(), Accuracy: 0.1},
		{Kind: KindEpoch, Run: "abc", Epoch: 3, Epochs: 100, Loss: math.Inf(1), Accuracy: 0.1},
		{Kind: KindTrainEnd, Run: "abc", Epoch: 3, Epochs: 100, Reason: "loss is NaN"},
		{Kind: KindEvaluate, Loss: 0.09, Accuracy: 0.9744},
		{Kind: KindError, Message: "Error: x_train has 28×28 values per image; the model wants 784"},
		{Kind: KindCheck, Exercise: "compile", Passed: false, Message: ""},
		{Kind: KindStep, Step: LastStep, User: "minji"},
	}
	body, err := json.Marshal(Batch{Reports: in})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), `"loss":"NaN"`) || !strings.Contains(string(body), `"step":0`) {
		t.Errorf("encoding: %s", body)
	}
	got, err := Decode(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		a, b := in[i], got.Reports[i]
		if math.IsNaN(a.Loss) && math.IsNaN(b.Loss) {
			a.Loss, b.Loss = 0, 0
		}
		if a != b {
			t.Errorf("report %d: got %+v, want %+v", i, b, a)
		}
	}
}

func TestDecodeRefuses(t *testing.T) {
	big := `{"v":1,"reports":[` + strings.Repeat(`{"kind":"step","step":1},`, MaxBodyBytes/20) + `{"kind":"step","step":1}]}`
	for _, c := range []struct {
		name, body string
		status     int
		says       string
	}{
		{"not JSON", `{"v":1,"reports":[`, 400, "malformed"},
		{"two values", `{"v":1,"reports":[{"kind":"step","step":1}]} {}`, 400, "after the batch"},
		{"oversized", big, 413, "over"},
		{"no version", `{"reports":[{"kind":"step","step":1}]}`, 422, `missing "v"`},
		{"other version", `{"v":2,"reports":[{"kind":"step","step":1}]}`, 422, "unsupported version"},
		{"empty batch", `{"v":1,"reports":[]}`, 422, "1 to 200"},
		{"unknown kind", `{"v":1,"reports":[{"kind":"grade","step":1}]}`, 422, "unknown kind"},
		{"unknown kind with fields of its own", `{"v":1,"reports":[{"kind":"step","step":1},{"kind":"grade","score":9}]}`, 422, "reports[1]: unknown kind"},
		{"unknown field", `{"v":1,"reports":[{"kind":"step","step":1,"score":9}]}`, 422, "unknown field"},
		{"foreign field", `{"v":1,"reports":[{"kind":"step","step":1,"loss":0.1}]}`, 422, "does not belong"},
		{"missing field", `{"v":1,"reports":[{"kind":"model","layers":"784 → 10 (softmax)"}]}`, 422, `missing "params"`},
		{"step out of range", `{"v":1,"reports":[{"kind":"step","step":8}]}`, 422, "not a lesson step"},
		{"NaN accuracy", `{"v":1,"reports":[{"kind":"evaluate","loss":0.1,"accuracy":"NaN"}]}`, 422, "accuracy"},
		{"accuracy above 1", `{"v":1,"reports":[{"kind":"evaluate","loss":0.1,"accuracy":1.5}]}`, 422, "accuracy"},
		{"negative loss", `{"v":1,"reports":[{"kind":"evaluate","loss":-1,"accuracy":0.5}]}`, 422, "loss"},
		{"loss as text", `{"v":1,"reports":[{"kind":"evaluate","loss":"low","accuracy":0.5}]}`, 422, "not a number"},
		{"epoch beyond epochs", `{"v":1,"reports":[{"kind":"epoch","run":"a","epoch":5,"epochs":3,"loss":1,"accuracy":0.5}]}`, 422, "epoch"},
		{"absurd epochs", `{"v":1,"reports":[{"kind":"train","run":"a","epochs":1000000000}]}`, 422, "absurd"},
		{"absurd params", `{"v":1,"reports":[{"kind":"model","layers":"x","params":0}]}`, 422, "absurd"},
		{"bad run id", `{"v":1,"reports":[{"kind":"train","run":"a b","epochs":3}]}`, 422, "run id"},
		{"two lines", `{"v":1,"reports":[{"kind":"error","message":"Error: a\nb"}]}`, 422, "control character"},
		{"empty error", `{"v":1,"reports":[{"kind":"error","message":""}]}`, 422, "characters"},
		{"long message", `{"v":1,"reports":[{"kind":"error","message":"` + strings.Repeat("x", MaxTextRunes+1) + `"}]}`, 422, "characters"},
		{"wrong type", `{"v":1,"reports":[{"kind":"step","step":"one"}]}`, 422, "cannot unmarshal"},
		{"one bad among good", `{"v":1,"reports":[{"kind":"step","step":1},{"kind":"step","step":-1}]}`, 422, "reports[1]"},
	} {
		_, err := Decode(strings.NewReader(c.body))
		var ie *InputError
		if !errors.As(err, &ie) {
			t.Errorf("%s: %v, want an InputError", c.name, err)
			continue
		}
		if ie.Status != c.status || !strings.Contains(ie.Msg, c.says) {
			t.Errorf("%s: %d %q, want %d and %q", c.name, ie.Status, ie.Msg, c.status, c.says)
		}
	}
}

func TestOneLine(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"Error: a\n\tb  c ", 100, "Error: a b c"},
		{"", 10, ""},
		{strings.Repeat("가", 10), 5, "가가가가…"},
		{"abc", 3, "abc"},
	} {
		if got := OneLine(c.in, c.max); got != c.want {
			t.Errorf("OneLine(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

func TestImpliedStep(t *testing.T) {
	for kind, want := range map[Kind]Step{KindModel: 4, KindEpoch: 5, KindTrainEnd: 5, KindEvaluate: 6, KindError: -1, KindCheck: -1} {
		if got := (Report{Kind: kind}).ImpliedStep(); got != want {
			t.Errorf("%s implies %d, want %d", kind, got, want)
		}
	}
}
