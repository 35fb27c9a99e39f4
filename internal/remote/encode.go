package remote

import (
	"strconv"
	"strings"
)

// Response codes, borrowed from HTTP so they read at a glance.
const (
	CodeOK            = 200
	CodeBadRequest    = 400
	CodeUnauthorized  = 401
	CodeForbidden     = 403
	CodeNotFound      = 404
	CodeTooLarge      = 413
	CodeTimeout       = 408
	CodeTooMany       = 429
	CodeInternal      = 500
	CodeUnavailable   = 503
	CodeVersionNotSup = 505
)

// Version is the protocol version this server speaks (the one the
// InterMapper handshake names).
const Version = "0.9"

// attrEscaper escapes a value for a single-quoted attribute or for text;
// line breaks are kept out of attributes so every element stays on one
// line.
var attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&apos;", "\"", "&quot;", "\n", "&#10;", "\r", "&#13;", "\t", "&#9;")

// escape makes s safe inside a single-quoted attribute or element text,
// dropping characters XML 1.0 cannot carry.
func escape(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r != 0xFFFE && r != 0xFFFF && !(r >= 0xD800 && r <= 0xDFFF) {
			return r
		}
		return -1
	}, s)
	return attrEscaper.Replace(s)
}

// attrs renders name='value' pairs in the given order; empty values are
// left out.
func attrs(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		b.WriteByte(' ')
		b.WriteString(kv[i])
		b.WriteString("='")
		b.WriteString(escape(kv[i+1]))
		b.WriteByte('\'')
	}
	return b.String()
}

// reply renders <KR id='N' response='CODE'>text</KR> and a newline; the
// quoting is the one InterMapper's server uses, which scripts match.
func reply(id string, code int, text string) string {
	return "<KR id='" + escape(id) + "' response='" + strconv.Itoa(code) + "'>" + escape(text) + "</KR>\n"
}

// replyElements renders a reply whose content is elements, one a line.
func replyElements(id string, code int, lines []string) string {
	var b strings.Builder
	b.WriteString("<KR id='" + escape(id) + "' response='" + strconv.Itoa(code) + "'>\n")
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	b.WriteString("</KR>\n")
	return b.String()
}

// element renders an empty element <name a='v' …/>.
func element(name string, kv ...string) string {
	return "<" + name + attrs(kv...) + "/>"
}
