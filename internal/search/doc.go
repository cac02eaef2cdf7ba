// Package search is Broadsheet's full-text search, on both engines.
//
// Parse turns what a reader types into a small syntax tree (words,
// "phrases", -exclusions, a last word that may be a prefix), and each engine
// turns that tree into its own query syntax, so that no character a reader
// types ever reaches an FTS parser. PlainText and Clean make the text the
// index is built from.
//
// The index is FTS5 on SQLite and a tsvector column under a GIN index on
// PostgreSQL; engines.go and bounded.go are where the two differ. Its
// tables are declared by the store's migrations, which are the schema. The
// package runs its SQL through a DB the store provides, one of its
// connections or transactions, and never imports the store: Index and
// Unindex run inside the transaction that writes or deletes the post, so a
// search never shows a deleted post or misses a published one.
//
// Find ranks, counts and pages results and makes their snippets (on
// SQLite, a large result set is ranked among a bounded set of candidates:
// see bounded.go); Suggest offers titles while a reader types; Rebuild and
// Settle rebuild the whole index; Missing and Size tell its state.
package search
