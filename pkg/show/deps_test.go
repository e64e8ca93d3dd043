package show

import (
	"os/exec"
	"strings"
	"testing"
)

// show must not depend on GoMLX's graph packages or XLA (through package keras or otherwise):
// GoNB builds every cell into a new binary, and a cell that only draws digits links in 0.4 s
// without them and in 1.2 s with them (docs/cell-latency.md).
func TestShowDoesNotImportGoMLX(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list -deps listed only %d packages: %q", len(deps), deps)
	}
	for _, dep := range deps {
		if dep == "mnistlesson/pkg/keras" || dep == "mnistlesson/pkg/backend" ||
			strings.HasPrefix(dep, "github.com/gomlx/gomlx") || strings.HasPrefix(dep, "github.com/gomlx/go-xla") {
			t.Errorf("package show depends on %s: keep show free of keras, GoMLX and XLA (use keras/callbacks and keras/summary)", dep)
		}
	}
}
