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
	if err := storableTexts("name", t.Name, "description", t.Description); err != nil {
		return err
	}
	return ValidateSlug(t.Slug)
}

// MaxTermsPerPost bounds the categories and tags of one post together:
// a publication files a post under a few dozen at most, and each is a row
// written with every save of the post, so an unbounded list would let one
// request hold the database's write lock for seconds.
const MaxTermsPerPost = 200

// ValidateTermCount checks that a post with that many categories and tags
// stays within MaxTermsPerPost, naming the list that goes over.
func ValidateTermCount(categories, tags int) error {
	if n := categories + tags; n > MaxTermsPerPost {
		field := "tags"
		if categories > tags {
			field = "categories"
		}
		return FieldError(field, "a post may carry at most %d categories and tags together, not %d: keep the ones readers browse by", MaxTermsPerPost, n)
	}
	return nil
}
