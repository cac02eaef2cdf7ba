package admin_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestZoneUnreadableIsNotUTC: when the site's settings cannot be read, the
// admin does not quietly take times in UTC (a post scheduled for 10:00 in
// Tokyo would go out nine hours late); its pages fail until the settings
// read again, then show the site's zone.
func TestZoneUnreadableIsNotUTC(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := content.DefaultSettings()
	s.TimeZone = "Asia/Tokyo"
	if err := db.Update(ctx, func(tx *store.Tx) error { return tx.SaveSettings(ctx, s) }); err != nil {
		t.Fatal(err)
	}
	// A second connection spoils the stored menu, so that the settings
	// no longer read, behind the store's back.
	raw, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	setMenu := func(v string) {
		t.Helper()
		if _, err := raw.Exec(`UPDATE settings SET value = ? WHERE key = 'menu'`, v); err != nil {
			t.Fatal(err)
		}
	}
	setMenu("{not json")

	e := newEnv(t, db)
	p := e.postBy("editor", content.StatusDraft)
	ed := e.signIn("editor")
	edit := fmt.Sprintf("%s/admin/posts/%d", e.srv.URL, p.ID)
	res, err := ed.Get(edit)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, res)
	if res.StatusCode < 500 || strings.Contains(body, "(UTC)") {
		t.Errorf("settings unreadable: the editor answered %d, offering the UTC zone: %v", res.StatusCode, strings.Contains(body, "(UTC)"))
	}

	setMenu("[]")
	res, err = ed.Get(edit)
	if err != nil {
		t.Fatal(err)
	}
	body = readAll(t, res)
	if res.StatusCode != 200 || !strings.Contains(body, "(Asia/Tokyo)") {
		t.Errorf("settings readable again: %d, Tokyo shown: %v", res.StatusCode, strings.Contains(body, "(Asia/Tokyo)"))
	}
}
