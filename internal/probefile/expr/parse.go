package expr

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

const (
	// maxDepth bounds how deeply expressions nest (parentheses, unary
	// operators, right-associative chains) and the height of the syntax
	// tree, so hostile input errors instead of exhausting the stack.
	maxDepth = 400
	// maxCachedRegexps bounds the per-Expr cache of patterns built at run
	// time ("$x" =~ "$pattern"); the cache restarts when full.
	maxCachedRegexps = 32
)

// Expr is a parsed expression. It is safe for concurrent Eval calls with
// different Envs.
type Expr struct {
	src  string
	root node
	vars []string

	mu  sync.Mutex
	res map[string]*regexp.Regexp // run-time patterns, compiled once
}

// Source returns the text the expression was parsed from, trimmed.
func (e *Expr) Source() string { return e.src }

// Vars returns the variables the expression reads, in order of first
// appearance: $name and ${name} references, variables interpolated in
// string literals, and regular-expression captures such as "1". Variables
// only assigned with ":=" and names only tested with defined() are not
// included.
func (e *Expr) Vars() []string { return append([]string(nil), e.vars...) }

// Parse parses a whole expression. Errors are *Error values whose message
// starts with the column: `col 14: unexpected ")"`.
func Parse(src string) (*Expr, error) {
	e, _, err := parse(src, false)
	return e, err
}

// ParsePrefix parses the longest expression at the start of src and returns
// the offset of the first token that cannot continue it (len(src) when the
// whole text is the expression). It splits the lines that embed
// expressions (03 §8): for `$x > 5 "Too high"` it stops at the condition
// string, for `($a+$b), CALCULATION, "legend"` at the comma.
func ParsePrefix(src string) (*Expr, int, error) {
	return parse(src, true)
}

// bailout carries a syntax error out of the recursive descent.
type bailout struct{ err *Error }

// parser is a recursive-descent parser over the lexer's tokens.
type parser struct {
	lex    lexer
	tok    token
	depth  int
	prefix bool
}

func parse(src string, prefix bool) (e *Expr, n int, err error) {
	p := &parser{lex: lexer{src: src}, prefix: prefix}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			e, n, err = nil, 0, b.err
		}
	}()
	p.advance()
	if p.tok.kind == tEOF {
		return nil, 0, errAt(p.tok.off, "empty expression")
	}
	root := p.parseSeq()
	if p.tok.kind != tEOF && !prefix {
		p.unexpected("")
	}
	n = p.tok.off
	if p.tok.kind == tEOF {
		n = len(src)
	}
	e = &Expr{src: strings.TrimSpace(src[:n]), root: root}
	e.vars = collectVars(root, nil)
	return e, n, nil
}

func (p *parser) advance() { p.tok = p.lex.next() }

func (p *parser) isOp(op string) bool { return p.tok.kind == tOp && p.tok.text == op }

func (p *parser) fail(off int, format string, args ...any) {
	panic(bailout{errAt(off, format, args...)})
}

// describe names the current token for error messages.
func (p *parser) describe() string {
	t := p.tok
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tNum:
		return "number " + p.lex.src[t.off:t.end]
	case tStr:
		s := p.lex.src[t.off:t.end]
		if len(s) > 24 {
			s = s[:20] + `…"`
		}
		return "string " + s
	case tVar:
		return "variable " + p.lex.src[t.off:t.end]
	case tIdent:
		return fmt.Sprintf("identifier %q", t.text)
	}
	return fmt.Sprintf("%q", p.lex.src[t.off:t.end])
}

// unexpected fails at the current token; want, if set, says what would have
// been accepted.
func (p *parser) unexpected(want string) {
	if p.tok.kind == tErr {
		p.fail(p.tok.at, "%s", p.tok.text)
	}
	if want != "" {
		p.fail(p.tok.off, "unexpected %s, expected %s", p.describe(), want)
	}
	p.fail(p.tok.off, "unexpected %s", p.describe())
}

// enter and leave bound the recursion depth.
func (p *parser) enter(off int) {
	p.depth++
	if p.depth > maxDepth {
		p.fail(off, "expression nested too deeply (more than %d levels)", maxDepth)
	}
}

func (p *parser) leave() { p.depth-- }

// base positions a new node at off and checks the height of the tree it
// tops.
func (p *parser) base(off int, kids ...node) base {
	h := 0
	for _, k := range kids {
		h = max(h, k.height())
	}
	if h+1 > maxDepth {
		p.fail(off, "expression nested too deeply (more than %d levels)", maxDepth)
	}
	return base{at: off, h: h + 1}
}

// parseSeq parses `expr ; expr ; …` (03 §2): the value is the last one's. A
// trailing ";" is allowed.
func (p *parser) parseSeq() node {
	first := p.parseAssign()
	if !p.isOp(";") {
		return first
	}
	list := []node{first}
	for p.isOp(";") {
		p.advance()
		if p.tok.kind == tEOF || p.isOp(")") {
			break
		}
		list = append(list, p.parseAssign())
	}
	if len(list) == 1 {
		return first
	}
	return &seq{base: p.base(first.off(), list...), list: list}
}

// parseAssign parses `$var := expr`, the lowest precedence, right to left.
func (p *parser) parseAssign() node {
	left := p.parseCond()
	if !p.isOp(":=") {
		return left
	}
	op := p.tok
	v, ok := left.(*varRef)
	if !ok {
		p.fail(op.off, `":=" needs a variable on its left`)
	}
	p.advance()
	p.enter(op.off)
	rhs := p.parseAssign()
	p.leave()
	return &assign{base: p.base(v.at, rhs), name: v.name, x: rhs}
}

// parseCond parses `c ? a : b`; both branches may be assignments, and
// ternaries nest to the right without parentheses (03 §2).
func (p *parser) parseCond() node {
	c := p.parseBinary(precOr)
	if !p.isOp("?") {
		return c
	}
	q := p.tok
	p.advance()
	p.enter(q.off)
	t := p.parseAssign()
	if !p.isOp(":") {
		if p.tok.kind == tEOF {
			p.fail(p.tok.off, `missing ":" for "?" at col %d`, q.off+1)
		}
		p.unexpected(fmt.Sprintf(`":" for "?" at col %d`, q.off+1))
	}
	p.advance()
	f := p.parseAssign()
	p.leave()
	return &cond{base: p.base(c.off(), c, t, f), c: c, t: t, f: f}
}

// Binary precedence levels, lowest first (03 §2).
const (
	precOr    = 3 + iota // || or
	precAnd              // && and
	precEq               // == = != <>
	precRel              // < > <= >=
	precAdd              // + -
	precMul              // * / %
	precMatch            // =~ !~
)

// binPrec returns the level of a binary operator, 0 for others.
func binPrec(op string) int {
	switch op {
	case "||":
		return precOr
	case "&&":
		return precAnd
	case "==", "=", "!=", "<>":
		return precEq
	case "<", ">", "<=", ">=":
		return precRel
	case "+", "-":
		return precAdd
	case "*", "/", "%":
		return precMul
	case "=~", "!~":
		return precMatch
	}
	return 0
}

// parseBinary parses left-associative binary operators of level min and up
// by precedence climbing.
func (p *parser) parseBinary(min int) node {
	left := p.parseUnary()
	for p.tok.kind == tOp {
		prec := binPrec(p.tok.text)
		if prec == 0 || prec < min {
			break
		}
		op := p.tok
		p.advance()
		right := p.parseBinary(prec + 1)
		left = p.binary(op, left, right)
	}
	return left
}

// binary builds the node for one binary operator.
func (p *parser) binary(op token, l, r node) node {
	b := p.base(op.off, l, r)
	switch op.text {
	case "||", "&&":
		return &logical{base: b, and: op.text == "&&", l: l, r: r}
	case "=~", "!~":
		m := &match{base: b, neg: op.text == "!~", l: l, r: r}
		if s, ok := r.(*strLit); ok && s.konst {
			re, err := regexp.Compile(s.val)
			if err != nil {
				p.fail(r.off(), "bad regular expression: %v", err)
			}
			m.re = re
		}
		return m
	}
	name := op.text
	switch name {
	case "=":
		name = "=="
	case "<>":
		name = "!="
	}
	_, ls := l.(*strLit)
	_, rs := r.(*strLit)
	return &binop{base: b, op: name, l: l, r: r, quoted: ls || rs}
}

// parseUnary parses the prefix operators -, ! and not, the highest level.
func (p *parser) parseUnary() node {
	if p.tok.kind != tOp || (p.tok.text != "-" && p.tok.text != "!") {
		return p.parsePrimary()
	}
	op := p.tok
	p.advance()
	p.enter(op.off)
	x := p.parseUnary()
	p.leave()
	if n, ok := x.(*numLit); ok && op.text == "-" {
		return &numLit{base: base{at: op.off, h: 1}, v: Number(-n.v.n)}
	}
	return &unary{base: p.base(op.off, x), not: op.text == "!", x: x}
}

// parsePrimary parses literals, variables, calls and parentheses.
func (p *parser) parsePrimary() node {
	t := p.tok
	switch t.kind {
	case tNum:
		p.advance()
		return &numLit{base: base{at: t.off, h: 1}, v: Number(t.num)}
	case tStr:
		p.advance()
		t.str.base = base{at: t.off, h: 1}
		return t.str
	case tVar:
		p.advance()
		return &varRef{base: base{at: t.off, h: 1}, name: t.text}
	case tIdent:
		return p.parseCall()
	case tOp:
		if t.text == "(" {
			p.advance()
			p.enter(t.off)
			x := p.parseSeq()
			p.closeParen(t.off, `"("`)
			p.leave()
			return x
		}
	}
	p.unexpected("")
	return nil
}

// closeParen consumes the ")" that closes what opened at off.
func (p *parser) closeParen(off int, what string) {
	if p.isOp(")") {
		p.advance()
		return
	}
	if p.tok.kind == tEOF {
		p.fail(p.tok.off, `missing ")" to close %s at col %d`, what, off+1)
	}
	p.unexpected(fmt.Sprintf(`")" to close %s at col %d`, what, off+1))
}

// parseCall parses name(args…) for a built-in function.
func (p *parser) parseCall() node {
	t := p.tok
	p.advance()
	if !p.isOp("(") {
		p.fail(t.off, `unexpected identifier %q (variables start with "$")`, t.text)
	}
	fn, ok := lookupBuiltin(strings.ToLower(t.text))
	if !ok {
		p.fail(t.off, "unknown function %q", t.text)
	}
	open := p.tok.off
	p.advance()
	p.enter(open)
	var args []node
	if !p.isOp(")") {
		for {
			args = append(args, p.parseAssign())
			if !p.isOp(",") {
				break
			}
			p.advance()
		}
	}
	p.closeParen(t.off, fmt.Sprintf(`"%s("`, t.text))
	p.leave()
	if len(args) < fn.min || (fn.max >= 0 && len(args) > fn.max) {
		p.fail(t.off, "%s() takes %s, got %d", fn.name, fn.arity(), len(args))
	}
	c := &call{base: p.base(t.off, args...), fn: fn, args: args}
	if fn.name == "defined" {
		if v, ok := args[0].(*varRef); ok {
			c.definedVar = v.name
		}
	}
	return c
}

// collectVars appends the variables read under n, skipping repeats
// (case-insensitively, as names are).
func collectVars(n node, acc []string) []string {
	add := func(name string) {
		for _, v := range acc {
			if strings.EqualFold(v, name) {
				return
			}
		}
		acc = append(acc, name)
	}
	switch n := n.(type) {
	case *varRef:
		add(n.name)
	case *strLit:
		for _, part := range n.parts {
			if part.isVar {
				add(part.name)
			}
		}
	case *unary:
		acc = collectVars(n.x, acc)
	case *binop:
		acc = collectVars(n.r, collectVars(n.l, acc))
	case *logical:
		acc = collectVars(n.r, collectVars(n.l, acc))
	case *match:
		acc = collectVars(n.r, collectVars(n.l, acc))
	case *cond:
		acc = collectVars(n.f, collectVars(n.t, collectVars(n.c, acc)))
	case *assign:
		acc = collectVars(n.x, acc)
	case *seq:
		for _, x := range n.list {
			acc = collectVars(x, acc)
		}
	case *call:
		if n.definedVar != "" {
			break
		}
		if n.fn.name == "defined" {
			if s, lit := n.args[0].(*strLit); lit && s.konst {
				break
			}
		}
		for _, x := range n.args {
			acc = collectVars(x, acc)
		}
	}
	return acc
}
