package remote

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Request is one client element: <KC_name id="N" attr="…">text</KC_name>.
// Requests are flat: attributes and text, no child elements.
type Request struct {
	Name string
	// ID is the id attribute, echoed in the answer; empty when absent.
	ID    string
	Attrs map[string]string
	Text  string
}

// Attr returns an attribute's value, "" when absent.
func (r Request) Attr(name string) string { return r.Attrs[name] }

// ErrTooLarge means an element went past the size bound; the stream
// cannot be resynchronised, so the connection is closed.
var ErrTooLarge = errors.New("element too large")

// SyntaxError is a malformed request. The decoder has already skipped the
// rest of the line it was found on, so the next request can be read.
type SyntaxError struct{ Msg string }

func (e *SyntaxError) Error() string { return "malformed request: " + e.Msg }

// Decoder reads requests from a byte stream. Framing is done here, by
// hand, so that a bad or endless element is bounded and skipped; the
// element found is then checked and unescaped by encoding/xml.
type Decoder struct {
	r   *bufio.Reader
	max int
	buf []byte
}

// NewDecoder reads from r; max bounds one element (whitespace before it
// included) in bytes.
func NewDecoder(r io.Reader, max int) *Decoder {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 4096)
	}
	return &Decoder{r: br, max: max}
}

// Decode reads the next request. It returns io.EOF at a clean end of the
// stream, a *SyntaxError for a malformed element (reading may go on),
// ErrTooLarge, or the reader's error.
func (d *Decoder) Decode() (Request, error) {
	raw, err := d.frame()
	if err != nil {
		return Request{}, err
	}
	req, err := parseElement(raw)
	if err != nil {
		return Request{}, &SyntaxError{Msg: err.Error()}
	}
	return req, nil
}

// frame returns the bytes of one element, from '<' to its last '>'.
func (d *Decoder) frame() ([]byte, error) {
	n := 0
	// Skip whitespace (and the NUL telnet sends after a bare CR).
	for {
		c, err := d.r.ReadByte()
		if err != nil {
			return nil, err
		}
		if n++; n > d.max {
			return nil, ErrTooLarge
		}
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0 {
			continue
		}
		if c != '<' {
			return nil, d.skipLine(c, fmt.Sprintf("expected '<', got %q", c))
		}
		break
	}
	d.buf = append(d.buf[:0], '<')
	const (
		startTag = iota
		content
		endTag
	)
	state, quote := startTag, byte(0)
	for {
		c, err := d.r.ReadByte()
		if err != nil {
			if err == io.EOF {
				return nil, &SyntaxError{Msg: "stream ended inside an element"}
			}
			return nil, err
		}
		if n++; n > d.max {
			return nil, ErrTooLarge
		}
		d.buf = append(d.buf, c)
		switch state {
		case startTag:
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '<':
				return nil, d.skipLine(c, "'<' inside a tag")
			case c == '!' || c == '?':
				if len(d.buf) == 2 {
					return nil, d.skipLine(c, "comments, declarations and processing instructions are not requests")
				}
			case c == '>':
				if d.buf[len(d.buf)-2] == '/' {
					return d.buf, nil
				}
				state = content
			}
		case content:
			if c == '<' {
				next, err := d.r.ReadByte()
				if err != nil {
					return nil, &SyntaxError{Msg: "stream ended inside an element"}
				}
				n++
				if next != '/' {
					return nil, d.skipLine(next, "child elements are not allowed in a request")
				}
				d.buf = append(d.buf, next)
				state = endTag
			}
		case endTag:
			if c == '>' {
				return d.buf, nil
			}
		}
	}
}

// skipLine discards the rest of the current line (unless last already
// ended it) and returns a SyntaxError, so a person typing into telnet or
// nc can simply try again on the next line.
func (d *Decoder) skipLine(last byte, msg string) error {
	for c := last; c != '\n'; {
		var err error
		if c, err = d.r.ReadByte(); err != nil {
			break
		}
	}
	return &SyntaxError{Msg: msg}
}

// parseElement checks one framed element with encoding/xml (well-formed
// tags, quoting, entities) and flattens it into a Request.
func parseElement(raw []byte) (Request, error) {
	dec := xml.NewDecoder(bytes.NewReader(raw))
	dec.Strict = true
	var req Request
	var text strings.Builder
	depth := 0
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return Request{}, errors.New(se.Msg)
			}
			return Request{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth > 0 || req.Name != "" {
				return Request{}, errors.New("child elements are not allowed in a request")
			}
			if t.Name.Space != "" {
				return Request{}, fmt.Errorf("element %s:%s: names have no prefix", t.Name.Space, t.Name.Local)
			}
			depth++
			req.Name = t.Name.Local
			req.Attrs = make(map[string]string, len(t.Attr))
			for _, a := range t.Attr {
				name := a.Name.Local
				if a.Name.Space != "" {
					name = a.Name.Space + ":" + name
				}
				if _, dup := req.Attrs[name]; dup {
					return Request{}, fmt.Errorf("attribute %q given twice", name)
				}
				req.Attrs[name] = a.Value
			}
			req.ID = req.Attrs["id"]
		case xml.EndElement:
			if t.Name.Space != "" || t.Name.Local != req.Name {
				return Request{}, fmt.Errorf("element <%s> closed by </%s>", req.Name, t.Name.Local)
			}
			depth--
		case xml.CharData:
			text.Write(t)
		default:
			return Request{}, errors.New("only elements and text are allowed in a request")
		}
	}
	if req.Name == "" || depth != 0 {
		return Request{}, errors.New("incomplete element")
	}
	req.Text = strings.TrimSpace(text.String())
	return req, nil
}
