package flow

import (
	"fmt"
	"time"
)

// Config is the flow collector's configuration. Listen addresses are not
// here: the server passes each to ListenUDP/ListenTCP.
type Config struct {
	// Workers decode in parallel; datagrams from one exporter always go to
	// the same worker, so its templates and sequence numbers are handled
	// in order. 0: the number of CPUs.
	Workers int `yaml:"workers"`
	// Readers is the number of SO_REUSEPORT sockets (each with its own
	// reading goroutine) per UDP listener. 0: the number of CPUs.
	Readers int `yaml:"readers"`
	// QueueSize is how many datagrams may wait for each worker; beyond it
	// the readers wait and the socket buffer absorbs the burst.
	QueueSize int `yaml:"queue_size"`
	// ReadBuffer is the socket receive buffer (SO_RCVBUF) asked for, in
	// bytes. Linux caps it at net.core.rmem_max unless the process may
	// force it (CAP_NET_ADMIN); the size granted is logged.
	ReadBuffer int `yaml:"read_buffer"`
	// BatchSize is the most records handed to the Sink in one call.
	BatchSize int `yaml:"batch_size"`
	// TemplateFile is where v9/IPFIX templates, sampling rates and
	// interface names are saved so that a restart decodes at once; empty:
	// not saved.
	TemplateFile string `yaml:"template_file"`
	// TemplateSaveInterval is how often changed templates are written.
	TemplateSaveInterval time.Duration `yaml:"template_save_interval"`
	// TemplateMaxAge forgets templates the exporter has not announced for
	// this long (exporters re-send them every few minutes).
	TemplateMaxAge time.Duration `yaml:"template_max_age"`
	// PendingTTL is how long a data set that arrived before its template
	// is held; PendingSets and PendingBytes bound what one exporter may
	// hold.
	PendingTTL   time.Duration `yaml:"pending_ttl"`
	PendingSets  int           `yaml:"pending_sets"`
	PendingBytes int           `yaml:"pending_bytes"`
	// LogInterval is the least time between two log lines about one
	// exporter's bad datagrams (the lines count what was not logged).
	LogInterval time.Duration `yaml:"log_interval"`
}

// DefaultConfig returns settings for a busy collector: 32 MiB socket
// buffers (0.2 s of 1.5 M records/s in v5 datagrams), 4096-datagram
// queues, templates kept a day after the exporter stops announcing them
// and early data sets held 30 s.
func DefaultConfig() Config {
	return Config{
		QueueSize:            4096,
		ReadBuffer:           32 << 20,
		BatchSize:            1024,
		TemplateSaveInterval: 10 * time.Second,
		TemplateMaxAge:       24 * time.Hour,
		PendingTTL:           30 * time.Second,
		PendingSets:          256,
		PendingBytes:         1 << 20,
		LogInterval:          time.Minute,
	}
}

// Validate reports the first setting that cannot work, naming its key.
func (c Config) Validate() error {
	switch {
	case c.Workers < 0:
		return fmt.Errorf("flows.workers: %d is negative", c.Workers)
	case c.Readers < 0:
		return fmt.Errorf("flows.readers: %d is negative", c.Readers)
	case c.QueueSize < 1:
		return fmt.Errorf("flows.queue_size: %d must be at least 1", c.QueueSize)
	case c.ReadBuffer < 0:
		return fmt.Errorf("flows.read_buffer: %d is negative", c.ReadBuffer)
	case c.BatchSize < 1:
		return fmt.Errorf("flows.batch_size: %d must be at least 1", c.BatchSize)
	case c.TemplateFile != "" && c.TemplateSaveInterval <= 0:
		return fmt.Errorf("flows.template_save_interval: %s must be positive", c.TemplateSaveInterval)
	case c.TemplateMaxAge < 0:
		return fmt.Errorf("flows.template_max_age: %s is negative", c.TemplateMaxAge)
	case c.PendingTTL < 0 || c.PendingSets < 0 || c.PendingBytes < 0:
		return fmt.Errorf("flows.pending_ttl, pending_sets, pending_bytes: negative values are not allowed")
	case c.LogInterval < 0:
		return fmt.Errorf("flows.log_interval: %s is negative", c.LogInterval)
	}
	return nil
}
