package mib

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/alecthomas/participle/lexer"
	"github.com/sleepinggenius2/gosmi/parser"
)

// maxFileSize bounds what is read of one MIB file; the largest real modules are
// a few hundred kilobytes.
const maxFileSize = 16 << 20

// moduleHeader finds a module's name when the parser cannot.
var moduleHeader = regexp.MustCompile(`(?m)^\s*([A-Za-z][-\w]*)\s+DEFINITIONS\s*::=\s*BEGIN`)

// errBaseModule marks a file of an SMI base module that the parser rejects;
// its content is built in anyway (smi.go).
var errBaseModule = errors.New("SMI base module, built in")

// errNotMIB marks a file that holds no module (a README in the folder).
var errNotMIB = errors.New("no MIB module in file (no DEFINITIONS ::= BEGIN)")

// WithDir returns a copy of n with the MIB modules found in dir added: files
// named *.mib, *.my, *.txt, *.smi or without extension, not in subfolders. For a
// settings folder that is DIR/mibs. A module named like a loaded one replaces
// it. A file that cannot be parsed, or whose nodes cannot all be placed (a
// missing import), gives a *FileError naming the file; the other modules load,
// and so do the placeable nodes of a partly resolved module. A missing dir is
// not an error. n itself is not changed.
func (n *Names) WithDir(dir string) (*Names, []error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return n, nil
	}
	if err != nil {
		return n, []error{fmt.Errorf("read MIB folder %s: %w", dir, err)}
	}
	var files []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") {
			continue
		}
		switch strings.ToLower(filepath.Ext(name)) {
		case ".mib", ".my", ".txt", ".smi", "":
			files = append(files, filepath.Join(dir, name))
		}
	}
	mods, errs := CompileFiles(n, files...)
	if len(mods) == 0 {
		return n, errs
	}
	return n.WithModules(mods...), errs
}

// parsed is one file's syntax tree.
type parsed struct {
	file string
	pm   *parser.Module
	err  error
}

// CompileFiles parses MIB files with gosmi's parser and compiles them in
// import order, resolving imports against base (nil: only the SMI base
// modules) and each other. Files defining the SMI base modules are skipped, as
// are files without extension or named .txt that hold no module. It returns
// the modules compiled, some possibly partial, and one error per bad file.
func CompileFiles(base *Names, files ...string) ([]Module, []error) {
	if base == nil {
		base = New()
	}
	results := parseAll(files)
	var errs []error
	byName := map[string]*parsed{}
	var order []string
	for i := range results {
		r := &results[i]
		if r.err != nil {
			if errors.Is(r.err, errBaseModule) {
				continue
			}
			if errors.Is(r.err, errNotMIB) {
				if ext := strings.ToLower(filepath.Ext(r.file)); ext == "" || ext == ".txt" {
					continue
				}
			}
			errs = append(errs, r.err)
			continue
		}
		name := string(r.pm.Name)
		if IsBaseModule(name) {
			continue
		}
		if prev, ok := byName[name]; ok {
			errs = append(errs, &FileError{File: r.file, Module: name,
				Err: fmt.Errorf("module already defined in %s; this copy is ignored", prev.file)})
			continue
		}
		byName[name] = r
		order = append(order, name)
	}
	sc := newScope(base)
	done := map[string]bool{}
	var mods []Module
	var visit func(name string)
	visit = func(name string) {
		r, ok := byName[name]
		if !ok || done[name] {
			return
		}
		done[name] = true // before the imports: an import cycle then just stops
		for _, imp := range r.pm.Body.Imports {
			visit(string(imp.Module))
		}
		m, err := compile(r.pm, r.file, sc)
		if err != nil {
			errs = append(errs, err)
		}
		sc.add(&m)
		mods = append(mods, m)
	}
	for _, name := range order {
		visit(name)
	}
	return mods, errs
}

// parseAll parses files concurrently (the parser is pure); results keep the
// files' order, a file's modules in their order.
func parseAll(files []string) []parsed {
	sorted := append([]string(nil), files...)
	sort.Strings(sorted)
	perFile := make([][]parsed, len(sorted))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), 4, len(sorted)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				perFile[i] = parseFile(sorted[i])
			}
		}()
	}
	for i := range sorted {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	var results []parsed
	for _, r := range perFile {
		results = append(results, r...)
	}
	return results
}

// parseFile reads and parses one MIB file, which may hold several modules.
func parseFile(path string) []parsed {
	fail := func(err error) []parsed { return []parsed{{file: path, err: &FileError{File: path, Err: err}}} }
	f, err := os.Open(path)
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return fail(fmt.Errorf("read: %w", err))
	}
	if len(data) > maxFileSize {
		return fail(fmt.Errorf("larger than %d bytes", maxFileSize))
	}
	starts := moduleHeader.FindAllIndex(data, -1)
	if len(starts) <= 1 {
		pm, err := ParseModule(path, data)
		return []parsed{{file: path, pm: pm, err: err}}
	}
	// Vendors concatenate modules: parse each alone, with the lines before it
	// blanked so that error line numbers stay those of the file.
	var out []parsed
	for i, st := range starts {
		end := len(data)
		if i+1 < len(starts) {
			end = starts[i+1][0]
		}
		chunk := append(bytes.Repeat([]byte("\n"), bytes.Count(data[:st[0]], []byte("\n"))), data[st[0]:end]...)
		pm, err := ParseModule(path, chunk)
		out = append(out, parsed{file: path, pm: pm, err: err})
	}
	return out
}

// namedReader gives the parser a file name for its positions.
type namedReader struct {
	*bytes.Reader
	name string
}

func (r namedReader) Name() string { return r.name }

// ParseModule parses the text of one MIB module; file names it in errors. The
// error is a *FileError with the line the parser stopped at.
func ParseModule(file string, data []byte) (pm *parser.Module, err error) {
	if !bytes.Contains(data, []byte("DEFINITIONS")) {
		return nil, &FileError{File: file, Err: errNotMIB}
	}
	defer func() {
		if r := recover(); r != nil { // the parser is third-party code fed user files
			pm, err = nil, &FileError{File: file, Err: fmt.Errorf("parser failed: %v", r)}
		}
	}()
	pm, err = parser.Parse(namedReader{bytes.NewReader(data), file})
	if err != nil {
		if m := moduleHeader.FindSubmatch(data); m != nil && IsBaseModule(string(m[1])) {
			return nil, &FileError{File: file, Module: string(m[1]), Err: errBaseModule}
		}
		return nil, parseError(file, err)
	}
	if pm.Name == "" {
		return nil, &FileError{File: file, Err: errors.New("module has no name")}
	}
	return pm, nil
}

// parseError turns the parser's error into a *FileError with the line number
// and the message without the position prefix.
func parseError(file string, err error) error {
	var pe interface{ Position() lexer.Position }
	if !errors.As(err, &pe) {
		return &FileError{File: file, Err: err}
	}
	pos := pe.Position()
	msg := strings.TrimPrefix(err.Error(), pos.String()+":")
	return &FileError{File: file, Line: pos.Line, Err: fmt.Errorf("syntax error at column %d:%s", pos.Column, msg)}
}
