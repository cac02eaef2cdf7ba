package site

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strings"
)

// assets fingerprints the theme's static files, so that pages can link to
// /static/site.<hash>.css and browsers and CDNs may keep it for ever: a
// changed file gets a new name.
type assets struct {
	fingerprinted map[string]string // "site.css" → "site.1a2b3c4d5e.css"
	original      map[string]string // the reverse
}

// fingerprint matches name.<10 hex digits>.ext.
var fingerprint = regexp.MustCompile(`^(.+)\.[0-9a-f]{10}(\.[^./]+)$`)

func loadAssets(static fs.FS) (*assets, error) {
	a := &assets{fingerprinted: map[string]string{}, original: map[string]string{}}
	err := fs.WalkDir(static, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		a.fingerprinted[name], a.original[hashed] = hashed, name
		return nil
	})
	return a, err
}

// url is the fingerprinted address of a static file, or its plain address
// when the theme has no such file (a broken link is then visible in the
// page rather than a failed render).
func (a *assets) url(name string) string {
	if h, ok := a.fingerprinted[strings.TrimPrefix(name, "/")]; ok {
		return "/static/" + h
	}
	return "/static/" + strings.TrimPrefix(name, "/")
}

// Assets maps each static file of the theme to its fingerprinted URL path,
// for tools that copy the site (the static export).
func (s *Site) Assets() map[string]string {
	out := make(map[string]string, len(s.assets.fingerprinted))
	for name := range s.assets.fingerprinted {
		out[name] = s.assets.url(name)
	}
	return out
}

// staticHandler serves the theme's static files under /static/ (stripped):
// fingerprinted names for ever, plain names and stale fingerprints (pages
// cached elsewhere before a theme change) for an hour.
func (a *assets) handler(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Path
		if strings.HasSuffix(name, "/") || name == "" {
			http.NotFound(w, r)
			return
		}
		cacheControl := "public, max-age=3600"
		if orig, ok := a.original[name]; ok {
			name, cacheControl = orig, "public, max-age=31536000, immutable"
		} else if m := fingerprint.FindStringSubmatch(name); m != nil {
			if _, ok := a.fingerprinted[m[1]+m[2]]; ok {
				name = m[1] + m[2]
			}
		}
		w.Header().Set("Cache-Control", cacheControl)
		r2 := *r
		u := *r.URL
		u.Path = "/" + name
		r2.URL = &u
		files.ServeHTTP(w, &r2)
	})
}
