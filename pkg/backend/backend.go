package backend

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/go-xla/compute/xla"
	"github.com/gomlx/go-xla/pjrt"
	_ "github.com/gomlx/gomlx/backends/default" // Registers the "xla" and "go" backends.

	"mnistlesson/pkg/classboard"
)

// EnvStrict names the environment variable that selects a backend strictly.
const EnvStrict = "LESSON_BACKEND"

// Preferred is the backend the lesson asks for first.
const Preferred = "xla:cpu"

// Fallback is the backend used when Preferred cannot start and no strict choice was made.
const Fallback = "go"

var (
	defaultOnce    sync.Once
	defaultBackend compute.Backend
	defaultErr     error
)

// Default returns the process-wide backend, creating it on first use with Choose(os.Stderr).
func Default() (compute.Backend, error) {
	defaultOnce.Do(func() {
		defaultBackend, defaultErr = Choose(os.Getenv(EnvStrict), os.Stderr)
		if defaultErr == nil && os.Getenv(EnvDebug) != "" {
			fmt.Fprintf(os.Stderr, "backend: %s\n", defaultBackend.Description())
		}
		if defaultErr == nil {
			classboard.Reached(classboard.StepLibraries) // On a class hub: the teacher's board.
		}
	})
	return defaultBackend, defaultErr
}

// Choose creates a backend. With a non-empty strict name it creates exactly that one or fails.
// Otherwise it tries Preferred and, if that fails, writes one sentence saying why to warn and
// returns the Fallback backend.
func Choose(strict string, warn io.Writer) (compute.Backend, error) {
	if strict != "" {
		b, err := create(strict)
		if err != nil {
			return nil, fmt.Errorf("backend: %s=%s was asked for, but it cannot start (%w); %s", EnvStrict, strict, err, hint(strict))
		}
		return b, nil
	}
	b, err := create(Preferred)
	if err == nil {
		return b, nil
	}
	if warn == nil {
		warn = io.Discard
	}
	fmt.Fprintf(warn, "XLA CPU is not available (%s), so this lesson trains on GoMLX's Go backend instead; %s\n",
		firstLine(err), hint(Preferred))
	return create(Fallback)
}

// resolve turns "xla:cpu" into "xla:/abs/path/pjrt_c_api_cpu_plugin.so" when set-up installed the
// plugin in a folder of $PJRT_PLUGIN_LIBRARY_PATH. Naming the file skips GoMLX's auto-install,
// which would otherwise ask GitHub first; without a local plugin, "xla:cpu" goes to GoMLX as is,
// so users with GitHub access still get its auto-install.
func resolve(config string) string {
	if config != "xla:cpu" && config != "xla" {
		return config
	}
	for _, dir := range filepath.SplitList(os.Getenv("PJRT_PLUGIN_LIBRARY_PATH")) {
		path := filepath.Join(dir, "pjrt_c_api_cpu_plugin.so")
		if _, err := os.Stat(path); err == nil {
			if abs, err := filepath.Abs(path); err == nil {
				return "xla:" + abs
			}
		}
	}
	return config
}

// create wraps compute.NewWithConfig, which panics on unknown names, into an error.
func create(config string) (b compute.Backend, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	config = resolve(config)
	if plugin, ok := cpuPlugin(config); ok {
		return xla.NewWithOptions(plugin, cpuOptions)
	}
	return compute.NewWithConfig(config)
}

// cpuOptions are the XLA CPU client's options. By default the client made 4 devices on the
// project's 2-core VM, with a pool of 4 threads; the lesson uses one device, and with one the pool
// has 2 threads. Training measured 0.32-0.42 against 0.42-0.56 ms per step (docs/performance.md).
var cpuOptions = pjrt.NamedValuesMap{"cpu_device_count": int64(1)}

// cpuPlugin returns the plugin part of an XLA CPU configuration ("xla:cpu" or the path of a CPU
// plugin), which takes cpuOptions.
func cpuPlugin(config string) (string, bool) {
	plugin, ok := strings.CutPrefix(config, "xla:")
	if !ok {
		return "", false
	}
	return plugin, plugin == "cpu" || strings.HasSuffix(plugin, "pjrt_c_api_cpu_plugin.so")
}

// hint says how to get a backend that failed.
func hint(config string) string {
	if strings.HasPrefix(config, "xla") {
		return "run scripts/setup to install the XLA CPU plugin, or see the README's troubleshooting section"
	}
	return fmt.Sprintf("backends compiled in: %s", strings.Join(compute.List(), ", "))
}

// Describe returns the one line that says which backend runs, for the notebook, e.g.
// "Backend: XLA CPU (PJRT plugin v0.115 [StableHLO] [1 device(s)])": the kind of backend and the
// plugin's version, not where the plugin lies on the student's disk (Debug says that).
func Describe(b compute.Backend) string {
	kind := "GoMLX Go backend"
	if b.Name() == "xla" {
		kind = "XLA CPU"
		if strings.Contains(b.Description(), "cuda") {
			kind = "XLA CUDA"
		}
	}
	desc := firstLine(fmt.Errorf("%s", b.Description()))
	if _, rest, ok := strings.Cut(desc, " - "); ok && strings.HasPrefix(desc, "xla:") {
		desc = rest // "xla:/path/plugin.so - PJRT plugin (/path/plugin.so) v0.115 ..."
	}
	return fmt.Sprintf("Backend: %s (%s)", kind, pluginPath.ReplaceAllString(desc, ""))
}

// pluginPath matches the plugin's path in a description, " (/path/pjrt_c_api_cpu_plugin.so)".
var pluginPath = regexp.MustCompile(` \([^)]*/[^)]*\)`)

// EnvDebug names the environment variable that, set to anything, makes Default write the
// backend's full description, the plugin's path included, to stderr.
const EnvDebug = "LESSON_DEBUG"

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
