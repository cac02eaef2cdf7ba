package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// TableCopy is what Copy did with one table.
type TableCopy struct {
	Table    string
	Rows     int64
	Checksum string // the same on both sides, or Copy fails
	// AlreadyThere is true when the target held exactly the source's rows
	// already (a migration seeds them, or an earlier copy), so nothing was
	// written.
	AlreadyThere bool
}

// SkippedTable is a table Copy left alone, and why.
type SkippedTable struct {
	Table, Reason string
}

// CopyReport says what Copy did.
type CopyReport struct {
	Tables  []TableCopy
	Skipped []SkippedTable
}

// CopyProgress is told, now and then, how far Copy has got in a table.
type CopyProgress func(table string, copied, total int64)

// Copy copies every table of src into dst (SQLite to PostgreSQL or the
// other way round), in one transaction on dst, and verifies before
// committing that each table holds the same number of rows with the same
// checksum on both sides. Tables of dst must be empty (or already hold
// exactly the source's rows): Copy never overwrites or mixes content, and
// a failed copy leaves dst as it was. Both databases must be migrated to
// the same schema, as Open does. Tables only one engine has (SQLite's
// full-text index, which the target builds for itself) are skipped and
// listed in the report. src is read in one snapshot, so the site may go on
// serving meanwhile; what is written to it after the copy began is not
// copied, so stop editing before switching over.
func Copy(ctx context.Context, src, dst *DB, progress CopyProgress) (*CopyReport, error) {
	if progress == nil {
		progress = func(string, int64, int64) {}
	}
	stx, err := src.sql.BeginTx(ctx, src.d.snapshot())
	if err != nil {
		return nil, fmt.Errorf("store: read the source: %w", err)
	}
	defer stx.Rollback()
	snap := conn{q: stx, d: src.d, n: src.n}
	var sp int
	if err := snap.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&sp); err != nil {
		return nil, fmt.Errorf("store: read the source's schema version: %w", err)
	}
	dp, _, err := dst.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if sp != dp {
		return nil, fmt.Errorf("store: the source's schema is version %d and the target's %d; open both with the same Broadsheet version", sp, dp)
	}
	srcTables, err := snap.catalogue(ctx)
	if err != nil {
		return nil, err
	}
	dstTables, err := dst.catalogue(ctx)
	if err != nil {
		return nil, err
	}
	rep := &CopyReport{}
	for name := range srcTables {
		if dstTables[name] == nil {
			rep.Skipped = append(rep.Skipped, SkippedTable{name, "kept by " + src.Engine() + " only (its own index or log; the target keeps its own)"})
		}
	}
	for name := range dstTables {
		if srcTables[name] == nil {
			rep.Skipped = append(rep.Skipped, SkippedTable{name, "kept by " + dst.Engine() + " only (its own index or log, filled as rows arrive)"})
		}
	}
	sort.Slice(rep.Skipped, func(i, j int) bool { return rep.Skipped[i].Table < rep.Skipped[j].Table })
	order, err := copyOrder(dstTables, srcTables)
	if err != nil {
		return nil, err
	}
	err = dst.Update(ctx, func(tx *Tx) error {
		rep.Tables = rep.Tables[:0]
		for _, t := range order {
			cols := commonColumns(srcTables[t.name], t)
			tc, err := copyTable(ctx, snap, tx.conn, t, cols, progress)
			if err != nil {
				return err
			}
			rep.Tables = append(rep.Tables, tc)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The search index is not copied but rebuilt from the copied posts.
	if _, err := dst.Reindex(ctx, nil); err != nil {
		return rep, fmt.Errorf("store: the copy is complete, but building its search index failed (it is built again when the site next starts): %w", err)
	}
	return rep, nil
}

// copyOrder orders the tables both databases have so that a table comes
// after those its foreign keys reference.
func copyOrder(dst, src map[string]*tableInfo) ([]*tableInfo, error) {
	var names []string
	for name := range dst {
		if src[name] != nil {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var order []*tableInfo
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(string) error
	visit = func(name string) error {
		switch state[name] {
		case 1:
			return fmt.Errorf("store: the foreign keys of table %s form a cycle; cannot order the copy", name)
		case 2:
			return nil
		}
		state[name] = 1
		for _, ref := range dst[name].refs {
			if dst[ref] != nil && src[ref] != nil {
				if err := visit(ref); err != nil {
					return err
				}
			}
		}
		state[name] = 2
		order = append(order, dst[name])
		return nil
	}
	for _, name := range names {
		if err := visit(name); err != nil {
			return nil, err
		}
	}
	return order, nil
}

func commonColumns(src, dst *tableInfo) []string {
	var cols []string
	for _, c := range dst.columns {
		if slices.Contains(src.columns, c) {
			cols = append(cols, c)
		}
	}
	return cols
}

// copyTable copies one table's rows from src to dst and verifies them.
func copyTable(ctx context.Context, src, dst conn, t *tableInfo, cols []string, progress CopyProgress) (TableCopy, error) {
	tc := TableCopy{Table: t.name}
	srcSum, srcRows, err := checksum(ctx, src, t.name, cols)
	if err != nil {
		return tc, fmt.Errorf("store: read %s from the source: %w", t.name, err)
	}
	dstSum, dstRows, err := checksum(ctx, dst, t.name, cols)
	if err != nil {
		return tc, fmt.Errorf("store: read %s in the target: %w", t.name, err)
	}
	tc.Rows, tc.Checksum = srcRows, srcSum
	if dstRows > 0 {
		if dstSum == srcSum && dstRows == srcRows {
			tc.AlreadyThere = true
			return tc, nil
		}
		return tc, fmt.Errorf("store: the target already has %d rows in table %s; copy into an empty database, so that nothing there is overwritten or mixed", dstRows, t.name)
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = quoteIdent(c)
	}
	// Columns referencing the same table are filled in a second pass, so
	// that rows may come in any order.
	var self []int
	for i, c := range cols {
		if slices.Contains(t.selfFKs, c) {
			self = append(self, i)
		}
	}
	if len(self) > 0 && len(t.pk) == 0 {
		return tc, fmt.Errorf("store: table %s references itself but has no primary key; cannot copy it", t.name)
	}
	var later [][]any
	rows, err := src.query(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM `+quoteIdent(t.name))
	if err != nil {
		return tc, fmt.Errorf("store: read %s from the source: %w", t.name, err)
	}
	defer rows.Close()
	// Several rows per INSERT: far fewer round trips to a PostgreSQL server.
	perBatch := max(1, 500/len(cols))
	rowMarks := "(" + placeholders(len(cols)) + ")"
	var batch []any
	n := 0
	var copied int64
	flush := func() error {
		if n == 0 {
			return nil
		}
		marks := strings.Repeat(rowMarks+", ", n-1) + rowMarks
		if _, err := dst.exec(ctx, `INSERT INTO `+quoteIdent(t.name)+` (`+strings.Join(quoted, ", ")+`) VALUES `+marks, batch...); err != nil {
			return fmt.Errorf("store: write %s in the target: %w", t.name, err)
		}
		copied += int64(n)
		progress(t.name, copied, srcRows)
		batch, n = batch[:0], 0
		return nil
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return tc, fmt.Errorf("store: read %s from the source: %w", t.name, err)
		}
		if dst.d.name == "postgres" {
			if err := storableText(t, cols, vals); err != nil {
				return tc, err
			}
		}
		// Only a row that references another is linked later: most posts
		// have no parent, and an UPDATE each would cost a round trip each.
		if slices.ContainsFunc(self, func(i int) bool { return vals[i] != nil }) {
			later = append(later, slices.Clone(vals))
			for _, i := range self {
				vals[i] = nil
			}
		}
		batch = append(batch, vals...)
		n++
		if n == perBatch {
			if err := flush(); err != nil {
				return tc, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return tc, fmt.Errorf("store: read %s from the source: %w", t.name, err)
	}
	if err := flush(); err != nil {
		return tc, err
	}
	if copied == 0 {
		progress(t.name, 0, 0) // an empty table is done too
	}
	for _, vals := range later {
		var set, where []string
		var args []any
		for _, i := range self {
			set = append(set, quoteIdent(cols[i])+" = ?")
			args = append(args, vals[i])
		}
		for _, k := range t.pk {
			i := slices.Index(cols, k)
			where = append(where, quoteIdent(k)+" = ?")
			args = append(args, vals[i])
		}
		if _, err := dst.exec(ctx, `UPDATE `+quoteIdent(t.name)+` SET `+strings.Join(set, ", ")+` WHERE `+strings.Join(where, " AND "), args...); err != nil {
			return tc, fmt.Errorf("store: link %s rows to each other in the target: %w", t.name, err)
		}
	}
	for _, col := range t.serial {
		if err := dst.resetSerial(ctx, t.name, col); err != nil {
			return tc, fmt.Errorf("store: continue %s.%s's numbering in the target: %w", t.name, col, err)
		}
	}
	dstSum, dstRows, err = checksum(ctx, dst, t.name, cols)
	if err != nil {
		return tc, fmt.Errorf("store: verify %s in the target: %w", t.name, err)
	}
	if dstRows != srcRows || dstSum != srcSum {
		return tc, fmt.Errorf("store: verifying table %s failed: the source has %d rows (checksum %s), the target %d (checksum %s); nothing was copied",
			t.name, srcRows, srcSum[:12], dstRows, dstSum[:12])
	}
	return tc, nil
}

// checksum digests a table's rows independently of their order (the
// engines sort text differently): each row's values, in a form both
// engines give alike, are hashed, and the sorted row hashes hashed again.
func checksum(ctx context.Context, c conn, table string, cols []string) (string, int64, error) {
	quoted := make([]string, len(cols))
	for i, col := range cols {
		quoted[i] = quoteIdent(col)
	}
	rows, err := c.query(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM `+quoteIdent(table))
	if err != nil {
		return "", 0, err
	}
	defer rows.Close()
	var sums [][sha256.Size]byte
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var buf bytes.Buffer
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", 0, err
		}
		buf.Reset()
		for _, v := range vals {
			s := canonical(v)
			buf.WriteString(strconv.Itoa(len(s)))
			buf.WriteByte(':')
			buf.WriteString(s)
		}
		sums = append(sums, sha256.Sum256(buf.Bytes()))
	}
	if err := rows.Err(); err != nil {
		return "", 0, err
	}
	sort.Slice(sums, func(i, j int) bool { return bytes.Compare(sums[i][:], sums[j][:]) < 0 })
	h := sha256.New()
	for _, s := range sums {
		h.Write(s[:])
	}
	return hex.EncodeToString(h.Sum(nil)), int64(len(sums)), nil
}

// canonical writes a value as both engines' drivers give it alike.
func canonical(v any) string {
	switch v := v.(type) {
	case nil:
		return "\x00null"
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		if v {
			return "1"
		}
		return "0"
	case []byte:
		return string(v)
	case string:
		return v
	case time.Time:
		return strconv.FormatInt(v.UnixNano(), 10)
	}
	return fmt.Sprint(v)
}

// quoteIdent quotes a table or column name for either engine.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// storableText checks a row's text for what PostgreSQL refuses (NUL
// characters, invalid UTF-8) and SQLite takes, naming the row and column,
// so the copy stops with the place to mend rather than a bare database
// error.
func storableText(t *tableInfo, cols []string, vals []any) error {
	for i, v := range vals {
		var s string
		switch v := v.(type) {
		case string:
			s = v
		case []byte:
			s = string(v)
		default:
			continue
		}
		problem := ""
		switch {
		case strings.IndexByte(s, 0) >= 0:
			problem = "contains a NUL character"
		case !utf8.ValidString(s):
			problem = "is not valid UTF-8"
		}
		if problem == "" {
			continue
		}
		var where []string
		for _, k := range t.pk {
			if j := slices.Index(cols, k); j >= 0 {
				where = append(where, fmt.Sprintf("%s=%s", k, canonical(vals[j])))
			}
		}
		return fmt.Errorf("store: table %s, row %s, column %s %s, which PostgreSQL cannot store; mend it in the source and copy again",
			t.name, strings.Join(where, ","), cols[i], problem)
	}
	return nil
}
