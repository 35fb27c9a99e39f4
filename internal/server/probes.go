package server

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/vantage-monitor/vantage/internal/eventlog"
	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/probefile"
	"github.com/vantage-monitor/vantage/internal/probefile/cmdline"
	"github.com/vantage-monitor/vantage/internal/probefile/engine"
)

// buildProbeFiles turns the catalogue's probe files into registry entries:
// "built-in" files describe the probes written in Go, the others become
// probes of their own. It returns what could not be used.
func (s *Server) buildProbeFiles() []error {
	var infos []probe.Info
	var errs []error
	deps := s.engineDeps()
	for _, f := range s.catalogue.Files() {
		category := strings.Join(f.Header.DisplayPath(), "/")
		if f.Header.Type == probefile.BuiltIn {
			if !s.probes.Describe(f.ID(), f.Header.HumanName, category, f.Description, f.Path) {
				errs = append(errs, fmt.Errorf("%s: built-in probe %s is not part of this Vantage", f.Path, f.ID()))
			}
			continue
		}
		info, err := engine.Info(f, deps)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f.Path, err))
			continue
		}
		info.Category, info.Description, info.File, info.Type = category, f.Description, f.Path, string(f.Header.Type)
		info.Revision = f.Header.Version + "@" + strconv.FormatInt(f.ModTime.UnixNano(), 36)
		infos = append(infos, info)
	}
	return append(errs, s.probes.SetFiles(infos)...)
}

// engineDeps are what probe-file probes use to poll.
func (s *Server) engineDeps() engine.Deps {
	return engine.Deps{SNMP: s.snmp, Pinger: s.pinger, Names: s.names, Runner: cmdline.Runner{ToolsDir: filepath.Join(s.opts.DataDir, "tools")}}
}

// loadProbeFiles loads built-in and user probe files at start.
func (s *Server) loadProbeFiles() {
	s.catalogue = probefile.NewCatalogue(probe.BuiltinFiles(), s.folder.Probes(), s.logger.With("component", "probefiles"))
	errs := append(s.catalogue.Load(), s.buildProbeFiles()...)
	for _, err := range errs {
		s.events.Write(eventlog.Event{Kind: eventlog.KindError, Message: "probe file: " + err.Error()})
	}
}

// probeFilesChanged applies edits to DIR/probes and re-syncs polling.
func (s *Server) probeFilesChanged(changed []string, errs []error) {
	errs = append(errs, s.buildProbeFiles()...)
	for _, err := range errs {
		s.events.Write(eventlog.Event{Kind: eventlog.KindError, Message: "probe file: " + err.Error()})
	}
	if len(changed) > 0 {
		s.events.Write(eventlog.Event{Kind: eventlog.KindInfo, Message: fmt.Sprintf("probe files reloaded: %s", strings.Join(changed, ", "))})
	}
	s.monitor.Sync()
}

// ReloadProbes re-reads DIR/probes now (POST /api/v1/probes/reload).
func (s *Server) ReloadProbes() (changed []string, errs []error) {
	changed, errs = s.catalogue.Reload()
	s.probeFilesChanged(changed, errs)
	return changed, append(errs, s.catalogue.Problems()...)
}
