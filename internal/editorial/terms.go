package editorial

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/store"
)

// Categories are a publication's sections: a post may only be filed under
// one that exists, and creating one is an editor's explicit act (the
// categories page, or the API), so a typo never becomes a public section.
// Tags are looser: a post's unknown tag is created with it, and editors
// tidy tags afterwards by renaming, merging and deleting them.

// MaxTermNameLen bounds a category's or tag's name.
const MaxTermNameLen = 200

// TermInput is a change to a category or tag. Nil fields are left as they
// are; on creation they take their defaults.
type TermInput struct {
	Name        *string
	Slug        *string // "" or nil derives it from the name when the name changes
	Description *string
	Parent      *int64 // categories only; 0 for none
}

func (s *Service) mayManageTerms(u *content.User, tax content.Taxonomy) error {
	if !u.CanManageTerms() {
		return forbidden("Your role (%s) may not change %s: ask an editor.", u.Role, plural(tax))
	}
	return nil
}

func plural(tax content.Taxonomy) string {
	if tax == content.TaxTag {
		return "tags"
	}
	return "categories"
}

// CreateTerm creates a category or tag from in, by u.
func (s *Service) CreateTerm(ctx context.Context, u *content.User, tax content.Taxonomy, in TermInput) (*content.Term, error) {
	if tax != content.TaxCategory && tax != content.TaxTag {
		return nil, content.FieldError("taxonomy", "unknown taxonomy %q", tax)
	}
	if err := s.mayManageTerms(u, tax); err != nil {
		return nil, err
	}
	t := &content.Term{Taxonomy: tax}
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		if err := applyTerm(ctx, tx, t, in, true); err != nil {
			return err
		}
		return tx.CreateTerm(ctx, t)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// UpdateTerm renames, describes or moves the category or tag id, by u. A
// new name without a slug gives the term the slug of its new name; the
// old slug is kept, so its addresses answer 301 to the new ones.
func (s *Service) UpdateTerm(ctx context.Context, u *content.User, tax content.Taxonomy, id int64, in TermInput) (*content.Term, error) {
	var t *content.Term
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		var err error
		if t, err = findTerm(ctx, tx, tax, id); err != nil {
			return err
		}
		if err := s.mayManageTerms(u, tax); err != nil {
			return err
		}
		if err := applyTerm(ctx, tx, t, in, false); err != nil {
			return err
		}
		return tx.UpdateTerm(ctx, t)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// MergeTerm files every post of term from under term into instead, and
// deletes from; its addresses answer 301 to into's. Both are of tax.
func (s *Service) MergeTerm(ctx context.Context, u *content.User, tax content.Taxonomy, from, into int64) (*content.Term, error) {
	var t *content.Term
	err := s.DB.Update(ctx, func(tx *store.Tx) error {
		src, err := findTerm(ctx, tx, tax, from)
		if err != nil {
			return err
		}
		if err := s.mayManageTerms(u, tax); err != nil {
			return err
		}
		if into == 0 {
			return content.FieldError("into", "choose the %s to merge %q into", tax, src.Name)
		}
		t, err = tx.FindTermByID(ctx, into)
		if content.IsNotFound(err) || (err == nil && t.Taxonomy != tax) {
			return content.FieldError("into", "there is no %s %d to merge %q into", tax, into, src.Name)
		}
		if err != nil {
			return err
		}
		if t.ID == src.ID {
			return content.FieldError("into", "%q cannot be merged into itself: choose another %s", src.Name, tax)
		}
		if err := tx.MergeTerm(ctx, from, into); err != nil {
			return err
		}
		t, err = tx.FindTermByID(ctx, into)
		return err
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// DeleteTerm deletes the category or tag id, by u: its posts lose it.
func (s *Service) DeleteTerm(ctx context.Context, u *content.User, tax content.Taxonomy, id int64) error {
	return s.DB.Update(ctx, func(tx *store.Tx) error {
		if _, err := findTerm(ctx, tx, tax, id); err != nil {
			return err
		}
		if err := s.mayManageTerms(u, tax); err != nil {
			return err
		}
		return tx.DeleteTerm(ctx, id)
	})
}

// findTerm loads term id of tax, naming it when there is none.
func findTerm(ctx context.Context, tx *store.Tx, tax content.Taxonomy, id int64) (*content.Term, error) {
	t, err := tx.FindTermByID(ctx, id)
	if content.IsNotFound(err) || (err == nil && t.Taxonomy != tax) {
		return nil, content.Errorf(content.ENotFound, "There is no %s %d.", tax, id)
	}
	return t, err
}

// applyTerm checks in and applies it to t: the name, the slug, and for a
// category the parent, which must be another existing category and not
// one of t's own subcategories.
func applyTerm(ctx context.Context, tx *store.Tx, t *content.Term, in TermInput, isNew bool) error {
	renamed := false
	if in.Name != nil {
		name := strings.Join(strings.Fields(*in.Name), " ")
		if name == "" {
			return content.FieldError("name", "a %s needs a name", t.Taxonomy)
		}
		if utf8.RuneCountInString(name) > MaxTermNameLen {
			return content.FieldError("name", "the name is longer than %d characters", MaxTermNameLen)
		}
		if err := content.StorableText("name", name); err != nil {
			return err
		}
		if !strings.EqualFold(name, t.Name) {
			other, err := tx.FindTermByName(ctx, t.Taxonomy, name)
			if err == nil && other.ID != t.ID {
				return &content.Error{Code: content.EConflict, Field: "name",
					Message: fmt.Sprintf("there is already a %s named %q: merge into it instead, or choose another name", t.Taxonomy, other.Name)}
			}
			if err != nil && !content.IsNotFound(err) {
				return err
			}
		}
		renamed = name != t.Name
		t.Name = name
	} else if isNew {
		return content.FieldError("name", "a %s needs a name", t.Taxonomy)
	}
	switch {
	case in.Slug != nil && strings.TrimSpace(*in.Slug) != "":
		t.Slug = strings.TrimSpace(*in.Slug)
	case renamed || isNew:
		t.Slug = markup.Slugify(t.Name)
		if t.Slug == "" {
			return content.FieldError("slug", "the name %q gives no slug (it has no letters or digits): give a slug", t.Name)
		}
	}
	if err := content.ValidateSlug(t.Slug); err != nil {
		return err
	}
	if in.Description != nil {
		t.Description = strings.TrimSpace(*in.Description)
		if err := content.StorableText("description", t.Description); err != nil {
			return err
		}
	}
	if in.Parent != nil {
		if err := checkParent(ctx, tx, t, *in.Parent); err != nil {
			return err
		}
		t.ParentID = *in.Parent
	}
	return nil
}

// checkParent refuses a parent for a tag, a parent that is not an
// existing category, and a parent that would make a cycle: t itself or one
// of its subcategories.
func checkParent(ctx context.Context, tx *store.Tx, t *content.Term, parent int64) error {
	if parent == 0 {
		return nil
	}
	if parent < 0 {
		return content.FieldError("parent", "there is no category %d", parent)
	}
	if t.Taxonomy == content.TaxTag {
		return content.FieldError("parent", "tags are not nested: only a category has a parent")
	}
	if parent == t.ID {
		return content.FieldError("parent", "a category cannot be its own parent")
	}
	seen := map[int64]bool{}
	for id := parent; id != 0; {
		p, err := tx.FindTermByID(ctx, id)
		if content.IsNotFound(err) || (err == nil && p.Taxonomy != content.TaxCategory) {
			return content.FieldError("parent", "there is no category %d", id)
		}
		if err != nil {
			return err
		}
		if t.ID != 0 && p.ParentID == t.ID {
			return content.FieldError("parent", "%q is inside %q: a category cannot be placed under one of its own subcategories", p.Name, t.Name)
		}
		if seen[id] {
			break // an old cycle, made before this rule: stop walking
		}
		seen[id] = true
		id = p.ParentID
	}
	return nil
}

// termFinder finds terms: the store, or a transaction on it.
type termFinder interface {
	FindTermBySlug(ctx context.Context, tax content.Taxonomy, slug string) (*content.Term, error)
	FindTermByName(ctx context.Context, tax content.Taxonomy, name string) (*content.Term, error)
	FindTermByAlias(ctx context.Context, tax content.Taxonomy, slug string) (*content.Term, error)
}

// existingCategories returns the names that still name a category (by
// name, slug or an earlier slug), leaving out those deleted since.
func existingCategories(ctx context.Context, db termFinder, names []string) ([]string, error) {
	out := []string{}
	for _, name := range names {
		_, err := resolveTerm(ctx, db, content.TaxCategory, named{name, markup.Slugify(name)})
		if content.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, name)
	}
	return out, nil
}

// resolveTerm finds the term an editor names on a post: by the slug of
// the name, by the name itself, or by an earlier slug of a renamed or
// merged term.
func resolveTerm(ctx context.Context, tx termFinder, tax content.Taxonomy, n named) (*content.Term, error) {
	t, err := tx.FindTermBySlug(ctx, tax, n.slug)
	if !content.IsNotFound(err) {
		return t, err
	}
	t, err = tx.FindTermByName(ctx, tax, n.name)
	if !content.IsNotFound(err) {
		return t, err
	}
	return tx.FindTermByAlias(ctx, tax, n.slug)
}
