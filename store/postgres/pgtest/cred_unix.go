//go:build !windows

package pgtest

import (
	"os"
	"os/exec"
	"syscall"
)

// credential is the user the server runs as when the tests run as root.
type credential = syscall.Credential

func newCredential(uid, gid uint32) *credential {
	return &credential{Uid: uid, Gid: gid, NoSetGroups: true}
}

func setCredential(cmd *exec.Cmd, c *credential) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c}
}

// ownerCredential is the non-root owner of a cluster's folder, or nil.
func ownerCredential(st os.FileInfo) *credential {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && sys.Uid != 0 {
		return newCredential(sys.Uid, sys.Gid)
	}
	return nil
}
