package server

import (
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vantage-monitor/vantage/internal/chart"
	"github.com/vantage-monitor/vantage/internal/monitor"
	"github.com/vantage-monitor/vantage/internal/netmap"
)

// Every dataset is also a Prometheus gauge of its device's latest poll, so
// Grafana dashboards work without Vantage's own charts. Interface datasets
// share metrics with ifindex/interface/direction labels, as
// snmp_exporter users expect; probe-file datasets go under one metric
// labelled by dataset.
var (
	rttDesc = prometheus.NewDesc("vantage_device_rtt_milliseconds", "Round-trip time at the device's latest poll.",
		[]string{"map", "device"}, nil)
	lossDesc = prometheus.NewDesc("vantage_device_loss_percent", "Packet loss at the device's latest poll.",
		[]string{"map", "device"}, nil)
	certDesc = prometheus.NewDesc("vantage_device_cert_days_left", "Days until the device's TLS certificate expires.",
		[]string{"map", "device"}, nil)
	ifRateDesc = prometheus.NewDesc("vantage_interface_bits_per_second", "Interface traffic rate at the latest poll.",
		[]string{"map", "device", "ifindex", "interface", "direction"}, nil)
	ifUtilDesc = prometheus.NewDesc("vantage_interface_utilisation_percent", "Interface utilisation at the latest poll.",
		[]string{"map", "device", "ifindex", "interface", "direction"}, nil)
	ifErrDesc = prometheus.NewDesc("vantage_interface_errors_per_minute", "Interface errors per minute at the latest poll.",
		[]string{"map", "device", "ifindex", "interface", "direction"}, nil)
	datasetDesc = prometheus.NewDesc("vantage_dataset_value", "A probe-file dataset at the device's latest poll.",
		[]string{"map", "device", "dataset", "units"}, nil)
)

type datasetCollector struct {
	maps    *netmap.Store
	monitor *monitor.Monitor
}

func (c datasetCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{rttDesc, lossDesc, certDesc, ifRateDesc, ifUtilDesc, ifErrDesc, datasetDesc} {
		ch <- d
	}
}

func (c datasetCollector) Collect(ch chan<- prometheus.Metric) {
	for _, m := range c.maps.Maps() {
		for _, d := range m.Devices {
			st, ok := c.monitor.Status(m.Name, d.Name)
			if !ok || st.LastPoll.IsZero() {
				continue
			}
			for _, s := range chart.Extract(m.Name, d.Name, st.Last) {
				if metric := datasetMetric(s); metric != nil {
					ch <- metric
				}
			}
		}
	}
}

// datasetMetric maps one sample onto its gauge.
func datasetMetric(s chart.Sample) prometheus.Metric {
	g := func(desc *prometheus.Desc, labels ...string) prometheus.Metric {
		return prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, s.Value, append([]string{s.Map, s.Device}, labels...)...)
	}
	switch s.Dataset {
	case chart.DatasetRTT:
		return g(rttDesc)
	case chart.DatasetLoss:
		return g(lossDesc)
	case chart.DatasetCertDays:
		return g(certDesc)
	}
	if rest, ok := strings.CutPrefix(s.Dataset, "if."); ok {
		index, what, ok := strings.Cut(rest, ".")
		if !ok {
			return nil
		}
		dir, kind, _ := strings.Cut(what, "_")
		switch kind {
		case "bps":
			return g(ifRateDesc, index, s.Interface, dir)
		case "util":
			return g(ifUtilDesc, index, s.Interface, dir)
		case "errors":
			return g(ifErrDesc, index, s.Interface, dir)
		}
		return nil
	}
	return g(datasetDesc, s.Dataset, s.Units)
}
