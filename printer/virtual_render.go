package printer

import (
	"image"
	"sync"

	"shipdesk/printer/tspl"
	"shipdesk/printer/zpl"
)

// firmware is the virtual printer's firmware: one TSPL and one ZPL
// interpreter whose state (origin, shift, barcode defaults, image buffer)
// carries from one job to the next, as on a real printer, so a job that
// leans on what a previous one left prints differently here too. It is
// safe for concurrent use; jobs run one at a time.
type firmware struct {
	mu   sync.Mutex // guards the printers
	tspl tspl.Printer
	zpl  zpl.Printer
}

// render draws a job as the printer's firmware would print it.
func (f *firmware) render(lang Language, job []byte) (*image.Gray, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if lang == "zpl" {
		return f.zpl.Print(job)
	}
	return f.tspl.Print(job)
}

// renderLabel draws a job on a printer just switched on (the same
// interpreters `shipdesk render` uses).
func renderLabel(lang Language, job []byte) (*image.Gray, error) {
	if lang == "zpl" {
		return zpl.Render(job)
	}
	return tspl.Render(job)
}
