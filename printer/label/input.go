package label

// The label's own input types: what a template prints, with no tie to how
// the shipping service stores it. The service converts its records at its
// edge (shipping.LabelData, shipping.PrintSettings), so importing this
// package pulls in no database.

// Party is a sender or recipient as printed.
type Party struct {
	Name     string
	Phone    string
	Address  string // street detail, or the whole address
	Province string // may be empty; then read from Address
	City     string
	District string
	Company  string
}

// Routing is what the carrier returned for sorting: 大头笔 / 三段码,
// 集包地, destination code and the carrier's QR payload. Empty fields are
// left off (the 大头笔 zone then shows the destination province and city).
type Routing struct {
	BigPen    string // 大头笔 / 三段码
	SortCode  string // 三段码 when given separately
	DestCode  string // destination / route code
	PkgCode   string // 集包地 code
	PkgName   string // 集包地 name
	QRContent string // carrier's QR payload; empty: the waybill number
}

// Privacy chooses what a 隐私面单 hides. The preview applies the same
// masks, so what the clerk sees is what prints.
type Privacy struct {
	// MaskPhones prints phones as 138****5678 / 022-****6655.
	MaskPhones bool
	// MaskNames prints names as 王*芳 (first and last character kept).
	MaskNames bool
	// MaskAddresses prints the address up to the district and hides the
	// detail after it: 天津市河西区****.
	MaskAddresses bool
}

// PrintSettings drive the printer's mechanics for one job; the encoders
// (packages tspl and zpl) send them at the start of every label, so
// nothing a previous job left on the printer changes this one.
type PrintSettings struct {
	Speed     int     // inches per second; 0: 4
	Darkness  int     // TSPL DENSITY 0-15, ZPL ~SD 0-30; 0: leave the printer's
	Media     string  // gap (default), bline, continuous
	Mode      string  // tear (default), peel, cut
	Direction int     // 0 or 1 (print turned 180°)
	OffsetXmm float64 // moves the image right (negative: left)
	OffsetYmm float64 // moves the image down (negative: up)
}

// DefaultSpeed is the print speed sent when PrintSettings.Speed is 0: every
// desktop label printer supports 4 inches per second.
const DefaultSpeed = 4

// SpeedOrDefault returns s.Speed, or DefaultSpeed when it is not set.
func (s PrintSettings) SpeedOrDefault() int {
	if s.Speed > 0 {
		return s.Speed
	}
	return DefaultSpeed
}
