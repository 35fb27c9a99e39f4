package flowstore

import (
	"context"
	"testing"
	"time"

	"github.com/vantage-monitor/vantage/internal/flowstore/chtest"
)

func TestClickHouseQueries(t *testing.T) {
	url := chtest.Start(t)
	ctx := context.Background()
	c, err := OpenClickHouse(ctx, url, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Insert(ctx, suiteSessions()); err != nil {
		t.Fatal(err)
	}
	runQuerySuite(t, c)
}

func TestClickHouseSizeCapDropsOldest(t *testing.T) {
	url := chtest.Start(t)
	ctx := context.Background()
	c, err := OpenClickHouse(ctx, url+"?table=capped", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	day0 := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		ss := randomSessions(newRand(uint64(i)), 2000, day0.Add(time.Duration(i)*24*time.Hour+time.Hour), 20*time.Hour)
		if err := c.Insert(ctx, ss); err != nil {
			t.Fatal(err)
		}
	}
	days, sizes, err := c.partitions(ctx)
	if err != nil || len(days) != 3 {
		t.Fatalf("partitions %v %v: %v", days, sizes, err)
	}
	total, _ := c.Size(ctx)
	c.opts.MaxBytes = total - sizes[2]/2
	if err := c.Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	if days, _, _ = c.partitions(ctx); len(days) != 2 || days[0] != "20260111" {
		t.Errorf("partitions after the cap: %v, want the oldest dropped", days)
	}
	c.opts.MaxBytes = 1
	if err := c.Maintain(ctx); err != nil {
		t.Fatal(err)
	}
	if days, _, _ = c.partitions(ctx); len(days) != 1 || days[0] != "20260112" {
		t.Errorf("partitions after a tiny cap: %v, want the newest kept", days)
	}
}
