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

// Schema lists the definitions of the indexes and foreign keys of the
// tables a fill fills (BulkFill), sorted: on PostgreSQL from its
// catalogue, on SQLite the tables' and indexes' statements.
func Schema(db *DB) ([]string, error) {
	q := `SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY sql`
	if db.d.name == "postgres" {
		q = `SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY($1)
			UNION ALL
			SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
			WHERE contype = 'f' AND conrelid::regclass::text = ANY($1)
			ORDER BY 1`
		return db.strings(bg, q, filledTables)
	}
	return db.strings(bg, q)
}
