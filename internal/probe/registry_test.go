package probe

import (
	"context"
	"strings"
	"testing"

	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/status"
)

type nop struct{}

func (nop) Poll(context.Context, Target) status.Result { return status.Result{} }

func TestRegistryFiles(t *testing.T) {
	r := NewRegistry()
	if err := r.Register(Info{ID: "com.dartware.tcp.http", Aliases: []string{"http"}, New: func() Probe { return nop{} }}); err != nil {
		t.Fatal(err)
	}
	errs := r.SetFiles([]Info{
		{ID: "com.example.a", Aliases: []string{"a"}, File: "probes/a.txt"},
		{ID: "com.dartware.tcp.http", File: "probes/http.txt"},
	})
	if len(errs) != 1 {
		t.Fatalf("clash with a Go probe not reported: %v", errs)
	}
	if _, ok := r.Lookup("a"); !ok {
		t.Fatal("file probe alias missing")
	}
	r.SetFiles([]Info{{ID: "com.example.b", File: "probes/b.txt"}})
	if _, ok := r.Lookup("com.example.a"); ok {
		t.Fatal("removed file probe still registered")
	}
	if _, ok := r.Lookup("a"); ok {
		t.Fatal("removed file probe's alias still registered")
	}
	if _, ok := r.Lookup("http"); !ok {
		t.Fatal("Go probe lost by a reload")
	}
	if !r.Describe("com.dartware.tcp.http", "HTTP", "Servers-Standard/HTTP & HTTPS", "desc", "builtin:http.txt") {
		t.Fatal("Describe failed")
	}
	i, _ := r.Lookup("http")
	if i.Category != "Servers-Standard/HTTP & HTTPS" || i.Type != "built-in" {
		t.Fatalf("described %+v", i)
	}
	// Lookup returns a copy: callers cannot change the registry.
	i.Name = "changed"
	if j, _ := r.Lookup("http"); j.Name != "HTTP" {
		t.Fatal("Lookup exposed registry state")
	}
}

func TestTrapViewer(t *testing.T) {
	info := TrapViewerInfo()
	p := info.New()
	r := p.Poll(context.Background(), Target{})
	if r.Level != status.OK || r.Reason != "no traps received yet" {
		t.Fatalf("before traps: %+v", r)
	}
	th, ok := p.(TrapHandler)
	if !ok {
		t.Fatal("trap viewer takes no traps")
	}
	for i := range 25 {
		th.HandleTrap(map[string]string{"$SenderAddress": "192.0.2.1", "$SnmpVersion": "1"},
			[]snmp.Value{{OID: "1.3.6.1.2.1.2.2.1.1.3", Type: snmp.Integer, Int: int64(i)}}, "1.3.6.1.6.3.1.1.5.3")
	}
	r = p.Poll(context.Background(), Target{})
	traps := r.Values["traps"].([]map[string]any)
	if r.Values["trap_count"] != 25 || len(traps) != 20 || !strings.Contains(r.Reason, "25 traps received") {
		t.Fatalf("after traps: %+v", r)
	}
	if vb := traps[0]["varbinds"].([]map[string]string); vb[0]["value"] != "24" {
		t.Fatalf("newest first: %+v", traps[0])
	}
}
