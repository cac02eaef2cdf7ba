package wordpress

import (
	"net/url"
	"regexp"
	"strings"
)

// The query keys of WordPress's plain addresses (/?p=12, /?cat=3, …).
const (
	QueryPost       = "p"
	QueryPage       = "page_id"
	QueryAttachment = "attachment_id"
	QueryCategory   = "cat"
	QueryTag        = "tag"
	QueryAuthor     = "author"
	QueryFeed       = "feed"
)

// queryKeys are the keys QueryAliasPath recognises, in the order it tries
// them: an address naming two keeps the first.
var queryKeys = []string{QueryPost, QueryPage, QueryAttachment, QueryCategory, QueryTag, QueryAuthor, QueryFeed}

// QueryPath returns the plain WordPress address of key=value, in the form
// under which an import keeps it as an alias: /?p=12.
func QueryPath(key, value string) string {
	return "/?" + key + "=" + url.QueryEscape(value)
}

// QueryAliasPath returns the alias path under which a plain WordPress
// address such as /?p=12 is kept, or "" when q holds none of its keys.
func QueryAliasPath(q url.Values) string {
	for _, k := range queryKeys {
		if v := q.Get(k); v != "" {
			return QueryPath(k, v)
		}
	}
	return ""
}

// AuthorPath is the address of an author's archive on a WordPress site.
func AuthorPath(login string) string { return "/author/" + url.PathEscape(login) + "/" }

// TagPath is the address of a tag's archive on a WordPress site.
func TagPath(slug string) string { return "/tag/" + url.PathEscape(slug) + "/" }

// CategoryPath is the address of a category's archive on a WordPress site,
// which nests it under its parents: CategoryPath("world", "africa") is
// /category/world/africa/.
func CategoryPath(slugs ...string) string {
	esc := make([]string, len(slugs))
	for i, s := range slugs {
		esc[i] = url.PathEscape(s)
	}
	return "/category/" + strings.Join(esc, "/") + "/"
}

// uploadsDir is where WordPress keeps uploaded files, under the site's root.
const uploadsDir = "/wp-content/uploads/"

// UploadsFile returns the path of a file inside the uploads folder that
// the address or path p names (2024/05/port.jpg for
// https://example.org/wp-content/uploads/2024/05/port.jpg), unescaped, and
// whether p names the uploads folder at all. The path is "" when its
// escapes are broken.
func UploadsFile(p string) (rel string, ok bool) {
	i := strings.Index(p, uploadsDir)
	if i < 0 {
		return "", false
	}
	rel, err := url.PathUnescape(p[i+len(uploadsDir):])
	if err != nil {
		return "", true
	}
	return rel, true
}

// sizeSuffix is the "-300x200" WordPress adds to resized copies of an image.
var sizeSuffix = regexp.MustCompile(`-\d+x\d+(\.[A-Za-z0-9]+)$`)

// OriginalUpload returns the path of the original of a resized copy of an
// image (2024/05/port.jpg for 2024/05/port-300x200.jpg), or rel itself.
func OriginalUpload(rel string) string { return sizeSuffix.ReplaceAllString(rel, "$1") }

// HostedFile returns the path inside the uploads folder of a file that a
// WordPress.com site, or Jetpack's image service, serves from its own
// hosts, and whether u is such an address at all:
// https://site.files.wordpress.com/2019/03/port.jpg and
// https://i0.wp.com/site.files.wordpress.com/2019/03/port.jpg are
// 2019/03/port.jpg, and https://i2.wp.com/example.org/wp-content/uploads/2019/03/port.jpg
// is too. The query (?w=300, ?resize=…) names a size, not another file.
func HostedFile(u *url.URL) (rel string, ok bool) {
	host := strings.ToLower(u.Hostname())
	path := u.EscapedPath()
	if isImageCDN(host) {
		// The original's host and path follow the service's host.
		inner := strings.TrimPrefix(path, "/")
		innerHost, rest, found := strings.Cut(inner, "/")
		if !found {
			return "", false
		}
		if r, ok := UploadsFile("/" + rest); ok {
			return r, true
		}
		host, path = strings.ToLower(innerHost), "/"+rest
	}
	if !strings.HasSuffix(host, ".files.wordpress.com") {
		return "", false
	}
	rel, err := url.PathUnescape(strings.TrimPrefix(path, "/"))
	if err != nil {
		return "", true
	}
	return rel, true
}

// isImageCDN reports whether host is one of Jetpack's image service's
// (i0.wp.com to i3.wp.com).
func isImageCDN(host string) bool {
	return len(host) == len("i0.wp.com") && host[0] == 'i' && host[1] >= '0' && host[1] <= '3' && host[2:] == ".wp.com"
}
