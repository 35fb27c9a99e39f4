// Package ui holds Vantage's web UI: plain HTML, CSS and JavaScript modules
// embedded in the binary, with no build step. The server serves Files() at
// "/"; every asset is local, so a browser on the UI never contacts another
// host.
package ui

import (
	"embed"
	"io/fs"
)

//go:embed static
var static embed.FS

// Files returns the UI's files with index.html at the top.
func Files() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		// Only a wrong literal above could cause this; tests catch it.
		panic(err)
	}
	return sub
}
