package content

import "strings"

// EmptyIntroduction is the paragraph a republished draft keeps for its
// editorial introduction until the editor writes it. The source desk puts
// it in; the editor looks for it to put the caret there and to say when a
// post is about to go out without its introduction.
const EmptyIntroduction = `<p class="editorial-introduction"></p>`

// IntroductionPending reports whether an HTML body still holds the empty
// introduction paragraph of a republished draft.
func IntroductionPending(format Format, body string) bool {
	return format == FormatHTML && strings.Contains(body, EmptyIntroduction)
}
