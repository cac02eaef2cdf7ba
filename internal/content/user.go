package content

import "strings"

// Role grants a user what WordPress's role of the same name grants.
type Role string

// Roles, from least to most trusted.
const (
	RoleContributor Role = "contributor"
	RoleAuthor      Role = "author"
	RoleEditor      Role = "editor"
	RoleAdmin       Role = "admin"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleContributor, RoleAuthor, RoleEditor, RoleAdmin:
		return true
	}
	return false
}

// User is a person who writes for or runs the publication; as a post's
// author they have a public archive at /author/{slug}/.
type User struct {
	ID    int64
	Slug  string // login name, also the author archive's slug
	Name  string // display name
	Email string
	Role  Role
	Bio   string
}

// Path is the author archive's URL path.
func (u *User) Path() string { return "/author/" + u.Slug + "/" }

// Validate checks the user's fields.
func (u *User) Validate() error {
	if err := ValidateSlug(u.Slug); err != nil {
		return FieldError("slug", "%s", err.(*Error).Message)
	}
	if err := storableTexts("name", u.Name, "email", u.Email, "bio", u.Bio); err != nil {
		return err
	}
	if strings.TrimSpace(u.Name) == "" {
		return FieldError("name", "a user needs a display name")
	}
	if u.Email != "" && !strings.Contains(u.Email, "@") {
		return FieldError("email", "%q is not an email address", u.Email)
	}
	if !u.Role.Valid() {
		return FieldError("role", "unknown role %q", u.Role)
	}
	return nil
}
