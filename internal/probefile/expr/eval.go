package expr

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// maxString bounds every string the language builds, so that a sequence
// such as `$a := $a + $a; $a := $a + $a; …` cannot exhaust memory.
const maxString = 1 << 20

// node is a syntax-tree node.
type node interface {
	eval(c *evalCtx) (Value, error)
	off() int    // 0-based byte offset, for errors
	height() int // levels of the subtree, bounded by maxDepth
}

// base holds a node's position and height.
type base struct{ at, h int }

func (b base) off() int    { return b.at }
func (b base) height() int { return b.h }

// evalCtx is the state of one Eval call.
type evalCtx struct {
	env Env
	e   *Expr
}

// Eval evaluates the expression. Assignments and regular-expression
// captures are stored with env.Set. An expression that needs an undefined
// variable fails with an *Error wrapping ErrUndefined; other failures
// (division by zero, a bad run-time regular expression, a string over
// 1 MiB) are *Error values too.
func (e *Expr) Eval(env Env) (Value, error) {
	if env == nil {
		env = MapEnv{}
	}
	return e.root.eval(&evalCtx{env: env, e: e})
}

// lookup returns a defined variable.
func lookup(env Env, name string) (Value, bool) {
	v, ok := env.Get(name)
	return v, ok && v.IsDefined()
}

// undefinedAt is the error for reading an undefined variable.
func undefinedAt(off int, name string) error {
	return &Error{Col: off + 1, Msg: "undefined variable $" + name, Var: name, Err: ErrUndefined}
}

// checkLen enforces maxString.
func checkLen(off int, s string) (Value, error) {
	if len(s) > maxString {
		return Value{}, errAt(off, "string longer than %d bytes", maxString)
	}
	return String(s), nil
}

// numLit is a number literal.
type numLit struct {
	base
	v Value
}

func (n *numLit) eval(*evalCtx) (Value, error) { return n.v, nil }

// strPart is literal text or an interpolated variable of a string literal.
type strPart struct {
	text  string
	name  string
	isVar bool
	off   int
}

// strLit is a double-quoted string, interpolated when evaluated.
type strLit struct {
	base
	parts []strPart
	konst bool   // no interpolation
	val   string // the text when konst
}

// finish precomputes a string without variables.
func (s *strLit) finish() {
	s.konst = true
	var b strings.Builder
	for _, p := range s.parts {
		if p.isVar {
			s.konst = false
			return
		}
		b.WriteString(p.text)
	}
	s.val = b.String()
}

func (s *strLit) eval(c *evalCtx) (Value, error) {
	if s.konst {
		return String(s.val), nil
	}
	var b strings.Builder
	for _, p := range s.parts {
		if !p.isVar {
			b.WriteString(p.text)
			continue
		}
		v, ok := lookup(c.env, p.name)
		if !ok {
			return Value{}, undefinedAt(p.off, p.name)
		}
		b.WriteString(v.Str())
		if b.Len() > maxString {
			break
		}
	}
	return checkLen(s.at, b.String())
}

// varRef reads a variable.
type varRef struct {
	base
	name string
}

func (v *varRef) eval(c *evalCtx) (Value, error) {
	x, ok := lookup(c.env, v.name)
	if !ok {
		return Value{}, undefinedAt(v.at, v.name)
	}
	return x, nil
}

// unary is -x or !x.
type unary struct {
	base
	not bool
	x   node
}

func (u *unary) eval(c *evalCtx) (Value, error) {
	x, err := u.x.eval(c)
	if err != nil {
		return Value{}, err
	}
	if u.not {
		return boolean(!x.Bool()), nil
	}
	return Number(-x.num()), nil
}

// binop is an arithmetic, concatenation or comparison operator.
type binop struct {
	base
	op     string // canonical: + - * / % == != < > <= >=
	l, r   node
	quoted bool // an operand is a string literal: compare or join as strings
}

// textual reports whether v is a string that does not read as a number.
func textual(v Value) bool { return v.k == kindStr && !v.numeric() }

func (b *binop) eval(c *evalCtx) (Value, error) {
	l, err := b.l.eval(c)
	if err != nil {
		return Value{}, err
	}
	r, err := b.r.eval(c)
	if err != nil {
		return Value{}, err
	}
	asText := b.quoted || textual(l) || textual(r)
	switch b.op {
	case "+":
		if asText {
			ls, rs := l.Str(), r.Str()
			if len(ls)+len(rs) > maxString {
				return Value{}, errAt(b.at, "string longer than %d bytes", maxString)
			}
			return String(ls + rs), nil
		}
		return Number(l.num() + r.num()), nil
	case "-":
		return Number(l.num() - r.num()), nil
	case "*":
		return Number(l.num() * r.num()), nil
	case "/", "%":
		d := r.num()
		if d == 0 {
			return Value{}, &Error{Col: b.at + 1, Msg: "division by zero", Err: ErrDivideByZero}
		}
		if b.op == "/" {
			return Number(l.num() / d), nil
		}
		return Number(math.Mod(l.num(), d)), nil
	}
	var cmp int
	if asText {
		cmp = strings.Compare(l.Str(), r.Str())
	} else {
		x, y := l.num(), r.num()
		switch {
		case x < y:
			cmp = -1
		case x > y:
			cmp = 1
		case x != y: // NaN: only != holds
			return boolean(b.op == "!="), nil
		}
	}
	switch b.op {
	case "==":
		return boolean(cmp == 0), nil
	case "!=":
		return boolean(cmp != 0), nil
	case "<":
		return boolean(cmp < 0), nil
	case ">":
		return boolean(cmp > 0), nil
	case "<=":
		return boolean(cmp <= 0), nil
	}
	return boolean(cmp >= 0), nil // ">="
}

// logical is && or ||, short-circuiting: `defined("x") && $x > 1` does not
// read $x when it is undefined.
type logical struct {
	base
	and  bool
	l, r node
}

func (n *logical) eval(c *evalCtx) (Value, error) {
	l, err := n.l.eval(c)
	if err != nil {
		return Value{}, err
	}
	if l.Bool() != n.and {
		return boolean(!n.and), nil
	}
	r, err := n.r.eval(c)
	if err != nil {
		return Value{}, err
	}
	return boolean(r.Bool()), nil
}

// cond is c ? t : f; only the chosen branch is evaluated.
type cond struct {
	base
	c, t, f node
}

func (n *cond) eval(c *evalCtx) (Value, error) {
	v, err := n.c.eval(c)
	if err != nil {
		return Value{}, err
	}
	if v.Bool() {
		return n.t.eval(c)
	}
	return n.f.eval(c)
}

// assign is $name := x; it stores x and yields it.
type assign struct {
	base
	name string
	x    node
}

func (n *assign) eval(c *evalCtx) (Value, error) {
	v, err := n.x.eval(c)
	if err != nil {
		return Value{}, err
	}
	c.env.Set(n.name, v)
	return v, nil
}

// seq is a ; b ; c, yielding the last value.
type seq struct {
	base
	list []node
}

func (n *seq) eval(c *evalCtx) (v Value, err error) {
	for _, x := range n.list {
		if v, err = x.eval(c); err != nil {
			return Value{}, err
		}
	}
	return v, nil
}

// call is a built-in function call.
type call struct {
	base
	fn         builtin
	args       []node
	definedVar string // defined($x): the variable tested, not read
}

func (n *call) eval(c *evalCtx) (Value, error) {
	if n.definedVar != "" {
		_, ok := lookup(c.env, n.definedVar)
		return boolean(ok), nil
	}
	var buf [4]Value
	args := buf[:0]
	for _, a := range n.args {
		v, err := a.eval(c)
		if err != nil {
			return Value{}, err
		}
		args = append(args, v)
	}
	v, err := n.fn.fn(c, args)
	if err != nil {
		if _, ok := err.(*Error); !ok {
			err = errAt(n.at, "%s(): %v", n.fn.name, err)
		}
		return Value{}, err
	}
	if v.k == kindStr {
		return checkLen(n.at, v.s)
	}
	return v, nil
}

// match is s =~ re or s !~ re. On a match the groups are stored as
// variables "1", "2", … (03 §2); a failed match leaves them as they were,
// as in Perl.
type match struct {
	base
	neg  bool
	l, r node
	re   *regexp.Regexp // compiled at parse time for constant patterns
}

func (n *match) eval(c *evalCtx) (Value, error) {
	l, err := n.l.eval(c)
	if err != nil {
		return Value{}, err
	}
	re := n.re
	if re == nil {
		r, err := n.r.eval(c)
		if err != nil {
			return Value{}, err
		}
		if re, err = c.e.regexp(r.Str()); err != nil {
			return Value{}, errAt(n.r.off(), "bad regular expression: %v", err)
		}
	}
	sub := re.FindStringSubmatch(l.Str())
	for i := 1; i < len(sub); i++ {
		c.env.Set(strconv.Itoa(i), String(sub[i]))
	}
	return boolean((sub != nil) != n.neg), nil
}

// regexp compiles a run-time pattern once per Expr.
func (e *Expr) regexp(pat string) (*regexp.Regexp, error) {
	e.mu.Lock()
	re, ok := e.res[pat]
	e.mu.Unlock()
	if ok {
		return re, nil
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	if e.res == nil || len(e.res) >= maxCachedRegexps {
		e.res = make(map[string]*regexp.Regexp)
	}
	e.res[pat] = re
	e.mu.Unlock()
	return re, nil
}
