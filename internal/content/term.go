package content

// Taxonomy names a kind of term.
type Taxonomy string

// Taxonomies.
const (
	TaxCategory Taxonomy = "category"
	TaxTag      Taxonomy = "tag"
)

// Term is a category (by region or topic) or a tag.
type Term struct {
	ID          int64
	Taxonomy    Taxonomy
	Slug        string
	Name        string
	Description string
	ParentID    int64 // categories only; 0 for none
	Count       int   // published posts, filled by listings that ask for it
}

// Path is the term's archive URL path.
func (t *Term) Path() string {
	if t.Taxonomy == TaxTag {
		return "/tag/" + t.Slug + "/"
	}
	return "/category/" + t.Slug + "/"
}

// Validate checks the term's fields.
func (t *Term) Validate() error {
	if t.Taxonomy != TaxCategory && t.Taxonomy != TaxTag {
		return FieldError("taxonomy", "unknown taxonomy %q", t.Taxonomy)
	}
	if t.Name == "" {
		return FieldError("name", "a term needs a name")
	}
	return ValidateSlug(t.Slug)
}
