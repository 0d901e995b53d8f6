package printer

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"runtime"
	"slices"
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
	s = strings.TrimSpace(s)
	bad := badURI(s)
	scheme, rest, err := splitScheme(bad, s)
	if err != nil {
		return URI{}, err
	}
	if scheme == "winspool" {
		return parseWinspool(s, rest)
	}
	u, err := parseURL(bad, scheme, rest)
	if err != nil {
		return URI{}, err
	}
	q := u.Query()
	out := URI{Scheme: scheme}
	if err := parseCommonOptions(bad, q, &out); err != nil {
		return URI{}, err
	}
	parse, ok := schemeParsers[scheme]
	if !ok {
		return URI{}, bad.f("unknown scheme %q; use usb, serial, tcp, file or virtual", scheme)
	}
	if err := parse(bad, u, q, &out); err != nil {
		return URI{}, err
	}
	if err := checkOptions(bad, q, schemeOptions[scheme]); err != nil {
		return URI{}, err
	}
	return out, nil
}

// badURI is the address ParseURI reads; f makes its errors.
type badURI string

// f is an error about the address saying what to fix; it wraps ErrBadURI.
func (b badURI) f(format string, a ...any) error {
	return fmt.Errorf("printer address %q: %s: %w", string(b), fmt.Sprintf(format, a...), ErrBadURI)
}

// splitScheme cuts "scheme://rest", the scheme lowercased.
func splitScheme(bad badURI, s string) (scheme, rest string, err error) {
	if s == "" {
		return "", "", bad.f("empty; use usb://, serial:///dev/ttyUSB0, tcp://HOST, file:///path or virtual:///dir")
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return "", "", bad.f("no scheme; start with usb://, serial://, tcp://, file:// or virtual://")
	}
	return strings.ToLower(scheme), rest, nil
}

// parseURL reads the rest of the address as a URL. A USB address is taken
// apart by hand: VID:PID is not a host:port url.Parse accepts.
func parseURL(bad badURI, scheme, rest string) (*url.URL, error) {
	if scheme != "usb" {
		u, err := url.Parse(scheme + "://" + rest)
		if err != nil {
			return nil, bad.f("%v", err)
		}
		return u, nil
	}
	hp, query, _ := strings.Cut(rest, "?")
	host, path, _ := strings.Cut(hp, "/")
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, bad.f("%v", err)
	}
	return &url.URL{Scheme: scheme, Host: host, Path: path, RawQuery: q.Encode()}, nil
}

// parseCommonOptions reads the options every scheme takes: lang and timeout.
func parseCommonOptions(bad badURI, q url.Values, out *URI) error {
	if lang := strings.ToLower(q.Get("lang")); lang != "" {
		if lang != "tspl" && lang != "zpl" {
			return bad.f("lang=%s: use lang=tspl or lang=zpl", lang)
		}
		out.Language = Language(lang)
	}
	if t := q.Get("timeout"); t != "" {
		d, err := time.ParseDuration(t)
		if err != nil || d <= 0 {
			return bad.f("timeout=%s: use a duration like 5s", t)
		}
		out.Timeout = d
	}
	return nil
}

// schemeParsers read the scheme-specific part of an address into out.
var schemeParsers = map[string]func(bad badURI, u *url.URL, q url.Values, out *URI) error{
	"usb":     parseUSB,
	"serial":  parseSerial,
	"tcp":     parseTCP,
	"file":    parsePathURI,
	"virtual": parsePathURI,
}

// schemeOptions are the options a scheme takes beyond lang and timeout.
var schemeOptions = map[string][]string{
	"usb":    {"serial"},
	"serial": {"baud", "databits", "parity", "stopbits"},
}

// checkOptions refuses an option that is neither common nor the scheme's.
func checkOptions(bad badURI, q url.Values, extra []string) error {
	for k := range q {
		if k != "lang" && k != "timeout" && !slices.Contains(extra, k) {
			return bad.f("unknown option %q", k)
		}
	}
	return nil
}

// parseUSB reads usb:// (the first printer) or usb://VID:PID[?serial=S].
func parseUSB(bad badURI, u *url.URL, q url.Values, out *URI) error {
	out.Serial = q.Get("serial")
	if u.Opaque != "" || strings.Trim(u.Path, "/") != "" {
		return bad.f("use usb:// or usb://VID:PID like usb://1203:0230")
	}
	if u.Host == "" {
		return nil
	}
	v, p, ok := strings.Cut(u.Host, ":")
	vid, err1 := strconv.ParseUint(v, 16, 16)
	pid, err2 := strconv.ParseUint(p, 16, 16)
	if !ok || err1 != nil || err2 != nil || len(v) != 4 || len(p) != 4 {
		return bad.f("%q is not VID:PID; write four hex digits each, like usb://1203:0230", u.Host)
	}
	out.VendorID, out.ProductID = uint16(vid), uint16(pid)
	return nil
}

// parseSerial reads serial:///dev/ttyUSB0, serial://ttyUSB0 or
// serial://COM3 with the line settings (default 9600 8N1).
func parseSerial(bad badURI, u *url.URL, q url.Values, out *URI) error {
	out.Path = serialPortPath(u)
	if out.Path == "" || out.Path == "/" {
		return bad.f("no port; write serial:///dev/ttyUSB0 or serial://COM3")
	}
	out.Baud, out.DataBits, out.Parity, out.StopBits = 9600, 8, "none", "1"
	if b := q.Get("baud"); b != "" {
		n, err := strconv.Atoi(b)
		if err != nil || n < 300 || n > 4000000 {
			return bad.f("baud=%s: use a rate like 9600 or 115200", b)
		}
		out.Baud = n
	}
	if b := q.Get("databits"); b != "" {
		n, err := strconv.Atoi(b)
		if err != nil || n < 5 || n > 8 {
			return bad.f("databits=%s: use 7 or 8", b)
		}
		out.DataBits = n
	}
	if p := strings.ToLower(q.Get("parity")); p != "" {
		if !slices.Contains([]string{"none", "odd", "even", "mark", "space"}, p) {
			return bad.f("parity=%s: use none, odd or even", p)
		}
		out.Parity = p
	}
	if sb := q.Get("stopbits"); sb != "" {
		if !slices.Contains([]string{"1", "1.5", "2"}, sb) {
			return bad.f("stopbits=%s: use 1 or 2", sb)
		}
		out.StopBits = sb
	}
	return nil
}

// serialPortPath is the port a serial address names: its path, or for
// serial://COM3 and serial://ttyUSB0 the host (a bare tty name is in /dev).
func serialPortPath(u *url.URL) string {
	p := u.Path
	if u.Host != "" {
		p = u.Host + u.Path
		if !strings.HasPrefix(strings.ToUpper(u.Host), "COM") {
			p = "/dev/" + strings.TrimPrefix(p, "/dev/")
		}
	}
	return unescapeWindowsPath(p)
}

// parseTCP reads tcp://HOST[:PORT] (port default 9100).
func parseTCP(bad badURI, u *url.URL, _ url.Values, out *URI) error {
	if u.Host == "" {
		return bad.f("no host; write tcp://192.168.1.50 or tcp://printer.local:9100")
	}
	if strings.Trim(u.Path, "/") != "" {
		return bad.f("a network printer address has no path; write tcp://HOST[:PORT]")
	}
	host, port := u.Hostname(), u.Port()
	if host == "" || strings.Contains(host, ":") && net.ParseIP(host) == nil || strings.ContainsAny(host, " %") {
		return bad.f("host %q is not a name or IP address", u.Host)
	}
	if port == "" {
		port = "9100"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return bad.f("port %q is not a number from 1 to 65535", port)
	}
	out.Addr = net.JoinHostPort(host, port)
	return nil
}

// parsePathURI reads file:///path and virtual:///dir.
func parsePathURI(bad badURI, u *url.URL, _ url.Values, out *URI) error {
	if u.Host != "" && u.Host != "localhost" {
		return bad.f("use three slashes and an absolute path, like %s:///home/me/labels", u.Scheme)
	}
	out.Path = unescapeWindowsPath(u.Path)
	if out.Path == "" || out.Path == "/" {
		return bad.f("no path; write %s:///path", u.Scheme)
	}
	out.Path = filepath.FromSlash(out.Path)
	return nil
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
