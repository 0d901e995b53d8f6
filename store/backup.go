package store

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the whole database to w while other
// goroutines keep reading and writing (bbolt Tx.WriteTo in a read
// transaction). It returns the bytes written. The caller owns w.
func (db *DB) Backup(ctx context.Context, w io.Writer) (int64, error) {
	var n int64
	err := db.view(ctx, func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup: %w", err)
	}
	return n, nil
}

// BackupFile writes a backup to path (mode 0600) atomically: a temporary
// file in the same folder is synced and renamed over path, so path is
// either the old file or a complete new backup.
func (db *DB) BackupFile(ctx context.Context, path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("backup %s: %w", path, err)
	}
	return writeAtomic(path, func(f *os.File) error {
		_, err := db.Backup(ctx, f)
		return err
	})
}

// writeAtomic writes a 0600 temp file beside path with fill, syncs it and
// renames it over path.
func writeAtomic(path string, fill func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := fill(f); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	ok = true
	if d, err := os.Open(filepath.Dir(path)); err == nil { // make the rename durable where supported
		d.Sync()
		d.Close()
	}
	return nil
}

// MaskPhone hides the middle of a phone number the way 隐私面单 do:
// "13812345678" -> "138****5678". Numbers of fewer than 7 digits are
// masked except the last two.
func MaskPhone(p string) string {
	d := normalizePhone(p)
	switch {
	case d == "":
		return ""
	case len(d) >= 7:
		return d[:3] + strings.Repeat("*", len(d)-7) + d[len(d)-4:]
	case len(d) > 2:
		return strings.Repeat("*", len(d)-2) + d[len(d)-2:]
	default:
		return strings.Repeat("*", len(d))
	}
}

// csvHeader is the export's header row (Chinese, as clerks read it in Excel).
var csvHeader = []string{"运单号", "快递公司", "配镜单号", "订单号", "收件人", "手机号", "地址", "状态", "状态代码", "创建时间", "打印时间", "签收时间", "最新轨迹时间", "轨迹条数", "补打次数"}

// csvCell neutralises text Excel would run as a formula.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ExportShipmentsCSV writes every shipment, oldest first, as CSV for Excel:
// UTF-8 with a byte-order mark, CRLF line ends, a Chinese header row, phone
// numbers masked (138****5678), times in the DB's location as
// "2006-01-02 15:04", and cells that Excel would treat as formulas prefixed
// with an apostrophe. The caller owns w.
func (db *DB) ExportShipmentsCSV(ctx context.Context, w io.Writer) error {
	return Rules{Loc: db.loc}.WriteShipmentsCSV(ctx, w, func(ctx context.Context, fn func(Shipment) error) error {
		return db.walk(ctx, bDay, nil, nil, func(k []byte) []byte { return k[8:] }, fn)
	})
}
