package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vantage-monitor/vantage/bench/procstat"
)

// runScrape has snmp_exporter scrape every agent once, with bounded
// concurrency, and reports its CPU time from /proc/PID/stat.
func runScrape(args []string) error {
	fs := flag.NewFlagSet("scrape", flag.ExitOnError)
	n := fs.Int("n", 500, "number of agents, 127.3.0.1 upward")
	base := fs.String("url", "http://127.0.0.1:19116/snmp", "the exporter's /snmp endpoint")
	conc := fs.Int("concurrency", 64, "scrapes in flight at once")
	pid := fs.Int("pid", 0, "the exporter's PID (required)")
	limit := fs.Duration("limit", 2*time.Minute, "give up on the cycle after this long")
	farmPID := fs.Int("farm-pid", 0, "the agent farm's PID, to report its CPU time during the cycle")
	_ = fs.Parse(args)
	if err := checkN(*n); err != nil {
		return err
	}
	if *pid <= 0 || *conc < 1 {
		return fmt.Errorf("-pid and -concurrency must be positive")
	}
	ctx, cancel := context.WithTimeout(context.Background(), *limit)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conc, DisableCompression: true}}
	var samples, pdus, packets, failed atomic.Int64
	var firstErr atomic.Value
	next := atomic.Int64{}
	spid := strconv.Itoa(*pid)
	smp := startSampler(10*time.Millisecond, func() int { return fdCount(spid) })
	cpu0, err := procstat.CPU(spid)
	if err != nil {
		return err
	}
	farm0, start := farmCPU(*farmPID), time.Now()
	var wg sync.WaitGroup
	for range min(*conc, *n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < *n; i = int(next.Add(1)) - 1 {
				u := *base + "?module=" + exporterModule + "&target=" + url.QueryEscape(agentAddr(i).String())
				got, err := scrapeOne(ctx, client, u)
				samples.Add(int64(got.samples))
				pdus.Add(int64(got.pdus))
				packets.Add(int64(got.packets))
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
			}
		}()
	}
	wg.Wait()
	wall, farm := time.Since(start), farmCPU(*farmPID)-farm0
	cpu1, err := procstat.CPU(spid)
	if err != nil {
		return err
	}
	cpu := cpu1 - cpu0
	peaks := smp.stop()
	rss, hwm := procstat.Mem(spid)
	if err, ok := firstErr.Load().(error); ok {
		fmt.Fprintf(os.Stderr, "scrape: %d targets failed, first: %v\n", failed.Load(), err)
	}
	fmt.Printf("exporter agents=%d failed=%d oids=%d samples=%d wall=%.3f cpu=%.3f oids_per_cpu_s=%.0f requests=%d "+
		"concurrency=%d fds_peak=%d rss_mb=%.1f hwm_mb=%.1f farm_cpu=%.3f\n",
		*n, failed.Load(), pdus.Load(), samples.Load(), wall.Seconds(), cpu.Seconds(), float64(pdus.Load())/cpu.Seconds(),
		packets.Load(), *conc, peaks[0], rss, hwm, farm.Seconds())
	return nil
}

// scraped is what one target's page held: its samples, and the
// exporter's own counts of variables received and requests sent.
type scraped struct{ samples, pdus, packets int }

// scrapeOne fetches one target's page.
func scrapeOne(ctx context.Context, client *http.Client, u string) (scraped, error) {
	var got scraped
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return got, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return got, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	seen := false
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		got.samples++
		if v, ok := strings.CutPrefix(line, "snmp_scrape_pdus_returned "); ok {
			got.pdus, seen = atoi(v), true
		} else if v, ok := strings.CutPrefix(line, "snmp_scrape_packets_sent "); ok {
			got.packets = atoi(v)
		}
	}
	if err := sc.Err(); err != nil {
		return got, fmt.Errorf("%s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK || !seen {
		return got, fmt.Errorf("%s: HTTP %d, snmp_scrape_pdus_returned seen: %v", u, resp.StatusCode, seen)
	}
	return got, nil
}

func atoi(s string) int {
	f, _ := strconv.ParseFloat(s, 64)
	return int(f)
}
