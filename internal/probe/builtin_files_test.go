package probe_test

import (
	"io/fs"
	"testing"

	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/probefile"
)

type nopPinger struct{ probe.Pinger }

// Every built-in probe is described by an embedded probe file, and every
// embedded file describes a registered probe.
func TestBuiltinFilesDescribeEveryProbe(t *testing.T) {
	r := probe.NewRegistry()
	if err := probe.RegisterBuiltins(r, probe.Builtins{Pinger: nopPinger{}, SNMP: nil}); err != nil {
		t.Fatal(err)
	}
	described := map[string]bool{}
	err := fs.WalkDir(probe.BuiltinFiles(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(probe.BuiltinFiles(), path)
		f, perr := probefile.Parse("builtin:"+path, b)
		if perr != nil {
			t.Errorf("%s: %v", path, perr)
			return nil
		}
		if f.Header.Type != probefile.BuiltIn || f.Header.DisplayName == "" || f.Description == "" {
			t.Errorf("%s: header %+v", path, f.Header)
		}
		described[f.ID()] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range r.All() {
		if !described[i.ID] {
			t.Errorf("probe %s has no embedded probe file", i.ID)
		}
	}
	for _, id := range []string{"com.dartware.snmp", "com.dartware.snmp.traffic"} {
		if !described[id] {
			t.Errorf("no file for %s", id)
		}
	}
}
