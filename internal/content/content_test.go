package content

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func validPost() *Post {
	return &Post{Kind: KindPost, Title: "Title", Slug: "title", Status: StatusPublished, Format: FormatHTML,
		PublishedAt: time.Date(2025, 12, 20, 18, 0, 0, 0, time.UTC)}
}

func TestPostValidateNamesTheField(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(p *Post)
		field string
	}{
		{"valid", func(p *Post) {}, ""},
		{"draft without title", func(p *Post) { p.Title, p.Status = "", StatusDraft }, ""},
		{"published without title", func(p *Post) { p.Title = " " }, "title"},
		{"bad kind", func(p *Post) { p.Kind = "note" }, "kind"},
		{"bad status", func(p *Post) { p.Status = "live" }, "status"},
		{"empty slug", func(p *Post) { p.Slug = "" }, "slug"},
		{"slug with slash", func(p *Post) { p.Slug = "a/b" }, "slug"},
		{"bad format", func(p *Post) { p.Format = "rtf" }, "format"},
		{"published without time", func(p *Post) { p.PublishedAt = time.Time{} }, "published_at"},
		{"javascript source", func(p *Post) { p.Source = &Source{Name: "x", URL: "javascript:alert(1)"} }, "source.url"},
		{"relative source", func(p *Post) { p.Source = &Source{Name: "x", URL: "/a"} }, "source.url"},
	}
	for _, tt := range tests {
		p := validPost()
		tt.edit(p)
		err := p.Validate()
		var e *Error
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tt.name, err)
		case tt.field != "" && (!errors.As(err, &e) || e.Field != tt.field || e.Code != EInvalid):
			t.Errorf("%s: err = %v, want an invalid %s", tt.name, err, tt.field)
		}
	}
}

func TestPaths(t *testing.T) {
	p := validPost()
	p.Slug = "łodz"
	if got, want := p.Path(), "/2025/12/20/%C5%82odz/"; got != want {
		t.Errorf("post path = %q, want %q", got, want)
	}
	p.Kind = KindPage
	if got := p.Path(); got != "/%C5%82odz/" {
		t.Errorf("page path = %q", got)
	}
	tag := Term{Taxonomy: TaxTag, Slug: "water"}
	if tag.Path() != "/tag/water/" {
		t.Errorf("tag path = %q", tag.Path())
	}
}

func TestErrorCodes(t *testing.T) {
	wrapped := fmt.Errorf("store: %w", Errorf(ENotFound, "No such post."))
	if ErrorCode(wrapped) != ENotFound || !IsNotFound(wrapped) || ErrorMessage(wrapped) != "No such post." {
		t.Errorf("wrapped domain error lost its code or message: %v", wrapped)
	}
	plain := errors.New("disk on fire at /var/lib")
	if ErrorCode(plain) != EInternal || ErrorMessage(plain) != "Internal error." {
		t.Errorf("an internal error leaks its text: %q", ErrorMessage(plain))
	}
	if ErrorCode(nil) != "" {
		t.Errorf("nil has a code")
	}
}

func TestIsPublic(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := validPost()
	if !p.IsPublic(now) {
		t.Error("a past published post is not public")
	}
	p.PublishedAt = now.Add(time.Minute)
	if p.IsPublic(now) {
		t.Error("a future post is public")
	}
	p.PublishedAt, p.Status = now.Add(-time.Minute), StatusDraft
	if p.IsPublic(now) {
		t.Error("a draft is public")
	}
}

// TestPostPathDates: a post's address names its publication date in UTC,
// the year in four digits.
func TestPostPathDates(t *testing.T) {
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 1, 2, 23, 30, 0, 0, time.FixedZone("", -3600)), "/2026/01/03/a-b/"},
		{time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC), "/1999/12/31/a-b/"},
		{time.Date(987, 7, 9, 0, 0, 0, 0, time.UTC), "/0987/07/09/a-b/"},
		{time.Date(10000, 10, 10, 0, 0, 0, 0, time.UTC), "/10000/10/10/a-b/"},
	} {
		p := Post{Kind: KindPost, Slug: "a-b", PublishedAt: tc.at}
		if got := p.Path(); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.at, got, tc.want)
		}
	}
}

// TestValidateSlugRefusesDotsAndInvisibleCharacters: "." and ".." are the
// folder's own and its parent's address, and a slug with a character that
// shows nothing looks like another slug; each is refused as the slug field,
// saying which character, while letters of every script pass.
func TestValidateSlugRefusesDotsAndInvisibleCharacters(t *testing.T) {
	refused := map[string]string{
		".":                 `"."`,
		"..":                `".."`,
		"news\u200b":        "U+200B",
		"ne\u200dws":        "U+200D",
		"ne\u200cws":        "U+200C",
		"\ufeffnews":        "U+FEFF",
		"news\u00adpaper":   "U+00AD",
		"\u202enews":        "U+202E",
		"news\u202a":        "U+202A",
		"\u2066news\u2069":  "U+2066",
		"news\u0000":        "NUL character", // refused first as text no database can store
		"news\u007f":        "U+007F",
		"news\u0085":        "U+0085",
		"news\u00a0page":    "U+00A0",
		"news\u2028":        "U+2028",
		"\u3164":            "U+3164", // Hangul filler: a letter drawn as nothing
		"news\ufe0f":        "U+FE0F", // variation selector
		"news\U000e0041":    "U+E0041",
		"a\u034fb":          "U+034F", // combining grapheme joiner
		"news\u2060":        "U+2060", // word joiner
		"news\U0001d173end": "U+1D173",
	}
	for slug, says := range refused {
		err := ValidateSlug(slug)
		var e *Error
		if !errors.As(err, &e) || e.Field != "slug" || e.Code != EInvalid || !strings.Contains(e.Message, says) {
			t.Errorf("ValidateSlug(%q) = %v, want an invalid slug naming %s", slug, err, says)
		}
	}
	for _, slug := range []string{"news", "a.b", "...", ".well", "中国与世界", "москва", "مي-خواهم", "हिन्दी", "ქართული", "2026"} {
		if err := ValidateSlug(slug); err != nil {
			t.Errorf("ValidateSlug(%q) = %v, want it accepted", slug, err)
		}
	}
	p := validPost()
	p.Slug = "title\u200b"
	var e *Error
	if err := p.Validate(); !errors.As(err, &e) || e.Field != "slug" {
		t.Errorf("a post's invisible slug: %v, want an invalid slug", err)
	}
}
