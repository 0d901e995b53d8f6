package printer

import (
	"strings"
)

// ParseDeviceID splits an IEEE-1284 device ID ("MFG:Zebra;CMD:ZPL;MDL:ZP
// 505;") into its fields. Keys are upper-cased and the long forms are also
// filed under the short ones (MANUFACTURER -> MFG, MODEL -> MDL, COMMAND
// SET -> CMD, SERIALNUMBER/SERN -> SN), so callers look up MFG, MDL, CMD, SN.
// Later duplicates do not override earlier ones.
func ParseDeviceID(s string) map[string]string {
	m := map[string]string{}
	for _, part := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(part, ":")
		if !ok {
			continue
		}
		k = strings.ToUpper(strings.TrimSpace(k))
		v = strings.TrimSpace(v)
		if k == "" {
			continue
		}
		if _, seen := m[k]; !seen {
			m[k] = v
		}
		if short, ok := deviceIDAliases[k]; ok {
			if _, seen := m[short]; !seen {
				m[short] = v
			}
		}
	}
	return m
}

var deviceIDAliases = map[string]string{
	"MANUFACTURER": "MFG",
	"MODEL":        "MDL",
	"COMMAND SET":  "CMD",
	"COMMANDSET":   "CMD",
	"SERIALNUMBER": "SN",
	"SERN":         "SN",
	"DESCRIPTION":  "DES",
	"CLASS":        "CLS",
}

// LanguageFromDeviceID picks the label language from the CMD field of a
// device ID: "zpl" if it lists ZPL, "tspl" if it lists TSPL or TSPL2, and ""
// otherwise (EPL-only, ESC/POS-only or no CMD field). ZPL wins when both are
// listed, because such printers take ZPL natively.
func LanguageFromDeviceID(id string) Language {
	cmd := ParseDeviceID(id)["CMD"]
	has := func(want string) bool {
		for _, c := range strings.Split(cmd, ",") {
			c = strings.ToUpper(strings.TrimSpace(c))
			if c == want || strings.HasPrefix(c, want) && strings.Trim(c[len(want):], "0123456789 ") == "" {
				return true
			}
		}
		return false
	}
	switch {
	case has("ZPL"):
		return ZPL
	case has("TSPL"):
		return TSPL
	}
	return ""
}
