package wxr

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/wordpress"
)

// linker rewrites the old site's addresses inside bodies to the new ones:
// links to posts, pages, archives and attachment pages, and the files of
// wp-content/uploads. What the import has written so far (this run and
// earlier ones) is its map: aliases, media records, posts.
type linker struct {
	tx       *store.Tx
	hosts    map[string]bool // the old site's host names, lower case
	basePath string          // the old site's path prefix, without a trailing slash
	// memo holds the answers for one entry (its body, rendered body and
	// teaser name the same addresses); forget clears it between entries,
	// so it never grows with the export.
	memo map[string]resolved
}

type resolved struct {
	ours   bool
	newURL string
}

// forget starts a new entry's memo.
func (l *linker) forget() { clear(l.memo) }

func newLinker(tx *store.Tx, base *url.URL) *linker {
	l := &linker{tx: tx, hosts: map[string]bool{}, memo: map[string]resolved{}}
	if base != nil && base.Host != "" {
		h := strings.ToLower(base.Host)
		l.hosts[h] = true
		if strings.HasPrefix(h, "www.") {
			l.hosts[strings.TrimPrefix(h, "www.")] = true
		} else {
			l.hosts["www."+h] = true
		}
		l.basePath = strings.TrimSuffix(base.EscapedPath(), "/")
	}
	return l
}

// rewrite returns body with every address of the old site it could place
// rewritten, and the addresses it could not place. The srcset and sizes
// attributes WordPress adds name size variants the library does not keep,
// so they are dropped.
func (l *linker) rewrite(ctx context.Context, body string) (string, []string, error) {
	var (
		unresolved []string
		ferr       error
	)
	out := scanAttrs(body, func(name, value string) (string, bool) {
		switch name {
		case "srcset", "sizes":
			return "", false
		case "href", "src", "poster":
		default:
			return value, true
		}
		raw := html.UnescapeString(value)
		key := strings.TrimSpace(raw)
		r, known := l.memo[key]
		if !known {
			var err error
			r.ours, r.newURL, err = l.resolve(ctx, key)
			if err != nil && ferr == nil {
				ferr = err
			}
			if err == nil {
				l.memo[key] = r
			}
		}
		ours, newURL := r.ours, r.newURL
		if !ours {
			return value, true
		}
		if newURL == "" {
			unresolved = append(unresolved, raw)
			return value, true
		}
		return html.EscapeString(newURL), true
	})
	return out, unresolved, ferr
}

// scanAttrs calls fn with the lower-case name and raw value of every quoted
// attribute in the tags of an HTML fragment; fn returns the new raw value,
// or false to drop the attribute. The rest of the text is copied as it is.
// A hand-written scan: regular expressions cost the import a third of its
// time on a large site.
func scanAttrs(s string, fn func(name, value string) (string, bool)) string {
	var b strings.Builder
	b.Grow(len(s))
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 || i+1 >= len(s) {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s = s[i:]
		if strings.HasPrefix(s, "<!--") {
			end := strings.Index(s, "-->")
			if end < 0 {
				b.WriteString(s)
				return b.String()
			}
			b.WriteString(s[:end+3])
			s = s[end+3:]
			continue
		}
		if c := s[1]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b.WriteByte('<')
			s = s[1:]
			continue
		}
		// Tag name.
		j := 1
		for j < len(s) && !isSpace(s[j]) && s[j] != '>' && s[j] != '/' {
			j++
		}
		b.WriteString(s[:j])
		s = s[j:]
		// Attributes, up to the closing '>'.
		for len(s) > 0 && s[0] != '>' {
			k := 0
			for k < len(s) && isSpace(s[k]) {
				k++
			}
			lead := s[:k]
			s = s[k:]
			n := 0
			for n < len(s) && !isSpace(s[n]) && s[n] != '=' && s[n] != '>' {
				n++
			}
			if n == 0 {
				if len(s) > 0 && s[0] != '>' {
					b.WriteString(lead)
					b.WriteByte(s[0])
					s = s[1:]
					continue
				}
				b.WriteString(lead)
				break
			}
			name := s[:n]
			rest := s[n:]
			e := 0
			for e < len(rest) && isSpace(rest[e]) {
				e++
			}
			if e >= len(rest) || rest[e] != '=' {
				b.WriteString(lead)
				b.WriteString(name)
				s = rest
				continue
			}
			v := e + 1
			for v < len(rest) && isSpace(rest[v]) {
				v++
			}
			if v >= len(rest) || (rest[v] != '"' && rest[v] != '\'') {
				// Unquoted value: copy as it is.
				w := v
				for w < len(rest) && !isSpace(rest[w]) && rest[w] != '>' {
					w++
				}
				b.WriteString(lead)
				b.WriteString(name)
				b.WriteString(rest[:w])
				s = rest[w:]
				continue
			}
			q := rest[v]
			end := strings.IndexByte(rest[v+1:], q)
			if end < 0 {
				b.WriteString(lead)
				b.WriteString(name)
				b.WriteString(rest)
				return b.String()
			}
			value := rest[v+1 : v+1+end]
			s = rest[v+2+end:]
			nv, keep := fn(strings.ToLower(name), value)
			if !keep {
				continue
			}
			b.WriteString(lead)
			b.WriteString(name)
			if nv == value {
				b.WriteString(rest[:v+2+end])
				continue
			}
			b.WriteString(`="`)
			b.WriteString(strings.ReplaceAll(nv, `"`, "&#34;"))
			b.WriteByte('"')
		}
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// resolve tells whether raw is an address of the old site and, if the
// import knows its new place, returns it.
func (l *linker) resolve(ctx context.Context, raw string) (ours bool, newURL string, err error) {
	u, perr := url.Parse(raw)
	if perr != nil || (u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https") {
		return false, "", nil
	}
	if u.Host != "" && !l.hosts[strings.ToLower(u.Host)] {
		return false, "", nil
	}
	if u.Host == "" && (u.Scheme != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(raw, "//")) {
		return false, "", nil
	}
	path := u.EscapedPath()
	if u.Host != "" && l.basePath != "" {
		path = strings.TrimPrefix(path, l.basePath)
	}
	if path == "" {
		path = "/"
	}
	if rel, ok := wordpress.UploadsFile(path); ok {
		if rel == "" {
			return true, "", nil
		}
		m, err := l.findMedia(ctx, rel)
		return true, m, err
	}
	frag := ""
	if u.Fragment != "" {
		frag = "#" + u.EscapedFragment()
	}
	if path == "/" || path == "/index.php" {
		key := wordpress.QueryAliasPath(u.Query())
		if key == "" {
			if u.Host != "" || u.RawQuery == "" {
				return true, "/" + frag, nil
			}
			return false, "", nil
		}
		target, err := l.aliasTarget(ctx, key)
		if target == "" {
			return true, "", err
		}
		return true, target + frag, err
	}
	if strings.HasPrefix(path, content.MediaURLPrefix) {
		return false, "", nil // already in the library
	}
	for _, p := range []string{path, path + "/"} {
		if strings.HasSuffix(p, "//") {
			continue
		}
		p = escapePath(p) // aliases are stored in this form
		target, err := l.aliasTarget(ctx, p)
		if err != nil {
			return true, "", err
		}
		if target != "" {
			return true, target + frag, nil
		}
		if own, err := l.ownPath(ctx, p); err != nil || own != "" {
			return true, own + frag, err
		}
	}
	// An absolute address of the old site that leads nowhere is worth a
	// report line; a relative one may be a page the new site serves itself
	// (/feed/, /search/), so it is left alone.
	return u.Host != "", "", nil
}

// aliasTarget returns where the alias at path leads, or "" for none. The
// store is the import's memory: what it wrote this run and earlier runs
// alike, so nothing grows in memory with the size of the export.
func (l *linker) aliasTarget(ctx context.Context, path string) (string, error) {
	return l.tx.FindAliasTarget(ctx, path)
}

var postPathRe = regexp.MustCompile(`^/\d{4}/\d{2}/\d{2}/([^/]+)/$`)
var pagePathRe = regexp.MustCompile(`^/([^/]+)/$`)

// ownPath returns the entry's address when path already is one, as when
// the old site used Broadsheet's permalink shape, or "".
func (l *linker) ownPath(ctx context.Context, path string) (string, error) {
	kind, slug := content.KindPost, ""
	if m := postPathRe.FindStringSubmatch(path); m != nil {
		slug = m[1]
	} else if m := pagePathRe.FindStringSubmatch(path); m != nil {
		kind, slug = content.KindPage, m[1]
	} else {
		return "", nil
	}
	slug, err := url.PathUnescape(slug)
	if err != nil {
		return "", nil
	}
	own, err := l.tx.FindSlugPath(ctx, kind, slug)
	if err != nil || own != path {
		return "", err
	}
	return own, nil
}

func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if u, err := url.PathUnescape(s); err == nil {
			segs[i] = url.PathEscape(u)
		}
	}
	return strings.Join(segs, "/")
}

// findMedia returns the library URL of an uploads path, or of the original
// of a resized copy, or "".
func (l *linker) findMedia(ctx context.Context, rel string) (string, error) {
	for _, r := range []string{rel, wordpress.OriginalUpload(rel)} {
		m, err := l.tx.FindMediaByStorageKey(ctx, r)
		if err == nil {
			return m.URL(), nil
		}
		if !content.IsNotFound(err) {
			return "", err
		}
	}
	return "", nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
