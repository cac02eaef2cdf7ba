package content

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestValidateRefusesUnstorableText puts a NUL and a byte that is not
// UTF-8 in each text field of each entity: Validate names the field.
func TestValidateRefusesUnstorableText(t *testing.T) {
	type check struct {
		name  string
		valid func(bad string) error
		field string
	}
	post := func(edit func(p *Post, bad string)) func(string) error {
		return func(bad string) error { p := validPost(); edit(p, bad); return p.Validate() }
	}
	checks := []check{
		{"post title", post(func(p *Post, b string) { p.Title = b }), "title"},
		{"post slug", post(func(p *Post, b string) { p.Slug = b }), "slug"},
		{"post body", post(func(p *Post, b string) { p.Body = b }), "body"},
		{"post excerpt", post(func(p *Post, b string) { p.Excerpt = b }), "excerpt"},
		{"post SEO title", post(func(p *Post, b string) { p.SEOTitle = b }), "seo_title"},
		{"post SEO description", post(func(p *Post, b string) { p.SEODescription = b }), "seo_description"},
		{"post source author", post(func(p *Post, b string) { p.Source = &Source{Name: "Wire", Author: b} }), "source.author"},
		{"post tag", post(func(p *Post, b string) { p.Tags = []Term{{Taxonomy: TaxTag, Slug: "t", Name: b}} }), "tags"},
		{"post category", post(func(p *Post, b string) { p.Categories = []Term{{Taxonomy: TaxCategory, Slug: b, Name: "c"}} }), "categories"},
		{"term name", func(b string) error { return (&Term{Taxonomy: TaxTag, Slug: "t", Name: b}).Validate() }, "name"},
		{"term description", func(b string) error {
			return (&Term{Taxonomy: TaxTag, Slug: "t", Name: "t", Description: b}).Validate()
		}, "description"},
		{"user name", func(b string) error { return (&User{Slug: "u", Name: b, Role: RoleAuthor}).Validate() }, "name"},
		{"user email", func(b string) error {
			return (&User{Slug: "u", Name: "U", Email: b + "@x.org", Role: RoleAuthor}).Validate()
		}, "email"},
		{"user bio", func(b string) error { return (&User{Slug: "u", Name: "U", Bio: b, Role: RoleAuthor}).Validate() }, "bio"},
		{"settings title", func(b string) error { s := DefaultSettings(); s.Title = b; return s.Validate() }, "title"},
		{"settings robots.txt", func(b string) error { s := DefaultSettings(); s.RobotsTxt = b; return s.Validate() }, "robots_txt"},
		{"settings menu", func(b string) error {
			s := DefaultSettings()
			s.Menu = []MenuItem{{Label: b, URL: "/a/"}}
			return s.Validate()
		}, "menu"},
		{"media alt", func(b string) error { return (&Media{Alt: b}).Validate() }, "alt"},
		{"media caption", func(b string) error { return (&Media{Caption: b}).Validate() }, "caption"},
		{"outlet name", func(b string) error {
			o := &Outlet{Name: b, Homepage: "https://wire.example/"}
			o.Normalize()
			return o.Validate()
		}, "name"},
		{"outlet notes", func(b string) error {
			o := &Outlet{Name: "Wire", Homepage: "https://wire.example/", Notes: b}
			o.Normalize()
			return o.Validate()
		}, "notes"},
	}
	for _, c := range checks {
		if err := c.valid("fine"); err != nil {
			t.Errorf("%s: a good value is refused: %v", c.name, err)
		}
		for _, bad := range []string{"a\x00b", "a\xffb"} {
			err := c.valid(bad)
			var e *Error
			if !errors.As(err, &e) || e.Code != EInvalid || e.Field != c.field {
				t.Errorf("%s %q: err = %v, want an invalid %s", c.name, bad, err, c.field)
			}
		}
	}
	// Other control characters, which imported articles carry, are kept.
	p := validPost()
	p.Body = "a\x0bb\x1fc"
	if err := p.Validate(); err != nil {
		t.Errorf("a body with a vertical tab: %v", err)
	}
}

// TestPostTermsAreBounded checks the cap on a post's categories and tags
// together, and that it is named with its limit.
func TestPostTermsAreBounded(t *testing.T) {
	terms := func(tax Taxonomy, n int) []Term {
		out := make([]Term, n)
		for i := range out {
			out[i] = Term{Taxonomy: tax, Slug: fmt.Sprint(i), Name: fmt.Sprint(i)}
		}
		return out
	}
	p := validPost()
	p.Categories, p.Tags = terms(TaxCategory, 10), terms(TaxTag, MaxTermsPerPost-10)
	if err := p.Validate(); err != nil {
		t.Fatalf("%d terms: %v", MaxTermsPerPost, err)
	}
	p.Tags = append(p.Tags, Term{Taxonomy: TaxTag, Slug: "one-more", Name: "one more"})
	var e *Error
	if err := p.Validate(); !errors.As(err, &e) || e.Field != "tags" || !strings.Contains(e.Message, fmt.Sprint(MaxTermsPerPost)) {
		t.Errorf("%d terms: err = %v, want an invalid tags naming the limit", MaxTermsPerPost+1, err)
	}
	p.Categories, p.Tags = terms(TaxCategory, MaxTermsPerPost+1), nil
	if err := p.Validate(); !errors.As(err, &e) || e.Field != "categories" {
		t.Errorf("%d categories: err = %v, want an invalid categories", MaxTermsPerPost+1, err)
	}
	p.Categories, p.Authors = nil, make([]User, MaxAuthorsPerPost+1)
	if err := p.Validate(); !errors.As(err, &e) || e.Field != "authors" {
		t.Errorf("%d authors: err = %v, want an invalid authors", MaxAuthorsPerPost+1, err)
	}
}

func TestCleanText(t *testing.T) {
	for in, want := range map[string]string{"plain": "plain", "a\x00b": "ab", "a\xffb": "a\uFFFDb", "\x00\xfe\x00": "\uFFFD"} {
		got, changed := CleanText(in)
		if got != want || changed != (in != want) {
			t.Errorf("CleanText(%q) = %q, %v; want %q", in, got, changed, want)
		}
		if err := StorableText("x", got); err != nil {
			t.Errorf("CleanText(%q) is not storable: %v", in, err)
		}
	}
}
