//go:build windows

package pgtest

import (
	"os"
	"os/exec"
)

// On Windows (the Windows test binaries under Wine) there is no root to
// step down from: the server, if any, runs as the user.
type credential struct{}

func newCredential(uid, gid uint32) *credential  { return nil }
func setCredential(cmd *exec.Cmd, c *credential) {}
func ownerCredential(st os.FileInfo) *credential { return nil }
