package keras

import (
	"fmt"
	"path/filepath"

	"github.com/gofrs/flock"
)

// lockSaveDir makes sure only one training run at a time writes into dir: two kernels of one
// notebook (or two notebooks given one SaveDir) would otherwise mix their epochs' files. The
// lock is held on a hidden file beside dir (".mnist_mlp_model.lock"), which the system
// releases when the process ends, however it ends; unlock releases it sooner.
func lockSaveDir(dir string) (unlock func(), err error) {
	path := filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".lock")
	lock := flock.New(path)
	locked, err := lock.TryLock()
	if err != nil {
		return nil, fmt.Errorf("keras: cannot lock %s: %w", path, err)
	}
	if !locked {
		return nil, fmt.Errorf("keras: another kernel is training into %s right now: wait for it to finish "+
			"(or stop it), then run this cell again", dir)
	}
	return func() { lock.Close() }, nil
}
