package sourcedesk

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/fetch"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/store"
)

// IntroPlaceholder opens every republished draft: where the editor writes
// the editorial introduction. It is a comment, so a draft published as it
// is shows no placeholder text to readers.
const IntroPlaceholder = "<!-- Editorial introduction: write it here, above the attribution line. -->\n" + content.EmptyIntroduction

// RepublishOptions tune one republication.
type RepublishOptions struct {
	// Authors of the draft (existing users); usually the editor acting.
	Authors []content.User
	// LeadParagraphs overrides the desk's setting when positive.
	LeadParagraphs int
}

// Republished is the outcome of Republish.
type Republished struct {
	Post *content.Post
	Item *content.Item
	// Existing is true when the item had already been republished: Post is
	// that earlier post and nothing new was made.
	Existing bool
	// Warnings are what did not go to plan without stopping the draft
	// (a lead image that could not be brought in, a page that could not be
	// read and was replaced by the feed's text).
	Warnings []string
}

// Republish turns an inbox item into a draft post: it fetches the article
// page, extracts and sanitises the article, brings in its lead image, and
// creates the draft with an empty editorial introduction, the outlet's
// attribution line, the article's first paragraphs before the break and
// the rest after it, the source fields, and a link back to the item. An
// item republished before is not republished again: the result names the
// existing post, with an EConflict error.
func (d *Desk) Republish(ctx context.Context, itemID int64, opt RepublishOptions) (*Republished, error) {
	it, err := d.DB.FindItemByID(ctx, itemID)
	if err != nil {
		return nil, err
	}
	if it.PostID != 0 {
		return d.existing(ctx, it)
	}
	o, err := d.DB.FindOutletByID(ctx, it.OutletID)
	if content.IsNotFound(err) {
		o = &content.Outlet{Name: it.OutletName}
		o.Normalize()
	} else if err != nil {
		return nil, err
	}
	res := &Republished{Item: it}

	art, err := d.article(ctx, it.URL)
	if err != nil {
		if it.Content == "" {
			return nil, content.Errorf(content.EInvalid, "Could not republish %q: %v", it.Title, err)
		}
		res.Warnings = append(res.Warnings, fmt.Sprintf("The article page could not be read (%v); the draft holds the text the feed carried.", err))
		art = &Article{Title: it.Title, Author: it.Author, Blocks: blocks(it.Content, it.Title)}
		art.Warnings = embedWarnings(art.Blocks)
	}
	return d.draft(ctx, res, o, art, opt)
}

// RepublishURL republishes one article from its address, with no source
// set up for its outlet: the page is fetched and extracted, kept in the
// inbox as an item of the outlet whose homepage or feeds share its host
// (or of an outlet named after the page's site name, or its host, when
// none does), and made into a draft as Republish makes one. An address
// already in the inbox is republished through its item, so an article
// republished before names its existing post, with an EConflict error.
func (d *Desk) RepublishURL(ctx context.Context, raw string, opt RepublishOptions) (*Republished, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &content.Error{Code: content.EInvalid, Field: "url",
			Message: fmt.Sprintf("%q is not the address of a web page; give the article's full address, starting with https://", raw)}
	}
	if it, err := d.DB.FindItemByURL(ctx, u.String()); err == nil {
		return d.Republish(ctx, it.ID, opt)
	} else if !content.IsNotFound(err) {
		return nil, err
	}
	art, err := d.article(ctx, u.String())
	if err != nil {
		return nil, &content.Error{Code: content.EInvalid, Field: "url", Message: fmt.Sprintf("Could not republish %s: %v", u, err)}
	}
	if art.Title == "" {
		return nil, &content.Error{Code: content.EInvalid, Field: "url", Message: fmt.Sprintf("Could not republish %s: the page has no title", u)}
	}
	o, err := d.outletFor(ctx, u, art.SiteName)
	if err != nil {
		return nil, err
	}
	it := &content.Item{OutletID: o.ID, OutletName: o.Name, URL: u.String(), Title: art.Title,
		Summary: art.Excerpt, Author: art.Author, PublishedAt: art.PublishedAt, ImageURL: art.ImageURL}
	var dup string
	if err := d.DB.Update(ctx, func(tx *store.Tx) error {
		dup, err = tx.AddItem(ctx, it)
		return err
	}); err != nil {
		return nil, err
	}
	if dup != "" {
		// Polled or republished meanwhile: go through that item.
		again, err := d.DB.FindItemByURL(ctx, u.String())
		if err != nil {
			return nil, err
		}
		return d.Republish(ctx, again.ID, opt)
	}
	return d.draft(ctx, &Republished{Item: it}, o, art, opt)
}

// outletFor is the outlet an article at u belongs to: the one whose
// homepage or a feed is on the same host, else a new outlet, not stored,
// named siteName or after the host.
func (d *Desk) outletFor(ctx context.Context, u *url.URL, siteName string) (*content.Outlet, error) {
	host := bareHost(u.String())
	outlets, err := d.DB.FindOutlets(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range outlets {
		if bareHost(o.Homepage) == host {
			return o, nil
		}
		for _, f := range o.Feeds {
			if bareHost(f.URL) == host {
				return o, nil
			}
		}
	}
	name := strings.TrimSpace(siteName)
	if name == "" {
		name = host
	}
	o := &content.Outlet{Name: name}
	o.Normalize()
	return o, nil
}

// bareHost is the host of an address, lower-cased, without "www.".
func bareHost(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

// draft makes the draft post of res.Item from its extracted article art.
func (d *Desk) draft(ctx context.Context, res *Republished, o *content.Outlet, art *Article, opt RepublishOptions) (*Republished, error) {
	it := res.Item
	itemID := it.ID
	title := art.Title
	if title == "" {
		title = it.Title
	}
	var by *content.User
	if len(opt.Authors) > 0 {
		by = &opt.Authors[0]
	}
	imageHTML := ""
	var leadMedia int64 // the lead image's media library item, to feature
	if art.ImageURL != "" && d.Images != nil {
		saved, err := d.bringImage(ctx, art.ImageURL, title, by)
		local := saved.URL
		leadMedia = saved.MediaID
		if err != nil {
			res.Warnings = append(res.Warnings, fmt.Sprintf("The lead image %s was not brought in: %v", art.ImageURL, err))
		} else {
			// The image inside the article now points at our copy; if it
			// was not inside, it leads the article.
			orig := `src="` + html.EscapeString(art.ImageURL) + `"`
			found := false
			for i, b := range art.Blocks {
				if strings.Contains(b, orig) {
					art.Blocks[i] = strings.ReplaceAll(b, orig, `src="`+html.EscapeString(local)+`"`)
					found = true
				}
			}
			switch {
			case found:
				leadMedia = 0 // shown in the text already
			case leadMedia != 0:
				// In the media library: the draft features it, and the
				// theme shows it above the article.
			default:
				imageHTML = `<figure class="lead-image"><img src="` + html.EscapeString(local) + `" alt="` + html.EscapeString(title) + `"></figure>`
			}
		}
	}
	res.Warnings = append(res.Warnings, art.Warnings...)
	if d.Images != nil {
		var warnings []string
		art.Blocks, warnings = d.localiseImages(ctx, art.Blocks, title, by)
		res.Warnings = append(res.Warnings, warnings...)
	}
	lead := opt.LeadParagraphs
	if lead <= 0 {
		lead = d.LeadParagraphs
	}
	if lead <= 0 {
		lead = DefaultLeadParagraphs
	}

	// The original is named by the address its page declares, rather
	// than the feed's link with its tracking parameters.
	srcURL := it.URL
	if art.CanonicalURL != "" {
		srcURL = art.CanonicalURL
	}
	src := &content.Source{Name: o.Name, URL: srcURL, Author: art.Author, PublishedAt: art.PublishedAt, Title: art.Title}
	if src.Title == "" {
		src.Title = it.Title
	}
	// The feed that carried the item, named in our feeds' <source>.
	if it.FeedURL != "" {
		src.Feed = it.FeedURL
		for _, f := range o.Feeds {
			if f.URL == it.FeedURL {
				src.FeedTitle = f.Title
			}
		}
	}
	if src.Author == "" {
		src.Author = it.Author
	}
	if src.PublishedAt.IsZero() {
		src.PublishedAt = it.PublishedAt
	}
	p := &content.Post{
		Kind:    content.KindPost,
		Title:   title,
		Status:  content.StatusDraft,
		Format:  content.FormatHTML,
		Body:    DraftBody(o.AttributionLine(), imageHTML, art.Blocks, lead),
		Authors: opt.Authors,
		Source:  src,
		// The outlet's canonical choice travels with the post.
		CanonicalSource: o.Canonical == content.CanonicalOriginal && src.URL != "",
	}
	err := d.DB.Update(ctx, func(tx *store.Tx) error {
		// Written as an editor's new draft is: its slug made of the title
		// (numbered when taken), sanitised, at version 1.
		// The lead image from the library features it.
		wopt := editorial.WriteOptions{New: true, By: by}
		if leadMedia != 0 {
			wopt.Featured = &leadMedia
		}
		if _, err := editorial.Write(ctx, tx, p, wopt); err != nil {
			return err
		}
		return tx.MarkItemRepublished(ctx, it.ID, p.ID, o.Canonical)
	})
	if content.ErrorCode(err) == content.EConflict {
		// Someone else republished it meanwhile; their post stands.
		if again, ferr := d.DB.FindItemByID(ctx, itemID); ferr == nil && again.PostID != 0 {
			return d.existing(ctx, again)
		}
	}
	if err != nil {
		return nil, err
	}
	it.PostID, it.State, it.Canonical = p.ID, content.ItemRepublished, o.Canonical
	res.Post = p
	return res, nil
}

func (d *Desk) existing(ctx context.Context, it *content.Item) (*Republished, error) {
	p, err := d.DB.FindPostByID(ctx, it.PostID)
	if err != nil {
		return nil, err
	}
	return &Republished{Post: p, Item: it, Existing: true},
		content.Errorf(content.EConflict, "This item was already republished as %q (post %d); open that post instead of making another.", p.Title, p.ID)
}

// article fetches and extracts the page at pageURL.
func (d *Desk) article(ctx context.Context, pageURL string) (*Article, error) {
	resp, err := d.get(ctx, fetch.Request{URL: pageURL, Accept: "text/html,application/xhtml+xml"})
	if err != nil {
		return nil, err
	}
	if ct := resp.ContentType; ct != "" && !fetch.IsHTML(ct) {
		return nil, fmt.Errorf("%s is not a web page (it is %s)", resp.URL, ct)
	}
	return ExtractPage(resp.Body, resp.ContentType, resp.URL)
}

// imageTypes are the image formats brought in, by sniffed content type.
var imageTypes = map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp"}

// bringImage downloads an image and keeps it through d.Images, described
// by alt, on behalf of by.
func (d *Desk) bringImage(ctx context.Context, imageURL, alt string, by *content.User) (Saved, error) {
	resp, err := d.get(ctx, fetch.Request{URL: imageURL, Accept: "image/*"})
	if err != nil {
		return Saved{}, err
	}
	ct := http.DetectContentType(resp.Body)
	ext, ok := imageTypes[ct]
	if !ok {
		return Saved{}, fmt.Errorf("it is not a JPEG, PNG, GIF or WebP image (it looks like %s)", ct)
	}
	name := strings.TrimSuffix(path.Base(strings.SplitN(imageURL, "?", 2)[0]), path.Ext(imageURL))
	return d.Images.SaveImage(ctx, Image{Name: markup.Slugify(name) + ext, ContentType: ct, Data: resp.Body, Alt: alt, By: by})
}

// maxImages bounds the images brought in with one article.
const maxImages = 20

var (
	imgTagRe = regexp.MustCompile(`<img\b[^>]*>`)
	imgSrcRe = regexp.MustCompile(`\ssrc="([^"]*)"`)
	imgAltRe = regexp.MustCompile(`\salt="([^"]*)"`)
	srcsetRe = regexp.MustCompile(`\s(srcset|sizes)="[^"]*"`)
)

// localiseImages brings the article's images in through d.Images and
// points them at our copies, so readers' browsers never fetch from the
// outlet. A lazily loaded image that names its picture only in a srcset is
// brought in from its largest candidate. An image that cannot be brought
// in, or names no address at all, is left out, with a warning.
func (d *Desk) localiseImages(ctx context.Context, blocks []string, title string, by *content.User) ([]string, []string) {
	var warnings []string
	done := map[string]string{} // remote → local ("" when it failed)
	count := 0
	for i, b := range blocks {
		blocks[i] = imgTagRe.ReplaceAllStringFunc(b, func(tag string) string {
			srcset := ""
			if m := imgSrcsetRe.FindStringSubmatch(tag); m != nil {
				srcset = html.UnescapeString(m[1])
			}
			tag = srcsetRe.ReplaceAllString(tag, "")
			src := ""
			if m := imgSrcRe.FindStringSubmatch(tag); m != nil {
				src = html.UnescapeString(m[1])
				tag = strings.Replace(tag, m[0], "", 1)
			}
			if (src == "" || strings.HasPrefix(src, "data:")) && srcset != "" {
				src = largestCandidate(srcset)
			}
			alt := ""
			if a := imgAltRe.FindStringSubmatch(tag); a != nil {
				alt = strings.TrimSpace(html.UnescapeString(a[1]))
			}
			withSrc := func(s string) string {
				return strings.Replace(tag, "<img", `<img src="`+html.EscapeString(s)+`"`, 1)
			}
			if src == "" || strings.HasPrefix(src, "data:") {
				warnings = append(warnings, fmt.Sprintf("An image (%s) was left out: the page gives no address to fetch it from.", imageName(alt)))
				return ""
			}
			if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
				return withSrc(src) // already ours (the lead image) or relative to us
			}
			local, seen := done[src]
			if !seen {
				if count >= maxImages {
					warnings = append(warnings, fmt.Sprintf("The image %s was left out: an article brings in at most %d images.", src, maxImages))
				} else {
					count++
					a := alt
					if a == "" {
						a = title
					}
					saved, err := d.bringImage(ctx, src, a, by)
					local = saved.URL
					if err != nil {
						warnings = append(warnings, fmt.Sprintf("The image %s was left out: %v", src, err))
						local = ""
					}
				}
				done[src] = local
			}
			if local == "" {
				return ""
			}
			return withSrc(local)
		})
	}
	return blocks, warnings
}

var imgSrcsetRe = regexp.MustCompile(`\ssrcset="([^"]*)"`)

// largestCandidate is the address of the widest (or densest) candidate of
// a srcset; "" when it names none.
func largestCandidate(srcset string) string {
	best, bestSize := "", -1.0
	for _, c := range strings.Split(srcset, ",") {
		f := strings.Fields(c)
		if len(f) == 0 || strings.HasPrefix(f[0], "data:") {
			continue
		}
		size := 1.0
		if len(f) > 1 {
			if v, err := strconv.ParseFloat(strings.TrimRight(f[1], "wx"), 64); err == nil {
				size = v
			}
		}
		if size > bestSize {
			best, bestSize = f[0], size
		}
	}
	return best
}

// imageName names an image in a warning by its description.
func imageName(alt string) string {
	if alt == "" {
		return "with no description"
	}
	return fmt.Sprintf("%q", alt)
}

// DraftBody assembles a republished draft: the introduction placeholder,
// the attribution line, the lead image, the first lead paragraphs of the
// article, the break marker, and the rest of the article.
func DraftBody(attribution, imageHTML string, blocks []string, lead int) string {
	var b strings.Builder
	b.WriteString(IntroPlaceholder)
	b.WriteString("\n<p class=\"attribution-line\">")
	b.WriteString(html.EscapeString(attribution))
	b.WriteString("</p>\n")
	if imageHTML != "" {
		b.WriteString(imageHTML)
		b.WriteByte('\n')
	}
	paras := 0
	for i, blk := range blocks {
		b.WriteString(blk)
		b.WriteByte('\n')
		if strings.HasPrefix(blk, "<p") {
			paras++
		}
		if paras == lead && i < len(blocks)-1 {
			b.WriteString(content.MoreMarker)
			b.WriteByte('\n')
			paras++ // only one break
		}
	}
	return b.String()
}
