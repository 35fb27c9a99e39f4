package chart

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// PruneStats reports one pruning pass.
type PruneStats struct {
	Series  int   `json:"series"`
	Deleted int64 `json:"deleted"`
	// Errors counts series and resolutions that could not be pruned; the
	// pass goes on past them.
	Errors int `json:"errors"`
}

// Prune deletes, for every stored series, the points each resolution's
// policy no longer keeps at now. One backend call per series and
// resolution keeps each delete small (backends delete in bounded chunks
// too), so the recorder's writes interleave and polling never waits.
func Prune(ctx context.Context, b Backend, policies Policies, now time.Time) (PruneStats, error) {
	return Pruner{Backend: b, Policies: func() Policies { return policies }, Now: func() time.Time { return now }}.Prune(ctx)
}

// Pruner removes expired data in the background.
type Pruner struct {
	Backend Backend
	// Policies returns the current retention settings (they may be edited
	// while the server runs); nil uses DefaultPolicies.
	Policies func() Policies
	// Server, when set, limits pruning to this server's series, so
	// servers sharing a central database each prune their own.
	Server string
	// Now is the clock; nil uses time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Prune runs one pass; the error joins every failure of the pass.
func (p Pruner) Prune(ctx context.Context) (PruneStats, error) {
	var st PruneStats
	if p.Backend == nil {
		return st, errors.New("prune: no backend")
	}
	pol := DefaultPolicies()
	if p.Policies != nil {
		pol = p.Policies()
	}
	now := time.Now()
	if p.Now != nil {
		now = p.Now()
	}
	all, err := p.Backend.AllSeries(ctx)
	if err != nil {
		return st, fmt.Errorf("prune: list series: %w", err)
	}
	var errs []error
	for _, s := range all {
		if p.Server != "" && s.Server != p.Server {
			continue
		}
		if err := ctx.Err(); err != nil {
			return st, errors.Join(append(errs, err)...)
		}
		st.Series++
		sp := pol.For(s)
		for _, r := range Resolutions() {
			cut, ok := sp.Cutoff(r, now)
			if !ok {
				continue
			}
			n, err := p.Backend.Prune(ctx, s, r, cut)
			st.Deleted += n
			if err != nil {
				st.Errors++
				errs = append(errs, fmt.Errorf("prune %s/%s/%s at %s: %w", s.Map, s.Device, s.Dataset, r, err))
			}
		}
	}
	return st, errors.Join(errs...)
}

// Run prunes now and then every interval until ctx ends, logging each
// pass that deleted something or failed.
func (p Pruner) Run(ctx context.Context, interval time.Duration) {
	log := p.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "chart-prune")
	if interval <= 0 {
		interval = time.Hour
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		st, err := p.Prune(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Error("pruning expired chart data", "err", err, "series", st.Series, "deleted", st.Deleted)
		case st.Deleted > 0:
			log.Info("pruned expired chart data", "series", st.Series, "deleted", st.Deleted)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
