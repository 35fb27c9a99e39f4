package probe

// The TFTP probe: a read request (RFC 1350) for a named file, judged by
// the first answer: DATA block 1 means the server serves the file, ERROR
// says why not. The transfer is then cancelled with an ERROR, as RFC 1350
// allows, so no more than one block is ever fetched.

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/vantage-monitor/vantage/internal/status"
)

const (
	tftpRRQ   = 1
	tftpDATA  = 3
	tftpACK   = 4
	tftpERROR = 5
)

func tftpParams() []Param {
	return append([]Param{
		{Name: "file", Aliases: []string{"Filename", "File Name"}, Help: "file to request (required)"},
		{Name: "mode", Default: "octet", Kind: "dropdown", Choices: []string{"octet", "netascii"}, Help: "transfer mode"},
	}, udpParams(69)...)
}

// TFTPInfo describes the TFTP probe. InterMapper has no built-in TFTP
// probe; the identifier is Vantage's own.
func TFTPInfo() Info {
	return Info{ID: "vantage.tftp", Name: "TFTP", Aliases: []string{"tftp"}, Params: tftpParams(),
		New: func() Probe { return tftpProbe{} }}
}

type tftpConfig struct {
	udpCommon
	file, mode string
}

func parseTFTPConfig(params map[string]string) (tftpConfig, error) {
	p := resolveParams(tftpParams(), params)
	var c tftpConfig
	var err error
	if c.udpCommon, err = parseUDPCommon(p); err != nil {
		return c, err
	}
	c.file, c.mode = p["file"], strings.ToLower(strings.TrimSpace(p["mode"]))
	switch {
	case c.file == "":
		return c, errors.New("parameter file: a file name is required")
	case len(c.file) > 255 || strings.ContainsRune(c.file, 0):
		return c, errors.New("parameter file: at most 255 bytes and no NUL")
	case c.mode != "octet" && c.mode != "netascii":
		return c, fmt.Errorf("parameter mode: %q is neither octet nor netascii", c.mode)
	}
	return c, nil
}

type tftpProbe struct{}

func (tftpProbe) CheckParams(params map[string]string) error {
	_, err := parseTFTPConfig(params)
	return err
}

func (tftpProbe) Poll(ctx context.Context, t Target) (res status.Result) {
	defer guard(&res)
	c, err := parseTFTPConfig(t.Params)
	if err != nil {
		return badParams(err)
	}
	window := pollWindow(ctx, t, c.timeout)
	to, err := udpTarget(ctx, t.Address, c.port)
	if err != nil {
		return udpFailure(ctx, err, "TFTP", to, 0, window, "")
	}
	rrq := tftpRequest(c.file, c.mode)
	// The server answers from a new port (its transfer ID), so replies
	// are taken from any port of its address.
	x := udpExchange{to: to, anyPort: true, attempts: c.attempts, window: window,
		request: func(int) []byte { return rrq },
		accept: func(b []byte) bool {
			op, _ := tftpOpcode(b)
			return op == tftpDATA || op == tftpERROR
		},
	}
	rep, err := x.run(ctx)
	if err != nil {
		return udpFailure(ctx, err, "TFTP", to, rep.sent, window, "")
	}
	r := newResult()
	reply, err := parseTFTPReply(rep.data)
	switch {
	case err != nil:
		raise(&r, status.Alarm, "malformed TFTP reply: "+err.Error())
	case reply.errCode >= 0:
		r.Values["error_code"] = reply.errCode
		raise(&r, status.Alarm, fmt.Sprintf("TFTP error %d for %q: %s", reply.errCode, c.file, tftpErrorText(reply)))
	case reply.block != 1:
		raise(&r, status.Alarm, fmt.Sprintf("TFTP server sent block %d first, not block 1", reply.block))
	default:
		r.Values["first_block_bytes"] = len(reply.data)
		cancelTFTP(rep.from.String())
	}
	return finish(&r, rep.rtt, c.rtt)
}

// cancelTFTP ends the transfer the server started (error 0, "transfer
// cancelled"), so it does not keep resending block 1 until it times out.
func cancelTFTP(tid string) {
	conn, err := net.Dial("udp", tid)
	if err != nil {
		return
	}
	defer conn.Close()
	_, _ = conn.Write(tftpErrorPacket(0, "transfer cancelled by monitoring probe"))
}

func tftpRequest(file, mode string) []byte {
	b := binary.BigEndian.AppendUint16(nil, tftpRRQ)
	b = append(append(b, file...), 0)
	return append(append(b, mode...), 0)
}

func tftpErrorPacket(code uint16, msg string) []byte {
	b := binary.BigEndian.AppendUint16(nil, tftpERROR)
	b = binary.BigEndian.AppendUint16(b, code)
	return append(append(b, msg...), 0)
}

func tftpOpcode(b []byte) (int, bool) {
	if len(b) < 4 {
		return 0, false
	}
	return int(binary.BigEndian.Uint16(b)), true
}

// tftpReply is a DATA (block, data) or ERROR (errCode >= 0, message).
type tftpReply struct {
	block   int
	data    []byte
	errCode int
	message string
}

func parseTFTPReply(b []byte) (tftpReply, error) {
	op, ok := tftpOpcode(b)
	if !ok {
		return tftpReply{}, fmt.Errorf("reply of %d bytes is too short", len(b))
	}
	r := tftpReply{errCode: -1}
	switch op {
	case tftpDATA:
		r.block = int(binary.BigEndian.Uint16(b[2:]))
		r.data = b[4:]
		if len(r.data) > 512 {
			return r, fmt.Errorf("DATA block of %d bytes (at most 512)", len(r.data))
		}
	case tftpERROR:
		r.errCode = int(binary.BigEndian.Uint16(b[2:]))
		msg, _, _ := strings.Cut(string(b[4:]), "\x00")
		r.message = printableText([]byte(msg))
	default:
		return r, fmt.Errorf("opcode %d is neither DATA nor ERROR", op)
	}
	return r, nil
}

// tftpErrorText is the server's message, or RFC 1350's meaning of the code.
func tftpErrorText(r tftpReply) string {
	if r.message != "" {
		return r.message
	}
	meanings := []string{"not defined", "file not found", "access violation", "disk full or allocation exceeded",
		"illegal TFTP operation", "unknown transfer ID", "file already exists", "no such user"}
	if r.errCode >= 0 && r.errCode < len(meanings) {
		return meanings[r.errCode]
	}
	return "unknown error"
}
