package app_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestSourceDeskIsBehindTheAdminSignIn checks the desk's API and pages as
// served by the real binary's handler: editors get in, authors are refused,
// strangers are sent to sign in.
func TestSourceDeskIsBehindTheAdminSignIn(t *testing.T) {
	db := t.TempDir() + "/b.db"
	editor, author := apiToken(t, db, "editor"), apiToken(t, db, "author")
	base := startServe(t, []string{"--db", db})

	if code, _, body := apiCall(t, "GET", base+"/api/v1/sources", editor); code != 200 || !strings.HasPrefix(strings.TrimSpace(body), "{") {
		t.Errorf("editor GET /api/v1/sources: %d %.80s", code, body)
	}
	if code, _, body := apiCall(t, "GET", base+"/api/v1/inbox", author); code != 403 || !strings.Contains(body, `"forbidden"`) {
		t.Errorf("author GET /api/v1/inbox: %d %.120s, want 403", code, body)
	}
	if code, _, _ := apiCall(t, "GET", base+"/api/v1/sources", ""); code != 401 {
		t.Errorf("anonymous GET /api/v1/sources: %d, want 401", code)
	}
	if code, loc, _ := apiCall(t, "GET", base+"/admin/inbox", ""); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/login?next=") {
		t.Errorf("anonymous GET /admin/inbox: %d → %q, want a redirect to sign in", code, loc)
	}
}
