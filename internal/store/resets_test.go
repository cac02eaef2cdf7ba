package store_test

import (
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestResetLinks: a link finds its user until it is used or expires; it
// works once; a newer link retires the older.
func TestResetLinks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		u := &content.User{Name: "Nia", Email: "nia@example.org", Role: content.RoleAuthor}
		update := func(f func(tx *store.Tx) error) error { return db.Update(ctx, f) }
		if err := update(func(tx *store.Tx) error { return tx.CreateAccount(ctx, u, "nia", "x") }); err != nil {
			t.Fatal(err)
		}
		now := db.Now()
		if err := update(func(tx *store.Tx) error { return tx.CreateResetLink(ctx, "old", u.ID, 1, now.Add(time.Hour)) }); err != nil {
			t.Fatal(err)
		}
		if err := update(func(tx *store.Tx) error { return tx.CreateResetLink(ctx, "new", u.ID, 1, now.Add(time.Hour)) }); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindResetLinkUser(ctx, "old", now); !content.IsNotFound(err) {
			t.Errorf("the older link still works: %v", err)
		}
		got, err := db.FindResetLinkUser(ctx, "new", now)
		if err != nil || got.ID != u.ID {
			t.Fatalf("find the link: %v %v", got, err)
		}
		if _, err := db.FindResetLinkUser(ctx, "new", now.Add(2*time.Hour)); !content.IsNotFound(err) {
			t.Errorf("an expired link is found: %v", err)
		}
		if at, by, err := db.LastResetLink(ctx, u.ID); err != nil || !at.Equal(now.Truncate(time.Second)) || by != 1 {
			t.Errorf("the last link: made %v by %d (%v), want %v by 1", at, by, err, now)
		}
		var id int64
		if err := update(func(tx *store.Tx) (err error) { id, err = tx.UseResetLink(ctx, "new"); return err }); err != nil || id != u.ID {
			t.Fatalf("use the link: %d %v", id, err)
		}
		err = update(func(tx *store.Tx) error { _, err := tx.UseResetLink(ctx, "new"); return err })
		if !content.IsNotFound(err) {
			t.Errorf("a link used twice: %v", err)
		}
		if at, _, err := db.LastResetLink(ctx, u.ID); err != nil || !at.IsZero() {
			t.Errorf("after its use, a last link made %v (%v)", at, err)
		}
		if err := update(func(tx *store.Tx) error { return tx.CreateResetLink(ctx, "ghost", 9999, 1, now.Add(time.Hour)) }); !content.IsNotFound(err) {
			t.Errorf("a link for no user: %v", err)
		}
	})
}

// TestSetEmail: a user's email changes; another user's is refused as a
// conflict on the field, whatever its case; a malformed one is refused.
func TestSetEmail(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		a := &content.User{Name: "Ada", Email: "ada@example.org", Role: content.RoleAuthor}
		b := &content.User{Name: "Bo", Email: "bo@example.org", Role: content.RoleAuthor}
		for _, u := range []*content.User{a, b} {
			if err := db.Update(ctx, func(tx *store.Tx) error { return tx.CreateAccount(ctx, u, u.Name, "x") }); err != nil {
				t.Fatal(err)
			}
		}
		set := func(email string) error {
			return db.Update(ctx, func(tx *store.Tx) error { return tx.SetEmail(ctx, a.ID, email) })
		}
		if err := set("Ada.Obi@example.org"); err != nil {
			t.Fatal(err)
		}
		if u, _, err := db.FindUserByEmail(ctx, "ada.obi@example.org"); err != nil || u.ID != a.ID {
			t.Errorf("signing in by the new email finds %v %v", u, err)
		}
		if err := set("BO@example.org"); content.ErrorCode(err) != content.EConflict {
			t.Errorf("taking another's email: %v", err)
		}
		if err := set("not an address"); content.ErrorCode(err) != content.EInvalid {
			t.Errorf("a malformed email: %v", err)
		}
	})
}
