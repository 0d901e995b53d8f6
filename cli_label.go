package main

import (
	"context"
	"errors"
	"io"
)

func runLabel(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	return errors.New("not yet available in this build")
}

func runRender(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	return errors.New("not yet available in this build")
}
