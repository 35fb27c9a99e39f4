package notify

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/template"
	"text/template/parse"
)

// DefaultTemplate is the text of a notification when none is configured;
// a scheduled report (Kind REPORT) is its summary alone.
const DefaultTemplate = `{{if eq .Kind "REPORT"}}{{.Reason}}{{else}}{{.Kind}} {{.Map}}:{{.Device}} ({{.Address}}) is {{.Status}}: {{.Reason}} at {{.Time}} {{.URL}}{{end}}`

// DefaultSubject is the subject of an e-mail when none is configured.
const DefaultSubject = `{{if eq .Kind "REPORT"}}Vantage report: {{.Map}}{{with .Device}} {{.}}{{end}}{{else}}{{.Kind}}: {{.Device}}{{end}}`

// maxRendered bounds the output of one template, so that a template such as
// {{range 100000000}}...{{end}} fails instead of filling memory.
const maxRendered = 64 << 10

// maxRange bounds a range over an integer literal.
const maxRange = 10000

// funcs are the functions templates may call besides the built-ins.
func funcs() template.FuncMap {
	return template.FuncMap{
		// json renders v as a JSON value (quoted and escaped for strings),
		// for JSON body templates: {"device": {{json .Device}}}.
		"json": func(v any) (string, error) {
			b, err := json.Marshal(v)
			return string(b), err
		},
		"upper": strings.ToUpper,
		"lower": strings.ToLower,
	}
}

// compile parses a template; an empty text means def.
func compile(name, text, def string) (*template.Template, error) {
	if text == "" {
		text = def
	}
	t, err := template.New(name).Funcs(funcs()).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, err
	}
	for _, tt := range t.Templates() {
		if tt.Tree == nil {
			continue
		}
		if err := checkRanges(tt.Root); err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
	}
	return t, nil
}

// checkRanges rejects a range over an integer literal above maxRange.
func checkRanges(n parse.Node) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := checkRanges(c); err != nil {
				return err
			}
		}
	case *parse.RangeNode:
		if n.Pipe != nil {
			for _, cmd := range n.Pipe.Cmds {
				for _, a := range cmd.Args {
					if num, ok := a.(*parse.NumberNode); ok && (!num.IsInt || num.Int64 > maxRange) {
						return fmt.Errorf("range over %s: at most %d iterations", num.Text, maxRange)
					}
				}
			}
		}
		if err := checkRanges(n.List); err != nil {
			return err
		}
		return checkRanges(n.ElseList)
	case *parse.IfNode:
		if err := checkRanges(n.List); err != nil {
			return err
		}
		return checkRanges(n.ElseList)
	case *parse.WithNode:
		if err := checkRanges(n.List); err != nil {
			return err
		}
		return checkRanges(n.ElseList)
	}
	return nil
}

// errTooLong stops a template whose output exceeds maxRendered.
var errTooLong = errors.New("rendered message too long")

// limitedBuilder is a strings.Builder that refuses to grow past maxRendered.
type limitedBuilder struct{ strings.Builder }

func (b *limitedBuilder) Write(p []byte) (int, error) {
	if b.Len()+len(p) > maxRendered {
		return 0, errTooLong
	}
	return b.Builder.Write(p)
}

// execute renders t with m.
func execute(t *template.Template, m Message) (s string, err error) {
	defer func() {
		// text/template recovers panics in called functions, but be sure a
		// user's template can never take the server down.
		if r := recover(); r != nil {
			err = fmt.Errorf("template %s: %v", t.Name(), r)
		}
	}()
	var b limitedBuilder
	if err := t.Execute(&b, m); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Render expands tmpl (text/template over the Message fields, with the
// extra functions json, upper and lower); an empty tmpl is DefaultTemplate.
func Render(tmpl string, m Message) (string, error) {
	t, err := compile("message", tmpl, DefaultTemplate)
	if err != nil {
		return "", err
	}
	return execute(t, m)
}
