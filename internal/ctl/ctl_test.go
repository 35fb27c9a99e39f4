package ctl

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cmd     string
		args    []string
		setup   func(f *Fake)
		want    []string // substrings of the output, in order
		wantErr error
	}{
		{name: "help lists every command", cmd: "help", want: []string{"help", "maps", "devices [MAP]", "status DEVICE", "flows", "ext", "poll DEVICE", "quit"}},
		{name: "case-insensitive", cmd: "HELP", want: []string{"status DEVICE"}},
		{name: "maps", cmd: "maps", want: []string{"MAP", "STATUS", "DEVICES", "DOWN", "Branch", "ok", "1", "Lab", "down", "2", "1"}},
		{name: "devices of all maps", cmd: "devices", want: []string{"DEVICE", "Branch~gw", "ok", "Lab~gw", "Lab~web", "down", "connection refused"}},
		{name: "devices of one map", cmd: "devices", args: []string{"Branch"}, want: []string{"Branch~gw"}},
		{name: "devices of no map", cmd: "devices", args: []string{"Nope"}, wantErr: ErrNotFound},
		{name: "status by ref", cmd: "status", args: []string{"Lab~web"}, want: []string{"device:", "Lab~web", "address:", "192.0.2.80", "probe:", "com.dartware.tcp.http", "status:", "down", "reason:", "connection refused", "polls:", "10 (4 failed)"}},
		{name: "status by unique name", cmd: "status", args: []string{"web"}, want: []string{"Lab~web"}},
		{name: "status by ambiguous name", cmd: "status", args: []string{"gw"}, wantErr: ErrUsage},
		{name: "status of unknown", cmd: "status", args: []string{"Lab~nope"}, wantErr: ErrNotFound},
		{name: "status without device", cmd: "status", wantErr: ErrUsage},
		{name: "poll", cmd: "poll", args: []string{"Branch~gw"}, want: []string{"polled Branch~gw: ok"}},
		{name: "flows without collector", cmd: "flows", want: []string{"flow collector not running"}},
		{name: "flows", cmd: "flows", setup: func(f *Fake) {
			f.Exporters = []Exporter{{Address: "192.0.2.9", Versions: map[string]uint64{"netflow9": 5, "ipfix": 2}, Records: 7, LastSeen: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}}
		}, want: []string{"EXPORTER", "192.0.2.9", "ipfix:2,netflow9:5", "7", "2026-01-02T03:04:05Z"}},
		{name: "flows none yet", cmd: "flows", setup: func(f *Fake) { f.Exporters = []Exporter{} }, want: []string{"no flow exporters"}},
		{name: "ext", cmd: "ext", setup: func(f *Fake) {
			f.Links = []Link{{Kind: "central database", Target: "postgres://db.example/vantage", State: "disconnected", Detail: "connection refused"}, {Kind: "flow collector", State: "not running"}}
		}, want: []string{"central database", "postgres://db.example/vantage", "disconnected", "connection refused", "flow collector", "-", "not running"}},
		{name: "ext without links", cmd: "ext", want: []string{"no external links"}},
		{name: "quit", cmd: "quit", wantErr: ErrQuit},
		{name: "unknown", cmd: "reboot", wantErr: ErrUsage},
		{name: "too many args", cmd: "maps", args: []string{"x"}, wantErr: ErrUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := NewFake()
			if tc.setup != nil {
				tc.setup(f)
			}
			var out bytes.Buffer
			err := Run(context.Background(), f, tc.cmd, tc.args, &out)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			rest := out.String()
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (in order):\n%s", w, out.String())
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestPollRecordsTheDevice(t *testing.T) {
	f := NewFake()
	if err := Run(context.Background(), f, "poll", []string{"web"}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if len(f.Polled) != 1 || f.Polled[0] != "Lab~web" {
		t.Fatalf("polled %v", f.Polled)
	}
}
