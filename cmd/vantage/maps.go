package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/vantage-monitor/vantage/internal/config"
	"github.com/vantage-monitor/vantage/internal/netmap"
)

// mapCmd exports and imports map files in a settings folder. It works on
// the folder directly, so it needs no running server; a running server
// picks imported maps up within its map_reload period.
func mapCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "export" && args[0] != "import") {
		return fmt.Errorf("usage: vantage map export [--data DIR] NAME | vantage map import [--data DIR] FILE...")
	}
	fs := flag.NewFlagSet("map "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "./vantage-data", "settings folder")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("map %s: name or file missing", args[0])
	}
	folder := config.Folder{Root: *data}
	if err := os.MkdirAll(folder.Maps(), 0o755); err != nil {
		return err
	}
	st, err := netmap.OpenStore(folder.Root, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	problems := st.Load()
	if args[0] == "export" {
		for _, name := range fs.Args() {
			m, ok := st.Get(name)
			if !ok {
				for _, p := range problems {
					fmt.Fprintln(stderr, p)
				}
				return fmt.Errorf("no map named %q in %s", name, folder.Maps())
			}
			b, err := netmap.Marshal(m)
			if err != nil {
				return err
			}
			stdout.Write(b)
		}
		return nil
	}
	for _, file := range fs.Args() {
		b, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		m, err := netmap.Parse(file, b)
		if err != nil {
			return err
		}
		verb := "added"
		if _, ok := st.Get(m.Name); ok {
			verb = "replaced"
		}
		if err := st.Put(m); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		fmt.Fprintf(stdout, "%s map %q (%d devices, %d networks, %d links) in %s\n", verb, m.Name, len(m.Devices), len(m.Networks), len(m.Links), st.File(m.Name))
	}
	return nil
}
