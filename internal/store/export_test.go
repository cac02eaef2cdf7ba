package store

import "context"

var bg = context.Background()

// UnclaimedAhead returns how many posts read ahead for listings
// (FindPostsByIDs) no reader has taken yet.
func UnclaimedAhead(db *DB) int {
	return db.caches.aheadByID.Len()
}

// FillOutletSlugs runs migration 0090's fill step again: every source
// whose slug is NULL gets one.
func FillOutletSlugs(db *DB) error {
	return db.Update(bg, func(tx *Tx) error {
		if _, err := tx.exec(bg, `UPDATE sources SET slug = NULL`); err != nil {
			return err
		}
		return fillOutletSlugs(bg, tx)
	})
}
