package main

import (
	"context"
	"errors"
	"io"
)

func runOrder(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	return errors.New("not yet available in this build")
}

func runShipments(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	return errors.New("not yet available in this build")
}

func runDaemon(ctx context.Context, g *globals, args []string, stdout, stderr io.Writer) error {
	return errors.New("not yet available in this build")
}
