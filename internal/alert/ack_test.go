package alert

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/store"
)

func TestAcks(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	a, err := OpenAcks(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	a.now = func() time.Time { return now }
	if _, err := a.Set(ctx, Ack{Map: "m", Device: "d", Kind: "nap"}); err == nil {
		t.Fatal("bad kind accepted")
	}
	if _, err := a.Set(ctx, Ack{Map: "m", Device: "d", Kind: KindMaintenance, Until: now.Add(-time.Minute)}); err == nil {
		t.Fatal("past until accepted")
	}
	if _, err := a.Set(ctx, Ack{Map: "m", Device: "d", Kind: KindBasic, Comment: "on it", User: "ops"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Set(ctx, Ack{Map: "m", Device: "e", Kind: KindMaintenance, Until: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	// Survives a restart.
	db.Close()
	db, _ = store.Open(ctx, path)
	defer db.Close()
	a, err = OpenAcks(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	a.now = func() time.Time { return now }
	if k, ok := a.Get("m", "d"); !ok || k.Comment != "on it" || k.User != "ops" {
		t.Fatalf("after restart %+v %v", k, ok)
	}
	now = now.Add(2 * time.Hour)
	if _, ok := a.Get("m", "e"); ok {
		t.Fatal("timed maintenance still in force")
	}
	if exp := a.Expired(ctx); len(exp) != 1 || exp[0].Device != "e" {
		t.Fatalf("expired %+v", exp)
	}
	if k, ok, _ := a.Clear(ctx, "m", "d"); !ok || k.Kind != KindBasic {
		t.Fatal("clear")
	}
	if _, ok, _ := a.Clear(ctx, "m", "d"); ok {
		t.Fatal("cleared twice")
	}
}

func TestMapMaintenanceCoversDevices(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := OpenAcks(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	a.now = func() time.Time { return now }
	if _, err := a.Set(ctx, Ack{Map: "m", Kind: KindMaintenance, Comment: "upgrade", Until: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Set(ctx, Ack{Map: "m", Device: "own", Kind: KindBasic, Comment: "mine"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Set(ctx, Ack{Map: "m", Device: "planned", Kind: KindMaintenance, Comment: "own window"}); err != nil {
		t.Fatal(err)
	}
	for dev, want := range map[string]string{"any": "upgrade", "own": "upgrade", "planned": "own window", "": "upgrade"} {
		if k, ok := a.Effective("m", dev); !ok || k.Comment != want {
			t.Errorf("Effective(m, %q) = %+v %v, want %q", dev, k, ok, want)
		}
	}
	if _, ok := a.Effective("other", "any"); ok {
		t.Error("another map's device is covered")
	}
	now = now.Add(2 * time.Hour)
	if _, ok := a.Effective("m", "any"); ok {
		t.Error("the map window did not end")
	}
	if k, ok := a.Effective("m", "own"); !ok || k.Comment != "mine" {
		t.Errorf("the device's own acknowledgement is gone with the map window: %+v", k)
	}
}
