package printer

import (
	"image"

	"shipdesk/printer/tspl"
	"shipdesk/printer/zpl"
)

// renderLabel draws a job with the in-repo interpreters (the same ones
// `shipdesk render` uses), so the virtual printer shows what a real one
// would print.
func renderLabel(lang string, job []byte) (*image.Gray, error) {
	if lang == "zpl" {
		return zpl.Render(job)
	}
	return tspl.Render(job)
}
