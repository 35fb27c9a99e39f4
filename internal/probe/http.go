package probe

// HTTP and HTTPS probes: fetch one page from the device, judge the status
// code, optionally look for a string in the body, and for HTTPS report the
// certificate's expiry. Every connection goes to the device's address,
// whatever a redirect or the Host parameter names, so the probe measures the
// device and never another server.

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/vantage-monitor/vantage/internal/status"
)

const (
	// maxBody bounds how much of a page is read and searched.
	maxBody = 1 << 20
	// maxRedirects is how many same-target redirects are followed; the
	// response after that is judged as it is.
	maxRedirects = 5
	userAgent    = "Vantage-Monitor"
)

// httpParams lists the HTTP(S) parameters with InterMapper's names as
// aliases. "String to verify" defaults to empty, where InterMapper has
// "<HTML": health checks and APIs answer JSON or plain text, redirects and
// 204s have no body, and any HTML page, including a proxy's error page,
// contains "<html"; so that default raises false alarms and proves little.
// Checking for text is opt-in and then should name something site-specific.
func httpParams(secure bool) []Param {
	port := "80"
	if secure {
		port = "443"
	}
	ps := []Param{
		{Name: "port", Default: port, Help: "TCP port of the web server"},
		{Name: "host", Aliases: []string{"Host Name"}, Help: "name sent as the Host header (and TLS server name) for virtual hosts; empty uses the device address"},
		{Name: "path", Aliases: []string{"URL Path"}, Default: "/", Help: "path, and query if any, of the page to fetch"},
		{Name: "expect", Aliases: []string{"String to verify"}, Help: "text the page must contain, ignoring case; empty checks the status code only"},
		{Name: "user", Aliases: []string{"User ID"}, Help: "user name for HTTP Basic authentication"},
		{Name: "password", Aliases: []string{"Password*"}, Help: "password for HTTP Basic authentication"},
		{Name: "status", Default: "200-399", Help: "acceptable status codes, e.g. 200-399, 200,301 or 2xx"},
	}
	if secure {
		ps = append(ps,
			Param{Name: "insecure", Default: "false", Help: "skip certificate verification; expiry is still reported"},
			Param{Name: "cert_warning_days", Default: "14", Help: "Warning when the certificate expires within this many days; 0 turns it off"},
			Param{Name: "cert_alarm_days", Default: "3", Help: "Alarm when the certificate expires within this many days; 0 turns it off"},
		)
	}
	return append(ps, commonParams()...)
}

func httpInfo(secure bool) Info {
	info := Info{ID: "com.dartware.tcp.http", Name: "HTTP", Aliases: []string{"http"}}
	if secure {
		info = Info{ID: "com.dartware.tcp.https", Name: "HTTPS", Aliases: []string{"https"}}
	}
	info.Params = httpParams(secure)
	info.New = func() Probe { return httpProbe{secure: secure} }
	return info
}

type httpConfig struct {
	common
	port                int
	host, path, expect  string
	user, password      string
	status              codeRanges
	insecure            bool
	warnDays, alarmDays int
}

func parseHTTPConfig(params map[string]string, secure bool) (httpConfig, error) {
	p := resolveParams(httpParams(secure), params)
	var c httpConfig
	var err error
	if c.common, err = parseCommon(p); err != nil {
		return c, err
	}
	def := 80
	if secure {
		def = 443
	}
	if c.port, err = parsePort(p["port"], def); err != nil {
		return c, fmt.Errorf("parameter port: %w", err)
	}
	c.host = strings.TrimSpace(p["host"])
	if u, err := url.Parse("http://" + c.host); c.host != "" && (err != nil || u.Host != c.host || u.User != nil) {
		return c, fmt.Errorf("parameter host: %q is not a host name (write www.example.com, not a URL)", c.host)
	}
	c.path = strings.TrimSpace(p["path"])
	if !strings.HasPrefix(c.path, "/") {
		c.path = "/" + c.path
	}
	if _, err := url.Parse("http://h" + c.path); err != nil {
		return c, fmt.Errorf("parameter path: %w", err)
	}
	c.expect, c.user, c.password = p["expect"], p["user"], p["password"]
	st := p["status"]
	if strings.TrimSpace(st) == "" {
		st = "200-399"
	}
	if c.status, err = parseCodeRanges(st); err != nil {
		return c, fmt.Errorf("parameter status: %w", err)
	}
	if !secure {
		return c, nil
	}
	if c.insecure, err = parseBool(p["insecure"], false); err != nil {
		return c, fmt.Errorf("parameter insecure: %w", err)
	}
	if c.warnDays, err = parseInt(p["cert_warning_days"], 14, 0, 3650); err != nil {
		return c, fmt.Errorf("parameter cert_warning_days: %w", err)
	}
	if c.alarmDays, err = parseInt(p["cert_alarm_days"], 3, 0, 3650); err != nil {
		return c, fmt.Errorf("parameter cert_alarm_days: %w", err)
	}
	return c, nil
}

// httpProbe fetches a page over HTTP or HTTPS.
type httpProbe struct {
	secure bool
	// roots verifies server certificates; nil means the system's roots.
	// Tests set their own certificate authority here.
	roots *x509.CertPool
}

// CheckParams reports whether params are valid for this probe.
func (p httpProbe) CheckParams(params map[string]string) error {
	_, err := parseHTTPConfig(params, p.secure)
	return err
}

// httpPoll is what one poll learns on the way, written from the transport's
// goroutines and read once the request is over.
type httpPoll struct {
	connected atomic.Bool
	firstByte atomic.Int64 // UnixNano of the last response's first byte
	mu        sync.Mutex
	leaf      *x509.Certificate
	verifyErr error // certificate verification failure
	tlsErr    error // handshake failure
}

func (p httpProbe) Poll(ctx context.Context, t Target) (res status.Result) {
	defer guard(&res)
	c, err := parseHTTPConfig(t.Params, p.secure)
	if err != nil {
		return badParams(err)
	}
	window := pollWindow(ctx, t, c.timeout)
	pctx, cancel := context.WithTimeout(ctx, window)
	defer cancel()

	scheme := "http"
	if p.secure {
		scheme = "https"
	}
	addr := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(t.Address), "["), "]")
	// The path parsed when the parameters did; the host is set here, not
	// parsed, so that an IPv6 zone ("fe80::1%eth0") survives.
	u, err := url.Parse("http://h" + c.path)
	if err != nil {
		return badParams(fmt.Errorf("parameter path: %w", err))
	}
	u.Scheme, u.Host, u.Fragment = scheme, net.JoinHostPort(addr, strconv.Itoa(c.port)), ""
	origin := &url.URL{Scheme: scheme, Host: u.Host}
	serverName := addr
	if c.host != "" {
		serverName = (&url.URL{Host: c.host}).Hostname()
	}

	var st httpPoll
	tr := &http.Transport{
		Proxy: nil, // the device itself is measured, never a proxy in between
		// The transport dials with a context detached from the request's
		// deadline (to reuse the connection later); a poll wants the dial
		// to stop with it, so dial with the poll's own context.
		DialContext: func(context.Context, string, string) (net.Conn, error) {
			conn, err := dial(pctx, t.Address, c.port)
			st.connected.Store(err == nil)
			if err != nil {
				return nil, err
			}
			return &writeFirst{Conn: conn, wrote: make(chan struct{})}, nil
		},
		DisableKeepAlives:      true, // each poll measures a fresh connection
		MaxResponseHeaderBytes: 64 << 10,
	}
	if p.secure {
		tr.TLSClientConfig = p.tlsConfig(c, serverName, &st)
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, CheckRedirect: redirectPolicy(origin, c)}

	req, err := http.NewRequestWithContext(pctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return badParams(fmt.Errorf("build request: %w", err))
	}
	setHeaders(req, c)
	req = req.WithContext(httptrace.WithClientTrace(pctx, &httptrace.ClientTrace{
		GotFirstResponseByte: func() { st.firstByte.Store(time.Now().UnixNano()) },
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			st.mu.Lock()
			st.tlsErr = err
			st.mu.Unlock()
		},
	}))

	start := time.Now()
	resp, err := client.Do(req)
	r := newResult()
	p.judgeCert(&r, &st, c)
	if err != nil {
		return requestFailure(ctx, err, &r, &st, c, window)
	}
	defer resp.Body.Close()
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	rtt := time.Since(start)
	if fb := st.firstByte.Load(); fb > 0 {
		rtt = time.Duration(fb - start.UnixNano())
	}
	r.Values["http_status"] = resp.StatusCode
	r.Values["bytes"] = len(body)
	switch {
	case !c.status.contains(resp.StatusCode):
		raise(&r, status.Alarm, fmt.Sprintf("%s (expected %s)", statusLine(resp), c.status))
	case c.expect != "" && !bytes.Contains(bytes.ToLower(body), bytes.ToLower([]byte(c.expect))):
		raise(&r, status.Alarm, fmt.Sprintf("%q not found in response", c.expect))
	}
	if readErr != nil && !cancelled(ctx) {
		raise(&r, status.Alarm, fmt.Sprintf("response cut short after %d bytes: %v", len(body), rootCause(readErr)))
	}
	if cancelled(ctx) {
		return cancelledResult()
	}
	return finish(&r, rtt, c.rtt)
}

func setHeaders(req *http.Request, c httpConfig) {
	if c.host != "" {
		req.Host = c.host
	}
	req.Header.Set("User-Agent", userAgent)
	if c.user != "" || c.password != "" {
		req.SetBasicAuth(c.user, c.password)
	}
}

// redirectPolicy follows at most maxRedirects redirects, and only to the
// same scheme, port and host (the address or the Host parameter); any other
// redirect is not followed and its 3xx response is judged by `status`.
func redirectPolicy(origin *url.URL, c httpConfig) func(*http.Request, []*http.Request) error {
	hosts := []string{origin.Hostname()}
	ports := []string{origin.Port()}
	if c.host != "" {
		h := &url.URL{Host: c.host}
		hosts = append(hosts, h.Hostname())
		if h.Port() != "" {
			ports = append(ports, h.Port())
		}
	}
	return func(req *http.Request, via []*http.Request) error {
		port := req.URL.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[req.URL.Scheme]
		}
		sameHost := false
		for _, h := range hosts {
			sameHost = sameHost || strings.EqualFold(strings.TrimSuffix(req.URL.Hostname(), "."), strings.TrimSuffix(h, "."))
		}
		if len(via) > maxRedirects || req.URL.Scheme != origin.Scheme || !sameHost || !slices.Contains(ports, port) {
			return http.ErrUseLastResponse
		}
		// Go drops the credentials when an absolute Location spells the
		// host differently from the first URL (the address); it is the same
		// target, so send them again. The Host header follows the Location,
		// as in a browser.
		if c.user != "" || c.password != "" {
			req.SetBasicAuth(c.user, c.password)
		}
		return nil
	}
}

// statusLine spells a status as "HTTP 500 Internal Server Error".
func statusLine(resp *http.Response) string {
	text := http.StatusText(resp.StatusCode)
	if text == "" {
		text = strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)))
	}
	return strings.TrimSpace(fmt.Sprintf("HTTP %d %s", resp.StatusCode, text))
}

// requestFailure explains a request that got no response at all.
func requestFailure(parent context.Context, err error, r *status.Result, st *httpPoll, c httpConfig, window time.Duration) status.Result {
	st.mu.Lock()
	verifyErr, tlsErr := st.verifyErr, st.tlsErr
	st.mu.Unlock()
	switch {
	case cancelled(parent):
		return cancelledResult()
	case !st.connected.Load():
		return connectFailure(parent, err, c.port, window)
	case verifyErr != nil:
		// judgeCert has said why; the request was never sent.
	case isTimeout(err):
		r.NoResponse = true
		raise(r, status.Down, fmt.Sprintf("no answer on port %d within %s (connected, no HTTP response)", c.port, window))
	case tlsErr != nil:
		raise(r, status.Alarm, fmt.Sprintf("TLS handshake failed on port %d: %v", c.port, rootCause(tlsErr)))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		raise(r, status.Alarm, fmt.Sprintf("connection closed on port %d before an HTTP response", c.port))
	default:
		raise(r, status.Alarm, fmt.Sprintf("bad HTTP response on port %d: %v", c.port, rootCause(err)))
	}
	return finish(r, 0, c.rtt)
}

// tlsConfig verifies the server's certificate itself, so that the
// certificate is recorded (and its expiry reported) whether or not it
// verifies, while a certificate that fails verification still stops the
// handshake before any credentials are sent.
func (p httpProbe) tlsConfig(c httpConfig, serverName string, st *httpPoll) *tls.Config {
	return &tls.Config{
		ServerName:         serverName,
		InsecureSkipVerify: true, // verified in VerifyConnection below
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("server sent no certificate")
			}
			st.mu.Lock()
			defer st.mu.Unlock()
			st.leaf = cs.PeerCertificates[0]
			if c.insecure {
				return nil
			}
			opts := x509.VerifyOptions{Roots: p.roots, DNSName: serverName, Intermediates: x509.NewCertPool()}
			for _, ic := range cs.PeerCertificates[1:] {
				opts.Intermediates.AddCert(ic)
			}
			if _, err := st.leaf.Verify(opts); err != nil {
				st.verifyErr = err
				return fmt.Errorf("verify certificate of %s: %w", serverName, err)
			}
			return nil
		},
	}
}

// judgeCert records the server certificate and judges its expiry and,
// unless insecure, its verification.
func (p httpProbe) judgeCert(r *status.Result, st *httpPoll, c httpConfig) {
	st.mu.Lock()
	leaf, verifyErr := st.leaf, st.verifyErr
	st.mu.Unlock()
	if leaf == nil {
		return
	}
	left := time.Until(leaf.NotAfter)
	days := int(math.Floor(left.Hours() / 24))
	r.Values["cert_days"] = days
	r.Values["cert_subject"] = leaf.Subject.String()
	r.Values["cert_issuer"] = leaf.Issuer.String()
	r.Values["cert_not_after"] = leaf.NotAfter.UTC().Format(time.RFC3339)
	switch {
	case left <= 0:
		raise(r, status.Critical, fmt.Sprintf("certificate expired %s ago", dayCount(int(-left.Hours()/24))))
	case verifyErr != nil:
		raise(r, status.Alarm, fmt.Sprintf("certificate verification failed: %v", verifyErr))
	}
	switch {
	case left <= 0:
	case c.alarmDays > 0 && days <= c.alarmDays:
		raise(r, status.Alarm, fmt.Sprintf("certificate expires in %s (alarm at %d)", dayCount(days), c.alarmDays))
	case c.warnDays > 0 && days <= c.warnDays:
		raise(r, status.Warning, fmt.Sprintf("certificate expires in %s (warning at %d)", dayCount(days), c.warnDays))
	}
}

func dayCount(n int) string {
	switch n {
	case 0:
		return "less than a day"
	case 1:
		return "1 day"
	}
	return strconv.Itoa(n) + " days"
}
