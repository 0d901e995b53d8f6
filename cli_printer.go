package main

import (
	"context"
	"errors"
	"io"
)

func runPrint(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	return errors.New("not yet available in this build")
}

func runPrinters(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	return errors.New("not yet available in this build")
}
