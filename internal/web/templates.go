package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Templates renders pages from a folder of html/template files: layout.html
// and partials (files starting with '_') shared by every page, one file per
// page. They are parsed once, at start.
type Templates struct {
	pages map[string]*template.Template
	pool  sync.Pool
}

// ParseTemplates parses every *.html file in dir of fsys with funcs.
func ParseTemplates(fsys fs.FS, dir string, funcs template.FuncMap) (*Templates, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	var shared, pages []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case !strings.HasSuffix(name, ".html"):
		case name == "layout.html" || strings.HasPrefix(name, "_"):
			shared = append(shared, path.Join(dir, name))
		default:
			pages = append(pages, name)
		}
	}
	if len(shared) == 0 {
		return nil, errors.New("templates: no layout.html")
	}
	sort.Strings(shared)
	base, err := template.New("").Funcs(funcs).ParseFS(fsys, shared...)
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	t := &Templates{pages: map[string]*template.Template{}}
	t.pool.New = func() any { return new(bytes.Buffer) }
	for _, name := range pages {
		clone, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := clone.ParseFS(fsys, path.Join(dir, name)); err != nil {
			return nil, fmt.Errorf("templates: %w", err)
		}
		t.pages[strings.TrimSuffix(name, ".html")] = clone
	}
	return t, nil
}

// Render executes the page's layout with data into w with the given
// status. The page is rendered into a buffer first, so a template error
// never sends half a page.
func (t *Templates) Render(w http.ResponseWriter, status int, page string, data any) error {
	buf := t.GetBuffer()
	defer t.PutBuffer(buf)
	if err := t.Execute(buf, page, data); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// Known length: no chunked framing, and clients see the size up front.
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// Execute renders the page's layout with data into buf.
func (t *Templates) Execute(buf *bytes.Buffer, page string, data any) error {
	tmpl, ok := t.pages[page]
	if !ok {
		return fmt.Errorf("templates: no page %q", page)
	}
	if err := tmpl.ExecuteTemplate(buf, "layout.html", data); err != nil {
		return fmt.Errorf("templates: render %s: %w", page, err)
	}
	return nil
}

// ExecuteBlock renders one named template of the page's set (a block or a
// partial's definition, such as "teaser") with data into buf, as the page
// would where it calls it in HTML text, theme overrides included.
func (t *Templates) ExecuteBlock(buf *bytes.Buffer, page, name string, data any) error {
	tmpl, ok := t.pages[page]
	if !ok {
		return fmt.Errorf("templates: no page %q", page)
	}
	if err := tmpl.ExecuteTemplate(buf, name, data); err != nil {
		return fmt.Errorf("templates: render %s of %s: %w", name, page, err)
	}
	return nil
}

// Defines reports whether the page's set defines the template name.
func (t *Templates) Defines(page, name string) bool {
	tmpl, ok := t.pages[page]
	return ok && tmpl.Lookup(name) != nil
}

// GetBuffer returns an empty buffer from the pool Render uses; PutBuffer
// gives it back.
func (t *Templates) GetBuffer() *bytes.Buffer {
	buf := t.pool.Get().(*bytes.Buffer)
	buf.Reset()
	return buf
}

// PutBuffer returns buf to the pool; buf must not be used afterwards.
func (t *Templates) PutBuffer(buf *bytes.Buffer) {
	if buf.Cap() > 1<<20 {
		return // an unusually large page: let it go rather than keep it
	}
	t.pool.Put(buf)
}
