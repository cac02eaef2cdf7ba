package search

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	w := func(words ...string) Clause { return Clause{Words: words} }
	tests := []struct {
		in   string
		want []Clause
	}{
		{"", nil},
		{"   ", nil},
		{"Wang Yi ", []Clause{w("wang"), w("yi")}},
		{"Wang Yi", []Clause{w("wang"), {Words: []string{"yi"}, Prefix: true}}},
		{`"Lisbon Maru"`, []Clause{w("lisbon", "maru")}},
		{`"two-State solution"`, []Clause{w("two", "state", "solution")}},
		{`two-State solution `, []Clause{w("two", "state"), w("solution")}},
		{`sanctions -Iran `, []Clause{w("sanctions"), {Words: []string{"iran"}, Exclude: true}}},
		{`sanctions -"Saudi Arabia"`, []Clause{w("sanctions"), {Words: []string{"saudi", "arabia"}, Exclude: true}}},
		{`"unbalanced quote`, []Clause{w("unbalanced", "quote")}},
		{`sao tome`, []Clause{w("sao"), {Words: []string{"tome"}, Prefix: true}}},
		{`São Tomé `, []Clause{w("são"), w("tomé")}},
		{`a NEAR(b c) x* ^y title:z `, []Clause{w("a"), w("near", "b"), w("c"), w("x"), w("y"), w("title", "z")}},
		{`'; DROP TABLE posts; -- `, []Clause{w("drop"), w("table"), w("posts")}},
		{"emoji 🎉 party ", []Clause{w("emoji"), w("party")}},
		{"bad \xff\xfe utf8 ", []Clause{w("bad"), w("utf8")}},
		{"- dash alone ", []Clause{w("dash"), w("alone")}},
		{"Abdelatty", []Clause{{Words: []string{"abdelatty"}, Prefix: true}}},
	}
	for _, tt := range tests {
		q, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, q.Clauses); diff != "" {
			t.Errorf("Parse(%q) clauses (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	for _, in := range []string{
		strings.Repeat("word ", 2000),
		strings.Repeat("a ", MaxClauses+1),
		"-only -exclusions",
		`-"just this"`,
	} {
		_, err := Parse(in)
		var e *Error
		if err == nil || !asError(err, &e) || e.Message == "" {
			t.Errorf("Parse(%.40q…) = %v, want an *Error with a message", in, err)
		}
	}
}

func asError(err error, target **Error) bool {
	e, ok := err.(*Error)
	*target = e
	return ok
}

func TestPlainText(t *testing.T) {
	got := PlainText(`<p>São&nbsp;Tomé &amp; Príncipe</p><p>second<script>alert(1)</script></p>` + MarkStart + "x")
	want := "São Tomé & Príncipe second x"
	if got != want {
		t.Errorf("PlainText = %q, want %q", got, want)
	}
}

// FuzzParse checks that no input makes Parse panic, that every word it
// returns is clean (so no engine operator can get through), and that a
// query written back with String parses to itself.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", `"a b" -c d`, "NEAR(a b)", "x* ^y z:w", "\xff", "-\"", "São Tomé", "two-state", `a "b`, "🎉"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			return
		}
		for _, c := range q.Clauses {
			if len(c.Words) == 0 {
				t.Fatalf("Parse(%q): clause without words", s)
			}
			for _, w := range c.Words {
				if w == "" || !utf8.ValidString(w) || len(w) > MaxWordBytes {
					t.Fatalf("Parse(%q): bad word %q", s, w)
				}
				for _, r := range w {
					if !isWordRune(r) {
						t.Fatalf("Parse(%q): word %q holds %q", s, w, r)
					}
				}
			}
		}
		again, err := Parse(q.String())
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which does not parse: %v", s, q.String(), err)
		}
		if diff := cmp.Diff(q, again); diff != "" {
			t.Fatalf("Parse(%q) = %q, which parses differently (-first +again):\n%s", s, q.String(), diff)
		}
	})
}
