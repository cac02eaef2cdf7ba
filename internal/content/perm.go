package content

// What each role may do, as WordPress's roles of the same name allow: a
// contributor writes drafts and submits them for review; an author
// publishes and edits their own posts; an editor publishes and edits
// everyone's posts and pages and manages categories; an admin also manages
// users, tokens of others and settings. Every handler asks these, never
// the role directly, so the rules live in one place.

// rank orders roles from least to most trusted.
func (r Role) rank() int {
	switch r {
	case RoleContributor:
		return 1
	case RoleAuthor:
		return 2
	case RoleEditor:
		return 3
	case RoleAdmin:
		return 4
	}
	return 0
}

// AtLeast reports whether r grants at least what min grants.
func (r Role) AtLeast(min Role) bool { return r.rank() >= min.rank() }

// IsAuthorOf reports whether u is among p's authors.
func (u *User) IsAuthorOf(p *Post) bool {
	for _, a := range p.Authors {
		if a.ID == u.ID {
			return true
		}
	}
	return false
}

// CanCreate reports whether u may write new entries of the kind.
func (u *User) CanCreate(kind Kind) bool {
	if kind != KindPost {
		return u.Role.AtLeast(RoleEditor)
	}
	return u.Role.AtLeast(RoleContributor)
}

// CanRead reports whether u may open p in the admin.
func (u *User) CanRead(p *Post) bool {
	return u.Role.AtLeast(RoleEditor) || (p.Kind == KindPost && u.IsAuthorOf(p))
}

// CanEdit reports whether u may change p: editors any entry, authors
// their own posts, contributors their own posts until they are published
// or scheduled.
func (u *User) CanEdit(p *Post) bool {
	switch {
	case u.Role.AtLeast(RoleEditor):
		return true
	case p.Kind != KindPost || !u.IsAuthorOf(p):
		return false
	case u.Role == RoleAuthor:
		return true
	case u.Role == RoleContributor:
		return p.Status == StatusDraft || p.Status == StatusPending || p.Status == StatusTrash
	}
	return false
}

// CanPublish reports whether u may publish, schedule or unpublish p.
func (u *User) CanPublish(p *Post) bool {
	return u.Role.AtLeast(RoleEditor) || (u.Role == RoleAuthor && p.Kind == KindPost && u.IsAuthorOf(p))
}

// CanEditOthers reports whether u may work on entries written by others,
// and so name their authors.
func (u *User) CanEditOthers() bool { return u.Role.AtLeast(RoleEditor) }

// CanManageTerms reports whether u may create categories.
func (u *User) CanManageTerms() bool { return u.Role.AtLeast(RoleEditor) }

// CanManageSources reports whether u may run the source desk: follow
// outlets, work the inbox and republish.
func (u *User) CanManageSources() bool { return u.Role.AtLeast(RoleEditor) }

// CanManageUsers reports whether u may manage users and everyone's tokens.
func (u *User) CanManageUsers() bool { return u.Role == RoleAdmin }

// CanManageSettings reports whether u may change the site's settings and menu.
func (u *User) CanManageSettings() bool { return u.Role == RoleAdmin }

// CanUpload reports whether u may add to the media library (WordPress
// keeps uploads from contributors).
func (u *User) CanUpload() bool { return u.Role.AtLeast(RoleAuthor) }

// CanEditMedia reports whether u may change a library item's description
// (its alt text): editors anyone's, authors those they uploaded.
func (u *User) CanEditMedia(m *Media) bool {
	return u.Role.AtLeast(RoleEditor) || (u.CanUpload() && m.UploadedBy == u.ID)
}

// CanDeleteMedia reports whether u may delete from the media library.
func (u *User) CanDeleteMedia() bool { return u.Role.AtLeast(RoleEditor) }
