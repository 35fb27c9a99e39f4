package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/alert"
	"github.com/vantage-monitor/vantage/internal/auth"
	"github.com/vantage-monitor/vantage/internal/netmap"
	"github.com/vantage-monitor/vantage/internal/status"
)

func (a *API) mapRoutes() {
	a.route("GET /api/v1/maps", "List maps with their status and device counts", anyUser, a.listMaps)
	a.route("POST /api/v1/maps", "Create a map from JSON or, with Content-Type application/yaml, a map file", serverAdmin, a.createMap)
	a.route("GET /api/v1/maps/{map}", "One map with devices, networks, links and live status; ?format=yaml gives the map file", mapRead, a.getMap)
	a.route("PUT /api/v1/maps/{map}", "Replace a map (JSON or YAML)", mapWrite, a.putMap)
	a.route("DELETE /api/v1/maps/{map}", "Delete a map and its file", mapAdmin, a.deleteMap)
	a.route("GET /api/v1/maps/{map}/devices", "Devices of a map with status and reason", mapRead, a.listDevices)
	a.route("POST /api/v1/maps/{map}/devices", "Add a device", mapWrite, a.createDevice)
	a.route("GET /api/v1/maps/{map}/devices/{device}", "One device with its status", mapRead, a.getDevice)
	a.route("PUT /api/v1/maps/{map}/devices/{device}", "Change (or rename) a device", mapWrite, a.putDevice)
	a.route("DELETE /api/v1/maps/{map}/devices/{device}", "Remove a device and its links", mapWrite, a.deleteDevice)
	a.route("GET /api/v1/maps/{map}/networks", "Networks (subnet ovals) of a map", mapRead, a.listNetworks)
	a.route("POST /api/v1/maps/{map}/networks", "Add a network", mapWrite, a.createNetwork)
	a.route("GET /api/v1/maps/{map}/networks/{network}", "One network", mapRead, a.getNetwork)
	a.route("PUT /api/v1/maps/{map}/networks/{network}", "Change a network", mapWrite, a.putNetwork)
	a.route("DELETE /api/v1/maps/{map}/networks/{network}", "Remove a network and its links", mapWrite, a.deleteNetwork)
	a.route("GET /api/v1/maps/{map}/links", "Links of a map, explicit and automatic (device inside a network's ranges)", mapRead, a.listLinks)
	a.route("POST /api/v1/maps/{map}/links", "Add a link {from, to}; a device–network link outside the network's ranges is refused", mapWrite, a.createLink)
	a.route("DELETE /api/v1/maps/{map}/links", "Remove the link ?from=A&to=B", mapWrite, a.deleteLink)
	a.route("GET /api/v1/devices/{id}", "One device by id (map~device) with status, values and warnings", deviceRead, a.getDeviceByID)
	a.route("POST /api/v1/devices/{id}/poll", "Poll a device now", deviceAck, a.pollDevice)
}

// mapSummary is one row of GET /maps.
type mapSummary struct {
	Name string `json:"name"`
	// Access is the caller's level on the map, so the UI shows only the
	// controls that will work.
	Access  auth.Level     `json:"access"`
	Status  string         `json:"status"`
	Devices int            `json:"devices"`
	Counts  map[string]int `json:"counts"`
}

// mapView is GET /maps/{map}.
type mapView struct {
	Name     string               `json:"name"`
	Access   auth.Level           `json:"access"`
	Vantage  string               `json:"vantage,omitempty"`
	SNMP     *netmap.SNMPSettings `json:"snmp,omitempty"`
	Status   string               `json:"status"`
	Devices  []deviceView         `json:"devices"`
	Networks []netmap.Network     `json:"networks"`
	Links    []netmap.Link        `json:"links"`
	// Maintenance is the map-wide maintenance window, when one is on.
	Maintenance *alert.Ack `json:"maintenance,omitempty"`
}

// liveStatus is a device's status as the API and the event stream show it.
type liveStatus struct {
	Status   string         `json:"status"`
	Reason   string         `json:"reason"`
	Since    *time.Time     `json:"since,omitempty"`
	LastPoll *time.Time     `json:"last_poll,omitempty"`
	Values   map[string]any `json:"values,omitempty"`
	RTTms    *float64       `json:"rtt_ms,omitempty"`
	Misses   int            `json:"misses"`
	Polls    int64          `json:"polls"`
	Failures int64          `json:"failures"`
	Shared   int            `json:"shared"`
	// Unreachable devices are down behind a failed device (Behind) on the
	// way to the vantage point; they are not announced.
	Unreachable bool   `json:"unreachable"`
	Behind      string `json:"behind,omitempty"`
	// Acknowledged is a basic acknowledgement, Maintenance a maintenance
	// window; Ack says who, why and until when.
	Acknowledged bool       `json:"acknowledged"`
	Maintenance  bool       `json:"maintenance"`
	Ack          *alert.Ack `json:"ack,omitempty"`
}

// live reads a device's status from the monitor.
func (a *API) live(mapName, device string) liveStatus {
	v := liveStatus{Status: status.Unknown.String(), Reason: "not polled yet"}
	if a.deps.Acks != nil {
		if k, ok := a.deps.Acks.Effective(mapName, device); ok {
			v.Ack, v.Acknowledged, v.Maintenance = &k, k.Kind == alert.KindBasic, k.Kind == alert.KindMaintenance
		}
	}
	st, ok := a.deps.Monitor.Status(mapName, device)
	if !ok {
		return v
	}
	v.Status, v.Reason, v.Misses, v.Polls, v.Failures, v.Shared = st.Level.String(), st.Reason, st.Misses, st.Polls, st.Failures, st.Shared
	v.Unreachable, v.Behind = st.Behind != "", st.Behind
	if !st.Since.IsZero() {
		v.Since = &st.Since
	}
	if !st.LastPoll.IsZero() {
		v.LastPoll = &st.LastPoll
		v.Values = a.nameOIDs(st.Last.Values)
		if st.Last.RTT > 0 {
			ms := float64(st.Last.RTT.Microseconds()) / 1000
			v.RTTms = &ms
		}
	}
	return v
}

// nameOIDs adds the MIB or enterprise name of OID values a person reads
// (sysObjectID), on a copy: the monitor's values are shared.
func (a *API) nameOIDs(values map[string]any) map[string]any {
	oid, ok := values["sys_object_id"].(string)
	if !ok || a.deps.Names == nil {
		return values
	}
	out := make(map[string]any, len(values)+1)
	for k, v := range values {
		out[k] = v
	}
	out["sys_object_name"] = a.deps.Names.Describe(oid)
	return out
}

// deviceView is a device as the map file has it plus its live status.
type deviceView struct {
	netmap.Device
	liveStatus
	ID  string `json:"id"`
	Map string `json:"map"`
	// Warnings are configuration remarks, e.g. a device mask that
	// disagrees with its subnet oval's.
	Warnings []string `json:"warnings,omitempty"`
}

func (a *API) view(m *netmap.Map, d netmap.Device) deviceView {
	d.SNMP = redactSNMP(d.SNMP)
	v := deviceView{Device: d, liveStatus: a.live(m.Name, d.Name), ID: netmap.DeviceID(m.Name, d.Name), Map: m.Name, Warnings: m.MaskMismatch(d)}
	if v.Probe == "" {
		v.Probe = d.ProbeID()
	}
	return v
}

func (a *API) findMap(w http.ResponseWriter, r *http.Request) (*netmap.Map, bool) {
	name := r.PathValue("map")
	m, ok := a.deps.Maps.Get(name)
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Errorf("no map named %q", name))
		return nil, false
	}
	return m, true
}

func (a *API) listMaps(w http.ResponseWriter, r *http.Request) {
	out := []mapSummary{}
	for _, m := range a.deps.Maps.Maps() {
		lvl := a.level(r, m.Name)
		if lvl < auth.Read {
			continue
		}
		s := mapSummary{Name: m.Name, Access: lvl, Status: a.deps.Monitor.MapStatus(m.Name).String(), Devices: len(m.Devices), Counts: map[string]int{}}
		for _, d := range m.Devices {
			st, _ := a.deps.Monitor.Status(m.Name, d.Name)
			s.Counts[st.Level.String()]++
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	writeJSON(w, http.StatusOK, out)
}

func (a *API) getMap(w http.ResponseWriter, r *http.Request) {
	m, ok := a.findMap(w, r)
	if !ok {
		return
	}
	if r.URL.Query().Get("format") == "yaml" || strings.Contains(r.Header.Get("Accept"), "yaml") {
		b, err := netmap.Marshal(redactMap(m))
		if err != nil {
			writeError(w, http.StatusInternalServerError, err)
			return
		}
		w.Header().Set("Content-Type", "application/yaml")
		w.Write(b)
		return
	}
	v := mapView{Name: m.Name, Access: a.level(r, m.Name), Vantage: m.Vantage, SNMP: redactSNMP(m.SNMP), Status: a.deps.Monitor.MapStatus(m.Name).String(), Devices: []deviceView{}, Networks: m.Networks, Links: m.AllLinks()}
	for _, d := range m.Devices {
		v.Devices = append(v.Devices, a.view(m, d))
	}
	if v.Networks == nil {
		v.Networks = []netmap.Network{}
	}
	if v.Links == nil {
		v.Links = []netmap.Link{}
	}
	if a.deps.Acks != nil {
		if k, ok := a.deps.Acks.Effective(m.Name, ""); ok {
			v.Maintenance = &k
		}
	}
	writeJSON(w, http.StatusOK, v)
}

// readMap reads a map from a JSON or YAML body.
func readMap(r *http.Request, name string) (*netmap.Map, error) {
	if strings.Contains(r.Header.Get("Content-Type"), "yaml") {
		b, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			return nil, fmt.Errorf("read body: %w", err)
		}
		return netmap.Parse(name, b)
	}
	var m netmap.Map
	if err := decodeJSON(r, &m); err != nil {
		return nil, err
	}
	if m.Name == "" {
		m.Name = name
	}
	return &m, nil
}

func (a *API) createMap(w http.ResponseWriter, r *http.Request) {
	m, err := readMap(r, r.URL.Query().Get("name"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if m.Name == "" {
		writeError(w, http.StatusBadRequest, errors.New("a map needs a name"))
		return
	}
	if _, exists := a.deps.Maps.Get(m.Name); exists {
		writeError(w, http.StatusConflict, fmt.Errorf("map %q already exists; use PUT to replace it", m.Name))
		return
	}
	a.saveMap(w, m, http.StatusCreated)
}

func (a *API) putMap(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("map")
	m, err := readMap(r, name)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if m.Name != name {
		writeError(w, http.StatusBadRequest, fmt.Errorf("body names map %q but the URL says %q", m.Name, name))
		return
	}
	a.saveMap(w, m, http.StatusOK)
}

func (a *API) saveMap(w http.ResponseWriter, m *netmap.Map, code int) {
	stored, _ := a.deps.Maps.Get(m.Name)
	restoreMap(m, stored)
	if err := a.deps.Maps.Put(m); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	a.deps.Monitor.Sync()
	saved, _ := a.deps.Maps.Get(m.Name)
	writeJSON(w, code, redactMap(saved))
}

func (a *API) deleteMap(w http.ResponseWriter, r *http.Request) {
	if _, ok := a.findMap(w, r); !ok {
		return
	}
	if err := a.deps.Maps.Delete(r.PathValue("map")); err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	if err := a.deps.Auth.DeleteMapGrants(r.Context(), r.PathValue("map")); err != nil {
		a.deps.Logger.Error("map deleted but its access grants were not", "map", r.PathValue("map"), "err", err)
	}
	a.deps.Monitor.Sync()
	w.WriteHeader(http.StatusNoContent)
}
