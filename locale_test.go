//go:build cgo && (linux || freebsd)

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandLineQuietUnderCLocale runs the real binary the way containers
// and CI machines start it (LANG=C.UTF-8): a successful command writes
// nothing on stderr and a failing one exactly one line, with no toolkit
// noise from Fyne's locale lookup.
func TestCommandLineQuietUnderCLocale(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the build of the real binary")
	}
	bin := filepath.Join(t.TempDir(), "shipdesk")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, env := range [][]string{{"LANG=C.UTF-8"}, {"LANG=C.UTF-8", "LC_ALL=C.utf8"}, {"LANG=POSIX.UTF-8"}} {
		run := func(args ...string) (stdout, stderr string, code int) {
			cmd := exec.Command(bin, args...)
			cmd.Env = append(cleanLocaleEnv(), env...)
			var o, e bytes.Buffer
			cmd.Stdout, cmd.Stderr = &o, &e
			err := cmd.Run()
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			return o.String(), e.String(), code
		}
		out, errs, code := run("detect", "SF1234567890123", "--json")
		if code != 0 || errs != "" || !strings.Contains(out, "shunfeng") {
			t.Errorf("%v detect: exit %d, stdout %q, stderr %q; want exit 0, shunfeng, empty stderr", env, code, out, errs)
		}
		_, errs, code = run("--data-dir", t.TempDir(), "track", "SF1234567890123")
		if code != 1 || strings.Count(strings.TrimRight(errs, "\n"), "\n") != 0 || !strings.Contains(errs, "KUAIDI100_KEY") {
			t.Errorf("%v track without credentials: exit %d, stderr %q; want exit 1 and one line naming KUAIDI100_KEY", env, code, errs)
		}
	}
}

// cleanLocaleEnv is the test's environment without locale or credential
// variables, so the cases above decide them.
func cleanLocaleEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name == "LANG" || name == "LANGUAGE" || strings.HasPrefix(name, "LC_") || strings.HasPrefix(name, "KUAIDI100_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}
