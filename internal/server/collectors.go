package server

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-monitor/vantage/internal/icmp"
	"github.com/vantage-monitor/vantage/internal/monitor"
	"github.com/vantage-monitor/vantage/internal/status"
)

type statusResult = status.Result

// failingPinger stands in for the ICMP engine when it cannot open, so ping
// devices show the reason instead of a misleading "down".
type failingPinger struct{ err error }

func (f failingPinger) Ping(context.Context, icmp.Request) (icmp.Stats, error) {
	return icmp.Stats{}, f.err
}

var (
	icmpSentDesc     = prometheus.NewDesc("vantage_icmp_echo_sent_total", "ICMP echo requests sent.", nil, nil)
	icmpRecvDesc     = prometheus.NewDesc("vantage_icmp_echo_replies_total", "ICMP echo replies matched to a request.", nil, nil)
	icmpTimeoutDesc  = prometheus.NewDesc("vantage_icmp_echo_timeouts_total", "ICMP echo requests that timed out.", nil, nil)
	icmpInvalidDesc  = prometheus.NewDesc("vantage_icmp_invalid_packets_total", "ICMP packets that could not be parsed (short, bad checksum, truncated).", nil, nil)
	icmpStrayDesc    = prometheus.NewDesc("vantage_icmp_stray_replies_total", "Echo replies that were not ours or came too late.", nil, nil)
	icmpDroppedDesc  = prometheus.NewDesc("vantage_icmp_kernel_drops_total", "Replies the kernel dropped because the socket buffer was full (raise icmp read_buffer).", nil, nil)
	icmpSendErrDesc  = prometheus.NewDesc("vantage_icmp_send_errors_total", "Echo requests the kernel refused to send.", nil, nil)
	devicesDesc      = prometheus.NewDesc("vantage_devices", "Devices on all maps.", nil, nil)
	monitoredDesc    = prometheus.NewDesc("vantage_devices_monitored", "Distinct polls after sharing identical devices.", nil, nil)
	devicesLevelDesc = prometheus.NewDesc("vantage_devices_by_status", "Devices by status.", []string{"status"}, nil)
)

type icmpCollector struct{ e *icmp.Engine }

func (c icmpCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- icmpSentDesc
	ch <- icmpRecvDesc
	ch <- icmpTimeoutDesc
	ch <- icmpInvalidDesc
	ch <- icmpStrayDesc
	ch <- icmpSendErrDesc
	ch <- icmpDroppedDesc
}

func (c icmpCollector) Collect(ch chan<- prometheus.Metric) {
	k := c.e.Counters()
	ch <- prometheus.MustNewConstMetric(icmpSentDesc, prometheus.CounterValue, float64(k.Sent))
	ch <- prometheus.MustNewConstMetric(icmpRecvDesc, prometheus.CounterValue, float64(k.Received))
	ch <- prometheus.MustNewConstMetric(icmpTimeoutDesc, prometheus.CounterValue, float64(k.Timeouts))
	ch <- prometheus.MustNewConstMetric(icmpInvalidDesc, prometheus.CounterValue, float64(k.Invalid))
	ch <- prometheus.MustNewConstMetric(icmpStrayDesc, prometheus.CounterValue, float64(k.Stray))
	ch <- prometheus.MustNewConstMetric(icmpSendErrDesc, prometheus.CounterValue, float64(k.SendErrors))
	ch <- prometheus.MustNewConstMetric(icmpDroppedDesc, prometheus.CounterValue, float64(k.Dropped))
}

type monitorCollector struct{ m *monitor.Monitor }

func (c monitorCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- devicesDesc
	ch <- monitoredDesc
	ch <- devicesLevelDesc
}

func (c monitorCollector) Collect(ch chan<- prometheus.Metric) {
	d, m := c.m.Counts()
	ch <- prometheus.MustNewConstMetric(devicesDesc, prometheus.GaugeValue, float64(d))
	ch <- prometheus.MustNewConstMetric(monitoredDesc, prometheus.GaugeValue, float64(m))
	counts := c.m.LevelCounts()
	for _, l := range []status.Level{status.Unknown, status.OK, status.Warning, status.Alarm, status.Critical, status.Down} {
		ch <- prometheus.MustNewConstMetric(devicesLevelDesc, prometheus.GaugeValue, float64(counts[l.String()]), l.String())
	}
}
