package probe

import (
	"embed"
	"io/fs"
)

//go:embed files/*.txt
var builtinFiles embed.FS

// BuiltinFiles are the probe files of Vantage's built-in probes: InterMapper
// "built-in" type files naming each Go probe and placing it in the picker,
// loaded by the probe-file catalogue before the user's DIR/probes.
func BuiltinFiles() fs.FS {
	sub, err := fs.Sub(builtinFiles, "files")
	if err != nil {
		panic(err) // only a wrong literal above could cause this
	}
	return sub
}
