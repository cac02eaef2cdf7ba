package editorial

import (
	"context"
	"fmt"
	"html"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store"
)

// Library manages the media library: files in Storage, descriptions in
// the store.
type Library struct {
	DB      *store.DB
	Storage media.Storage
}

// Upload checks and stores a file uploaded by u with its alt text.
func (l *Library) Upload(ctx context.Context, u *content.User, filename string, data []byte, alt string) (*content.Media, error) {
	if !u.CanUpload() {
		return nil, forbidden("Your role (%s) may not upload files; ask an editor to add the image.", u.Role)
	}
	f, err := media.Prepare(ctx, filename, data, l.DB.Now().UTC())
	if err != nil {
		return nil, err
	}
	alt = strings.TrimSpace(alt)
	if strings.HasPrefix(f.Media.MIME, "image/") && alt == "" {
		return nil, content.FieldError("alt", "describe the image in a few words (alt text) for readers who cannot see it")
	}
	f.Media.Alt, f.Media.UploadedBy = alt, u.ID
	var stored []string
	cleanup := func() {
		for _, k := range stored {
			l.Storage.Delete(ctx, k)
		}
	}
	for key, data := range f.Data {
		if err := l.Storage.Put(ctx, key, data); err != nil {
			cleanup()
			return nil, err
		}
		stored = append(stored, key)
	}
	m := f.Media
	if err := l.DB.Update(ctx, func(tx *store.Tx) error { return tx.CreateMedia(ctx, &m) }); err != nil {
		cleanup()
		return nil, err
	}
	return &m, nil
}

// SetAlt changes a media item's alt text, if u may change the item.
func (l *Library) SetAlt(ctx context.Context, u *content.User, id int64, alt string) error {
	if !u.CanUpload() {
		return forbidden("Your role (%s) may not change the media library.", u.Role)
	}
	return l.DB.Update(ctx, func(tx *store.Tx) error {
		m, err := tx.FindMedia(ctx, id)
		if err != nil {
			return err
		}
		if !u.CanEditMedia(m) {
			return forbidden("%s was uploaded by someone else: only they or an editor may change its alt text.", m.Filename)
		}
		return tx.SetMediaAlt(ctx, id, alt)
	})
}

// Delete removes a media item and its files. An item a post still shows
// is refused with a conflict naming the posts, unless force is set.
func (l *Library) Delete(ctx context.Context, u *content.User, id int64, force bool) error {
	if !u.CanDeleteMedia() {
		return forbidden("Your role (%s) may not delete from the media library.", u.Role)
	}
	m, err := l.DB.FindMedia(ctx, id)
	if err != nil {
		return err
	}
	if !force {
		users, err := l.DB.PostsUsing(ctx, m.URL(), 5)
		if err != nil {
			return err
		}
		featuring, err := l.DB.CountFeaturing(ctx, id)
		if err != nil {
			return err
		}
		if featuring > 0 && len(users) == 0 {
			return content.Errorf(content.EConflict, "%s is the featured image of %d posts: choose another image for them first, or delete it anyway.",
				m.Filename, featuring)
		}
		if len(users) > 0 {
			var titles []string
			for _, p := range users {
				titles = append(titles, fmt.Sprintf("%q (#%d)", p.Title, p.ID))
			}
			return content.Errorf(content.EConflict, "%s is used by %s: remove it from there first, or delete it anyway and leave those posts with a missing image.",
				m.Filename, strings.Join(titles, ", "))
		}
	}
	if err := l.DB.Update(ctx, func(tx *store.Tx) error { return tx.DeleteMedia(ctx, id) }); err != nil {
		return err
	}
	for _, k := range media.Keys(m) {
		if err := l.Storage.Delete(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

// Snippet is what the editor inserts into a Markdown body for m: an
// <img> with srcset for an image, a link for a PDF.
func Snippet(m *content.Media) string {
	if !m.IsImage() {
		return fmt.Sprintf("[%s](%s)", strings.NewReplacer("[", "", "]", "").Replace(m.Filename), m.URL())
	}
	return fmt.Sprintf(`<img src="%s" srcset="%s" sizes="(max-width: 760px) 100vw, 760px" width="%d" height="%d" alt="%s" loading="lazy">`,
		m.URL(), m.Srcset(), m.Width, m.Height, html.EscapeString(m.Alt))
}
