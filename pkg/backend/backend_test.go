package backend

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestStrictGoBackend(t *testing.T) {
	b, err := Choose("go", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(Describe(b), "Backend: GoMLX Go backend") {
		t.Errorf("got %s / %q", b.Name(), Describe(b))
	}
}

func TestStrictUnknownBackendFailsClearly(t *testing.T) {
	_, err := Choose("tpu-please", nil)
	if err == nil || !strings.Contains(err.Error(), "LESSON_BACKEND=tpu-please") || !strings.Contains(err.Error(), "compiled in") {
		t.Errorf("err = %v", err)
	}
}

func TestFallbackWhenXLAPluginIsMissing(t *testing.T) {
	// No plugin where set-up puts it, and no download (the fault a classroom behind a firewall has).
	// go-xla reads both variables when the process starts, so the fault is set up in a fresh copy
	// of this test binary, which runs the checks below.
	if os.Getenv("LESSON_TEST_NO_PLUGIN") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFallbackWhenXLAPluginIsMissing$", "-test.v")
		cmd.Env = append(os.Environ(), "LESSON_TEST_NO_PLUGIN=1", "PJRT_PLUGIN_LIBRARY_PATH="+t.TempDir(),
			"GOMLX_NO_AUTO_INSTALL=1", "HOME="+t.TempDir()) // No plugin in the user's go-xla folder either.
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestFallbackWhenXLAPluginIsMissing") {
			t.Fatalf("in a process without the plugin: %v\n%s", err, out)
		}
		return
	}
	var warn bytes.Buffer
	b, err := Choose("", &warn)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(Describe(b), "Backend: GoMLX Go backend") {
		t.Errorf("fell back to %q, want the Go backend", Describe(b))
	}
	msg := warn.String()
	if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "XLA CPU is not available") || !strings.Contains(msg, "scripts/setup") {
		t.Errorf("want one sentence saying why and how to fix it, got %q", msg)
	}
	if _, err := Choose("xla:cpu", nil); err == nil {
		t.Error("strict xla:cpu without a plugin should fail, not fall back")
	}
}

func TestXLAPluginFromSetup(t *testing.T) {
	dir := os.Getenv("PJRT_PLUGIN_LIBRARY_PATH")
	if _, err := os.Stat(filepath.Join(dir, "pjrt_c_api_cpu_plugin.so")); dir == "" || err != nil {
		t.Skipf("SKIP: no XLA CPU plugin in PJRT_PLUGIN_LIBRARY_PATH=%q; scripts/setup installs it", dir)
	}
	b, err := Choose("xla:cpu", nil)
	if err != nil {
		t.Fatal(err)
	}
	// The kind and the plugin's version, not its path on the student's disk.
	if d := Describe(b); !regexp.MustCompile(`^Backend: XLA CPU \(PJRT plugin v[0-9.]+ `).MatchString(d) || strings.Contains(d, "/") {
		t.Errorf("Describe = %q", d)
	}
	// One device, not XLA's default of one per core with a pool of threads each (cpuOptions).
	if n := b.NumDevices(); n != 1 {
		t.Errorf("the XLA CPU backend has %d devices, want 1", n)
	}
}

func TestCPUPluginTakesCPUOptions(t *testing.T) {
	for config, want := range map[string]bool{
		"xla:cpu": true, "xla:/opt/x/pjrt_c_api_cpu_plugin.so": true,
		"xla:cuda": false, "xla:/opt/x/pjrt_c_api_cuda_plugin.so": false, "go": false,
	} {
		if _, got := cpuPlugin(config); got != want {
			t.Errorf("cpuPlugin(%q) = %v, want %v", config, got, want)
		}
	}
}
