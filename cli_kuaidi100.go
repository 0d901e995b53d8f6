package main

import (
	"context"
	"errors"
	"io"
)

func runSandbox(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	return errors.New("not yet available in this build")
}

func runDetect(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	return errors.New("not yet available in this build")
}

func runTrack(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	return errors.New("not yet available in this build")
}
