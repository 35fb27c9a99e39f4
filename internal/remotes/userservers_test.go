package remotes_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/vantage-monitor/vantage/internal/remotes"
	"github.com/vantage-monitor/vantage/internal/store"
)

func TestUserServers(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u := remotes.NewUserServers(db)
	if err := u.Put(ctx, "ann", remotes.Server{Name: "b", URL: "https://b.example:8080", Token: "t1", Insecure: true}); err != nil {
		t.Fatal(err)
	}
	if err := u.Put(ctx, "ann", remotes.Server{Name: "bad", URL: "ftp://x"}); err == nil {
		t.Fatal("a bad server was saved")
	}
	mine, _ := u.List(ctx, "ann")
	theirs, _ := u.List(ctx, "bob")
	if len(mine) != 1 || mine[0].Token != "t1" || !mine[0].Insecure || len(theirs) != 0 {
		t.Fatalf("ann %+v, bob %+v", mine, theirs)
	}
	if ok, err := u.Delete(ctx, "bob", "b"); ok || err != nil {
		t.Fatal("bob removed ann's server")
	}
	if ok, err := u.Delete(ctx, "ann", "b"); !ok || err != nil {
		t.Fatalf("delete: %v %v", ok, err)
	}
}
