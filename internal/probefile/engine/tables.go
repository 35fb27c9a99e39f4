package engine

import (
	"context"
	"errors"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/vantage-monitor/vantage/internal/probefile"
	"github.com/vantage-monitor/vantage/internal/probefile/expr"
	"github.com/vantage-monitor/vantage/internal/snmp"
)

// On-demand tables (<snmp-device-variables-ondemand>). InterMapper shows a
// link that opens a window with the table; here a table the display
// references ($Table or ${Table:link text}) is fetched with the poll and
// rendered in place: a compact HTML table in display_html, tab-separated
// lines under a heading row in display_text, the link text as a caption.
// Tables the display does not reference are never fetched.

const (
	// maxTableRows is how many rows a rendered table shows; a note says how
	// many more there are.
	maxTableRows = 500
	// maxColumnValues bounds the walk of one column.
	maxColumnValues = 100000
)

// walker is the part of *snmp.Client that walks a subtree; clients without
// it are walked with GetNext.
type walker interface {
	Walk(ctx context.Context, t snmp.Target, root string, fn func(snmp.Value) error) error
}

var _ walker = (*snmp.Client)(nil)

// tableSpec is one on-demand table and its columns, in file order.
type tableSpec struct {
	name, key, legend string
	cols              []*colSpec
}

// colSpec is one column of an on-demand table.
type colSpec struct {
	probefile.Variable
	key  string
	calc *expr.Expr // CALCULATION
}

// addOnDemand adds a TABLE line or a column line to the spec's tables.
func (s *snmpSpec) addOnDemand(v probefile.Variable) {
	if s.tableSpecs == nil {
		s.tableSpecs = map[string]*tableSpec{}
	}
	key := strings.ToLower(v.Table)
	if v.Type == "TABLE" {
		s.tables[key] = true
		if s.tableSpecs[key] == nil {
			s.tableSpecs[key] = &tableSpec{name: v.Name, key: key, legend: v.Legend}
		}
		return
	}
	t := s.tableSpecs[key]
	if t == nil || v.Column == "" {
		return
	}
	c := &colSpec{Variable: v, key: strings.ToLower(v.Column)}
	if v.Type == "CALCULATION" {
		e, err := expr.Parse(v.Expr)
		if err != nil {
			s.errorf(v.Line, "CALCULATION %s: %v", v.Name, err)
		}
		c.calc = e
	}
	t.cols = append(t.cols, c)
}

// tableRefRE finds $name and ${name…} references in a display.
var tableRefRE = regexp.MustCompile(`\$\{?\s*([A-Za-z_][A-Za-z0-9_]*)`)

// shownTables are the tables display references, in order of first
// reference.
func shownTables(display string, tables map[string]*tableSpec) []*tableSpec {
	var out []*tableSpec
	for _, m := range tableRefRE.FindAllStringSubmatch(display, -1) {
		if t := tables[strings.ToLower(m[1])]; t != nil && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// tableWalk is one column prefix to walk.
type tableWalk struct {
	root string
}

// tablePlan is what a poll fetches for one shown table: the resolved walk
// root of each non-calculated column ("" when it did not resolve).
type tablePlan struct {
	spec  *tableSpec
	roots []string
	errs  []string // columns whose OID did not resolve
}

// tableData is a fetched table: the values of each walked root by index.
type tableData struct {
	plan  tablePlan
	cells map[string]map[string]snmp.Value // root → index → value
	err   error
}

// planTables resolves the columns of the shown tables; p.mu held.
func (p *snmpProbe) planTables(e *env) []tablePlan {
	plans := make([]tablePlan, 0, len(p.spec.shown))
	for _, t := range p.spec.shown {
		pl := tablePlan{spec: t, roots: make([]string, len(t.cols))}
		for i, c := range t.cols {
			if c.Type == "CALCULATION" {
				continue
			}
			field := c.OID
			if c.Index != nil {
				field = c.Index.OID
			}
			ref, err := p.res.resolve(strings.TrimSuffix(strings.TrimSpace(expr.Expand(field, e)), "+"))
			if err != nil {
				pl.errs = append(pl.errs, lineMsg(p.spec.file.Path, c.Line, "column %s: %v", c.Name, err))
				continue
			}
			pl.roots[i] = ref.OID
		}
		plans = append(plans, pl)
	}
	return plans
}

// fetchTables walks every distinct column root of the plans.
func (p *snmpProbe) fetchTables(ctx context.Context, t snmp.Target, plans []tablePlan) map[string]*tableData {
	out := make(map[string]*tableData, len(plans))
	walked := map[string]map[string]snmp.Value{}
	failed := map[string]error{}
	for _, pl := range plans {
		d := &tableData{plan: pl, cells: map[string]map[string]snmp.Value{}}
		out[pl.spec.key] = d
		if p.d.SNMP == nil {
			d.err = errors.New("no SNMP client")
			continue
		}
		for _, root := range pl.roots {
			if root == "" {
				continue
			}
			if _, done := walked[root]; !done && failed[root] == nil {
				vals, err := walkColumn(ctx, p.d.SNMP, t, root)
				if err != nil {
					failed[root] = err
				}
				walked[root] = vals
			}
			d.cells[root] = walked[root]
			if err := failed[root]; err != nil && d.err == nil {
				d.err = err
			}
		}
	}
	return out
}

var errEnoughValues = errors.New("enough values")

// walkColumn reads the subtree of root: values by index (the sub-ids after
// root).
func walkColumn(ctx context.Context, c SNMPClient, t snmp.Target, root string) (map[string]snmp.Value, error) {
	vals := map[string]snmp.Value{}
	add := func(v snmp.Value) bool {
		idx, ok := strings.CutPrefix(strings.TrimPrefix(v.OID, "."), root+".")
		if !ok || !v.Exists() {
			return false
		}
		vals[idx] = v
		return len(vals) < maxColumnValues
	}
	if w, ok := c.(walker); ok {
		err := w.Walk(ctx, t, root, func(v snmp.Value) error {
			if !add(v) {
				return errEnoughValues
			}
			return nil
		})
		if errors.Is(err, errEnoughValues) {
			err = nil
		}
		return vals, err
	}
	oid := root
	for {
		got, err := c.GetNext(ctx, t, oid)
		if err != nil {
			return vals, err
		}
		if len(got) == 0 {
			return vals, nil
		}
		v := got[0]
		next := strings.TrimPrefix(v.OID, ".")
		if !v.Exists() || !snmp.InSubtree(next, root) || snmp.CompareOID(next, oid) <= 0 || !add(v) {
			return vals, nil
		}
		oid = next
	}
}

// builtTable is a table ready to render.
type builtTable struct {
	headings []string
	rows     [][]string
	total    int // rows before the cap
	err      error
}

// build computes the cells of a fetched table: rows keyed by the shared
// index, in index order, at most maxTableRows of them; p.mu held.
func (p *snmpProbe) build(e *env, d *tableData) builtTable {
	t := d.plan.spec
	b := builtTable{err: d.err}
	for _, c := range t.cols {
		b.headings = append(b.headings, p.expand(e, c.Legend))
	}
	seen := map[string]bool{}
	var index []string
	for _, col := range d.cells {
		for idx := range col {
			if !seen[idx] {
				seen[idx] = true
				index = append(index, idx)
			}
		}
	}
	slices.SortFunc(index, snmp.CompareOID)
	b.total = len(index)
	for _, idx := range index[:min(len(index), maxTableRows)] {
		r := &rowEnv{env: e, p: p, d: d, index: idx, vals: map[string]expr.Value{}, state: map[string]int{}, circular: map[string]bool{}}
		row := make([]string, len(t.cols))
		for i, c := range t.cols {
			v := r.column(i, c)
			switch {
			case r.circular[c.key]:
				row[i] = "-"
			case v.IsDefined():
				row[i] = cellText(v)
			}
		}
		b.rows = append(b.rows, row)
	}
	return b
}

// rowEnv evaluates one row: its columns by name, then the probe's
// variables and parameters. CALCULATION columns are evaluated on demand,
// once; one that needs itself (directly or not) is circular.
type rowEnv struct {
	*env
	p        *snmpProbe
	d        *tableData
	index    string
	vals     map[string]expr.Value // computed columns and assignments
	state    map[string]int        // calculation: 1 in progress, 2 done
	circular map[string]bool
	hitCycle bool
}

// column is the value of column i of the row.
func (r *rowEnv) column(i int, c *colSpec) expr.Value {
	if c.Type == "CALCULATION" {
		return r.calculate(c)
	}
	if v, ok := r.vals[c.key]; ok && r.state[c.key] == 2 {
		return v
	}
	var v expr.Value
	switch root := r.d.plan.roots[i]; {
	case root == "":
	case c.Index != nil:
		v = indexValue(r.index, c.Index)
	default:
		if sv, ok := r.d.cells[root][r.index]; ok {
			typ := c.Type
			if typ == "DEFAULT" {
				typ = deduce(sv)
			}
			v = convert(typ, sv, r.p.d.Names)
		}
	}
	r.vals[c.key], r.state[c.key] = v, 2
	return v
}

// calculate evaluates a CALCULATION column.
func (r *rowEnv) calculate(c *colSpec) expr.Value {
	switch r.state[c.key] {
	case 1:
		r.hitCycle = true
		return expr.Undefined()
	case 2:
		return r.vals[c.key]
	}
	if c.calc == nil {
		r.state[c.key] = 2
		return expr.Undefined()
	}
	r.state[c.key] = 1
	outer := r.hitCycle
	r.hitCycle = false
	v, err := c.calc.Eval(r)
	if err != nil {
		v = expr.Undefined()
	}
	if r.hitCycle {
		r.circular[c.key] = true
		v = expr.Undefined()
	}
	r.hitCycle = outer || r.hitCycle
	r.vals[c.key], r.state[c.key] = v, 2
	return v
}

// Get implements expr.Env: the row's columns, then the probe's variables
// and parameters.
func (r *rowEnv) Get(name string) (expr.Value, bool) {
	k := strings.ToLower(name)
	for i, c := range r.d.plan.spec.cols {
		if c.key == k {
			v := r.column(i, c)
			if r.circular[k] {
				r.hitCycle = true
			}
			return v, v.IsDefined()
		}
	}
	if v, ok := r.vals[k]; ok && v.IsDefined() {
		return v, true
	}
	return r.env.Get(name)
}

// Set implements expr.Env; assignments stay in the row.
func (r *rowEnv) Set(name string, v expr.Value) { r.vals[strings.ToLower(name)] = v }

// indexValue takes the sub-ids of an index an "oid[a:b]" column names: one
// is a number, several are dotted text (an IP address, say).
func indexValue(index string, ir *probefile.IndexRange) expr.Value {
	subs := strings.Split(index, ".")
	if ir.Start >= len(subs) {
		return expr.Undefined()
	}
	end := len(subs)
	if ir.Count > 0 {
		if ir.Start+ir.Count > len(subs) {
			return expr.Undefined()
		}
		end = ir.Start + ir.Count
	}
	part := subs[ir.Start:end]
	if len(part) == 1 {
		if n, err := strconv.ParseUint(part[0], 10, 64); err == nil {
			return expr.Number(float64(n))
		}
	}
	return expr.String(strings.Join(part, "."))
}

// cellText is a cell as shown: numbers without needless decimals, text on
// one line.
func cellText(v expr.Value) string {
	if v.IsNumber() {
		n, _ := v.Num()
		return strconv.FormatFloat(n, 'f', -1, 64)
	}
	return strings.NewReplacer("\t", " ", "\r\n", " ", "\n", " ", "\r", " ").Replace(v.Str())
}

// moreRows is the note under a capped table.
func moreRows(n int) string {
	if n == 1 {
		return "… 1 more row"
	}
	return fmt.Sprintf("… %d more rows", n)
}

// tableHTML renders a table as compact HTML, every cell escaped.
func tableHTML(caption string, b builtTable) string {
	var s strings.Builder
	s.WriteString(`<table class="imml-table">`)
	if caption != "" {
		s.WriteString("<caption>" + html.EscapeString(caption) + "</caption>")
	}
	if b.err != nil {
		s.WriteString(`<tr><td class="imml-table-error">` + html.EscapeString("table not fully read: "+b.err.Error()) + "</td></tr>")
	}
	s.WriteString("<thead><tr>")
	for _, h := range b.headings {
		s.WriteString("<th>" + html.EscapeString(h) + "</th>")
	}
	s.WriteString("</tr></thead><tbody>")
	for _, row := range b.rows {
		s.WriteString("<tr>")
		for _, c := range row {
			s.WriteString("<td>" + html.EscapeString(c) + "</td>")
		}
		s.WriteString("</tr>")
	}
	s.WriteString("</tbody></table>")
	if more := b.total - len(b.rows); more > 0 {
		s.WriteString(`<div class="imml-table-more">` + html.EscapeString(moreRows(more)) + "</div>")
	}
	return s.String()
}

// tableText renders a table as tab-separated lines under a heading row.
func tableText(caption string, b builtTable) string {
	var lines []string
	if caption != "" {
		lines = append(lines, caption)
	}
	if b.err != nil {
		lines = append(lines, "table not fully read: "+b.err.Error())
	}
	lines = append(lines, strings.Join(b.headings, "\t"))
	for _, row := range b.rows {
		lines = append(lines, strings.Join(row, "\t"))
	}
	if more := b.total - len(b.rows); more > 0 {
		lines = append(lines, moreRows(more))
	}
	return strings.Join(lines, "\n")
}

// tableValues is Values["tables"]: each rendered table's headings, rows and
// row count.
func tableValues(built map[string]builtTable, specs map[string]*tableSpec) map[string]any {
	out := make(map[string]any, len(built))
	for k, b := range built {
		m := map[string]any{"columns": b.headings, "rows": b.rows, "total": b.total}
		if b.err != nil {
			m["error"] = b.err.Error()
		}
		out[specs[k].name] = m
	}
	return out
}
