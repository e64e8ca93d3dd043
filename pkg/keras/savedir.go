package keras

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"mnistlesson/pkg/atomicfile"
)

// defaultSaveDir is where a model is saved unless SaveDir says otherwise: "<notebook>_model",
// beside the notebook that builds it, so that two notebooks in one folder (a student's
// duplicate, say) each keep their own model. JupyterLab names the notebook of each kernel in
// JPY_SESSION_NAME (scripts/execute_notebook.py does the same), and starts the kernel in the
// notebook's folder. Outside a notebook it is DefaultSaveDir.
func defaultSaveDir() string {
	notebook := filepath.Base(os.Getenv("JPY_SESSION_NAME"))
	name, ok := strings.CutSuffix(notebook, ".ipynb")
	if !ok || name == "" {
		return DefaultSaveDir
	}
	return name + "_model"
}

// architectureFile describes the saved model's layers, so that a model with other layers is not
// loaded from the same folder.
const architectureFile = "architecture.json"

// Architecture returns the model's layer widths and activations, e.g.
// "784 → 64 (relu) → 32 (relu) → 10 (softmax)".
func (m *Model) Architecture() string {
	if len(m.layers) == 0 {
		return "no layers"
	}
	parts := []string{fmt.Sprint(m.InputDim())}
	for _, l := range m.layers {
		parts = append(parts, fmt.Sprintf("%d (%s)", l.units, l.activation))
	}
	return strings.Join(parts, " → ")
}

// saveArchitecture records the model's layers in dir.
func (m *Model) saveArchitecture(dir string) error {
	data, err := json.Marshal(map[string]string{"layers": m.Architecture()})
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, architectureFile), data)
}

// checkArchitecture refuses a saved model whose layers differ from m's, in one sentence that names
// both and the fix, instead of GoMLX's error about reused variables of another shape.
func (m *Model) checkArchitecture() error {
	data, err := os.ReadFile(filepath.Join(m.saveDir, architectureFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil // Saved before architectures were recorded: GoMLX still checks the shapes.
	}
	if err != nil {
		return fmt.Errorf("keras: reading the saved model's layers: %w", err)
	}
	var saved map[string]string
	if err := json.Unmarshal(data, &saved); err != nil {
		return fmt.Errorf("keras: %s is damaged (%v): train the model again (run the model.Fit cell)",
			filepath.Join(m.saveDir, architectureFile), err)
	}
	if saved["layers"] != m.Architecture() {
		return fmt.Errorf("keras: the model saved in %s has layers %s, but this model has %s: "+
			"run the training cell (model.Fit) to train this one", m.saveDir, saved["layers"], m.Architecture())
	}
	return nil
}
