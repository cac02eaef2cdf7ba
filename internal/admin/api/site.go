package api

import (
	"net/http"
	"strings"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
	"github.com/broadsheet/broadsheet/internal/store"
)

// Settings are the site's settings as the API shows and takes them.
type Settings struct {
	Title        string             `json:"title"`
	Description  string             `json:"description"`
	Language     string             `json:"language"`
	PostsPerPage int                `json:"posts_per_page"`
	TimeZone     string             `json:"time_zone"`
	Logo         string             `json:"logo"`
	Menu         []content.MenuItem `json:"menu"`
	FeedItems    int                `json:"feed_items"`
	FeedFullText bool               `json:"feed_full_text"`
	// CommentsEnabled shows approved comments and lets readers comment.
	CommentsEnabled bool   `json:"comments_enabled"`
	RobotsTxt       string `json:"robots_txt"`
	WebSubHub       string `json:"websub_hub"`
	TeaserStyle     string `json:"teaser_style"`
}

func (a *API) getSettings(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if !u.CanManageSettings() {
		return content.Errorf(content.EForbidden, "Only an admin may manage the site's settings.")
	}
	s, err := a.cfg.DB.LoadSettings(r.Context())
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, settingsJSON(s))
}

func settingsJSON(s content.Settings) Settings {
	out := Settings{Title: s.Title, Description: s.Description, Language: s.Language, PostsPerPage: s.PostsPerPage,
		TimeZone: s.TimeZone, Logo: s.Logo, Menu: s.Menu, FeedItems: s.FeedItems, FeedFullText: s.FeedFullText,
		RobotsTxt: s.RobotsTxt, WebSubHub: s.WebSubHub, TeaserStyle: s.TeaserStyle, CommentsEnabled: s.CommentsEnabled}
	if out.Menu == nil {
		out.Menu = []content.MenuItem{}
	}
	return out
}

// patchSettings changes the fields given; absent ones stay.
func (a *API) patchSettings(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if !u.CanManageSettings() {
		return content.Errorf(content.EForbidden, "Only an admin may manage the site's settings.")
	}
	var in struct {
		Title           *string             `json:"title"`
		Description     *string             `json:"description"`
		Language        *string             `json:"language"`
		PostsPerPage    *int                `json:"posts_per_page"`
		TimeZone        *string             `json:"time_zone"`
		Logo            *string             `json:"logo"`
		Menu            *[]content.MenuItem `json:"menu"`
		FeedItems       *int                `json:"feed_items"`
		FeedFullText    *bool               `json:"feed_full_text"`
		CommentsEnabled *bool               `json:"comments_enabled"`
		RobotsTxt       *string             `json:"robots_txt"`
		WebSubHub       *string             `json:"websub_hub"`
		TeaserStyle     *string             `json:"teaser_style"`
	}
	if err := Decode(w, r, &in); err != nil {
		return err
	}
	var s content.Settings
	err := a.cfg.DB.Update(r.Context(), func(tx *store.Tx) error {
		var err error
		if s, err = tx.LoadSettings(r.Context()); err != nil {
			return err
		}
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = strings.TrimSpace(*v)
			}
		}
		set(&s.Title, in.Title)
		set(&s.Description, in.Description)
		set(&s.Language, in.Language)
		set(&s.TimeZone, in.TimeZone)
		set(&s.Logo, in.Logo)
		set(&s.TeaserStyle, in.TeaserStyle)
		if in.PostsPerPage != nil {
			s.PostsPerPage = *in.PostsPerPage
		}
		if in.Menu != nil {
			s.Menu = *in.Menu
		}
		set(&s.WebSubHub, in.WebSubHub)
		if in.RobotsTxt != nil {
			s.RobotsTxt = *in.RobotsTxt
		}
		if in.FeedItems != nil {
			if *in.FeedItems == 0 {
				return content.FieldError("feed_items", "feeds must carry between 1 and %d posts, not 0", content.MaxFeedItems)
			}
			s.FeedItems = *in.FeedItems
		}
		if in.FeedFullText != nil {
			s.FeedFullText = *in.FeedFullText
		}
		if in.CommentsEnabled != nil {
			s.CommentsEnabled = *in.CommentsEnabled
		}
		return tx.SaveSettings(r.Context(), s)
	})
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, settingsJSON(s))
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if !u.CanManageUsers() {
		return content.Errorf(content.EForbidden, "Only an admin may manage users.")
	}
	users, err := a.cfg.DB.FindUsers(r.Context())
	if err != nil {
		return err
	}
	out := []User{}
	for _, x := range users {
		out = append(out, userJSON(x))
	}
	return WriteJSON(w, http.StatusOK, map[string]any{"users": out})
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request, u *content.User) error {
	if !u.CanManageUsers() {
		return content.Errorf(content.EForbidden, "Only an admin may manage users.")
	}
	var in struct {
		Email    string `json:"email"`
		Name     string `json:"name"`
		Role     string `json:"role"`
		Password string `json:"password"`
	}
	if err := Decode(w, r, &in); err != nil {
		return err
	}
	nu := &content.User{Email: strings.TrimSpace(in.Email), Name: strings.TrimSpace(in.Name), Role: content.Role(in.Role)}
	hash, err := a.cfg.Auth.Hasher.Hash(r.Context(), in.Password)
	if err != nil {
		return err
	}
	if err := a.cfg.DB.Update(r.Context(), func(tx *store.Tx) error {
		return tx.CreateAccount(r.Context(), nu, markup.Slugify(nu.Name), hash)
	}); err != nil {
		return err
	}
	return WriteJSON(w, http.StatusCreated, userJSON(nu))
}
