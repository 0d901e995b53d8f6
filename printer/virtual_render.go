package printer

import (
	"errors"
	"image"
)

// TEMPORARY until printer/tspl and printer/zpl land.
func renderLabel(lang string, job []byte) (*image.Gray, error) {
	return nil, errors.New("renderer pending")
}
