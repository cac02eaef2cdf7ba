package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Limits on a query. A reader never needs more; anything longer is a paste
// of a whole paragraph or an attack, and is refused with a clear message
// rather than sent to the database.
const (
	MaxQueryRunes = 500
	MaxQueryBytes = 4 * MaxQueryRunes
	MaxClauses    = 16
	MaxWordBytes  = 64
)

// Query is a parsed search: every clause that is not excluded must match,
// and no excluded clause may.
type Query struct {
	Clauses []Clause
}

// Clause is one word or phrase of a query.
type Clause struct {
	// Words are lower-case runs of letters and digits. A clause of several
	// words is a phrase: they must appear together, in order.
	Words []string
	// Exclude is set for a clause written with a leading '-'.
	Exclude bool
	// Prefix is set for the last word of a query that does not end in a
	// space or quote: the reader may still be typing it, so it also matches
	// longer words ("sanc" finds "sanctions").
	Prefix bool
}

// Phrase reports whether the clause is several words that must be adjacent.
func (c Clause) Phrase() bool { return len(c.Words) > 1 }

// Error is a query the search refuses, with a sentence for the reader.
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

// Empty reports whether the query has nothing to search for.
func (q Query) Empty() bool { return len(q.Clauses) == 0 }

// Included returns the clauses that must match.
func (q Query) Included() []Clause {
	var cs []Clause
	for _, c := range q.Clauses {
		if !c.Exclude {
			cs = append(cs, c)
		}
	}
	return cs
}

// Excluded returns the clauses that must not match.
func (q Query) Excluded() []Clause {
	var cs []Clause
	for _, c := range q.Clauses {
		if c.Exclude {
			cs = append(cs, c)
		}
	}
	return cs
}

// Words returns every included word, for highlighting and suggestions.
func (q Query) Words() []string {
	var ws []string
	for _, c := range q.Included() {
		ws = append(ws, c.Words...)
	}
	return ws
}

// String writes the query back in the reader's syntax; Parse(q.String())
// gives q again.
func (q Query) String() string {
	var b strings.Builder
	for i, c := range q.Clauses {
		if i > 0 {
			b.WriteByte(' ')
		}
		if c.Exclude {
			b.WriteByte('-')
		}
		if c.Phrase() {
			b.WriteByte('"')
			b.WriteString(strings.Join(c.Words, " "))
			b.WriteByte('"')
		} else {
			b.WriteString(c.Words[0])
		}
	}
	if n := len(q.Clauses); n > 0 && !q.Clauses[n-1].Prefix {
		last := q.Clauses[n-1]
		if !last.Phrase() {
			b.WriteByte(' ') // a trailing space ends the last word
		}
	}
	return b.String()
}

// Parse reads what a reader typed. It never fails on odd characters: quotes
// may be unbalanced (a phrase runs to the end), punctuation and operators of
// any search engine are separators, invalid UTF-8 is ignored. It fails only
// on a query too long to be meant, or one made only of exclusions, with an
// *Error whose message says what to change. An empty query is not an error:
// it is an empty Query.
func Parse(s string) (Query, error) {
	if len(s) > MaxQueryBytes || utf8.RuneCountInString(s) > MaxQueryRunes {
		return Query{}, &Error{Message: "Your search is too long: please use fewer than 500 characters."}
	}
	s = strings.ToValidUTF8(s, " ")
	s = norm.NFC.String(s)
	var (
		q         Query
		endsOpen  bool // the input ends inside the last word, not after it
		lastPlain bool // the last clause is a bare word, not a quoted phrase
		i         int
	)
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		exclude := false
		if r == '-' {
			// A '-' directly before a word or quote excludes it; alone, it
			// is punctuation.
			if next, _ := utf8.DecodeRuneInString(s[i+size:]); next == '"' || isWordRune(next) {
				exclude = true
				i += size
				r, _ = utf8.DecodeRuneInString(s[i:])
			}
		}
		var (
			text string
			end  int
		)
		quoted := r == '"'
		if quoted {
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				text, end = s[i+1:], len(s)
			} else {
				text, end = s[i+1:i+1+j], i+1+j+1
			}
		} else {
			end = i
			for end < len(s) {
				r, n := utf8.DecodeRuneInString(s[end:])
				if unicode.IsSpace(r) || r == '"' {
					break
				}
				end += n
			}
			text = s[i:end]
		}
		words := splitWords(text)
		i = end
		if len(words) == 0 {
			continue
		}
		q.Clauses = append(q.Clauses, Clause{Words: words, Exclude: exclude})
		endsOpen = !quoted && end == len(s)
		lastPlain = !quoted && len(words) == 1
	}
	if len(q.Clauses) > MaxClauses {
		return Query{}, &Error{Message: "Your search has too many words: please use at most 16."}
	}
	if n := len(q.Clauses); n > 0 {
		last := &q.Clauses[n-1]
		last.Prefix = endsOpen && lastPlain && !last.Exclude
		if len(q.Included()) == 0 {
			return Query{}, &Error{Message: "Add at least one word to look for: a search cannot be made only of excluded (-) words."}
		}
	}
	return q, nil
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.IsNumber(r)
}

// splitWords splits text into lower-case runs of letters, digits and
// combining marks; everything else ("-", "'", "*", ":", emoji …) separates
// words, as it does in both engines' tokenizers. Over-long words are cut.
func splitWords(text string) []string {
	var words []string
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return !isWordRune(r) }) {
		w := strings.ToLower(f)
		if len(w) > MaxWordBytes {
			w = strings.ToValidUTF8(w[:MaxWordBytes], "")
		}
		words = append(words, w)
	}
	return words
}
