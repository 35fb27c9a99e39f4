package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/vantage-monitor/vantage/internal/netmap"
)

// storeError maps a store error to its HTTP status.
func storeError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, netmap.ErrNotFound):
		writeError(w, http.StatusNotFound, err)
	case errors.Is(err, netmap.ErrDuplicate), errors.Is(err, netmap.ErrModifiedOnDisk):
		writeError(w, http.StatusConflict, err)
	default:
		writeError(w, http.StatusBadRequest, err)
	}
}

// changed re-syncs polling after a map edit and answers with the item.
func (a *API) changed(w http.ResponseWriter, code int, item func(m *netmap.Map) (any, bool), mapName string) {
	a.deps.Monitor.Sync()
	m, ok := a.deps.Maps.Get(mapName)
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Errorf("no map named %q", mapName))
		return
	}
	if item == nil {
		w.WriteHeader(code)
		return
	}
	v, ok := item(m)
	if !ok {
		writeError(w, http.StatusNotFound, errors.New("item vanished after saving"))
		return
	}
	writeJSON(w, code, v)
}

func (a *API) deviceItem(name string) func(m *netmap.Map) (any, bool) {
	return func(m *netmap.Map) (any, bool) {
		d := m.FindDevice(name)
		if d == nil {
			return nil, false
		}
		return a.view(m, *d), true
	}
}

func networkItem(name string) func(m *netmap.Map) (any, bool) {
	return func(m *netmap.Map) (any, bool) {
		n := m.FindNetwork(name)
		return n, n != nil
	}
}

func (a *API) listDevices(w http.ResponseWriter, r *http.Request) {
	m, ok := a.findMap(w, r)
	if !ok {
		return
	}
	out := make([]deviceView, 0, len(m.Devices))
	for _, d := range m.Devices {
		out = append(out, a.view(m, d))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) getDevice(w http.ResponseWriter, r *http.Request) {
	m, ok := a.findMap(w, r)
	if !ok {
		return
	}
	v, ok := a.deviceItem(r.PathValue("device"))(m)
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Errorf("map %q has no device %q", m.Name, r.PathValue("device")))
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (a *API) createDevice(w http.ResponseWriter, r *http.Request) {
	m, ok := a.findMap(w, r)
	if !ok {
		return
	}
	var d netmap.Device
	if err := decodeJSON(r, &d); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if m.FindDevice(d.Name) != nil || m.FindNetwork(d.Name) != nil {
		writeError(w, http.StatusConflict, fmt.Errorf("map %q already has %q; use PUT to change it", m.Name, d.Name))
		return
	}
	if err := a.checkProbe(d); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if err := a.deps.Maps.PutDevice(m.Name, d); err != nil {
		storeError(w, err)
		return
	}
	a.changed(w, http.StatusCreated, a.deviceItem(d.Name), m.Name)
}

// checkProbe refuses a probe the server does not know, naming the choices.
func (a *API) checkProbe(d netmap.Device) error {
	info, ok := a.deps.Probes.Lookup(d.ProbeID())
	if !ok {
		return fmt.Errorf("device %q: unknown probe %q (GET /api/v1/probes lists them)", d.Name, d.ProbeID())
	}
	if err := info.CheckParams(d.Params); err != nil {
		return fmt.Errorf("device %q: %w", d.Name, err)
	}
	return nil
}

func (a *API) putDevice(w http.ResponseWriter, r *http.Request) {
	m, ok := a.findMap(w, r)
	if !ok {
		return
	}
	old := r.PathValue("device")
	var d netmap.Device
	if err := decodeJSON(r, &d); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if d.Name == "" {
		d.Name = old
	}
	if err := a.checkProbe(d); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	code := http.StatusOK
	if m.FindDevice(old) == nil {
		if d.Name != old {
			writeError(w, http.StatusNotFound, fmt.Errorf("map %q has no device %q to rename", m.Name, old))
			return
		}
		code = http.StatusCreated
	}
	if prev := m.FindDevice(old); prev != nil {
		restoreSNMP(d.SNMP, prev.SNMP)
	}
	if err := a.deps.Maps.ReplaceDevice(m.Name, old, d); err != nil {
		storeError(w, err)
		return
	}
	a.changed(w, code, a.deviceItem(d.Name), m.Name)
}

func (a *API) deleteDevice(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("map")
	if err := a.deps.Maps.DeleteDevice(name, r.PathValue("device")); err != nil {
		storeError(w, err)
		return
	}
	a.changed(w, http.StatusNoContent, nil, name)
}

func (a *API) listNetworks(w http.ResponseWriter, r *http.Request) {
	m, ok := a.findMap(w, r)
	if !ok {
		return
	}
	out := m.Networks
	if out == nil {
		out = []netmap.Network{}
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) getNetwork(w http.ResponseWriter, r *http.Request) {
	m, ok := a.findMap(w, r)
	if !ok {
		return
	}
	n := m.FindNetwork(r.PathValue("network"))
	if n == nil {
		writeError(w, http.StatusNotFound, fmt.Errorf("map %q has no network %q", m.Name, r.PathValue("network")))
		return
	}
	writeJSON(w, http.StatusOK, n)
}

func (a *API) createNetwork(w http.ResponseWriter, r *http.Request) {
	m, ok := a.findMap(w, r)
	if !ok {
		return
	}
	var n netmap.Network
	if err := decodeJSON(r, &n); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if m.FindDevice(n.Name) != nil || m.FindNetwork(n.Name) != nil {
		writeError(w, http.StatusConflict, fmt.Errorf("map %q already has %q; use PUT to change it", m.Name, n.Name))
		return
	}
	if err := a.deps.Maps.PutNetwork(m.Name, n); err != nil {
		storeError(w, err)
		return
	}
	a.changed(w, http.StatusCreated, networkItem(n.Name), m.Name)
}

func (a *API) putNetwork(w http.ResponseWriter, r *http.Request) {
	name, old := r.PathValue("map"), r.PathValue("network")
	var n netmap.Network
	if err := decodeJSON(r, &n); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if n.Name == "" {
		n.Name = old
	}
	if err := a.deps.Maps.ReplaceNetwork(name, old, n); err != nil {
		storeError(w, err)
		return
	}
	a.changed(w, http.StatusOK, networkItem(n.Name), name)
}

func (a *API) deleteNetwork(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("map")
	if err := a.deps.Maps.DeleteNetwork(name, r.PathValue("network")); err != nil {
		storeError(w, err)
		return
	}
	a.changed(w, http.StatusNoContent, nil, name)
}

func (a *API) listLinks(w http.ResponseWriter, r *http.Request) {
	m, ok := a.findMap(w, r)
	if !ok {
		return
	}
	out := m.AllLinks()
	if out == nil {
		out = []netmap.Link{}
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *API) createLink(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("map")
	var l netmap.Link
	if err := decodeJSON(r, &l); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if l.From == "" || l.To == "" {
		writeError(w, http.StatusBadRequest, errors.New(`a link needs "from" and "to"`))
		return
	}
	if err := a.deps.Maps.AddLink(name, l); err != nil {
		// A link to an oval that does not hold the device's address is
		// refused with the reason: InterMapper makes it jump back.
		storeError(w, err)
		return
	}
	a.changed(w, http.StatusCreated, func(*netmap.Map) (any, bool) { return l, true }, name)
}

func (a *API) deleteLink(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("map")
	l := netmap.Link{From: r.URL.Query().Get("from"), To: r.URL.Query().Get("to")}
	if l.From == "" || l.To == "" {
		writeError(w, http.StatusBadRequest, errors.New("give the link as ?from=A&to=B"))
		return
	}
	if err := a.deps.Maps.DeleteLink(name, l); err != nil {
		storeError(w, err)
		return
	}
	a.changed(w, http.StatusNoContent, nil, name)
}

func (a *API) deviceByID(w http.ResponseWriter, r *http.Request) (*netmap.Map, *netmap.Device, bool) {
	mapName, devName, err := netmap.ParseDeviceID(r.PathValue("id"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return nil, nil, false
	}
	m, ok := a.deps.Maps.Get(mapName)
	if !ok || m.FindDevice(devName) == nil {
		writeError(w, http.StatusNotFound, fmt.Errorf("no device %q on map %q", devName, mapName))
		return nil, nil, false
	}
	return m, m.FindDevice(devName), true
}

func (a *API) getDeviceByID(w http.ResponseWriter, r *http.Request) {
	if m, d, ok := a.deviceByID(w, r); ok {
		writeJSON(w, http.StatusOK, a.view(m, *d))
	}
}

func (a *API) pollDevice(w http.ResponseWriter, r *http.Request) {
	m, d, ok := a.deviceByID(w, r)
	if !ok {
		return
	}
	if !a.deps.Monitor.PollNow(m.Name, d.Name) {
		writeError(w, http.StatusConflict, fmt.Errorf("device %q is not polled: %s", d.Name, a.view(m, *d).Reason))
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "poll scheduled"})
}
