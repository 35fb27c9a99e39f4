package flowstore

import (
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// By is what a top-N query groups sessions by.
type By string

// The groupings. A session counts for both its hosts under ByHost, and for
// both its interfaces under ByInterface.
const (
	ByHost         By = "host"
	ByClient       By = "client"
	ByServer       By = "server"
	ByConversation By = "conversation" // client and server host pair
	ByProtocol     By = "protocol"     // IP protocol
	ByApplication  By = "application"  // protocol and server port, named
	ByExporter     By = "exporter"
	ByInterface    By = "interface" // exporter and ifIndex
)

// Metric is what a query ranks by.
type Metric string

// The metrics.
const (
	MetricBytes    Metric = "bytes"
	MetricPackets  Metric = "packets"
	MetricSessions Metric = "sessions"
)

// Interface filters by an exporter's ifIndex: Dir "in" matches sessions
// entering by it (client → server direction), "out" leaving by it, ""
// either.
type Interface struct {
	Index uint32
	Dir   string
}

// Query selects sessions in [From, To) and says how to rank them. Zero
// filter fields match everything.
type Query struct {
	From, To time.Time
	By       By
	Metric   Metric
	Limit    int

	Exporter  netip.Addr
	Interface *Interface
	Host      netip.Addr   // client or server
	Subnet    netip.Prefix // client or server inside
	Port      uint16       // client or server port
	Proto     uint8
	// Inside lists the networks whose hosts are ours: host, client and
	// server rankings then list only inside hosts (their traffic with
	// anyone still counts).
	Inside []netip.Prefix
}

// DefaultLimit is a top-N query's N when Limit is zero.
const DefaultLimit = 10

// normalize fills defaults and checks the query.
func (q Query) normalize() (Query, error) {
	if q.By == "" {
		q.By = ByHost
	}
	if q.Metric == "" {
		q.Metric = MetricBytes
	}
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	var errs []error
	switch q.By {
	case ByHost, ByClient, ByServer, ByConversation, ByProtocol, ByApplication, ByExporter, ByInterface:
	default:
		errs = append(errs, fmt.Errorf("by %q: want host, client, server, conversation, protocol, application, exporter or interface", q.By))
	}
	switch q.Metric {
	case MetricBytes, MetricPackets, MetricSessions:
	default:
		errs = append(errs, fmt.Errorf("metric %q: want bytes, packets or sessions", q.Metric))
	}
	if !q.To.After(q.From) {
		errs = append(errs, fmt.Errorf("range %s to %s: to must be after from", q.From.Format(time.RFC3339), q.To.Format(time.RFC3339)))
	}
	if q.Interface != nil && q.Interface.Dir != "" && q.Interface.Dir != "in" && q.Interface.Dir != "out" {
		errs = append(errs, fmt.Errorf("interface direction %q: want in, out or empty", q.Interface.Dir))
	}
	if q.Subnet.IsValid() {
		q.Subnet = q.Subnet.Masked()
	}
	return q, errors.Join(errs...)
}

// countsDuplicates says whether the query wants every exporter's view
// (grouped or filtered by exporter or interface) rather than totals that
// count each session once.
func (q Query) countsDuplicates() bool {
	return q.By == ByExporter || q.By == ByInterface || q.Exporter.IsValid() || q.Interface != nil
}

// Row is one line of a top-N answer. The key fields set depend on By.
type Row struct {
	Host        string `json:"host,omitempty"`
	Client      string `json:"client,omitempty"`
	Server      string `json:"server,omitempty"`
	Protocol    string `json:"protocol,omitempty"`
	Application string `json:"application,omitempty"`
	Proto       uint8  `json:"proto,omitempty"`
	Port        uint16 `json:"port,omitempty"`
	Exporter    string `json:"exporter,omitempty"`
	IfIndex     uint32 `json:"ifindex,omitempty"`

	Bytes    uint64 `json:"bytes"`
	Packets  uint64 `json:"packets"`
	Sessions uint64 `json:"sessions"`
}

// Chart is a time chart: the range cut into equal buckets, each holding
// the volume of the sessions that overlap it in proportion to the overlap.
type Chart struct {
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Step    float64   `json:"step_seconds"`
	Buckets []Bucket  `json:"buckets"`
	// Settled, when set, is the time after which the chart may still
	// grow: sessions are stored when they end (or, long ones, piece by
	// piece), so the most recent traffic is still in the builder.
	Settled time.Time `json:"settled,omitzero"`
}

// Bucket is one slice of a Chart.
type Bucket struct {
	Start   time.Time `json:"start"`
	Bytes   uint64    `json:"bytes"`
	Packets uint64    `json:"packets"`
	// BitsPerSec is the bucket's average rate.
	BitsPerSec float64 `json:"bits_per_second"`
}

// DefaultBuckets is the chart resolution when none is asked for.
const DefaultBuckets = 200
