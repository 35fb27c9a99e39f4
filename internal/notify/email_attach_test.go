package notify

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"
)

func TestEmailAttachments(t *testing.T) {
	n, err := New(emailConfig(25, ""))
	if err != nil {
		t.Fatal(err)
	}
	e := n.(*emailNotifier)
	html := []byte("<html><body>" + strings.Repeat("report ", 40) + "</body></html>")
	for _, tc := range []struct {
		name  string
		files []Attachment
	}{
		{"plain", nil},
		{"with files", []Attachment{{Name: "report.html", ContentType: "text/html; charset=utf-8", Data: html}, {Name: "a\r\nb.csv", Data: []byte("x,y\r\n1,2\r\n")}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := testMessage()
			m.Attachments = tc.files
			raw, err := e.compose(m, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			msg, err := mail.ReadMessage(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
			if err != nil {
				t.Fatal(err)
			}
			if len(tc.files) == 0 {
				if mt != "text/plain" {
					t.Errorf("Content-Type %s", mt)
				}
				return
			}
			if mt != "multipart/mixed" {
				t.Fatalf("Content-Type %s", mt)
			}
			mr := multipart.NewReader(msg.Body, params["boundary"])
			text, err := mr.NextPart()
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := io.ReadAll(text); !strings.Contains(string(b), m.Device) {
				t.Errorf("text part %q", b)
			}
			for _, want := range tc.files {
				p, err := mr.NextPart()
				if err != nil {
					t.Fatal(err)
				}
				if strings.ContainsAny(p.FileName(), "\r\n") || p.FileName() == "" {
					t.Errorf("file name %q", p.FileName())
				}
				// multipart.Reader decodes quoted-printable only: decode base64 here.
				b, _ := io.ReadAll(p)
				got, err := decodeBase64Lines(string(b))
				if err != nil || !bytes.Equal(got, want.Data) {
					t.Errorf("%s: %v %q", want.Name, err, got)
				}
				for _, line := range strings.Split(string(b), "\r\n") {
					if len(line) > 76 {
						t.Errorf("base64 line of %d characters", len(line))
					}
				}
			}
			if _, err := mr.NextPart(); err != io.EOF {
				t.Errorf("more parts: %v", err)
			}
		})
	}
}

func decodeBase64Lines(s string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(strings.ReplaceAll(s, "\r\n", ""))
}
