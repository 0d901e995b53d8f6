package shipping

// DefaultEncoders returns the printer-language encoders of packages tspl and
// zpl, keyed "tspl" and "zpl".
func DefaultEncoders() map[string]Encoder {
	return map[string]Encoder{"tspl": EncodeTSPL, "zpl": EncodeZPL}
}
