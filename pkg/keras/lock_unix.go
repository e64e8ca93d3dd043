//go:build unix

package keras

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockSaveDir makes sure only one training run at a time writes into dir: two kernels of one
// notebook (or two notebooks given one SaveDir) would otherwise mix their epochs' files. The
// lock is an flock on a hidden file beside dir (".mnist_mlp_model.lock"), which the system
// releases when the process ends, however it ends; unlock releases it sooner.
func lockSaveDir(dir string) (unlock func(), err error) {
	path := filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("keras: cannot create the training lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("keras: another kernel is training into %s right now: wait for it to finish "+
				"(or stop it), then run this cell again", dir)
		}
		return nil, fmt.Errorf("keras: cannot lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
