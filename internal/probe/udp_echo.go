package probe

// The UDP echo probe (RFC 862): a datagram to the echo port must come back
// unchanged. Each request carries a random tag so a late echo of an
// earlier request is not taken for this one.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/vantage-monitor/vantage/internal/status"
)

func echoParams() []Param {
	return append([]Param{
		{Name: "payload", Default: "Vantage UDP echo", Help: "text sent (a random tag is appended); the echo must return it unchanged"},
	}, udpParams(7)...)
}

// UDPEchoInfo describes the UDP echo probe. InterMapper has no built-in
// UDP echo probe; the identifier is Vantage's own.
func UDPEchoInfo() Info {
	return Info{ID: "vantage.udp.echo", Name: "UDP Echo", Aliases: []string{"udp-echo", "udpecho"}, Params: echoParams(),
		New: func() Probe { return echoProbe{} }}
}

type echoConfig struct {
	udpCommon
	payload string
}

func parseEchoConfig(params map[string]string) (echoConfig, error) {
	p := resolveParams(echoParams(), params)
	var c echoConfig
	var err error
	if c.udpCommon, err = parseUDPCommon(p); err != nil {
		return c, err
	}
	c.payload = p["payload"]
	if len(c.payload) > 1400 {
		return c, fmt.Errorf("parameter payload: %d bytes is more than 1400", len(c.payload))
	}
	return c, nil
}

type echoProbe struct{}

func (echoProbe) CheckParams(params map[string]string) error {
	_, err := parseEchoConfig(params)
	return err
}

func (echoProbe) Poll(ctx context.Context, t Target) (res status.Result) {
	defer guard(&res)
	c, err := parseEchoConfig(t.Params)
	if err != nil {
		return badParams(err)
	}
	window := pollWindow(ctx, t, c.timeout)
	to, err := udpTarget(ctx, t.Address, c.port)
	if err != nil {
		return udpFailure(ctx, err, "echo", to, 0, window, "")
	}
	var tag [8]byte
	_, _ = rand.Read(tag[:])
	sent := []byte(c.payload + " " + hex.EncodeToString(tag[:]))
	x := udpExchange{to: to, attempts: c.attempts, window: window,
		request: func(int) []byte { return sent },
		// The tag identifies the echo even when the rest came back
		// damaged, so a damaged echo is reported rather than waited out.
		accept: func(b []byte) bool { return bytes.Contains(b, []byte(hex.EncodeToString(tag[:]))) },
	}
	rep, err := x.run(ctx)
	if err != nil {
		return udpFailure(ctx, err, "echo", to, rep.sent, window, "")
	}
	r := newResult()
	if !bytes.Equal(rep.data, sent) {
		raise(&r, status.Alarm, fmt.Sprintf("echo differs from what was sent (%d bytes sent, %d received)", len(sent), len(rep.data)))
	}
	return finish(&r, rep.rtt, c.rtt)
}
