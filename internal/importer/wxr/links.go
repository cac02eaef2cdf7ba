package wxr

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/wordpress"
)

// linker rewrites the old site's addresses inside bodies to the new ones:
// links to posts, pages, archives and attachment pages, and the files of
// wp-content/uploads. What the import has written so far (this run and
// earlier ones) is its map: aliases, media records, posts.
type linker struct {
	tx    *store.Tx
	hosts map[string]bool // the old site's host names, lower case
	// fileHosts are the hosts its attachments' files were at, lower case
	// (a WordPress.com site's site.files.wordpress.com).
	fileHosts map[string]bool
	basePath  string // the old site's path prefix, without a trailing slash
	// memo holds the answers for one entry (its body, rendered body and
	// teaser name the same addresses); forget clears it between entries,
	// so it never grows with the export.
	memo map[string]resolved
	// known holds what the store said of the aliases, media keys and
	// slugs an entry's addresses may be, asked all at once (see rewrite);
	// forget clears it too, unless a window of entries was asked for
	// together (see ask), which the import's writes keep true (see
	// wroteAlias).
	known lookups
	// window is set while known holds the answers for the next entries
	// of the file, asked by ask.
	window bool
	// asking collects those questions instead of answering them.
	asking *lookups
}

// lookups are the store's answers, or the questions to ask it: alias
// targets by path, media URLs by storage key, entries' paths by kind and
// slug ("" for none).
type lookups struct {
	aliases, media map[string]string
	slugs          map[content.Kind]map[string]string
}

func newLookups() lookups {
	return lookups{aliases: map[string]string{}, media: map[string]string{},
		slugs: map[content.Kind]map[string]string{content.KindPost: {}, content.KindPage: {}}}
}

func (k lookups) clear() {
	clear(k.aliases)
	clear(k.media)
	for _, m := range k.slugs {
		clear(m)
	}
}

type resolved struct {
	ours   bool
	newURL string
}

// forget starts a new entry's memo, and its answers unless they are a
// window's.
func (l *linker) forget() {
	clear(l.memo)
	if !l.window {
		l.known.clear()
	}
}

// ask asks the store at once what the addresses in the bodies of the
// next entries of the file may lead to, in place of a query for each
// entry: the entries' bodies as the export has them, so an address their
// conversion adds is asked for when it is met. What the import writes
// before an entry's turn is told with wroteAlias, wroteMedia and
// wroteEntry, so no answer goes stale; the answers stay until the next
// window, or until closeWindow.
func (l *linker) ask(ctx context.Context, bodies []string) error {
	clear(l.memo)
	l.known.clear()
	l.window = true
	return l.lookUp(ctx, bodies...)
}

// closeWindow forgets a window's answers: entries read after it ask for
// their own.
func (l *linker) closeWindow() {
	l.window = false
	l.forget()
}

// wroteAlias, wroteMedia and wroteEntry tell the linker that the import
// wrote what may answer a question it knows the answer of: an alias at a
// path, a media file under a storage key, an entry of a kind under a
// slug. The answer is asked again when needed.
func (l *linker) wroteAlias(path string) { delete(l.known.aliases, path) }

func (l *linker) wroteMedia(key string) { delete(l.known.media, key) }

func (l *linker) wroteEntry(kind content.Kind, slug string) { delete(l.known.slugs[kind], slug) }

// rewroteEntry tells the linker that an entry already stored was written
// again: its old slug and the aliases leading to it may answer otherwise
// now, so every answer is asked again.
func (l *linker) rewroteEntry() {
	l.known.clear()
}

func newLinker(tx *store.Tx, base *url.URL) *linker {
	l := &linker{tx: tx, hosts: map[string]bool{}, fileHosts: map[string]bool{}, memo: map[string]resolved{}, known: newLookups()}
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
	if err := l.lookUp(ctx, body); err != nil {
		return "", nil, err
	}
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
		key := strings.TrimSpace(value)
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
			unresolved = append(unresolved, value)
			return value, true
		}
		return newURL, true
	})
	return out, unresolved, ferr
}

// lookUp asks the store at once everything resolving the bodies'
// addresses may ask and it does not know yet: a post's many links cost a
// query, not one or two each.
// The questions are found by resolving each address as if the store knew
// nothing, which asks every question a real answer could lead to.
func (l *linker) lookUp(ctx context.Context, bodies ...string) error {
	asking := newLookups()
	l.asking = &asking
	for _, body := range bodies {
		for _, v := range linkValues(body) {
			if _, ok := l.memo[v]; !ok {
				l.resolve(ctx, v)
			}
		}
	}
	l.asking = nil
	// What is known already is not asked again.
	unknown := func(asked, known map[string]string) []string {
		var keys []string
		for k := range asked {
			if _, ok := known[k]; !ok {
				keys = append(keys, k)
			}
		}
		return keys
	}
	q := store.LinkLookup{Aliases: unknown(asking.aliases, l.known.aliases), Media: unknown(asking.media, l.known.media),
		Posts: unknown(asking.slugs[content.KindPost], l.known.slugs[content.KindPost]),
		Pages: unknown(asking.slugs[content.KindPage], l.known.slugs[content.KindPage])}
	if len(q.Aliases)+len(q.Media)+len(q.Posts)+len(q.Pages) == 0 {
		return nil
	}
	found, err := l.tx.FindLinkTargets(ctx, q)
	if err != nil {
		return err
	}
	// What was asked and not found is known too: as nothing.
	for _, a := range []struct {
		asked []string
		found map[string]string
		known map[string]string
	}{{q.Aliases, found.Aliases, l.known.aliases}, {q.Media, found.Media, l.known.media},
		{q.Posts, found.Posts, l.known.slugs[content.KindPost]}, {q.Pages, found.Pages, l.known.slugs[content.KindPage]}} {
		for _, k := range a.asked {
			a.known[k] = a.found[k]
		}
	}
	return nil
}

// linkValues returns the values of the attributes rewrite may change.
func linkValues(body string) []string {
	var vs []string
	scanAttrs(body, func(name, value string) (string, bool) {
		switch name {
		case "href", "src", "poster":
			vs = append(vs, strings.TrimSpace(value))
		}
		return value, true
	})
	return vs
}

// scanAttrs calls fn with the name and value of every attribute of the
// start tags of an HTML fragment, as golang.org/x/net/html's tokenizer
// reads them (names in lower case, values with their character references
// decoded, quoted or not); fn returns the new value, or false to drop the
// attribute. A tag whose attributes all stay as they are is copied as it
// was written, and so is the rest of the text, comments and the insides of
// <script> and <style> included; a tag with a changed attribute is written
// anew, as the sanitiser writes tags: names in lower case, values in
// double quotes.
func scanAttrs(s string, fn func(name, value string) (string, bool)) string {
	var (
		b     strings.Builder
		attrs []xhtml.Attribute
		pos   int // where in s the current token ends
	)
	b.Grow(len(s))
	z := xhtml.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		start := pos
		pos += len(z.Raw())
		switch tt {
		case xhtml.ErrorToken:
			// The end, or a tag the text ends inside: the rest as it is.
			b.WriteString(s[start:])
			return b.String()
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
		default:
			b.WriteString(s[start:pos])
			continue
		}
		name, more := z.TagName()
		changed := false
		attrs = attrs[:0]
		for more {
			var k, v []byte
			k, v, more = z.TagAttr()
			// Strings of the tokenizer's bytes, which its next token reuses;
			// a name HTML knows costs no copy.
			key, val := atomString(k), string(v)
			nv, keep := fn(key, val)
			if !keep {
				changed = true
				continue
			}
			changed = changed || nv != val
			attrs = append(attrs, xhtml.Attribute{Key: key, Val: nv})
		}
		if !changed {
			b.WriteString(s[start:pos])
			continue
		}
		// Written as html.Token.String writes tags, which is how the
		// sanitiser writes them, so that a rewritten body stays in the form
		// it gave it; written here, not by a Token, to spare the import an
		// allocation per tag.
		b.WriteByte('<')
		b.Write(name)
		for _, a := range attrs {
			b.WriteByte(' ')
			b.WriteString(a.Key)
			b.WriteString(`="`)
			b.WriteString(xhtml.EscapeString(a.Val))
			b.WriteByte('"')
		}
		if tt == xhtml.SelfClosingTagToken {
			b.WriteByte('/')
		}
		b.WriteByte('>')
	}
}

// atomString returns b as a string, without a copy when b is a name HTML knows.
func atomString(b []byte) string {
	if a := atom.Lookup(b); a != 0 {
		return a.String()
	}
	return string(b)
}

// resolve tells whether raw is an address of the old site and, if the
// import knows its new place, returns it.
func (l *linker) resolve(ctx context.Context, raw string) (ours bool, newURL string, err error) {
	u, perr := url.Parse(raw)
	if perr != nil || (u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https") {
		return false, "", nil
	}
	if u.Host != "" && !l.hosts[strings.ToLower(u.Host)] {
		// A WordPress.com site's files and Jetpack's copies of any site's
		// are on hosts of their own: a file the library holds is ours.
		if rel, ok := wordpress.HostedFile(u); ok && rel != "" {
			m, err := l.findMedia(ctx, rel)
			return m != "" || l.fileHost(u), m, err
		}
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
	// Themes and editors write //2024/05/10/port/; it is the same page.
	for strings.Contains(path, "//") {
		path = strings.ReplaceAll(path, "//", "/")
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
	if l.asking != nil {
		l.asking.aliases[path] = ""
		return "", nil
	}
	if t, ok := l.known.aliases[path]; ok {
		return t, nil
	}
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
	if l.asking != nil {
		l.asking.slugs[kind][slug] = ""
		return "", nil
	}
	own, ok := l.known.slugs[kind][slug]
	if !ok {
		own, err = l.tx.FindSlugPath(ctx, kind, slug)
	}
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
		if l.asking != nil {
			l.asking.media[r] = ""
			continue
		}
		if u, ok := l.known.media[r]; ok {
			if u != "" {
				return u, nil
			}
			continue
		}
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

// fileHost reports whether u, an address of a WordPress.com file host or
// of Jetpack's image service, names a file of the old site's: one on its
// own files host (site.files.wordpress.com for site.wordpress.com, or one
// its attachments were at), or a copy of its wp-content/uploads.
func (l *linker) fileHost(u *url.URL) bool {
	host := strings.ToLower(u.Hostname())
	if len(host) == len("i0.wp.com") && strings.HasSuffix(host, ".wp.com") {
		inner, rest, _ := strings.Cut(strings.TrimPrefix(u.EscapedPath(), "/"), "/")
		if _, ok := wordpress.UploadsFile("/" + rest); ok {
			return l.hosts[strings.ToLower(inner)]
		}
		host = strings.ToLower(inner)
	}
	if l.fileHosts[host] {
		return true
	}
	site, _, _ := strings.Cut(host, ".files.wordpress.com")
	for h := range l.hosts {
		if h == site+".wordpress.com" {
			return true
		}
	}
	return false
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
