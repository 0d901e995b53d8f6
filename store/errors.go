package store

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by the DB wrap them; test with errors.Is.
var (
	// ErrNotFound: no record with that key.
	ErrNotFound = errors.New("not found")
	// ErrInvalid: the record failed validation; the message names the field.
	// Nothing was written.
	ErrInvalid = errors.New("invalid")
	// ErrDuplicate: the waybill number is already stored for another carrier.
	ErrDuplicate = errors.New("waybill already stored for another carrier")
	// ErrExists: the same waybill and carrier (or the same key) is already
	// stored.
	ErrExists = errors.New("already exists")
	// ErrAlreadyRunning: another process has the database open. Its text is
	// shown to people as it is, hence the capital.
	//lint:ignore ST1005 the message is shown to people verbatim
	ErrAlreadyRunning = errors.New("Shipdesk is already running with this data folder")
	// ErrUnavailable: the shared database cannot be reached (network or
	// server down); nothing was written. The station retries by itself.
	ErrUnavailable = errors.New("shared database unreachable")
	// ErrInsecureSecrets: the secrets file can be read by other users.
	ErrInsecureSecrets = errors.New("secrets file is readable by other users")
)

// AlreadyRunningError is returned by Open when another process holds the
// database file. It matches ErrAlreadyRunning with errors.Is.
type AlreadyRunningError struct {
	Dir string // the data folder
}

// Error names the folder, in English and Chinese, for the person at the desk.
func (e *AlreadyRunningError) Error() string {
	return fmt.Sprintf("Shipdesk is already running with this data folder (%s). 发货台已经在使用这个数据文件夹运行，请先关闭另一个发货台窗口。", e.Dir)
}

// Is reports whether target is ErrAlreadyRunning.
func (e *AlreadyRunningError) Is(target error) bool { return target == ErrAlreadyRunning }

// invalid returns an ErrInvalid naming the field.
func invalid(field, format string, args ...any) error {
	return fmt.Errorf("%w %s: %s", ErrInvalid, field, fmt.Sprintf(format, args...))
}
