package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/probe"
	"github.com/vantage-monitor/vantage/internal/probefile"
	"github.com/vantage-monitor/vantage/internal/probefile/engine"
	"github.com/vantage-monitor/vantage/internal/snmp"
	"github.com/vantage-monitor/vantage/internal/web"
)

// maxWalk bounds a builder walk: enough for a switch's interface tables.
const maxWalk = 20000

func (s *Server) tools() web.Tools {
	return web.Tools{Walk: s.walk, Preview: s.preview, SaveProbe: s.saveProbe}
}

// agent resolves a tool request's device or address to an SNMP target.
func (s *Server) agent(a web.Agent) (snmp.Target, error) {
	if a.Device != "" {
		mapName, dev, err := netmap.ParseDeviceID(a.Device)
		if err != nil {
			return snmp.Target{}, fmt.Errorf("%w: %v", web.ErrBadRequest, err)
		}
		addr, creds, ok := s.monitor.Agent(mapName, dev)
		if !ok {
			return snmp.Target{}, fmt.Errorf("%w: no device %q on map %q", web.ErrBadRequest, dev, mapName)
		}
		return snmp.Target{Address: addr, Creds: creds}, nil
	}
	if a.Address == "" {
		return snmp.Target{}, fmt.Errorf("%w: give a device or an address", web.ErrBadRequest)
	}
	creds := s.monitor.Credentials(a.SNMP)
	if err := creds.Validate(); err != nil {
		return snmp.Target{}, fmt.Errorf("%w: %v", web.ErrBadRequest, err)
	}
	return snmp.Target{Address: a.Address, Creds: creds}, nil
}

func (s *Server) walk(ctx context.Context, req web.WalkRequest) ([]web.WalkRow, error) {
	t, err := s.agent(req.Agent)
	if err != nil {
		return nil, err
	}
	root := req.OID
	if root == "" {
		root = "1.3.6.1.2.1"
	}
	if oid, ok := s.names.Lookup(root); ok {
		root = oid
	}
	limit := req.Limit
	if limit <= 0 || limit > maxWalk {
		limit = maxWalk
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var rows []web.WalkRow
	errEnough := errors.New("enough")
	err = s.snmp.Walk(ctx, t, root, func(v snmp.Value) error {
		name := s.names.Name(v.OID)
		rows = append(rows, web.WalkRow{OID: v.OID, Name: name, Type: v.Type.String(), Value: v.AsString()})
		if len(rows) >= limit {
			return errEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return rows, err
	}
	return rows, nil
}

func (s *Server) preview(ctx context.Context, req web.PreviewRequest) (web.PreviewResult, error) {
	f, err := probefile.Parse("preview.txt", []byte(req.Text))
	if err != nil {
		res := web.PreviewResult{Status: "unknown", Reason: "the probe file has errors"}
		for _, fe := range probefile.FileErrors(err) {
			res.Problems = append(res.Problems, fe.Error())
		}
		if len(res.Problems) == 0 {
			res.Problems = []string{err.Error()}
		}
		return res, nil
	}
	t, err := s.agent(req.Agent)
	if err != nil {
		return web.PreviewResult{}, err
	}
	info, err := engine.Info(f, s.engineDeps())
	if err != nil {
		return web.PreviewResult{Status: "unknown", Reason: err.Error(), Problems: []string{err.Error()}}, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	r := info.New().Poll(ctx, probe.Target{Address: t.Address, Params: info.WithDefaults(req.Params), SNMP: t.Creds, Timeout: 20 * time.Second})
	res := web.PreviewResult{Status: r.Level.String(), Reason: r.Reason, Values: r.Values}
	for _, w := range f.Warnings {
		res.Problems = append(res.Problems, fmt.Sprint(w))
	}
	if h, ok := r.Values["display_html"].(string); ok {
		res.DisplayHTML = h
	}
	if tx, ok := r.Values["display_text"].(string); ok {
		res.DisplayText = tx
	}
	return res, nil
}

func (s *Server) saveProbe(name string, text []byte) (web.SaveResult, error) {
	f, err := probefile.Parse("probes/"+name, text)
	if err != nil {
		return web.SaveResult{}, fmt.Errorf("%w: %v", web.ErrBadRequest, err)
	}
	if f.Header.Type == probefile.BuiltIn {
		return web.SaveResult{}, fmt.Errorf("%w: built-in probe files describe Vantage's own probes and cannot be added", web.ErrBadRequest)
	}
	dir := s.folder.Probes()
	tmp, err := os.CreateTemp(dir, ".save-*")
	if err != nil {
		return web.SaveResult{}, err
	}
	if _, err := tmp.Write(text); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return web.SaveResult{}, err
	}
	tmp.Close()
	if err := os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		os.Remove(tmp.Name())
		return web.SaveResult{}, err
	}
	_, errs := s.ReloadProbes()
	res := web.SaveResult{ID: f.ID(), File: "probes/" + name}
	for _, e := range errs {
		res.Problems = append(res.Problems, e.Error())
	}
	return res, nil
}
