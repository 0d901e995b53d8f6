//go:build linux

package usbtest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// cpioWriter writes the "newc" cpio format the kernel unpacks as an
// initramfs: a 110-byte ASCII header per entry, the name, then the data,
// each padded to four bytes, ended by a TRAILER!!! entry.
type cpioWriter struct {
	w    *bufio.Writer
	ino  int
	dirs map[string]bool
}

func newCpioWriter(w io.Writer) *cpioWriter {
	return &cpioWriter{w: bufio.NewWriter(w), ino: 1, dirs: map[string]bool{".": true, "": true}}
}

const (
	modeDir  = 0o040000
	modeFile = 0o100000
)

func (c *cpioWriter) entry(name string, mode uint32, data []byte) error {
	nlink := 1
	if mode&modeDir != 0 {
		nlink = 2
	}
	hdr := fmt.Sprintf("070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		c.ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(name)+1, 0)
	c.ino++
	if _, err := c.w.WriteString(hdr + name + "\x00"); err != nil {
		return err
	}
	if err := c.pad(len(hdr) + len(name) + 1); err != nil {
		return err
	}
	if _, err := c.w.Write(data); err != nil {
		return err
	}
	return c.pad(len(data))
}

func (c *cpioWriter) pad(n int) error {
	if r := n % 4; r != 0 {
		_, err := c.w.Write(make([]byte, 4-r))
		return err
	}
	return nil
}

func (c *cpioWriter) dir(name string) error {
	if c.dirs[name] {
		return nil
	}
	c.dirs[name] = true
	return c.entry(name, modeDir|0o755, nil)
}

func (c *cpioWriter) mkdirAll(name string) error {
	parts := strings.Split(filepath.ToSlash(name), "/")
	for i := range parts {
		if err := c.dir(strings.Join(parts[:i+1], "/")); err != nil {
			return err
		}
	}
	return nil
}

func (c *cpioWriter) file(name string, data []byte, perm uint32) error {
	return c.entry(name, modeFile|perm, data)
}

func (c *cpioWriter) fileFrom(name, src string, perm uint32) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return c.file(name, data, perm)
}

func (c *cpioWriter) close() error {
	if err := c.entry("TRAILER!!!", 0, nil); err != nil {
		return err
	}
	return c.w.Flush()
}
