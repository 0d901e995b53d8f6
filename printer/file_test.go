package printer

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestFilePrinter(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.prn")
	dev, err := Open(t.Context(), PathURI("file", out))
	if err != nil {
		t.Fatal(err)
	}
	for _, job := range []string{"first job", "second"} {
		if err := dev.Print(t.Context(), []byte(job)); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(out); string(b) != job {
			t.Fatalf("file holds %q, want %q (one job per file)", b, job)
		}
	}
	if st, _ := dev.Status(t.Context()); st != Ready {
		t.Errorf("status %v", st)
	}

	// A folder gets job-N.prn, numbered after what is there.
	os.WriteFile(filepath.Join(dir, "job-7.prn"), []byte("old"), 0o644)
	dev, err = Open(t.Context(), PathURI("file", dir))
	if err != nil {
		t.Fatal(err)
	}
	for i, job := range [][]byte{[]byte("^XA^XZ"), bytes.Repeat([]byte{0, 0xff}, 1000)} {
		if err := dev.Print(t.Context(), job); err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(dir, []string{"job-8.prn", "job-9.prn"}[i])
		if b, err := os.ReadFile(name); err != nil || !bytes.Equal(b, job) {
			t.Fatalf("%s: %v", name, err)
		}
	}

	if _, err := Open(t.Context(), PathURI("file", filepath.Join(dir, "no", "such", "x.prn"))); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing folder: %v, want ErrNotFound", err)
	}
}
