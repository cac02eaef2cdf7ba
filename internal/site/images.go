package site

import (
	"context"
	"html"
	"regexp"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
)

// bodyImage is an <img> of a stored body, its attributes as the
// sanitiser writes them (double-quoted).
var bodyImage = regexp.MustCompile(`<img\b[^>]*>`)

// bodyImageSrc is the address of an image of the media library.
var bodyImageSrc = regexp.MustCompile(`\ssrc="/media/([^"?#]+)"`)

// bodyImageSizes is how wide an image in an article's column is shown.
const bodyImageSizes = "(max-width: 48rem) 100vw, 46rem"

// withImageVariants returns body with each image of the media library
// that lacks them given its variants (srcset and sizes), its width and
// height (so that it takes its place before it loads) and lazy loading:
// bodies written by hand or republished name the file alone. An image
// the library does not know is left as it is.
func withImageVariants(ctx context.Context, find func(context.Context, string) (*content.Media, error), body string) (string, error) {
	if !strings.Contains(body, `src="/media/`) {
		return body, nil
	}
	var ferr error
	out := bodyImage.ReplaceAllStringFunc(body, func(tag string) string {
		m := bodyImageSrc.FindStringSubmatch(tag)
		if m == nil || ferr != nil {
			return tag
		}
		media, err := find(ctx, html.UnescapeString(m[1]))
		if content.IsNotFound(err) || (err == nil && !media.IsImage()) {
			return tag
		}
		if err != nil {
			ferr = err
			return tag
		}
		var add strings.Builder
		if set := media.Srcset(); set != "" && len(media.Variants) > 0 && !strings.Contains(tag, " srcset=") {
			add.WriteString(` srcset="` + html.EscapeString(set) + `" sizes="` + bodyImageSizes + `"`)
		}
		if media.Width > 0 && media.Height > 0 && !strings.Contains(tag, " width=") && !strings.Contains(tag, " height=") {
			add.WriteString(` width="` + strconv.Itoa(media.Width) + `" height="` + strconv.Itoa(media.Height) + `"`)
		}
		if !strings.Contains(tag, " loading=") {
			add.WriteString(` loading="lazy"`)
		}
		end := len(tag) - 1
		if strings.HasSuffix(tag, "/>") {
			end--
		}
		return tag[:end] + add.String() + tag[end:]
	})
	return out, ferr
}
