package markup

import (
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/broadsheet/broadsheet/internal/content"
)

// foldMarks holds chains that strip combining marks after decomposition:
// "São Tomé" → "Sao Tome". A chain keeps its buffers and positions between
// calls, so one chain used by two goroutines at once mixes their texts or
// panics: each call takes a chain of its own from the pool. The pool, not a
// chain per call, because a chain allocates two 4 KB buffers.
var foldMarks = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

// special letters that do not decompose into a base letter and a mark.
var special = strings.NewReplacer("ß", "ss", "æ", "ae", "Æ", "ae", "ø", "o", "Ø", "o", "œ", "oe", "Œ", "oe",
	"đ", "d", "Đ", "d", "ł", "l", "Ł", "l", "þ", "th", "ð", "d", "ı", "i", "&", " and ")

// Slugify makes a URL segment of a title: lower case, accents folded to
// their ASCII letters, words joined by hyphens, letters of other scripts
// kept as they are, at most content.MaxSlugLen characters. It returns
// "untitled" for a title with no letters or digits.
func Slugify(title string) string {
	fold := foldMarks.Get().(transform.Transformer)
	folded, _, err := transform.String(fold, special.Replace(title))
	foldMarks.Put(fold)
	if err != nil {
		folded = title
	}
	var b strings.Builder
	hyphen := false
	n := 0
	for _, r := range strings.ToLower(folded) {
		if n >= content.MaxSlugLen {
			break
		}
		switch {
		case r == '\'' || r == '’' || r == '‘':
			// "China’s" → "chinas", as WordPress does.
		case content.Invisible(r):
			// A letter drawn as nothing (a Hangul filler) parts words as a
			// space does: a slug must not hold what readers cannot see.
			hyphen = true
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r):
			if hyphen && b.Len() > 0 {
				if n+2 > content.MaxSlugLen {
					return b.String()
				}
				b.WriteByte('-')
				n++
			}
			hyphen = false
			b.WriteRune(r)
			n++
		default:
			hyphen = true
		}
	}
	if b.Len() == 0 {
		return "untitled"
	}
	return b.String()
}
