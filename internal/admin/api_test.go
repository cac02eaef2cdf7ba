package admin_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/editorial"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestAPIRoleMatrix runs every action as every role and checks it is
// allowed or refused (403) as WordPress's roles would, and that a refused
// action changed nothing.
func TestAPIRoleMatrix(t *testing.T) {
	future := func(e *env) string { return e.db.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339) }
	type req struct {
		method, path string
		body         any
		// check, when set, looks at the stored post after an allowed call.
		id int64
	}
	cases := []struct {
		name  string
		setup func(e *env) req
		want  map[string]int // by role; statuses
	}{
		{"create a draft", func(e *env) req {
			return req{"POST", "/api/v1/posts", map[string]any{"title": "Draft", "body": "Text"}, 0}
		}, map[string]int{"contributor": 201, "author": 201, "editor": 201, "admin": 201}},
		{"create a post for review", func(e *env) req {
			return req{"POST", "/api/v1/posts", map[string]any{"title": "For review", "status": "pending"}, 0}
		}, map[string]int{"contributor": 201, "author": 201, "editor": 201, "admin": 201}},
		{"create a published post", func(e *env) req {
			return req{"POST", "/api/v1/posts", map[string]any{"title": "Live", "status": "published"}, 0}
		}, map[string]int{"contributor": 403, "author": 201, "editor": 201, "admin": 201}},
		{"create a scheduled post", func(e *env) req {
			return req{"POST", "/api/v1/posts", map[string]any{"title": "Later", "status": "scheduled", "publish_at": future(e)}, 0}
		}, map[string]int{"contributor": 403, "author": 201, "editor": 201, "admin": 201}},
		{"create a page", func(e *env) req {
			return req{"POST", "/api/v1/posts", map[string]any{"kind": "page", "title": "About"}, 0}
		}, map[string]int{"contributor": 403, "author": 403, "editor": 201, "admin": 201}},
		{"create a post in a category that does not exist", func(e *env) req {
			return req{"POST", "/api/v1/posts", map[string]any{"title": "Filed", "categories": []string{"Brand New Desk"}}, 0}
		}, map[string]int{"contributor": 422, "author": 422, "editor": 422, "admin": 422}},
		{"create a category", func(e *env) req {
			return req{"POST", "/api/v1/categories", map[string]any{"name": "Desk of " + currentRole}, 0}
		}, map[string]int{"contributor": 403, "author": 403, "editor": 201, "admin": 201}},
		{"list the tags", func(e *env) req { return req{"GET", "/api/v1/tags", nil, 0} },
			map[string]int{"contributor": 200, "author": 200, "editor": 200, "admin": 200}},
		{"create a post with a new tag", func(e *env) req {
			return req{"POST", "/api/v1/posts", map[string]any{"title": "Tagged", "tags": []string{"fresh tag"}}, 0}
		}, map[string]int{"contributor": 201, "author": 201, "editor": 201, "admin": 201}},
		{"create a post naming another author", func(e *env) req {
			return req{"POST", "/api/v1/posts", map[string]any{"title": "Ghost", "authors": []string{e.users["author2"].Slug}}, 0}
		}, map[string]int{"contributor": 403, "author": 403, "editor": 201, "admin": 201}},
		{"read someone else's draft", func(e *env) req {
			p := e.postBy("author2", content.StatusDraft)
			return req{"GET", fmt.Sprintf("/api/v1/posts/%d", p.ID), nil, p.ID}
		}, map[string]int{"contributor": 403, "author": 403, "editor": 200, "admin": 200}},
		{"edit someone else's draft", func(e *env) req {
			p := e.postBy("author2", content.StatusDraft)
			return req{"PATCH", fmt.Sprintf("/api/v1/posts/%d", p.ID), map[string]any{"title": "Changed"}, p.ID}
		}, map[string]int{"contributor": 403, "author": 403, "editor": 200, "admin": 200}},
		{"edit someone else's published post", func(e *env) req {
			p := e.postBy("author2", content.StatusPublished)
			return req{"PATCH", fmt.Sprintf("/api/v1/posts/%d", p.ID), map[string]any{"title": "Changed"}, p.ID}
		}, map[string]int{"contributor": 403, "author": 403, "editor": 200, "admin": 200}},
		{"trash someone else's post", func(e *env) req {
			p := e.postBy("author2", content.StatusPublished)
			return req{"DELETE", fmt.Sprintf("/api/v1/posts/%d", p.ID), nil, p.ID}
		}, map[string]int{"contributor": 403, "author": 403, "editor": 200, "admin": 200}},
		{"edit one's own draft", func(e *env) req {
			p := e.postBy(roleOf(e), content.StatusDraft)
			return req{"PATCH", fmt.Sprintf("/api/v1/posts/%d", p.ID), map[string]any{"title": "Changed"}, p.ID}
		}, map[string]int{"contributor": 200, "author": 200, "editor": 200, "admin": 200}},
		{"submit one's own draft for review", func(e *env) req {
			p := e.postBy(roleOf(e), content.StatusDraft)
			return req{"PATCH", fmt.Sprintf("/api/v1/posts/%d", p.ID), map[string]any{"status": "pending"}, p.ID}
		}, map[string]int{"contributor": 200, "author": 200, "editor": 200, "admin": 200}},
		{"publish one's own draft", func(e *env) req {
			p := e.postBy(roleOf(e), content.StatusDraft)
			return req{"PATCH", fmt.Sprintf("/api/v1/posts/%d", p.ID), map[string]any{"status": "published"}, p.ID}
		}, map[string]int{"contributor": 403, "author": 200, "editor": 200, "admin": 200}},
		{"schedule one's own draft", func(e *env) req {
			p := e.postBy(roleOf(e), content.StatusDraft)
			return req{"PATCH", fmt.Sprintf("/api/v1/posts/%d", p.ID), map[string]any{"status": "scheduled", "publish_at": future(e)}, p.ID}
		}, map[string]int{"contributor": 403, "author": 200, "editor": 200, "admin": 200}},
		{"edit one's own published post", func(e *env) req {
			p := e.postBy(roleOf(e), content.StatusPublished)
			return req{"PATCH", fmt.Sprintf("/api/v1/posts/%d", p.ID), map[string]any{"title": "Changed"}, p.ID}
		}, map[string]int{"contributor": 403, "author": 200, "editor": 200, "admin": 200}},
		{"unpublish one's own published post", func(e *env) req {
			p := e.postBy(roleOf(e), content.StatusPublished)
			return req{"PATCH", fmt.Sprintf("/api/v1/posts/%d", p.ID), map[string]any{"status": "draft"}, p.ID}
		}, map[string]int{"contributor": 403, "author": 200, "editor": 200, "admin": 200}},
		{"trash one's own draft", func(e *env) req {
			p := e.postBy(roleOf(e), content.StatusDraft)
			return req{"DELETE", fmt.Sprintf("/api/v1/posts/%d", p.ID), nil, p.ID}
		}, map[string]int{"contributor": 200, "author": 200, "editor": 200, "admin": 200}},
		{"publish a contributor's submission", func(e *env) req {
			p := e.postBy("contributor", content.StatusPending)
			return req{"PATCH", fmt.Sprintf("/api/v1/posts/%d", p.ID), map[string]any{"status": "published"}, p.ID}
		}, map[string]int{"contributor": 403, "author": 403, "editor": 200, "admin": 200}},
		{"edit a page", func(e *env) req {
			p := e.post("editor", editorial.Input{Kind: content.KindPage})
			return req{"PATCH", fmt.Sprintf("/api/v1/posts/%d", p.ID), map[string]any{"title": "Changed"}, p.ID}
		}, map[string]int{"contributor": 403, "author": 403, "editor": 200, "admin": 200}},
		{"list pages", func(e *env) req {
			return req{"GET", "/api/v1/posts?kind=page", nil, 0}
		}, map[string]int{"contributor": 403, "author": 403, "editor": 200, "admin": 200}},
		{"list posts", func(e *env) req {
			return req{"GET", "/api/v1/posts?status=draft&page=1", nil, 0}
		}, map[string]int{"contributor": 200, "author": 200, "editor": 200, "admin": 200}},
		{"read revisions of someone else's post", func(e *env) req {
			p := e.postBy("author2", content.StatusDraft)
			return req{"GET", fmt.Sprintf("/api/v1/posts/%d/revisions", p.ID), nil, p.ID}
		}, map[string]int{"contributor": 403, "author": 403, "editor": 200, "admin": 200}},
		{"restore a revision of someone else's post", func(e *env) req {
			p := e.postBy("author2", content.StatusDraft)
			return req{"POST", fmt.Sprintf("/api/v1/posts/%d/revisions/1/restore", p.ID), nil, p.ID}
		}, map[string]int{"contributor": 403, "author": 403, "editor": 200, "admin": 200}},
		{"upload an image", func(e *env) req {
			return req{"POST", "/api/v1/media", multipartPhoto(e, "Harbour at dawn"), 0}
		}, map[string]int{"contributor": 403, "author": 201, "editor": 201, "admin": 201}},
		{"change the alt text of someone else's image", func(e *env) req {
			return req{"PATCH", fmt.Sprintf("/api/v1/media/%d", e.image()), map[string]any{"alt": "Better words"}, 0}
		}, map[string]int{"contributor": 403, "author": 403, "editor": 200, "admin": 200}},
		{"change the alt text of one's own image", func(e *env) req {
			key := currentRole
			if key == "contributor" { // contributors cannot upload: the image is an author's
				key = "author"
			}
			return req{"PATCH", fmt.Sprintf("/api/v1/media/%d", e.imageBy(key)), map[string]any{"alt": "Better words"}, 0}
		}, map[string]int{"contributor": 403, "author": 200, "editor": 200, "admin": 200}},
		{"delete an unused image", func(e *env) req {
			return req{"DELETE", fmt.Sprintf("/api/v1/media/%d", e.image()), nil, 0}
		}, map[string]int{"contributor": 403, "author": 403, "editor": 204, "admin": 204}},
		{"list the media library", func(e *env) req { return req{"GET", "/api/v1/media", nil, 0} },
			map[string]int{"contributor": 200, "author": 200, "editor": 200, "admin": 200}},
		{"preview a body", func(e *env) req { return req{"POST", "/api/v1/preview", map[string]any{"body": "*x*"}, 0} },
			map[string]int{"contributor": 200, "author": 200, "editor": 200, "admin": 200}},
		{"create a token for oneself", func(e *env) req { return req{"POST", "/api/v1/tokens", map[string]any{"name": "script"}, 0} },
			map[string]int{"contributor": 201, "author": 201, "editor": 201, "admin": 201}},
		{"read the settings", func(e *env) req { return req{"GET", "/api/v1/settings", nil, 0} },
			map[string]int{"contributor": 403, "author": 403, "editor": 403, "admin": 200}},
		{"list users", func(e *env) req { return req{"GET", "/api/v1/users", nil, 0} },
			map[string]int{"contributor": 403, "author": 403, "editor": 403, "admin": 200}},
		{"revoke someone else's token", func(e *env) req {
			ts, _ := e.db.FindTokens(ctx, e.users["author2"].ID)
			return req{"DELETE", fmt.Sprintf("/api/v1/tokens/%d", ts[0].ID), nil, 0}
		}, map[string]int{"contributor": 403, "author": 403, "editor": 403, "admin": 204}},
	}
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, c := range cases {
			for _, role := range roleKeys {
				t.Run(c.name+"/"+role, func(t *testing.T) {
					e.t = t
					currentRole = role
					r := c.setup(e)
					var before *content.Post
					if r.id != 0 {
						before, _ = db.FindPostByID(ctx, r.id)
					}
					postsBefore, _ := db.CountPosts(ctx, content.KindPost)
					_, mediaBefore, _ := db.FindMediaList(ctx, "", 0, 1)
					status, out := e.call(role, r.method, r.path, r.body)
					want := c.want[role]
					if status != want {
						t.Fatalf("%s as %s: status %d, want %d (%v)", c.name, role, status, want, out)
					}
					if status == http.StatusForbidden {
						if errorOf(out)["code"] != "forbidden" || errorOf(out)["message"] == "" {
							t.Errorf("refusal without a clear error: %v", out)
						}
						postsAfter, _ := db.CountPosts(ctx, content.KindPost)
						if postsAfter != postsBefore {
							t.Errorf("a refused call changed the number of posts from %d to %d", postsBefore, postsAfter)
						}
						if _, mediaAfter, _ := db.FindMediaList(ctx, "", 0, 1); mediaAfter != mediaBefore {
							t.Errorf("a refused call changed the media library from %d to %d items", mediaBefore, mediaAfter)
						}
						if before != nil {
							after, _ := db.FindPostByID(ctx, r.id)
							if after.Title != before.Title || after.Status != before.Status {
								t.Errorf("a refused call changed the post: %q %s → %q %s", before.Title, before.Status, after.Title, after.Status)
							}
						}
					}
				})
			}
		}
	})
}

// currentRole is the role a matrix case runs as, for setups about "one's own".
var currentRole string

func roleOf(*env) string { return currentRole }

func TestAPIUnauthenticated(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		status, out := e.call("", "GET", "/api/v1/posts", nil)
		if status != 401 || errorOf(out)["code"] != "unauthorized" {
			t.Errorf("no credentials: %d %v, want 401", status, out)
		}
		e.tokens["nobody"] = "bs_not-a-real-token"
		status, _ = e.call("nobody", "POST", "/api/v1/posts", map[string]any{"title": "x"})
		if status != 401 {
			t.Errorf("unknown token: %d, want 401", status)
		}
		// A revoked token stops working at once.
		ts, _ := db.FindTokens(ctx, e.users["author"].ID)
		if status, _ := e.call("admin", "DELETE", fmt.Sprintf("/api/v1/tokens/%d", ts[0].ID), nil); status != 204 {
			t.Fatalf("revoke: %d", status)
		}
		if status, _ := e.call("author", "GET", "/api/v1/me", nil); status != 401 {
			t.Errorf("revoked token: %d, want 401", status)
		}
		if n, _ := db.CountPosts(ctx, content.KindPost); n != 0 {
			t.Errorf("%d posts stored by unauthenticated calls", n)
		}
	})
}

// TestAPICreatePost checks the contract of POST /api/v1/posts and that the
// post then appears on the site as written.
func TestAPICreatePost(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		status, out := e.call("author", "POST", "/api/v1/posts", map[string]any{
			"title": "Ports of the Gulf of Guinea", "body": "The *introduction*.\n\n<!--more-->\n\nThe article.",
			"excerpt": "", "status": "published", "categories": []string{}, "tags": []string{"ports", "trade"},
			"source": map[string]any{"name": "Xinhua", "url": "https://example.com/ports", "author": "Li Wei", "published_at": "2026-01-10T08:00:00Z"},
		})
		if status != 201 {
			t.Fatalf("create: %d %v", status, out)
		}
		if out["id"] == nil || !strings.HasSuffix(out["url"].(string), "/2026/01/15/ports-of-the-gulf-of-guinea/") {
			t.Errorf("id %v, url %v", out["id"], out["url"])
		}
		if out["teaser_html"] != "<p>The <em>introduction</em>.</p>\n" || out["has_more"] != true {
			t.Errorf("teaser %q, has_more %v", out["teaser_html"], out["has_more"])
		}
		src := out["source"].(map[string]any)
		if src["name"] != "Xinhua" || src["author"] != "Li Wei" || src["published_at"] != "2026-01-10T08:00:00Z" {
			t.Errorf("source %v", src)
		}
		if tags := out["tags"].([]any); len(tags) != 2 || tags[0] != "ports" {
			t.Errorf("tags %v", tags)
		}
		id := int64(out["id"].(float64))
		status, got := e.call("author", "GET", fmt.Sprintf("/api/v1/posts/%d", id), nil)
		if status != 200 || got["title"] != "Ports of the Gulf of Guinea" || got["version"].(float64) != 1 {
			t.Errorf("get: %d %v", status, got)
		}
		status, list := e.call("author", "GET", "/api/v1/posts?status=published", nil)
		if status != 200 || list["total"].(float64) != 1 {
			t.Errorf("list: %d %v", status, list)
		}
	})
}

// TestAPICommentStatus: a new post is open to comments and a new page
// closed, as in WordPress; comment_status changes it, and anything but
// open or closed is refused naming the field.
func TestAPICommentStatus(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, post := e.call("admin", "POST", "/api/v1/posts", map[string]any{"title": "Harbour dues"})
		_, page := e.call("admin", "POST", "/api/v1/posts", map[string]any{"title": "Contact", "kind": "page"})
		if post["comment_status"] != "open" || page["comment_status"] != "closed" {
			t.Errorf("comment_status of a new post %v and page %v, want open and closed", post["comment_status"], page["comment_status"])
		}
		path := fmt.Sprintf("/api/v1/posts/%d", int64(post["id"].(float64)))
		if status, out := e.call("admin", "PATCH", path, map[string]any{"comment_status": "closed"}); status != 200 || out["comment_status"] != "closed" {
			t.Errorf("closing: %d %v", status, out["comment_status"])
		}
		if _, out := e.call("admin", "GET", path, nil); out["comment_status"] != "closed" {
			t.Errorf("after closing, comment_status %v", out["comment_status"])
		}
		status, out := e.call("admin", "PATCH", path, map[string]any{"comment_status": "moderated"})
		if status != 422 || !strings.Contains(fmt.Sprint(out), "comment_status") {
			t.Errorf("comment_status moderated: %d %v, want 422 naming the field", status, out)
		}
	})
}

// TestAPIBadRequests sends what a careless or hostile client might and
// checks each gets a clear error naming the problem, and nothing changes.
func TestAPIBadRequests(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		existing := e.post("editor", editorial.Input{})
		path := fmt.Sprintf("/api/v1/posts/%d", existing.ID)
		past := db.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
		huge := `{"title": "big", "body": "` + strings.Repeat("x", 20<<20) + `"}`
		cases := []struct {
			name, method, path string
			body               any
			status             int
			code, field        string
			says               string
		}{
			{"bad JSON", "POST", "/api/v1/posts", `{"title": "x",}`, 400, "invalid", "", "not valid JSON"},
			{"not an object", "POST", "/api/v1/posts", `["title"]`, 400, "invalid", "", "must be a JSON"},
			{"empty body", "POST", "/api/v1/posts", ``, 400, "invalid", "", "empty"},
			{"unknown field", "POST", "/api/v1/posts", `{"title": "x", "colour": "red"}`, 400, "invalid", "colour", "unknown field"},
			{"wrong type", "POST", "/api/v1/posts", `{"title": 42}`, 400, "invalid", "title", "must be a JSON string"},
			{"20 MB body", "POST", "/api/v1/posts", huge, 413, "too_large", "", "larger than the limit"},
			{"unknown status", "POST", "/api/v1/posts", `{"title": "x", "status": "live"}`, 422, "invalid", "status", "unknown status"},
			{"bad time", "POST", "/api/v1/posts", `{"title": "x", "status": "scheduled", "publish_at": "tomorrow"}`, 422, "invalid", "publish_at", "RFC 3339"},
			{"scheduled in the past", "POST", "/api/v1/posts", `{"title": "x", "status": "scheduled", "publish_at": "` + past + `"}`, 422, "invalid", "publish_at", "not in the future"},
			{"scheduled without a time", "POST", "/api/v1/posts", `{"title": "x", "status": "scheduled"}`, 422, "invalid", "publish_at", "needs a publication time"},
			{"slug clash", "POST", "/api/v1/posts", `{"title": "x", "slug": "` + existing.Slug + `"}`, 409, "conflict", "slug", "already used"},
			{"bad slug", "POST", "/api/v1/posts", `{"title": "x", "slug": "a/b"}`, 422, "invalid", "slug", "slashes"},
			{"slug ..", "POST", "/api/v1/posts", `{"title": "x", "slug": ".."}`, 422, "invalid", "slug", "parent"},
			{"invisible slug", "POST", "/api/v1/posts", `{"title": "x", "slug": "taken\u200b-slug"}`, 422, "invalid", "slug", "U+200B"},
			{"patch: bidi slug", "PATCH", path, `{"slug": "\u202eslug"}`, 422, "invalid", "slug", "U+202E"},
			{"bad source URL", "POST", "/api/v1/posts", `{"title": "x", "source": {"url": "javascript:alert(1)"}}`, 422, "invalid", "source.url", "http(s) URL"},
			{"published without a title", "POST", "/api/v1/posts", `{"title": "", "status": "published"}`, 422, "invalid", "title", "title is required"},
			{"unknown author", "POST", "/api/v1/posts", `{"title": "x", "authors": ["nobody"]}`, 422, "invalid", "authors", "no user"},
			{"patch: unknown field", "PATCH", path, `{"titel": "x"}`, 400, "invalid", "titel", "unknown field"},
			{"patch: slug clash", "PATCH", path, `{"slug": "taken-slug"}`, 409, "conflict", "slug", "already used"},
			{"patch: scheduled in the past", "PATCH", path, `{"status": "scheduled", "publish_at": "` + past + `"}`, 422, "invalid", "publish_at", "not in the future"},
			{"patch: 20 MB body", "PATCH", path, huge, 413, "too_large", "", "larger"},
			{"patch: no such post", "PATCH", "/api/v1/posts/999999", `{"title": "x"}`, 404, "not_found", "", "no post or page 999999"},
			{"get: not a number", "GET", "/api/v1/posts/abc", nil, 404, "not_found", "", "no id"},
			{"unknown endpoint", "GET", "/api/v1/nothing", nil, 404, "not_found", "", "no API endpoint"},
			{"list: bad page", "GET", "/api/v1/posts?page=zero", nil, 400, "invalid", "page", "whole number"},
		}
		title := "Taken"
		slug := "taken-slug"
		e.post("editor", editorial.Input{Title: &title, Slug: &slug})
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before, _ := db.CountPosts(ctx, content.KindPost)
				beforePost, _ := db.FindPostByID(ctx, existing.ID)
				status, out := e.call("editor", c.method, c.path, c.body)
				er := errorOf(out)
				if status != c.status || er["code"] != c.code || (er["field"] != nil && er["field"] != c.field) || (er["field"] == nil && c.field != "") {
					t.Fatalf("got %d %v, want %d code %q field %q", status, out, c.status, c.code, c.field)
				}
				if msg, _ := er["message"].(string); !strings.Contains(msg, c.says) {
					t.Errorf("message %q does not say %q", msg, c.says)
				}
				after, _ := db.CountPosts(ctx, content.KindPost)
				afterPost, _ := db.FindPostByID(ctx, existing.ID)
				v, _ := db.PostVersion(ctx, existing.ID)
				if after != before || afterPost.Title != beforePost.Title || afterPost.Slug != beforePost.Slug ||
					afterPost.Status != beforePost.Status || v != existing.Version {
					t.Errorf("a refused request changed what is stored")
				}
			})
		}
	})
}

// TestAPIEditConflict has two people save the same version of a post: the
// second is refused and the first one's words stay.
func TestAPIEditConflict(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		p := e.post("editor", editorial.Input{})
		path := fmt.Sprintf("/api/v1/posts/%d", p.ID)
		status, first := e.call("editor", "PATCH", path, map[string]any{"body": "Amara's version", "version": p.Version})
		if status != 200 || first["version"].(float64) != float64(p.Version+1) {
			t.Fatalf("first save: %d %v", status, first)
		}
		status, second := e.call("admin", "PATCH", path, map[string]any{"body": "Bola's version", "version": p.Version})
		if status != 409 || errorOf(second)["field"] != "version" || !strings.Contains(errorOf(second)["message"].(string), "someone else saved") {
			t.Fatalf("second save: %d %v, want 409 conflict", status, second)
		}
		stored, _ := db.FindPostByID(ctx, p.ID)
		if stored.Body != "Amara's version" {
			t.Errorf("stored body %q, want the first save's", stored.Body)
		}
		revs, _ := db.FindRevisions(ctx, p.ID)
		if len(revs) != 2 {
			t.Errorf("%d revisions, want 2 (creation and the first save)", len(revs))
		}
	})
}

// TestAPIRevisions saves three versions and restores the first.
func TestAPIRevisions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		body := "First words."
		p := e.post("author", editorial.Input{Body: &body})
		path := fmt.Sprintf("/api/v1/posts/%d", p.ID)
		for _, b := range []string{"Second words.", "Third words."} {
			if status, out := e.call("author", "PATCH", path, map[string]any{"body": b}); status != 200 {
				t.Fatalf("save: %d %v", status, out)
			}
		}
		status, out := e.call("author", "GET", path+"/revisions", nil)
		revs := out["revisions"].([]any)
		if status != 200 || len(revs) != 3 || revs[0].(map[string]any)["number"].(float64) != 3 {
			t.Fatalf("revisions: %d %v", status, out)
		}
		status, rev := e.call("author", "GET", path+"/revisions/1", nil)
		if status != 200 || rev["body"] != "First words." {
			t.Fatalf("revision 1: %d %v", status, rev)
		}
		if cats, ok := rev["categories"].([]any); !ok || len(cats) != 0 || rev["featured_image"] != float64(0) {
			t.Errorf("revision 1 does not record its (empty) categories and featured image: %v", rev)
		}
		status, out = e.call("author", "POST", path+"/revisions/1/restore", map[string]any{"version": 3})
		if status != 200 || out["body"] != "First words." || out["version"].(float64) != 4 {
			t.Fatalf("restore: %d %v", status, out)
		}
		status, out = e.call("author", "POST", path+"/revisions/2/restore", map[string]any{"version": 3})
		if status != 409 {
			t.Errorf("restore from a stale version: %d %v, want 409", status, out)
		}
	})
}

// TestAPIPreview renders Markdown as the site would, break and all.
func TestAPIPreview(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		status, out := e.call("contributor", "POST", "/api/v1/preview", map[string]any{
			"body": "**Bold** intro\n\n<!--more-->\n\nRest <script>alert(1)</script>"})
		if status != 200 || out["teaser_html"] != "<p><strong>Bold</strong> intro</p>\n" || out["has_more"] != true {
			t.Errorf("preview: %d %v", status, out)
		}
		if strings.Contains(out["body_html"].(string), "<script") {
			t.Errorf("preview kept a script: %s", out["body_html"])
		}
	})
}

// TestAutosaveKeepsOneRevision: a run of autosaves by one person keeps
// one revision whose number follows the version; explicit saves and other
// people's autosaves keep their own.
func TestAutosaveKeepsOneRevision(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		p := e.post("editor", editorial.Input{})
		path := fmt.Sprintf("/api/v1/posts/%d", p.ID)
		v := float64(p.Version)
		save := func(key string, body string, autosave bool) {
			t.Helper()
			status, out := e.call(key, "PATCH", path, map[string]any{"body": body, "version": v, "autosave": autosave})
			if status != 200 || out["version"].(float64) != v+1 {
				t.Fatalf("save %q: %d %v", body, status, out)
			}
			v = out["version"].(float64)
		}
		for _, b := range []string{"T", "Ty", "Typ"} {
			save("editor", b, true)
		}
		numbers := func() []int {
			revs, _ := db.FindRevisions(ctx, p.ID)
			var n []int
			for _, r := range revs {
				n = append(n, r.Number)
			}
			return n
		}
		if got := fmt.Sprint(numbers()); got != "[4 1]" {
			t.Errorf("after three autosaves: revisions %s, want [4 1]", got)
		}
		save("editor", "Typed.", false)
		save("editor", "Typed. More", true)
		save("admin", "Typed. More, by another", true)
		if got := fmt.Sprint(numbers()); got != "[7 6 5 4 1]" {
			t.Errorf("revisions %s, want [7 6 5 4 1]", got)
		}
		rev, _ := db.FindRevision(ctx, p.ID, 4)
		if rev.Body != "Typ" || !rev.Autosave {
			t.Errorf("the kept autosave: %q autosave=%v", rev.Body, rev.Autosave)
		}
		status, _ := e.call("editor", "PATCH", path, map[string]any{"body": "stale", "version": 4, "autosave": true})
		if status != 409 {
			t.Errorf("a stale autosave: %d, want 409", status)
		}
	})
}

// TestAPISettingsAndUsers: only admins read and change settings and users.
func TestAPISettingsAndUsers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, role := range []string{"contributor", "author", "editor"} {
			for _, c := range []struct{ method, path, body string }{
				{"GET", "/api/v1/settings", ""}, {"PATCH", "/api/v1/settings", `{"title": "Mine now"}`},
				{"GET", "/api/v1/users", ""}, {"POST", "/api/v1/users", `{"email": "x@example.org", "name": "X", "role": "admin", "password": "a long enough password"}`},
			} {
				var body any
				if c.body != "" {
					body = c.body
				}
				if status, _ := e.call(role, c.method, c.path, body); status != 403 {
					t.Errorf("%s %s as %s: %d, want 403", c.method, c.path, role, status)
				}
			}
		}
		status, out := e.call("admin", "PATCH", "/api/v1/settings", `{"time_zone": "Asia/Tokyo", "menu": [{"label": "About", "url": "/about/"}]}`)
		if status != 200 || out["time_zone"] != "Asia/Tokyo" || out["title"] != "Broadsheet" {
			t.Errorf("patch settings: %d %v", status, out)
		}
		status, out = e.call("admin", "PATCH", "/api/v1/settings", `{"menu": [{"label": "Evil", "url": "javascript:alert(1)"}]}`)
		if status != 422 || errorOf(out)["field"] != "menu" {
			t.Errorf("a javascript: menu link: %d %v", status, out)
		}
		if s, _ := db.LoadSettings(ctx); len(s.Menu) != 1 || s.Menu[0].Label != "About" {
			t.Errorf("the refused menu changed the settings: %+v", s.Menu)
		}
		status, out = e.call("admin", "PATCH", "/api/v1/settings", `{"teaser_style": "cards"}`)
		if status != 200 || out["teaser_style"] != "cards" || out["time_zone"] != "Asia/Tokyo" {
			t.Errorf("patch the teaser style: %d %v", status, out)
		}
		status, out = e.call("admin", "PATCH", "/api/v1/settings", `{"teaser_style": "tiles"}`)
		if status != 422 || errorOf(out)["field"] != "teaser_style" {
			t.Errorf("an unknown teaser style: %d %v", status, out)
		}
		status, out = e.call("admin", "POST", "/api/v1/users", `{"email": "ife@example.org", "name": "Ife Bello", "role": "author", "password": "a long enough password"}`)
		if status != 201 || out["slug"] != "ife-bello" {
			t.Errorf("create user: %d %v", status, out)
		}
		status, out = e.call("admin", "POST", "/api/v1/users", `{"email": "ife@example.org", "name": "Ife", "role": "author", "password": "a long enough password"}`)
		if status != 409 || errorOf(out)["field"] != "email" {
			t.Errorf("the same email again: %d %v", status, out)
		}
	})
}

// multipartPhoto is an upload body with a small photo and its alt text.
func multipartPhoto(e *env, alt string) rawBody {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "photo.jpg")
	fw.Write(photoWithGPS(e.t, 40, 30))
	mw.WriteField("alt", alt)
	mw.Close()
	return rawBody{mw.FormDataContentType(), body.Bytes()}
}

// image uploads a photo as the editor and returns its id.
func (e *env) image() int64 {
	e.t.Helper()
	return e.imageBy("editor")
}

// imageBy uploads an image to the library as the user key.
func (e *env) imageBy(key string) int64 {
	e.t.Helper()
	status, m := e.call(key, "POST", "/api/v1/media", multipartPhoto(e, "A photo"))
	if status != 201 {
		e.t.Fatalf("upload: %d %v", status, m)
	}
	return int64(m["id"].(float64))
}
