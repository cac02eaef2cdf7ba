package store_test

import (
	"testing"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/store"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
)

// TestUnstorableTextIsInvalidInput looks up and writes text PostgreSQL
// refuses (a NUL, bytes that are not UTF-8) past the checks that stand
// before the store: whatever the engine answers, it is never an internal
// error, so no caller turns it into a 500.
func TestUnstorableTextIsInvalidInput(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		for _, s := range []string{"a\x00b", "a\xffb"} {
			reads := map[string]error{}
			_, reads["FindTermBySlug"] = db.FindTermBySlug(ctx, content.TaxTag, s)
			_, reads["FindUserBySlug"] = db.FindUserBySlug(ctx, s)
			_, _, reads["FindUserByEmail"] = db.FindUserByEmail(ctx, s)
			_, _, reads["FindEntries"] = db.FindEntries(ctx, store.EntryFilter{Kind: content.KindPost, Title: s, Limit: 10})
			_, reads["FindAlias"] = db.FindAlias(ctx, "/"+s+"/")
			for name, err := range reads {
				if code := content.ErrorCode(err); code == content.EInternal {
					t.Errorf("%s(%q): %v, an internal error", name, s, err)
				}
			}
			// A write no Validate method checks: an alias's target.
			err := db.Update(ctx, func(tx *store.Tx) error {
				return tx.PutAlias(ctx, &content.Alias{Path: "/old/", Target: "/" + s + "/"})
			})
			if code := content.ErrorCode(err); code == content.EInternal {
				t.Errorf("PutAlias(%q): %v, an internal error", s, err)
			}
		}
	})
}
