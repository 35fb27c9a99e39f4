package cmdline

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

var macro = regexp.MustCompile(`\$\{([^}]+)\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// expand substitutes ${Param}, ${ADDRESS}, ${PORT}, ${DEVICENAME},
// ${PYTHON} and persistent $variables in s.
func (rn Runner) expand(s string, env Env) string {
	return macro.ReplaceAllStringFunc(s, func(m string) string {
		sub := macro.FindStringSubmatch(m)
		if sub[2] != "" { // $name: a persistent variable, or its own name
			if v, ok := env.Persistent[sub[2]]; ok {
				return v
			}
			return m
		}
		name := sub[1]
		switch name {
		case "ADDRESS":
			return env.Address
		case "PORT":
			return strconv.Itoa(env.Port)
		case "DEVICENAME":
			return env.DeviceName
		case "PYTHON":
			if rn.Python != "" {
				return rn.Python
			}
			return "python3"
		}
		for _, k := range []string{name, name + "*", strings.TrimSuffix(name, "*")} {
			if v, ok := env.Params[k]; ok {
				return v
			}
		}
		if v, ok := env.Persistent[name]; ok {
			return v
		}
		return m
	})
}

// argv splits cmd and arg into arguments, then expands macros inside each
// argument. A token that is one whole macro naming a parameter that holds a
// command line (the Nagios probe's cmd=${Plugin}) is itself split, since
// the parameter is a command by design; its macros are then expanded per
// argument too.
func (rn Runner) argv(s Spec, env Env) ([]string, error) {
	tokens, err := split(strings.TrimSpace(s.Cmd + " " + s.Arg))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range tokens {
		if m := macro.FindStringSubmatch(t); m != nil && m[0] == t && m[1] != "" && isParam(m[1], env) && len(out) == 0 {
			inner, err := split(rn.expand(t, Env{Params: env.Params}))
			if err != nil {
				return nil, fmt.Errorf("parameter %s: %w", m[1], err)
			}
			for _, it := range inner {
				out = append(out, rn.expand(it, env))
			}
			continue
		}
		out = append(out, rn.expand(t, env))
	}
	if len(out) == 0 || out[0] == "" {
		return nil, errors.New("<command-line> names no program")
	}
	return out, nil
}

func isParam(name string, env Env) bool {
	_, ok := env.Params[name]
	return ok
}

// split breaks a command line into arguments with shell-like quoting
// ('…', "…", backslash escapes) but no expansion of any kind.
func split(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	in := false
	var quote rune
	esc := false
	for _, r := range s {
		switch {
		case esc:
			cur.WriteRune(r)
			esc = false
		case r == '\\' && quote != '\'':
			esc, in = true, true
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unclosed %c quote in command line", quote)
	}
	if in {
		out = append(out, cur.String())
	}
	return out, nil
}
