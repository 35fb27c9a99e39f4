package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"

	"github.com/vantage-monitor/vantage/internal/auth"
	"github.com/vantage-monitor/vantage/internal/netmap"
)

// Tools are the probe builder's server side.
type Tools struct {
	Walk      func(ctx context.Context, req WalkRequest) ([]WalkRow, error)
	Preview   func(ctx context.Context, req PreviewRequest) (PreviewResult, error)
	SaveProbe func(name string, text []byte) (SaveResult, error)
}

// Agent names the SNMP agent a tool talks to: a device (its merged SNMP
// credentials are used) or an address with credentials.
type Agent struct {
	Device  string               `json:"device,omitempty"`
	Address string               `json:"address,omitempty"`
	SNMP    *netmap.SNMPSettings `json:"snmp,omitempty"`
}

// WalkRequest is POST /api/v1/tools/walk.
type WalkRequest struct {
	Agent
	OID   string `json:"oid,omitempty"`
	Limit int    `json:"limit,omitempty"`
}

// WalkRow is one variable of a walk.
type WalkRow struct {
	OID   string `json:"oid"`
	Name  string `json:"name"`
	Type  string `json:"type"`
	Value string `json:"value"`
}

// PreviewRequest is POST /api/v1/probes/preview.
type PreviewRequest struct {
	Agent
	Text   string            `json:"text"`
	Params map[string]string `json:"params,omitempty"`
}

// PreviewResult is one poll of a probe file that is not saved yet.
type PreviewResult struct {
	Status      string         `json:"status"`
	Reason      string         `json:"reason"`
	Values      map[string]any `json:"values,omitempty"`
	DisplayHTML string         `json:"display_html,omitempty"`
	DisplayText string         `json:"display_text,omitempty"`
	Problems    []string       `json:"problems"`
}

// SaveResult says what a saved probe file became.
type SaveResult struct {
	ID       string   `json:"id"`
	File     string   `json:"file"`
	Problems []string `json:"problems"`
}

// ErrBadRequest marks tool errors that are the caller's (400, not 500).
var ErrBadRequest = errors.New("bad request")

func (a *API) toolRoutes() {
	a.route("POST /api/v1/tools/walk", "SNMP walk of a device or address: {device | address+snmp, oid, limit} → [{oid, name, type, value}]", anyUser, a.walk)
	a.route("POST /api/v1/probes/preview", "Poll once with an unsaved probe file: {text, device | address+snmp, params}", anyUser, a.preview)
	a.route("PUT /api/v1/probes/files/{name}", "Save a probe file (text body) into DIR/probes and reload the probes", serverAdmin, a.saveProbe)
}

func toolError(w http.ResponseWriter, err error) {
	if errors.Is(err, ErrBadRequest) {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	writeError(w, http.StatusBadGateway, err)
}

// jsonTool serves a tool that takes a JSON request and answers JSON: 501
// when the server does not offer it, 400 for a bad body or a caller's
// mistake, 502 when the device or agent fails.
func jsonTool[Req, Res any](name string, fn func(context.Context, Req) (Res, error), allow func(*http.Request, Req) (int, error), fix func(*Res)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if fn == nil {
			writeError(w, http.StatusNotImplemented, fmt.Errorf("%s are not available on this server", name))
			return
		}
		var req Req
		if err := decodeJSON(r, &req); err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		if code, err := allow(r, req); err != nil {
			writeError(w, code, err)
			return
		}
		res, err := fn(r.Context(), req)
		if err != nil {
			toolError(w, err)
			return
		}
		fix(&res)
		writeJSON(w, http.StatusOK, res)
	}
}

func (a *API) walk(w http.ResponseWriter, r *http.Request) {
	jsonTool("walks", a.deps.Tools.Walk, func(r *http.Request, q WalkRequest) (int, error) { return a.allowTarget(r, q.Device, auth.Write) }, func(rows *[]WalkRow) {
		if *rows == nil {
			*rows = []WalkRow{}
		}
	})(w, r)
}

func (a *API) preview(w http.ResponseWriter, r *http.Request) {
	jsonTool("previews", a.deps.Tools.Preview, func(r *http.Request, q PreviewRequest) (int, error) { return a.allowTarget(r, q.Device, auth.Write) }, func(res *PreviewResult) {
		if res.Problems == nil {
			res.Problems = []string{}
		}
	})(w, r)
}

var probeFileName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.txt$`)

func (a *API) saveProbe(w http.ResponseWriter, r *http.Request) {
	if a.deps.Tools.SaveProbe == nil {
		writeError(w, http.StatusNotImplemented, errors.New("saving probe files is not available on this server"))
		return
	}
	name := r.PathValue("name")
	if !probeFileName.MatchString(name) {
		writeError(w, http.StatusBadRequest, fmt.Errorf("file name %q: use letters, digits, '.', '-' or '_' and end in .txt", name))
		return
	}
	text, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	res, err := a.deps.Tools.SaveProbe(name, text)
	if err != nil {
		toolError(w, err)
		return
	}
	if res.Problems == nil {
		res.Problems = []string{}
	}
	writeJSON(w, http.StatusOK, res)
}
