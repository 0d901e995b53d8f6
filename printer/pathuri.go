package printer

import (
	"path/filepath"
	"strings"
)

// PathURI is the file:// or virtual:// address of a path on this OS:
// "/tmp/labels" gives virtual:///tmp/labels and `C:\labels` gives
// virtual:///C:/labels, both of which ParseURI reads back to the path.
func PathURI(scheme, path string) string {
	return scheme + ":///" + strings.TrimPrefix(filepath.ToSlash(path), "/")
}
