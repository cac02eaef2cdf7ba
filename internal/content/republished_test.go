package content_test

import (
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
)

const deskDraft = "<!-- Editorial introduction: write it here, above the attribution line. -->\n" +
	`<p class="editorial-introduction"></p>` + "\n" +
	`<p class="attribution-line">The following article was originally published by Xinhua.</p>` + "\n" +
	"<p>First paragraph.</p>\n<!--more-->\n<p>Second.</p>\n"

func TestSplitRepublished(t *testing.T) {
	r, ok := content.SplitRepublished(deskDraft)
	if !ok {
		t.Fatal("a source desk draft is not recognised as republished")
	}
	if r.Introduction != "" || r.Attribution != `<p class="attribution-line">The following article was originally published by Xinhua.</p>` ||
		r.Article != "<p>First paragraph.</p>\n<!--more-->\n<p>Second.</p>\n" {
		t.Fatalf("split = %#v", r)
	}
	r.Introduction = "Why we republish this: <trade> & more.\r\n\r\nA second paragraph."
	body := r.Join()
	want := `<p class="editorial-introduction">Why we republish this: &lt;trade&gt; &amp; more.</p>` + "\n" +
		`<p class="editorial-introduction">A second paragraph.</p>` + "\n" + r.Attribution + "\n" + r.Article
	if body != want {
		t.Fatalf("join =\n%s\nwant\n%s", body, want)
	}
	again, ok := content.SplitRepublished(body)
	if !ok || again.Introduction != "Why we republish this: <trade> & more.\n\nA second paragraph." || again.Article != r.Article {
		t.Fatalf("split of the joined body = %#v, %v", again, ok)
	}
	if !content.IntroductionPending(content.FormatHTML, content.Republished{Attribution: r.Attribution}.Join()) {
		t.Error("an empty introduction no longer reads as pending")
	}
	for _, body := range []string{"<p>Plain post.</p>", "", `<p class="editorial-introduction">With <a href="/x">a link</a></p>` + "\n" + r.Attribution,
		`<p class="editorial-introduction">No attribution</p>` + "\n<p>x</p>"} {
		if _, ok := content.SplitRepublished(body); ok {
			t.Errorf("SplitRepublished(%q) accepted a body the form cannot edit", body)
		}
	}
}

func TestAttributionHTML(t *testing.T) {
	src := &content.Source{Name: "Rural <Voices>", URL: "https://example.org/a?x=1&y=2", Author: "Jo Writer",
		PublishedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	got := content.AttributionHTML(src)
	want := `<p class="attribution-line">The following article was originally published by ` +
		`<a href="https://example.org/a?x=1&amp;y=2">Rural &lt;Voices&gt;</a> on 1 March 2026. By Jo Writer.</p>`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if got := content.AttributionHTML(&content.Source{Name: "Xinhua"}); !strings.Contains(got, "published by Xinhua.</p>") {
		t.Errorf("without URL: %s", got)
	}
}

func TestMergeRepublished(t *testing.T) {
	r, _ := content.SplitRepublished(deskDraft)
	crlf := strings.ReplaceAll(r.Article, "\n", "\r\n")
	if got, ok := content.MergeRepublished(deskDraft, "", crlf, nil, false); !ok || got != deskDraft {
		t.Fatalf("an untouched form rewrote the body:\n%q", got)
	}
	got, ok := content.MergeRepublished(deskDraft, "Our note.", crlf, nil, false)
	if !ok || !strings.HasPrefix(got, `<p class="editorial-introduction">Our note.</p>`+"\n"+r.Attribution+"\n") || !strings.HasSuffix(got, r.Article) {
		t.Fatalf("introduction written: %q", got)
	}
	src := &content.Source{Name: "Xinhua", URL: "https://example.org/a", Author: "Li Wei"}
	got, _ = content.MergeRepublished(deskDraft, "", r.Article, src, true)
	if !strings.Contains(got, content.AttributionHTML(src)) {
		t.Fatalf("a changed source kept the old attribution: %q", got)
	}
	if _, ok := content.MergeRepublished("<p>not republished</p>", "x", "y", nil, false); ok {
		t.Error("merged into a body that is not republished")
	}
}
