package printer

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// URI is a parsed printer address (DESIGN.md §4):
//
//	usb://                         the first USB printer-class device
//	usb://VID:PID[?serial=S]       a USB printer by hex vendor:product id
//	serial:///dev/ttyUSB0?baud=115200[&databits=8&parity=none&stopbits=1]
//	serial://COM3?baud=9600        (Windows port names)
//	tcp://HOST[:9100]              raw TCP (JetDirect / AppSocket)
//	file:///path/out.prn           write each job to a file (a folder: job-N.prn)
//	virtual:///dir                 render each job to a PNG in dir
//	winspool://PRINTER%20NAME      a Windows printer by its name, one RAW job (winspool.go)
//
// Every scheme also takes ?lang=tspl|zpl, the language used for status
// queries when the device does not say (default tspl), and tcp/serial take
// ?timeout=5s for the whole job.
type URI struct {
	Scheme string // usb, serial, tcp, file, virtual, winspool

	// usb
	VendorID, ProductID uint16 // both zero: the first printer-class device
	Serial              string // USB serial number filter, "" = any

	// serial: Path is the port; file and virtual: the file or folder.
	Path     string
	Baud     int    // default 9600
	DataBits int    // default 8
	Parity   string // none, odd, even, mark, space
	StopBits string // 1, 1.5, 2

	// tcp
	Addr string // host:port, port default 9100

	// winspool: the printer's Windows name, unescaped
	Printer string

	Language Language      // TSPL, ZPL or "" (from ?lang=)
	Timeout  time.Duration // 0: the transport's default
}

// ParseURI reads a printer address. Its errors wrap ErrBadURI and say what
// to fix.
func ParseURI(s string) (URI, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("printer address %q: %s: %w", s, fmt.Sprintf(format, a...), ErrBadURI)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return URI{}, bad("empty; use usb://, serial:///dev/ttyUSB0, tcp://HOST, file:///path or virtual:///dir")
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return URI{}, bad("no scheme; start with usb://, serial://, tcp://, file:// or virtual://")
	}
	scheme = strings.ToLower(scheme)
	if scheme == "winspool" {
		return parseWinspool(s, rest)
	}
	var u *url.URL
	if scheme == "usb" {
		// VID:PID is not a host:port url.Parse accepts.
		hp, query, _ := strings.Cut(rest, "?")
		host, path, _ := strings.Cut(hp, "/")
		q, err := url.ParseQuery(query)
		if err != nil {
			return URI{}, bad("%v", err)
		}
		u = &url.URL{Scheme: scheme, Host: host, Path: path, RawQuery: q.Encode()}
	} else {
		var err error
		if u, err = url.Parse(scheme + "://" + rest); err != nil {
			return URI{}, bad("%v", err)
		}
	}
	q := u.Query()
	out := URI{Scheme: scheme}
	known := map[string]bool{"lang": true, "timeout": true}
	if lang := strings.ToLower(q.Get("lang")); lang != "" {
		if lang != "tspl" && lang != "zpl" {
			return URI{}, bad("lang=%s: use lang=tspl or lang=zpl", lang)
		}
		out.Language = Language(lang)
	}
	if t := q.Get("timeout"); t != "" {
		d, err := time.ParseDuration(t)
		if err != nil || d <= 0 {
			return URI{}, bad("timeout=%s: use a duration like 5s", t)
		}
		out.Timeout = d
	}
	switch scheme {
	case "usb":
		known["serial"] = true
		out.Serial = q.Get("serial")
		host := u.Host
		if u.Opaque != "" || strings.Trim(u.Path, "/") != "" {
			return URI{}, bad("use usb:// or usb://VID:PID like usb://1203:0230")
		}
		if host != "" {
			v, p, ok := strings.Cut(host, ":")
			vid, err1 := strconv.ParseUint(v, 16, 16)
			pid, err2 := strconv.ParseUint(p, 16, 16)
			if !ok || err1 != nil || err2 != nil || len(v) != 4 || len(p) != 4 {
				return URI{}, bad("%q is not VID:PID; write four hex digits each, like usb://1203:0230", host)
			}
			out.VendorID, out.ProductID = uint16(vid), uint16(pid)
		}
	case "serial":
		for _, k := range []string{"baud", "databits", "parity", "stopbits"} {
			known[k] = true
		}
		out.Path = u.Path
		if u.Host != "" {
			// serial://COM3 or serial://ttyUSB0
			out.Path = u.Host + u.Path
			if !strings.HasPrefix(strings.ToUpper(u.Host), "COM") {
				out.Path = "/dev/" + strings.TrimPrefix(out.Path, "/dev/")
			}
		}
		out.Path = unescapeWindowsPath(out.Path)
		if out.Path == "" || out.Path == "/" {
			return URI{}, bad("no port; write serial:///dev/ttyUSB0 or serial://COM3")
		}
		out.Baud, out.DataBits, out.Parity, out.StopBits = 9600, 8, "none", "1"
		if b := q.Get("baud"); b != "" {
			n, err := strconv.Atoi(b)
			if err != nil || n < 300 || n > 4000000 {
				return URI{}, bad("baud=%s: use a rate like 9600 or 115200", b)
			}
			out.Baud = n
		}
		if b := q.Get("databits"); b != "" {
			n, err := strconv.Atoi(b)
			if err != nil || n < 5 || n > 8 {
				return URI{}, bad("databits=%s: use 7 or 8", b)
			}
			out.DataBits = n
		}
		if p := strings.ToLower(q.Get("parity")); p != "" {
			switch p {
			case "none", "odd", "even", "mark", "space":
				out.Parity = p
			default:
				return URI{}, bad("parity=%s: use none, odd or even", p)
			}
		}
		if sb := q.Get("stopbits"); sb != "" {
			switch sb {
			case "1", "1.5", "2":
				out.StopBits = sb
			default:
				return URI{}, bad("stopbits=%s: use 1 or 2", sb)
			}
		}
	case "tcp":
		if u.Host == "" {
			return URI{}, bad("no host; write tcp://192.168.1.50 or tcp://printer.local:9100")
		}
		if strings.Trim(u.Path, "/") != "" {
			return URI{}, bad("a network printer address has no path; write tcp://HOST[:PORT]")
		}
		host, port := u.Hostname(), u.Port()
		if host == "" || strings.Contains(host, ":") && net.ParseIP(host) == nil || strings.ContainsAny(host, " %") {
			return URI{}, bad("host %q is not a name or IP address", u.Host)
		}
		if port == "" {
			port = "9100"
		}
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return URI{}, bad("port %q is not a number from 1 to 65535", port)
		}
		out.Addr = net.JoinHostPort(host, port)
	case "file", "virtual":
		if u.Host != "" && u.Host != "localhost" {
			return URI{}, bad("use three slashes and an absolute path, like %s:///home/me/labels", scheme)
		}
		out.Path = unescapeWindowsPath(u.Path)
		if out.Path == "" || out.Path == "/" {
			return URI{}, bad("no path; write %s:///path", scheme)
		}
		out.Path = filepath.FromSlash(out.Path)
	default:
		return URI{}, bad("unknown scheme %q; use usb, serial, tcp, file or virtual", scheme)
	}
	for k := range q {
		if !known[k] {
			return URI{}, bad("unknown option %q", k)
		}
	}
	return out, nil
}

// unescapeWindowsPath turns "/C:/labels" into "C:/labels" on Windows.
func unescapeWindowsPath(p string) string {
	if runtime.GOOS == "windows" && len(p) >= 3 && p[0] == '/' && p[2] == ':' {
		return p[1:]
	}
	return p
}

// String gives the canonical form of the address.
func (u URI) String() string {
	q := url.Values{}
	var b strings.Builder
	b.WriteString(u.Scheme + "://")
	switch u.Scheme {
	case "usb":
		if u.VendorID != 0 || u.ProductID != 0 {
			fmt.Fprintf(&b, "%04x:%04x", u.VendorID, u.ProductID)
		}
		if u.Serial != "" {
			q.Set("serial", u.Serial)
		}
	case "serial":
		b.WriteString(filepath.ToSlash(u.Path)) // /dev/ttyUSB0 -> serial:///dev/ttyUSB0, COM3 -> serial://COM3
		q.Set("baud", strconv.Itoa(u.Baud))
		if u.DataBits != 8 && u.DataBits != 0 {
			q.Set("databits", strconv.Itoa(u.DataBits))
		}
		if u.Parity != "none" && u.Parity != "" {
			q.Set("parity", u.Parity)
		}
		if u.StopBits != "1" && u.StopBits != "" {
			q.Set("stopbits", u.StopBits)
		}
	case "tcp":
		b.WriteString(u.Addr)
	case "winspool":
		b.WriteString(winspoolEscape(u.Printer))
	case "file", "virtual":
		p := filepath.ToSlash(u.Path)
		if !strings.HasPrefix(p, "/") {
			p = "/" + p
		}
		b.WriteString(p)
	}
	if u.Language != "" {
		q.Set("lang", u.Language.String())
	}
	if u.Timeout != 0 {
		q.Set("timeout", u.Timeout.String())
	}
	if len(q) > 0 {
		b.WriteString("?" + q.Encode())
	}
	return b.String()
}
