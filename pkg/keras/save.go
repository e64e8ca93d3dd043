package keras

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/model/checkpoint"

	"mnistlesson/pkg/keras/callbacks"
)

// ModelCheckpoint saves the weights (a GoMLX checkpoint) and the History in the model's SaveDir
// after every epoch, like Keras' ModelCheckpoint callback; Fit always runs one, since each
// notebook cell is a new process that loads the model from there. It holds the folder's training
// lock (lockSaveDir) from before the training graph is built until Fit returns.
type ModelCheckpoint struct {
	Dir     string
	handler *checkpoint.Handler
	unlock  func()
}

// newModelCheckpoint locks m.saveDir and prepares it for a new training run. A model already
// saved there is moved to saveDir + ".previous" rather than deleted or, worse, silently resumed.
func (m *Model) newModelCheckpoint(log io.Writer) (*ModelCheckpoint, error) {
	dir := m.saveDir
	unlock, err := lockSaveDir(dir)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*ModelCheckpoint, error) {
		unlock()
		return nil, err
	}
	if _, err := os.Stat(dir); err == nil {
		previous := dir + ".previous"
		if err := os.RemoveAll(previous); err != nil {
			return fail(fmt.Errorf("keras: cannot remove the older backup %s: %w", previous, err))
		}
		if err := os.Rename(dir, previous); err != nil {
			return fail(fmt.Errorf("keras: cannot move the earlier model %s aside: %w", dir, err))
		}
		fmt.Fprintf(log, "Training starts over: the model saved earlier in %s was moved to %s.\n", dir, previous)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fail(fmt.Errorf("keras: cannot create %s to save the model: %w", dir, err))
	}
	if err := m.saveArchitecture(dir); err != nil {
		return fail(fmt.Errorf("keras: cannot save the model in %s: %w", dir, err))
	}
	return &ModelCheckpoint{Dir: dir, unlock: unlock}, nil
}

// watch names the weights to save: those of store, once the training graph has made them.
func (c *ModelCheckpoint) watch(store *model.Store) error {
	handler, err := checkpoint.Build(store).Dir(c.Dir).Keep(1).Done()
	if err != nil {
		return fmt.Errorf("keras: cannot save the model in %s: %w", c.Dir, err)
	}
	c.handler = handler
	return nil
}

// OnEpochEnd stores the current weights, then the History that describes them.
func (c *ModelCheckpoint) OnEpochEnd(r *callbacks.Run, _ callbacks.Epoch) error {
	if err := c.handler.Save(); err != nil {
		return fmt.Errorf("keras: saving the model in %s: %w", c.Dir, err)
	}
	return r.History.Save(c.Dir)
}

// OnTrainEnd saves the History once more when training stopped early, so that it says why; the
// weights of its last completed epoch are already saved. When no epoch completed there is
// nothing to describe.
func (c *ModelCheckpoint) OnTrainEnd(r *callbacks.Run) error {
	if r.StopReason() == "" || r.History.Completed() == 0 {
		return nil
	}
	return r.History.Save(c.Dir)
}

// load reads the weights Fit saved in m.saveDir, for a new process (a later notebook cell).
func (m *Model) load() error {
	if m.store != nil {
		return nil
	}
	if _, err := os.Stat(m.saveDir); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("keras: no trained model in %s: train the model first (run the model.Fit cell)", m.saveDir)
	}
	if err := m.checkArchitecture(); err != nil {
		return err
	}
	store := model.NewStore()
	if _, err := checkpoint.Load(store).Dir(m.saveDir).Immediate().Done(); err != nil {
		return fmt.Errorf("keras: no trained model could be loaded from %s (%v): train the model first (run the model.Fit cell)",
			m.saveDir, err)
	}
	m.store = store
	// A model from a run that stopped early is usable, but say so where its results show.
	if h, err := callbacks.LoadHistory(m.saveDir); err == nil && h.Note() != "" {
		fmt.Fprintln(m.logWriter(), h.Note())
	}
	return nil
}

// History returns the History of the last training, saved in SaveDir.
func (m *Model) History() (*callbacks.History, error) { return callbacks.LoadHistory(m.saveDir) }
