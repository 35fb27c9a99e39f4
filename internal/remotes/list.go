package remotes

import (
	"context"
	"sync"
	"time"
)

// ServerMaps is one configured server in the remote map list: its maps,
// or why they could not be read.
type ServerMaps struct {
	Name string `json:"name"`
	// URL is the server's web UI.
	URL   string   `json:"url"`
	Maps  []MapRow `json:"maps"`
	Error string   `json:"error,omitempty"`
}

// ListMaps asks every server for its maps at once; a server that fails
// gets its error and the others are listed anyway. Each server has
// timeout to answer.
func ListMaps(ctx context.Context, servers []Server, timeout time.Duration) []ServerMaps {
	out := make([]ServerMaps, len(servers))
	var wg sync.WaitGroup
	for i, s := range servers {
		out[i] = ServerMaps{Name: s.Name, URL: s.URL, Maps: []MapRow{}}
		wg.Go(func() {
			c, err := ForServer(s, 0)
			if err != nil {
				out[i].Error = err.Error()
				return
			}
			out[i].URL = c.Base() + "/"
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			rows, err := c.Maps(cctx)
			if err != nil {
				out[i].Error = err.Error()
				return
			}
			out[i].Maps = rows
		})
	}
	wg.Wait()
	return out
}
