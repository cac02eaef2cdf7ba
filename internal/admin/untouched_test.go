package admin_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// formValues reads the editor's form as a browser submits it: every
// named input, textarea and checked radio, with the textarea's line
// breaks sent as CR LF.
func formValues(t *testing.T, page string) url.Values {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	v := url.Values{}
	attr := func(n *html.Node, k string) (string, bool) {
		for _, a := range n.Attr {
			if a.Key == k {
				return a.Val, true
			}
		}
		return "", false
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			name, named := attr(n, "name")
			switch {
			case !named:
			case n.Data == "textarea":
				var b strings.Builder
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					b.WriteString(c.Data)
				}
				v.Add(name, strings.ReplaceAll(strings.ReplaceAll(b.String(), "\r\n", "\n"), "\n", "\r\n"))
			case n.Data == "input":
				typ, _ := attr(n, "type")
				_, checked := attr(n, "checked")
				if (typ == "radio" || typ == "checkbox") && !checked {
					break
				}
				val, _ := attr(n, "value")
				v.Add(name, val)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return v
}

// TestUntouchedSaveKeepsBody: a post opened in the editor and saved
// without a change keeps its body byte for byte, whether Markdown, HTML
// as imported (leading line break, LF or CR LF line breaks) or a
// republished article shown as introduction, attribution and article.
func TestUntouchedSaveKeepsBody(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		republished := "<!-- Editorial introduction: write it here, above the attribution line. -->\n" + content.EmptyIntroduction +
			"\n<p class=\"attribution-line\">The following article was originally published by Agency Wire.</p>\n" +
			"<p>First.</p>\n<!--more-->\n<p>Second &amp; last.</p>\n"
		cases := []struct {
			name   string
			format content.Format
			body   string
			source *content.Source
		}{
			{"markdown", content.FormatMarkdown, "# Heading\n\nA *paragraph*.\n\n<!--more-->\n\n- one\n- two\n", nil},
			{"html-leading-newline", content.FormatHTML, "\n<p>Imported</p>\n\n<p>from WordPress</p>", nil},
			{"html-crlf", content.FormatHTML, "<p>Written on Windows</p>\r\n<p>second</p>\r\n", nil},
			{"republished", content.FormatHTML, republished,
				&content.Source{Name: "Agency Wire", URL: "https://agency.example/summit", Author: "Lin Wei"}},
			{"republished-written", content.FormatHTML, strings.Replace(republished, content.EmptyIntroduction,
				`<p class="editorial-introduction">Why we carry this &amp; more.</p>`, 1),
				&content.Source{Name: "Agency Wire", URL: "https://agency.example/summit"}},
		}
		c := e.signIn("editor")
		for i, tc := range cases {
			p := &content.Post{Kind: content.KindPost, Title: tc.name, Slug: fmt.Sprintf("untouched-%d", i), Status: content.StatusDraft,
				Format: tc.format, Body: tc.body, Authors: []content.User{*e.users["editor"]}, Source: tc.source}
			if err := markup.RenderPost(p); err != nil {
				t.Fatal(err)
			}
			if err := db.Update(ctx, func(tx *store.Tx) error { return tx.CreatePost(ctx, p) }); err != nil {
				t.Fatal(err)
			}
			edit := fmt.Sprintf("%s/admin/posts/%d", e.srv.URL, p.ID)
			res, err := c.Get(edit)
			if err != nil {
				t.Fatal(err)
			}
			form := formValues(t, readAll(t, res))
			form.Set("action", "save")
			res, err = c.PostForm(edit, form)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: save answered %d", tc.name, res.StatusCode)
			}
			got, err := db.FindPostByID(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Body != tc.body || got.Format != tc.format {
				t.Errorf("%s: saving untouched changed the body (%s):\n got %q\nwant %q", tc.name, got.Format, got.Body, tc.body)
			}
		}
	})
}

// TestRepublishedFormSave: a republished article's introduction is
// written in its own field, and changing the source fields remakes the
// attribution line from them, with the original author as the byline.
func TestRepublishedFormSave(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		body := content.EmptyIntroduction + "\n<p class=\"attribution-line\">The following article was originally published by Agency Wire.</p>\n<p>The article.</p>\n"
		p := &content.Post{Kind: content.KindPost, Title: "Leaders meet", Slug: "leaders-meet", Status: content.StatusDraft,
			Format: content.FormatHTML, Body: body, Authors: []content.User{*e.users["editor"]},
			Source: &content.Source{Name: "Agency Wire", URL: "https://agency.example/summit"}}
		if err := markup.RenderPost(p); err != nil {
			t.Fatal(err)
		}
		if err := db.Update(ctx, func(tx *store.Tx) error { return tx.CreatePost(ctx, p) }); err != nil {
			t.Fatal(err)
		}
		c := e.signIn("editor")
		edit := fmt.Sprintf("%s/admin/posts/%d", e.srv.URL, p.ID)
		res, _ := c.Get(edit)
		page := readAll(t, res)
		if !strings.Contains(page, `id="introduction"`) {
			t.Error("the editor has no introduction field")
		}
		form := formValues(t, page)
		if form.Get("body") != "<p>The article.</p>\r\n" || form.Get("introduction") != "" {
			t.Fatalf("the form shows body %q, introduction %q", form.Get("body"), form.Get("introduction"))
		}
		form.Set("introduction", "Why we carry this: <trade> matters.")
		form.Set("source_author", "Lin Wei")
		form.Set("action", "save")
		res, _ = c.PostForm(edit, form)
		res.Body.Close()
		got, _ := db.FindPostByID(ctx, p.ID)
		want := `<p class="editorial-introduction">Why we carry this: &lt;trade&gt; matters.</p>` + "\n" +
			`<p class="attribution-line">The following article was originally published by <a href="https://agency.example/summit">Agency Wire</a>. By Lin Wei.</p>` +
			"\n<p>The article.</p>\n"
		if got.Body != want {
			t.Errorf("saved body\n got %q\nwant %q", got.Body, want)
		}
		if len(got.Authors) != 1 || got.Authors[0].ID != e.users["editor"].ID || got.Source.Author != "Lin Wei" {
			t.Errorf("authors %v, source %+v: want the editor as the post's author and the original author in the source", got.Authors, got.Source)
		}
	})
}

// TestPostFormat: the API's format says what language the body is in; a
// post keeps its format when a change does not name one, and an unknown
// format is refused naming the field.
func TestPostFormat(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		status, made := e.call("editor", "POST", "/api/v1/posts", map[string]any{"title": "Rich", "body": "<h2>A heading</h2>", "format": "html"})
		if status != 201 || made["format"] != "html" {
			t.Fatalf("create with format html: %d %v", status, made)
		}
		path := fmt.Sprintf("/api/v1/posts/%d", int64(made["id"].(float64)))
		if status, out := e.call("editor", "PATCH", path, map[string]any{"body": "<p>*not emphasis*</p>"}); status != 200 || out["format"] != "html" {
			t.Errorf("a change without format: %d, format %v", status, out["format"])
		}
		status, out := e.call("editor", "PATCH", path, map[string]any{"format": "rtf"})
		if status != 422 || errorOf(out)["field"] != "format" {
			t.Errorf("format rtf: %d %v, want 422 naming format", status, out)
		}
		if status, out := e.call("editor", "PATCH", path, map[string]any{"body": "## Back to Markdown", "format": "markdown"}); status != 200 ||
			out["format"] != "markdown" || !strings.Contains(out["body_html"].(string), "<h2") {
			t.Errorf("back to Markdown: %d %v", status, out)
		}
	})
}
