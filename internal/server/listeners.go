package server

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/vantage-monitor/vantage/internal/config"
)

// Listener is one configured socket as reported by GET /api/v1/server.
type Listener struct {
	Name    string `json:"name"`
	Flag    string `json:"flag"`
	Address string `json:"address"`
	// State is listening, off, failed or unavailable (the feature is not
	// in this version yet).
	State string `json:"state"`
	Error string `json:"error,omitempty"`
}

// Explicit marks the listeners the user set on the command line; a failure
// to bind one of those stops start-up, a default one is only reported.
type Explicit map[string]bool

// applyFlags overrides config listeners with flag values.
func applyFlags(l *config.Listeners, flags map[string]string) {
	for name, v := range flags {
		switch name {
		case "http":
			l.HTTP = v
		case "remote":
			l.Remote = v
		case "traps":
			l.Traps = v
		case "netflow":
			l.NetFlow = v
		case "sflow":
			l.SFlow = v
		case "jflow":
			l.JFlow = v
		case "console":
			l.Console = v
		case "http-plain":
			l.HTTPPlain = v == "true"
		}
	}
}

// bindError explains a failed bind in the administrator's terms.
func bindError(flag, addr string, err error) error {
	hint := ""
	switch {
	case errors.Is(err, syscall.EACCES) || errors.Is(err, os.ErrPermission):
		hint = fmt.Sprintf("; ports below 1024 need root or CAP_NET_BIND_SERVICE (e.g. sudo setcap cap_net_bind_service+ep $(which vantage)), or use --%s with a port above 1023", flag)
	case errors.Is(err, syscall.EADDRINUSE):
		hint = fmt.Sprintf("; another program uses that port: stop it or choose another with --%s", flag)
	}
	return fmt.Errorf("--%s %s: cannot listen: %w%s", flag, addr, err, hint)
}

// listenTCP binds addr for a flag.
func listenTCP(flag, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, bindError(flag, addr, err)
	}
	return ln, nil
}

// urlFor turns a bound address into a URL a person can open.
func urlFor(scheme string, a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return scheme + "://" + a.String() + "/"
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return fmt.Sprintf("%s://%s:%s/", scheme, host, port)
}
