package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
)

// ctlCmd runs an admin console command on a running server through its
// API (POST /api/v1/ctl) and prints the same text the console would.
func ctlCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ctl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := addClientFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: vantage ctl [--url URL] [--user U] [--password-file F] [--insecure] COMMAND [ARGS]")
		fmt.Fprintln(stderr, "commands: help, maps, devices [MAP], status DEVICE, flows, ext, poll DEVICE (DEVICE is MAP~NAME or a name on one map only)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("no command given")
	}
	body, _ := json.Marshal(map[string]any{"command": fs.Arg(0), "args": append([]string{}, fs.Args()[1:]...)})
	out, cancel, err := c.post("/api/v1/ctl", body)
	if err != nil {
		return err
	}
	defer cancel()
	defer out.Close()
	if _, err := io.Copy(stdout, out); err != nil {
		return fmt.Errorf("reading the answer: %w", err)
	}
	return nil
}
