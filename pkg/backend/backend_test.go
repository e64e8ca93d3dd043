package backend

import (
	"bytes"
	"os"
	"path/filepath"
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
	t.Setenv("PJRT_PLUGIN_LIBRARY_PATH", t.TempDir())
	t.Setenv("GOMLX_NO_AUTO_INSTALL", "1")
	t.Setenv("HOME", t.TempDir()) // No plugin in the user's go-xla folder either.
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
	if !strings.HasPrefix(Describe(b), "Backend: XLA CPU") {
		t.Errorf("Describe = %q", Describe(b))
	}
}
