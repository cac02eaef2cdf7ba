package editorial

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/store"
)

// WriteOptions say what kind of save Write makes.
type WriteOptions struct {
	// New creates the post; otherwise the post p.ID is updated.
	New bool
	// By is who saves, named as the revision's author; nil for a save no
	// person makes (an import).
	By *content.User
	// Base is the version the writer started from: when someone saved
	// since, the save is refused with a conflict. store.AnyVersion skips
	// the check; a new post's base is always 0.
	Base int
	// Autosave marks a save made by an editor's timer: it replaces that
	// person's previous autosave revision rather than adding one.
	Autosave bool
	// Featured, when not nil, sets the post's featured image (a media id;
	// 0 removes it); nil keeps the image it has.
	Featured *int64
	// NumberSlug numbers a slug given that another entry has (see
	// FreeSlug), as an import does with the slugs of the old site,
	// instead of refusing it.
	NumberSlug bool
}

// Write saves p in tx by the rules every writer of posts follows, whether
// an editor in the admin or the Admin API, the WordPress importer or the
// source desk:
//   - a post without a slug gets one made of its title, numbered when
//     another entry of its kind has it (see FreeSlug); a slug given is
//     checked, and refused with a conflict naming it when it is taken
//     (numbered instead with opt.NumberSlug);
//   - the body is rendered and sanitised for the site (markup.RenderPost);
//   - the featured image is set when opt.Featured says so;
//   - a revision is kept, with the terms and the featured image, so that a
//     new post is at version 1 and every save adds a version.
//
// It returns the post's version and featured image after the save.
func Write(ctx context.Context, tx *store.Tx, p *content.Post, opt WriteOptions) (Written, error) {
	if opt.New {
		p.ID = 0
	}
	// numbered is the slug to number when another entry has it: for a new
	// entry the insert itself finds out (see Tx.CreatePostFreeSlug).
	numbered := ""
	if strings.TrimSpace(p.Slug) == "" {
		base := markup.Slugify(p.Title)
		if opt.New {
			if base == "" {
				base = "untitled"
			}
			p.Slug, numbered = base, base
		} else {
			slug, err := FreeSlug(ctx, tx, p.Kind, base, p.ID)
			if err != nil {
				return Written{}, err
			}
			p.Slug = slug
		}
	} else {
		if err := content.ValidateSlug(p.Slug); err != nil {
			return Written{}, err
		}
		if opt.NumberSlug && opt.New {
			numbered = p.Slug
		} else if opt.NumberSlug {
			slug, err := FreeSlug(ctx, tx, p.Kind, p.Slug, p.ID)
			if err != nil {
				return Written{}, err
			}
			p.Slug = slug
		} else if taken, err := tx.SlugTaken(ctx, p.Kind, p.Slug, p.ID); err != nil {
			return Written{}, err
		} else if taken {
			return Written{}, &content.Error{Code: content.EConflict, Field: "slug", Message: fmt.Sprintf(
				"the slug %q is already used by another %s: choose another, or leave it empty to derive one from the title", p.Slug, p.Kind)}
		}
	}
	if err := markup.RenderPost(p); err != nil {
		return Written{}, content.FieldError("body", "the body cannot be rendered: %v", err)
	}
	base := opt.Base
	if opt.New && numbered != "" {
		base = 0
		err := tx.CreatePostFreeSlug(ctx, p, func(ctx context.Context) (string, error) {
			return FreeSlug(ctx, tx, p.Kind, numbered, 0)
		})
		if err != nil {
			return Written{}, err
		}
	} else if opt.New {
		base = 0
		if err := tx.CreatePost(ctx, p); err != nil {
			return Written{}, err
		}
	} else if err := tx.UpdatePost(ctx, p); err != nil {
		return Written{}, err
	}
	var w Written
	if opt.Featured != nil {
		if err := tx.SetFeatured(ctx, p.ID, *opt.Featured); err != nil {
			return Written{}, err
		}
	}
	if !opt.New || opt.Featured != nil {
		m, err := tx.FindFeatured(ctx, p.ID)
		if err != nil {
			return Written{}, err
		}
		w.Featured = m
	}
	var featured int64
	if w.Featured != nil {
		featured = w.Featured.ID
	}
	rev := content.RevisionOf(p, featured)
	if opt.By != nil {
		rev.AuthorID = opt.By.ID
	}
	rev.Autosave = opt.Autosave && !opt.New
	v, err := tx.AddRevision(ctx, rev, base)
	if err != nil {
		return Written{}, err
	}
	w.Version = v
	return w, nil
}

// Written is what a save left: the post's version and its featured image
// (nil when none).
type Written struct {
	Version  int
	Featured *content.Media
}

// FreeSlug returns base when no entry of the kind but exceptID has it as
// its slug, else base numbered (base-2, base-3 …). A long base is cut so
// that the numbered slug stays within content.MaxSlugLen: two long titles
// alike in their first words get two addresses.
func FreeSlug(ctx context.Context, tx *store.Tx, kind content.Kind, base string, exceptID int64) (string, error) {
	if base == "" {
		base = "untitled"
	}
	slug := base
	for n := 2; ; n++ {
		taken, err := tx.SlugTaken(ctx, kind, slug, exceptID)
		if err != nil {
			return "", err
		}
		if !taken {
			return slug, nil
		}
		suffix := "-" + strconv.Itoa(n)
		stem := []rune(base)
		if len(stem)+len(suffix) > content.MaxSlugLen {
			stem = stem[:content.MaxSlugLen-len(suffix)]
		}
		slug = strings.TrimRight(string(stem), "-") + suffix
	}
}
