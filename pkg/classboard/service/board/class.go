package board

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"mnistlesson/pkg/classboard"
	"mnistlesson/pkg/classboard/service/hub"
	"mnistlesson/pkg/classboard/service/store"
)

// class is the live state: every student's reports folded into what the tiles show.
type class struct {
	lesson Lesson
	mu     sync.Mutex
	byName map[string]*student
	total  int64
}

type student struct {
	name       string
	reports    int
	last       time.Time // Last report.
	furthest   classboard.Step
	progressAt time.Time // Last real progress: a further step, an epoch, an evaluation, a check newly passed.
	errors     int
	lastError  string
	errorID    int64
	streak     int // The same error, again and again, with no progress between.
	layers     string
	params     int64
	modelID    int64
	run        *run
	evaluated  bool
	testLoss   float64
	testAcc    float64
	evalID     int64
	evalLayers string
	evalParams int64
	checks     map[string]check
}

type check struct {
	passed  bool
	message string
	id      int64
}

// run is one training's curve. Missing epochs hold -Inf, which no report carries.
type run struct {
	id        string
	epochs    int
	loss, acc []float64
	lastEpoch int
	ended     bool
	reason    string
}

var missing = math.Inf(-1)

func newClass(l Lesson) *class {
	return &class{lesson: l, byName: map[string]*student{}}
}

func (c *class) stored() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

// apply folds one stored report into its student's state.
func (c *class) apply(rec store.Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total++
	s := c.byName[rec.User]
	if s == nil {
		s = &student{name: rec.User, furthest: -1, checks: map[string]check{}}
		c.byName[rec.User] = s
	}
	s.reports++
	if rec.At.After(s.last) {
		s.last = rec.At
	}
	rep := rec.Report
	progress := false
	if st := rep.ImpliedStep(); st > s.furthest {
		s.furthest = st
		progress = true
	}
	switch rep.Kind {
	case classboard.KindModel:
		if rec.ID > s.modelID {
			s.layers, s.params, s.modelID = rep.Layers, rep.Params, rec.ID
		}
	case classboard.KindTrain:
		if s.run == nil || s.run.id != rep.Run {
			s.run = &run{id: rep.Run, epochs: rep.Epochs}
		}
	case classboard.KindEpoch:
		r := s.runFor(rep.Run, rep.Epochs)
		for len(r.loss) < rep.Epoch {
			r.loss, r.acc = append(r.loss, missing), append(r.acc, missing)
		}
		r.loss[rep.Epoch-1], r.acc[rep.Epoch-1] = rep.Loss, rep.Accuracy
		r.lastEpoch = max(r.lastEpoch, rep.Epoch)
		progress = true
	case classboard.KindTrainEnd:
		r := s.runFor(rep.Run, rep.Epochs)
		r.ended, r.reason = true, rep.Reason
		r.lastEpoch = max(r.lastEpoch, rep.Epoch)
	case classboard.KindEvaluate:
		if rec.ID > s.evalID {
			s.evaluated, s.testLoss, s.testAcc, s.evalID = true, rep.Loss, rep.Accuracy, rec.ID
			s.evalLayers, s.evalParams = s.layers, s.params
		}
		progress = true
	case classboard.KindError:
		s.errors++
		if rec.ID > s.errorID {
			if rep.Message == s.lastError {
				s.streak++
			} else {
				s.streak = 1
			}
			s.lastError, s.errorID = rep.Message, rec.ID
		}
	case classboard.KindCheck:
		old, seen := s.checks[rep.Exercise]
		if !seen || rec.ID > old.id {
			s.checks[rep.Exercise] = check{passed: rep.Passed, message: rep.Message, id: rec.ID}
			if rep.Passed && !old.passed {
				progress = true
			}
		}
	}
	if progress {
		s.streak = 0
		if rec.At.After(s.progressAt) {
			s.progressAt = rec.At
		}
	}
}

// runFor is the student's training named id, a new one if it is not the current one.
func (s *student) runFor(id string, epochs int) *run {
	if s.run == nil || s.run.id != id {
		s.run = &run{id: id, epochs: epochs}
	}
	s.run.epochs = max(s.run.epochs, epochs)
	return s.run
}

// Tile is what the page shows of one student.
type Tile struct {
	Name          string      `json:"name"`
	Server        string      `json:"server"`        // Their server, through the hub: /user/NAME/.
	OnRoster      bool        `json:"on_roster"`     // The hub lists them (not an admin).
	Admin         bool        `json:"admin"`         // The hub's admin (the teacher trying the lesson).
	NeverLoggedIn bool        `json:"never_started"` // No login and no report yet.
	Step          int         `json:"step"`          // The furthest step reached, -1 for none.
	LastMS        int64       `json:"last_ms"`       // Last activity (a report, or the hub's), Unix ms; 0 for none.
	Reports       int         `json:"reports"`
	Errors        int         `json:"errors"`
	LastError     string      `json:"last_error"`
	Curve         *Curve      `json:"curve"`
	Layers        string      `json:"layers"`
	Params        int64       `json:"params"`
	TestAccuracy  *float64    `json:"test_accuracy"`
	TestLoss      Num         `json:"test_loss"`
	ChecksPassed  int         `json:"checks_passed"`
	ChecksTotal   int         `json:"checks_total"`
	Checks        []CheckTile `json:"checks"`
	RateLimited   int         `json:"rate_limited"` // Reports refused by the rate limit.
	Stuck         string      `json:"stuck"`        // Why the student looks stuck; "" if not.
	Diverged      string      `json:"diverged"`     // Why the training looks diverged; "" if not.
	OtherModel    string      `json:"other_model"`  // How the model differs from the lesson's, and what it reached; "" if the same.
}

// CheckTile is one exercise's last check.
type CheckTile struct {
	Name    string `json:"name"`
	Passed  bool   `json:"passed"`
	Message string `json:"message"`
}

// Curve is the latest training's loss and accuracy per epoch, at most 200 points (evenly
// thinned, keeping the last).
type Curve struct {
	Run      string `json:"run"`
	Epochs   int    `json:"epochs"` // Planned.
	Done     int    `json:"done"`   // Last epoch reported.
	Ended    bool   `json:"ended"`
	Reason   string `json:"reason"`
	Epoch    []int  `json:"epoch"`
	Loss     []Num  `json:"loss"`
	Accuracy []Num  `json:"accuracy"`
}

// Num is a float64 for JavaScript: a number, "NaN", "Infinity", or null when missing (so
// that the page reads every one with Number()).
type Num float64

// MarshalJSON writes n as a JSON number, or as a string JavaScript's Number() reads.
func (n Num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	switch {
	case math.IsNaN(f):
		return []byte(`"NaN"`), nil
	case math.IsInf(f, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(f, -1):
		return []byte(`null`), nil
	}
	return strconv.AppendFloat(nil, f, 'g', 6, 64), nil
}

// Summary is the whole class, as api/state answers it.
type Summary struct {
	NowMS         int64    `json:"now_ms"`
	Steps         []string `json:"steps"`
	LessonLayers  string   `json:"lesson_layers"`
	LessonParams  int64    `json:"lesson_params"`
	LessonAcc     float64  `json:"lesson_accuracy"`       // The lesson's reference accuracy.
	ClassLessonAc *float64 `json:"class_lesson_accuracy"` // Median test accuracy of the students with the lesson's model.
	StuckMinutes  float64  `json:"stuck_minutes"`
	Tiles         []Tile   `json:"tiles"`
	Counters      Counters `json:"counters"`
}

// summary builds every tile (names nil), or only those of names, at time now.
func (b *Board) summary(now time.Time, roster []hub.User, names map[string]bool) Summary {
	c := b.class
	c.mu.Lock()
	defer c.mu.Unlock()
	exercises := b.cfg.Exercises
	for _, s := range c.byName {
		exercises = max(exercises, len(s.checks))
	}
	// The lesson's model, as the class trained it: the median of its test accuracies.
	var same []float64
	for _, s := range c.byName {
		if s.evaluated && !math.IsNaN(s.testAcc) && sameModel(s.evalLayers, s.evalParams, c.lesson) {
			same = append(same, s.testAcc)
		}
	}
	var classAcc *float64
	if len(same) > 0 {
		slices.Sort(same)
		m := same[len(same)/2]
		if len(same)%2 == 0 {
			m = (same[len(same)/2-1] + same[len(same)/2]) / 2
		}
		classAcc = &m
	}
	lessonAcc := c.lesson.Accuracy
	if classAcc != nil {
		lessonAcc = *classAcc
	}

	type entry struct {
		name                 string
		onRoster, admin, new bool
		hubLast              time.Time
	}
	var order []entry
	listed := map[string]bool{}
	for _, u := range roster {
		listed[u.Name] = true
		if u.Admin && c.byName[u.Name] == nil {
			continue // The teacher has a tile only once they report something.
		}
		e := entry{name: u.Name, onRoster: !u.Admin, admin: u.Admin, new: u.LastActivity == nil}
		if u.LastActivity != nil {
			e.hubLast = *u.LastActivity
		}
		order = append(order, e)
	}
	for name := range c.byName {
		if !listed[name] {
			order = append(order, entry{name: name})
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].onRoster != order[j].onRoster {
			return order[i].onRoster
		}
		return order[i].name < order[j].name
	})

	sum := Summary{
		NowMS: now.UnixMilli(), Steps: classboard.StepNames[:], LessonLayers: c.lesson.Layers,
		LessonParams: c.lesson.Params, LessonAcc: c.lesson.Accuracy, ClassLessonAc: classAcc,
		StuckMinutes: b.cfg.StuckAfter.Minutes(), Tiles: []Tile{},
	}
	for _, e := range order {
		if names != nil && !names[e.name] {
			continue
		}
		t := Tile{Name: e.name, Server: b.cfg.HubBaseURL + "user/" + url.PathEscape(e.name) + "/",
			OnRoster: e.onRoster, Admin: e.admin, Step: -1, ChecksTotal: exercises, Checks: []CheckTile{},
			TestLoss: Num(missing), RateLimited: b.limits.refusedOf(e.name)}
		last := e.hubLast
		s := c.byName[e.name]
		if s == nil {
			t.NeverLoggedIn = e.new
		} else {
			if s.last.After(last) {
				last = s.last
			}
			t.Step, t.Reports, t.Errors, t.LastError = int(s.furthest), s.reports, s.errors, s.lastError
			t.Layers, t.Params = s.layers, s.params
			if s.evaluated {
				acc := s.testAcc
				t.TestAccuracy, t.TestLoss = &acc, Num(s.testLoss)
			}
			for name, ch := range s.checks {
				t.Checks = append(t.Checks, CheckTile{Name: name, Passed: ch.passed, Message: ch.message})
				if ch.passed {
					t.ChecksPassed++
				}
			}
			sort.Slice(t.Checks, func(i, j int) bool { return t.Checks[i].Name < t.Checks[j].Name })
			if s.run != nil {
				t.Curve = s.run.curve(200)
			}
			t.Stuck = c.stuck(s, now, b.cfg.StuckAfter)
			t.Diverged = s.diverged()
			if s.layers != "" && !sameModel(s.layers, s.params, c.lesson) {
				t.OtherModel = otherModel(s, c.lesson, lessonAcc, classAcc != nil)
			}
		}
		if !last.IsZero() {
			t.LastMS = last.UnixMilli()
		}
		sum.Tiles = append(sum.Tiles, t)
	}
	return sum
}

func normalize(layers string) string { return strings.Join(strings.Fields(layers), " ") }

func sameModel(layers string, params int64, l Lesson) bool {
	return normalize(layers) == normalize(l.Layers) && params == l.Params
}

// stuck: the same error three times with no progress between, or no progress for StuckAfter
// while someone else progressed in that time and is further on.
func (c *class) stuck(s *student, now time.Time, after time.Duration) string {
	if s.streak >= 3 {
		return fmt.Sprintf("같은 오류 %d번 / same error %d times", s.streak, s.streak)
	}
	if s.furthest >= classboard.LastStep || s.reports == 0 {
		return ""
	}
	since := s.progressAt
	if since.IsZero() {
		since = s.last
	}
	idle := now.Sub(since)
	if idle < after {
		return ""
	}
	for _, o := range c.byName {
		if o != s && now.Sub(o.progressAt) < after && o.furthest > s.furthest {
			m := int(idle.Minutes())
			return fmt.Sprintf("%d분째 진행 없음 / no progress for %d min", m, m)
		}
	}
	return ""
}

// diverged: the latest training's loss is NaN or infinite, or has risen three epochs running
// to half again its lowest; or the test loss is NaN.
func (s *student) diverged() string {
	if r := s.run; r != nil {
		low := math.Inf(1)
		rising := 0
		prev := math.NaN()
		for i, l := range r.loss {
			if l == missing {
				continue
			}
			if math.IsNaN(l) || math.IsInf(l, 1) {
				return fmt.Sprintf("손실 %v (에폭 %d) / loss %v at epoch %d", l, i+1, l, i+1)
			}
			if l > prev {
				rising++
			} else {
				rising = 0
			}
			low = math.Min(low, l)
			prev = l
		}
		if rising >= 3 && prev > 1.5*low {
			return fmt.Sprintf("손실 증가 / loss rising: %.3g (lowest %.3g)", prev, low)
		}
	}
	if s.evaluated && (math.IsNaN(s.testLoss) || math.IsInf(s.testLoss, 1)) {
		return "시험 손실 NaN / test loss NaN"
	}
	return ""
}

// otherModel says how the student's model differs from the lesson's, in Keras' words, and
// what it reached beside the lesson's model: "Dense(128) → 10: 0.980 (lesson's 0.974)".
func otherModel(s *student, l Lesson, lessonAcc float64, measured bool) string {
	desc := describe(s.layers)
	if normalize(s.layers) == normalize(l.Layers) {
		desc = fmt.Sprintf("%s parameters", commas(s.params))
	}
	ref := "lesson's model"
	if measured {
		ref = "lesson's model in this class"
	}
	if s.evaluated && sameModel(s.evalLayers, s.evalParams, Lesson{Layers: s.layers, Params: s.params}) && !math.IsNaN(s.testAcc) {
		return fmt.Sprintf("%s reached %.3f (%s: %.3f)", desc, s.testAcc, ref, lessonAcc)
	}
	return fmt.Sprintf("%s, %s parameters (lesson's: %s)", desc, commas(s.params), commas(l.Params))
}

// describe turns "784 → 128 (relu) → 10 (softmax)" into "Dense(128)": the hidden layers.
func describe(layers string) string {
	parts := strings.Split(layers, "→")
	if len(parts) < 2 {
		return layers
	}
	var hidden []string
	for _, p := range parts[1 : len(parts)-1] {
		f := strings.Fields(p)
		if len(f) == 0 {
			return layers
		}
		hidden = append(hidden, "Dense("+f[0]+")")
	}
	if len(hidden) == 0 {
		return "no hidden layer"
	}
	return strings.Join(hidden, ", ")
}

func commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// curve thins the run to at most n points, keeping the last.
func (r *run) curve(n int) *Curve {
	c := &Curve{Run: r.id, Epochs: r.epochs, Done: r.lastEpoch, Ended: r.ended, Reason: r.reason,
		Epoch: []int{}, Loss: []Num{}, Accuracy: []Num{}}
	total := len(r.loss)
	step := max(1, (total+n-1)/n)
	for i := 0; i < total; i += step {
		j := i
		if i+step >= total {
			j = total - 1
		}
		if r.loss[j] == missing {
			continue
		}
		c.Epoch = append(c.Epoch, j+1)
		c.Loss = append(c.Loss, Num(r.loss[j]))
		c.Accuracy = append(c.Accuracy, Num(r.acc[j]))
		// A NaN hidden by thinning would hide the divergence: keep the first one.
		if i+step < total {
			for k := i + 1; k < i+step; k++ {
				if math.IsNaN(r.loss[k]) || math.IsInf(r.loss[k], 1) {
					c.Epoch = append(c.Epoch, k+1)
					c.Loss = append(c.Loss, Num(r.loss[k]))
					c.Accuracy = append(c.Accuracy, Num(r.acc[k]))
					break
				}
			}
		}
	}
	return c
}
