package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vantage-monitor/vantage/internal/flowstore"
	"github.com/vantage-monitor/vantage/internal/web"
)

// remoteFlows answers the flow views from a flow collector on another
// machine — `vantage serve` there with its flow listeners — over its HTTP
// API with a token, as InterMapper Flows could run apart from the server.
type remoteFlows struct {
	base   string
	token  string
	client *http.Client
}

func newRemoteFlows(base, token string, insecure bool) *remoteFlows {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if insecure {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	}
	return &remoteFlows{base: strings.TrimRight(base, "/"), token: token, client: &http.Client{Transport: tr, Timeout: time.Minute}}
}

// get asks the collector and decodes its JSON answer; failures are
// web.ErrFlowCollector so the API answers 502 rather than blaming the
// caller, except the collector's own 400s, which are passed on.
func (r *remoteFlows) get(ctx context.Context, path string, q url.Values, out any) error {
	u := r.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("%w %s: %v", web.ErrFlowCollector, r.base, err)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return fmt.Errorf("%w %s: %v", web.ErrFlowCollector, r.base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		var e struct{ Error string }
		json.Unmarshal(body, &e)
		if resp.StatusCode == http.StatusBadRequest {
			return fmt.Errorf("%s", e.Error)
		}
		return fmt.Errorf("%w %s: HTTP %d %s", web.ErrFlowCollector, r.base, resp.StatusCode, e.Error)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%w %s: bad answer: %v", web.ErrFlowCollector, r.base, err)
	}
	return nil
}

func (r *remoteFlows) Exporters(ctx context.Context) ([]web.FlowExporter, error) {
	var out []web.FlowExporter
	err := r.get(ctx, "/api/v1/flows/exporters", nil, &out)
	return out, err
}

func (r *remoteFlows) Top(ctx context.Context, q flowstore.Query, inside bool) ([]web.FlowRow, error) {
	var out []web.FlowRow
	err := r.get(ctx, "/api/v1/flows/top", web.FlowQueryValues(q, inside), &out)
	return out, err
}

func (r *remoteFlows) Chart(ctx context.Context, q flowstore.Query, buckets int, inside bool) (flowstore.Chart, error) {
	v := web.FlowQueryValues(q, inside)
	v.Set("buckets", fmt.Sprint(buckets))
	var out flowstore.Chart
	err := r.get(ctx, "/api/v1/flows/chart", v, &out)
	return out, err
}

func (r *remoteFlows) About(ctx context.Context) (web.FlowAbout, error) {
	var out web.FlowAbout
	err := r.get(ctx, "/api/v1/flows/about", nil, &out)
	if err == nil {
		out.Backend = "remote collector " + r.base + " (" + out.Backend + ")"
	}
	return out, err
}
