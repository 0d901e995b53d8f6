package main

import (
	"context"
	"errors"
	"io"
)

func runGUI(ctx context.Context, g *globals, stdout, stderr io.Writer) error {
	return errors.New("not yet available in this build")
}
