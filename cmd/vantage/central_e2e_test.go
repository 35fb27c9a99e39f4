package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/chart"
	"github.com/vantage-monitor/vantage/internal/store"
	"github.com/vantage-monitor/vantage/internal/store/pgtest"
)

type centralStatus struct {
	ServerName string `json:"server_name"`
	CentralDB  *struct {
		URL         string `json:"url"`
		Connected   bool   `json:"connected"`
		SpooledRows int64  `json:"spooled_rows"`
		Written     int64  `json:"written_rows"`
		Replayed    int64  `json:"replayed_rows"`
		LastError   string `json:"last_error"`
	} `json:"central_db"`
}

// TestCentralDatabase: two servers write their charts into one PostgreSQL
// database (Debian's, started by the test), each labelled by its name;
// while the database is down they spool and keep monitoring, and when it
// returns they replay: afterwards the central copy of each series matches
// the server's own, point for point.
func TestCentralDatabase(t *testing.T) {
	cluster := pgtest.New(t, pgtest.Options{})
	bin := buildBinary(t)
	svc := newAcceptor(t)
	var ins []*instance
	for _, name := range []string{"north", "south"} {
		data := t.TempDir()
		if err := os.WriteFile(filepath.Join(data, "config.yaml"), []byte("server_name: "+name+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		in := start(t, bin, data, "--db", cluster.URL())
		in.must("POST", "/api/v1/maps", map[string]any{"name": "M", "devices": []map[string]any{
			{"name": "svc", "address": "127.0.0.1", "probe": "tcp", "interval": "1s", "params": map[string]string{"port": svc.port()}},
		}}, 201, nil)
		ins = append(ins, in)
	}
	status := centralOf
	waitFor := func(what string, ok func() bool) { waitUntil(t, what, ok) }
	for _, in := range ins {
		waitFor("rows written centrally", func() bool { st := status(in); return st.CentralDB.Connected && st.CentralDB.Written >= 3 })
	}
	cluster.Kill()
	for _, in := range ins {
		waitFor("spooling", func() bool { st := status(in); return !st.CentralDB.Connected && st.CentralDB.SpooledRows >= 3 })
	}
	// Monitoring goes on while the database is away.
	ins[0].waitStatus("M", "svc", "ok", 10*time.Second)
	cluster.Restart()
	for _, in := range ins {
		waitFor("replay", func() bool {
			st := status(in)
			return st.CentralDB.Connected && st.CentralDB.SpooledRows == 0 && st.CentralDB.Replayed >= 3
		})
	}
	for _, in := range ins {
		in.stop()
	}

	central, err := store.OpenCentral(context.Background(), cluster.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer central.Close()
	from, to := time.Now().Add(-time.Hour), time.Now().Add(time.Minute)
	for i, name := range []string{"north", "south"} {
		s := chart.Series{Server: name, Map: "M", Device: "svc", Dataset: "rtt"}
		got, err := central.Query(context.Background(), s, chart.Raw, from, to)
		if err != nil {
			t.Fatal(err)
		}
		db, err := store.Open(context.Background(), filepath.Join(ins[i].data, "db", "vantage.db"))
		if err != nil {
			t.Fatal(err)
		}
		want, err := store.NewSamples(db).Query(context.Background(), s, chart.Raw, from, to)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) < 6 || len(got) != len(want) {
			t.Fatalf("%s: central has %d raw points, the server %d", name, len(got), len(want))
		}
		for j := range got {
			if !got[j].Time.Equal(want[j].Time) || got[j].Avg != want[j].Avg {
				t.Fatalf("%s: point %d differs: central %+v, local %+v", name, j, got[j], want[j])
			}
		}
	}
}

// centralOf reads the central database link from GET /api/v1/server.
func centralOf(in *instance) centralStatus {
	in.t.Helper()
	var st centralStatus
	in.must("GET", "/api/v1/server", nil, 200, &st)
	if st.CentralDB == nil {
		in.t.Fatal("no central_db in /api/v1/server")
	}
	return st
}

// waitUntil polls ok for up to 40 s.
func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(40 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// TestCentralSpoolSurvivesKill: rows spooled while the central database is
// down are kept by a server killed with SIGKILL and replayed, each once,
// after it restarts.
func TestCentralSpoolSurvivesKill(t *testing.T) {
	cluster := pgtest.New(t, pgtest.Options{})
	bin := buildBinary(t)
	svc := newAcceptor(t)
	data := t.TempDir()
	in := start(t, bin, data, "--db", cluster.URL())
	in.must("POST", "/api/v1/maps", map[string]any{"name": "M", "devices": []map[string]any{
		{"name": "svc", "address": "127.0.0.1", "probe": "tcp", "interval": "1s", "params": map[string]string{"port": svc.port()}},
	}}, 201, nil)
	var before centralStatus
	waitUntil(t, "rows written centrally", func() bool { before = centralOf(in); return before.CentralDB.Written >= 3 })
	cluster.Kill()
	var spooled centralStatus
	waitUntil(t, "spooling", func() bool { spooled = centralOf(in); return spooled.CentralDB.SpooledRows >= 5 })
	in.cmd.Process.Kill()
	<-in.done

	cluster.Restart()
	in = start(t, bin, data, "--db", cluster.URL())
	waitUntil(t, "replay after the restart", func() bool {
		st := centralOf(in)
		return st.CentralDB.Connected && st.CentralDB.SpooledRows == 0 && st.CentralDB.Replayed >= spooled.CentralDB.SpooledRows
	})
	in.stop()

	central, err := store.OpenCentral(context.Background(), cluster.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer central.Close()
	name := spooled.ServerName
	pts, err := central.Query(context.Background(), chart.Series{Server: name, Map: "M", Device: "svc", Dataset: "rtt"}, chart.Raw,
		time.Now().Add(-time.Hour), time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if want := before.CentralDB.Written + spooled.CentralDB.SpooledRows; int64(len(pts)) < want {
		t.Fatalf("central database has %d points; %d were written before the outage and %d spooled before the kill", len(pts), before.CentralDB.Written, spooled.CentralDB.SpooledRows)
	}
	for i := 1; i < len(pts); i++ {
		if !pts[i].Time.After(pts[i-1].Time) {
			t.Fatalf("point %d at %v is not after %v: doubled or out of order", i, pts[i].Time, pts[i-1].Time)
		}
	}
}
