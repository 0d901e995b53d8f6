package shipping

import (
	"shipdesk/printer/tspl"
	"shipdesk/printer/zpl"
)

// DefaultEncoders returns the printer-language encoders of packages tspl and
// zpl, keyed "tspl" and "zpl".
func DefaultEncoders() map[string]Encoder {
	return map[string]Encoder{"tspl": tspl.Encode, "zpl": zpl.Encode}
}
