package content

import (
	"strings"
	"unicode/utf8"
)

// StorableText checks that s can be stored as text by every engine:
// PostgreSQL refuses a NUL character and bytes that are not UTF-8 (SQLite
// would keep them, and the site would then answer differently by engine).
// The EInvalid error names field and where the fault is; other control
// characters are accepted, as imported articles carry them.
func StorableText(field, s string) error {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return FieldError(field, "the %s holds a NUL character (byte %d): remove it", fieldWords(field), i+1)
	}
	if !utf8.ValidString(s) {
		return FieldError(field, "the %s is not valid UTF-8 text (byte %d): send it as UTF-8", fieldWords(field), invalidAt(s)+1)
	}
	return nil
}

// storableTexts is StorableText for several fields, naming the first at fault.
func storableTexts(fields ...string) error {
	for i := 0; i+1 < len(fields); i += 2 {
		if err := StorableText(fields[i], fields[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// CleanText returns s made storable, with NUL characters removed and
// bytes that are not UTF-8 replaced by U+FFFD, and whether it changed: for
// text taken from elsewhere (an outlet's feed), where refusing the whole
// article for a stray byte would help nobody.
func CleanText(s string) (string, bool) {
	if StorableText("", s) == nil {
		return s, false
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", ""), true
}

func invalidAt(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return len(s)
}

// fieldWords turns a field's name into words for a sentence: "source.name"
// becomes "source name".
func fieldWords(field string) string {
	if field == "" {
		return "text"
	}
	return strings.NewReplacer("_", " ", ".", " ").Replace(field)
}
