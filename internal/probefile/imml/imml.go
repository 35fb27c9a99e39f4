// Package imml renders InterMapper Markup Language — the \B5\Title\0P\
// markup of probe descriptions and status windows — as safe HTML for the
// web UI and as plain text for the command line.
//
// IMML is a state machine, not nested tags: a command applies to all
// following text until counteracted. Commands are letters between
// backslashes (M mono, G proportional, + and - size, B bold, I italic,
// U underline, P plain, ! turns the next style off, 0-7 colours), an
// optional "=URL" making the following text a link, and \#hide:name\ …
// \#begin:name\ … \#end:name\ disclosure blocks.
package imml

import (
	"html"
	"regexp"
	"strings"
)

// Style is the state in force for a run of text.
type Style struct {
	Bold, Italic, Underline, Mono bool
	// Color is 0 black, 1 red, 2 blue, 3 gray, 4 light blue, 5 green,
	// 6 orange, 7 yellow; -1 when none was set.
	Color int
	// Size is the relative font size (+1 per "+").
	Size int
	// Link is the target of the text, when it is a link.
	Link string
}

// Segment is a run of text in one style, or a disclosure marker.
type Segment struct {
	Text  string
	Style Style
	// Block is set for disclosure markers: "hide", "show", "begin", "end".
	Block, BlockName string
}

var command = regexp.MustCompile(`^(?:[MGBIUPmgbiup!0-7+\-]+(?:=[^\\]*)?|#(?:hide|show|begin|end):[^\\]+)$`)

// Parse splits IMML into styled segments.
func Parse(src string) []Segment {
	// Ancient probes delimit commands with Mac Roman ≤ and ≥ (0xB2, 0xB3),
	// which a Latin-1 reading turns into ² and ³.
	if strings.ContainsAny(src, "\u00b2\u00b3≤≥") {
		src = strings.NewReplacer("\u00b2", `\`, "\u00b3", `\`, "≤", `\`, "≥", `\`).Replace(src)
	}
	var segs []Segment
	st := Style{Color: -1}
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			segs = append(segs, Segment{Text: text.String(), Style: st})
			text.Reset()
		}
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c != '\\' {
			text.WriteByte(c)
			continue
		}
		end := strings.IndexByte(src[i+1:], '\\')
		if end >= 0 && !strings.ContainsAny(src[i+1:i+1+end], "\n") && command.MatchString(src[i+1:i+1+end]) {
			cmd := src[i+1 : i+1+end]
			flush()
			if rest, ok := strings.CutPrefix(cmd, "#"); ok {
				kind, name, _ := strings.Cut(rest, ":")
				segs = append(segs, Segment{Block: kind, BlockName: name, Style: st})
			} else {
				st = apply(st, cmd)
			}
			i += end + 1
			continue
		}
		// A backslash before anything else escapes it: "\\" is one
		// backslash, "\${ADDRESS}" a literal macro.
		if i+1 < len(src) {
			text.WriteByte(src[i+1])
			i++
		} else {
			text.WriteByte(c)
		}
	}
	flush()
	return segs
}

// apply changes the style by one command such as "B5", "!b", "0P", "U2=url".
func apply(st Style, cmd string) Style {
	cmd, link, hasLink := strings.Cut(cmd, "=")
	off := false
	for _, r := range strings.ToLower(cmd) {
		switch {
		case r == '!':
			off = true
			continue
		case r == 'p':
			st = Style{Color: st.Color}
		case r == 'b':
			st.Bold = !off
		case r == 'i':
			st.Italic = !off
		case r == 'u':
			st.Underline = !off
			if off {
				st.Link = ""
			}
		case r == 'm':
			st.Mono = true
		case r == 'g':
			st.Mono = false
		case r == '+':
			st.Size++
		case r == '-':
			st.Size--
		case r >= '0' && r <= '7':
			st.Color = int(r - '0')
		}
		off = false
	}
	if hasLink {
		st.Link, st.Underline = link, true
	}
	return st
}

var colors = [...]string{"#000000", "#c62828", "#1565c0", "#757575", "#4a90d9", "#2e7d32", "#ef6c00", "#f9a825"}

// HTML renders IMML as HTML. All text is escaped; links are kept only for
// http, https and mailto targets; a run of underlined text that is itself
// a URL becomes a link to it. Newlines become <br>. Disclosure blocks
// become <details>.
func HTML(src string) string {
	var b strings.Builder
	var title strings.Builder
	pendingTitle := "" // name of a #hide/#show whose title text is being collected
	openState := map[string]bool{}
	for _, s := range Parse(src) {
		if s.Block != "" {
			switch s.Block {
			case "hide", "show":
				pendingTitle = s.BlockName
				openState[s.BlockName] = s.Block == "show"
				title.Reset()
			case "begin":
				open := ""
				if openState[s.BlockName] {
					open = " open"
				}
				b.WriteString(`<details class="imml-block"` + open + `><summary>` + title.String() + `</summary>`)
				pendingTitle = ""
			case "end":
				b.WriteString(`</details>`)
			}
			continue
		}
		out := &b
		if pendingTitle != "" {
			out = &title
		}
		out.WriteString(span(s))
	}
	if pendingTitle != "" {
		b.WriteString(title.String())
	}
	return b.String()
}

func span(s Segment) string {
	text := strings.ReplaceAll(html.EscapeString(s.Text), "\n", "<br>")
	var css []string
	st := s.Style
	if st.Bold {
		css = append(css, "font-weight:bold")
	}
	if st.Italic {
		css = append(css, "font-style:italic")
	}
	if st.Underline {
		css = append(css, "text-decoration:underline")
	}
	if st.Mono {
		css = append(css, "font-family:monospace")
	}
	if st.Color > 0 {
		css = append(css, "color:"+colors[st.Color])
	}
	if st.Size != 0 {
		css = append(css, "font-size:"+[]string{"70%", "80%", "90%", "100%", "115%", "130%", "150%"}[max(0, min(6, st.Size+3))])
	}
	out := text
	if len(css) > 0 {
		out = `<span style="` + strings.Join(css, ";") + `">` + text + `</span>`
	}
	link := st.Link
	if link == "" && st.Underline && looksLikeURL(strings.TrimSpace(s.Text)) {
		link = strings.TrimSpace(s.Text)
	}
	if link != "" && safeLink(link) {
		out = `<a href="` + html.EscapeString(link) + `" rel="noopener noreferrer" target="_blank">` + out + `</a>`
	}
	return out
}

func looksLikeURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "mailto:")
}

func safeLink(s string) bool {
	l := strings.ToLower(strings.TrimSpace(s))
	return looksLikeURL(l) && !strings.ContainsAny(l, "\"<>")
}

// Text renders IMML as plain text: markup removed, links shown as
// "text <url>" when the text is not the URL itself, disclosure titles kept.
func Text(src string) string {
	var b strings.Builder
	for _, s := range Parse(src) {
		if s.Block != "" {
			continue
		}
		b.WriteString(s.Text)
		if s.Style.Link != "" && strings.TrimSpace(s.Text) != s.Style.Link {
			b.WriteString(" <" + s.Style.Link + ">")
		}
	}
	return b.String()
}
