package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/notify"
	"github.com/vantage-monitor/vantage/internal/report"
)

// buildReports makes the report builder the API and the schedules use.
func (s *Server) buildReports() {
	s.reports = &report.Builder{
		Events:  report.LogEvents{Log: s.events},
		Charts:  s.charts,
		Devices: report.MapDevices(s.maps),
		Logger:  s.logger.With("component", "reports"),
	}
}

// runReportSchedules sends the scheduled reports of config.yaml through
// their notifiers until ctx ends.
func (s *Server) runReportSchedules(ctx context.Context) {
	if len(s.cfg.Reports) == 0 {
		return
	}
	sc := &report.Scheduler{
		Schedules: func() []report.Schedule { return s.cfg.Reports },
		Reports:   s.reports,
		Send:      s.sendReport,
		Logger:    s.logger.With("component", "reports"),
	}
	if err := sc.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		s.logger.Error("report schedules stopped", "err", err)
	}
}

// sendReport delivers one scheduled report to each of its notifiers, with
// their retries; every delivery is a NOTIFY event.
func (s *Server) sendReport(ctx context.Context, sc report.Schedule, r report.Report) error {
	m, err := report.Message(sc, r)
	if err != nil {
		return err
	}
	var errs []error
	for _, name := range sc.Notifiers {
		nn, ok := s.alerting.n.get(name)
		if !ok {
			errs = append(errs, fmt.Errorf("report %s: no notifier named %q", sc.Name, name))
			continue
		}
		err := notify.SendWithRetry(ctx, nn.n, nn.cfg.Retries, nn.cfg.RetryDelay, m)
		msg := fmt.Sprintf("sent report %s via %s", sc.Name, name)
		if err != nil {
			msg = fmt.Sprintf("report %s via %s failed: %v", sc.Name, name, err)
			errs = append(errs, err)
		}
		s.events.Write(eventlog.Event{Kind: "NOTIFY", Map: sc.Map, Device: sc.Device, Message: msg})
	}
	return errors.Join(errs...)
}
