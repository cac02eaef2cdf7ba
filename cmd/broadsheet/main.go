// Command broadsheet runs a Broadsheet site: see 'broadsheet help'.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/broadsheet/broadsheet/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Run(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
