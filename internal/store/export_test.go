package store

// UnclaimedAhead returns how many posts read ahead for listings
// (FindPostsByIDs) no reader has taken yet.
func UnclaimedAhead(db *DB) int {
	m := db.counts
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.aheadByID)
}
