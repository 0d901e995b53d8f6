package printer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// filePrinter writes each job to a file: to the URI's path when that is not
// a folder (each job replaces the last), or to job-N.prn inside it when it
// is (N one more than the highest already there).
type filePrinter struct {
	u     URI
	isDir bool
}

func openFile(u URI) (*filePrinter, error) {
	fi, err := os.Stat(u.Path)
	switch {
	case err == nil:
		return &filePrinter{u: u, isDir: fi.IsDir()}, nil
	case errors.Is(err, fs.ErrNotExist):
		dir := filepath.Dir(u.Path)
		if di, derr := os.Stat(dir); derr != nil || !di.IsDir() {
			return nil, fmt.Errorf("open file printer: folder %s does not exist: %w", dir, ErrNotFound)
		}
		return &filePrinter{u: u}, nil
	}
	return nil, fmt.Errorf("open file printer: %w", classifyFileErr(err))
}

func (p *filePrinter) Info() Info {
	return Info{URI: p.u.String(), Name: filepath.Base(p.u.Path), Language: p.u.Language, Transport: "file"}
}

func (p *filePrinter) Close() error { return nil }

// Status of a file is Ready when its folder is writable, Offline otherwise.
func (p *filePrinter) Status(ctx context.Context) (Status, error) {
	dir := p.u.Path
	if !p.isDir {
		dir = filepath.Dir(dir)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return Offline, nil
	}
	return Ready, nil
}

// Print writes the job to a temporary file and renames it into place, so a
// reader never sees half a job.
func (p *filePrinter) Print(ctx context.Context, job []byte) error {
	path := p.u.Path
	if p.isDir {
		next, err := nextNumbered(p.u.Path, "job-", ".prn")
		if err != nil {
			return err
		}
		path = filepath.Join(p.u.Path, fmt.Sprintf("job-%d.prn", next))
	}
	return writeAtomic(path, job)
}

// nextNumbered finds 1 + the highest N among prefixN+suffix files in dir.
func nextNumbered(dir, prefix, suffix string) (int, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("list %s: %w", dir, classifyFileErr(err))
	}
	high := 0
	for _, e := range ents {
		name := e.Name()
		if !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, suffix) {
			continue
		}
		if n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, prefix), suffix)); err == nil && n > high {
			high = n
		}
	}
	return high + 1, nil
}

func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, classifyFileErr(err))
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, classifyFileErr(werr))
	}
	return nil
}

func classifyFileErr(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%w: %w", ErrPermission, err)
	}
	return err
}
