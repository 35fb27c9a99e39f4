package main

import (
	"testing"
	"time"
)

// TestBrowserUsers runs tests/ui/users.test.mjs: an administrator makes a
// reader in the Users & access page and grants them one map; the reader,
// in a second browser context, sees that map without editing,
// acknowledging or map-creating controls, not the other, and a write from
// their session is refused; a user with acknowledge access gets the
// acknowledge and maintenance controls (and they work) but no editing
// ones. Screenshots stay
// in $SCREENSHOT_DIR/users (default $TMPDIR/vantage-users-screenshots).
// It needs chromium, node and the npm packages; without them it skips,
// unless $CI is set.
func TestBrowserUsers(t *testing.T) {
	b := needBrowser(t, "users")

	in := start(t, buildBinary(t), t.TempDir(), "--starter-map=false")
	b.run(t, in, "users.test.mjs", 4*time.Minute)
}
