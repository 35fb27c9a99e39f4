package ui

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

func TestEmbedded(t *testing.T) {
	files := Files()
	for _, name := range []string{"index.html", "app.js", "style.css", "api.js", "stream.js", "map.js"} {
		b, err := fs.ReadFile(files, name)
		if err != nil {
			t.Fatalf("%s is not embedded: %v", name, err)
		}
		if len(b) == 0 {
			t.Fatalf("%s is empty", name)
		}
	}
	index, _ := fs.ReadFile(files, "index.html")
	for _, want := range []string{`src="app.js"`, `href="style.css"`, `type="module"`} {
		if !strings.Contains(string(index), want) {
			t.Errorf("index.html lacks %s", want)
		}
	}
}

// XML namespace names look like URLs but are identifiers that browsers
// never fetch.
var namespaces = regexp.MustCompile(`http://www\.w3\.org/(2000/svg|1999/xlink|1999/xhtml)`)

// protocolRelative matches src="//host…", href='//…' and url(//…), which
// reach another host without naming a scheme.
var protocolRelative = regexp.MustCompile(`(?i)(src|href|url)\s*[=(]\s*["']?//`)

// TestNoOutsideURLs keeps the UI self-contained: no file may point the
// browser at another host (CDN scripts, web fonts, analytics). Licence
// files of vendored libraries are exempt.
func TestNoOutsideURLs(t *testing.T) {
	err := fs.WalkDir(Files(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		base := strings.ToUpper(d.Name())
		if strings.HasPrefix(base, "LICENSE") || strings.HasPrefix(base, "LICENCE") || strings.HasPrefix(base, "NOTICE") {
			return nil
		}
		b, err := fs.ReadFile(Files(), path)
		if err != nil {
			return err
		}
		text := namespaces.ReplaceAllString(string(b), "")
		for i, line := range strings.Split(text, "\n") {
			lower := strings.ToLower(line)
			if strings.Contains(lower, "http://") || strings.Contains(lower, "https://") {
				t.Errorf("%s:%d refers to another host: %s", path, i+1, strings.TrimSpace(line))
				continue
			}
			if protocolRelative.MatchString(line) {
				t.Errorf("%s:%d has a protocol-relative URL: %s", path, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestModuleImportsResolve checks that every relative ES module import
// names an embedded file, so a typo cannot ship a blank page.
func TestModuleImportsResolve(t *testing.T) {
	imp := regexp.MustCompile(`(?m)^\s*import\s+(?:[^'"]+\s+from\s+)?['"](\./[^'"]+)['"]`)
	js, _ := fs.Glob(Files(), "*.js")
	if len(js) == 0 {
		t.Fatal("no JavaScript embedded")
	}
	for _, name := range js {
		b, _ := fs.ReadFile(Files(), name)
		for _, m := range imp.FindAllStringSubmatch(string(b), -1) {
			target := strings.TrimPrefix(m[1], "./")
			if _, err := fs.Stat(Files(), target); err != nil {
				t.Errorf("%s imports %s, which is not embedded", name, m[1])
			}
		}
	}
}
