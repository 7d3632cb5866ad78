package storage

import (
	"context"
	"database/sql"
	"fmt"
)

// migrationFills are the copies a migration makes of the rows already in
// the book, by schema version: run after the migration's SQL in its
// transaction, a batch of ids per statement, so that a big book's
// migration reports its progress instead of keeping the rep waiting in
// silence. A new book has nothing to copy.
var migrationFills = map[int]func(ctx context.Context, tx *sql.Tx, progress func(Progress)) error{
	5: fillSearchIndex,
}

// fillBatch is how many ids one fill statement covers: FTS5 writes its
// pending terms at each statement's end, so a batch must be large enough
// for that to cost little (20 statements for 400,000 contacts).
const fillBatch = 20_000

// fillSearchIndex indexes the book's accounts and contacts for search
// (migration 0005), accounts first, each in id order.
func fillSearchIndex(ctx context.Context, tx *sql.Tx, progress func(Progress)) error {
	for _, f := range []struct{ noun, table, insert string }{
		{"accounts", "accounts", `INSERT INTO accounts_fts(rowid, name, domain)
			SELECT id, name, domain FROM accounts WHERE id > ?1 AND id <= ?2`},
		{"contacts", "contacts", `INSERT INTO contacts_fts(rowid, name, email, title, company, account_id)
			SELECT c.id, c.first_name || ' ' || c.last_name, c.email, c.title, a.name, a.id
			FROM contacts c JOIN accounts a ON a.id = c.account_id WHERE c.id > ?1 AND c.id <= ?2`},
	} {
		var total int
		var last int64
		if err := tx.QueryRowContext(ctx, "SELECT count(*), coalesce(max(id), 0) FROM "+f.table).Scan(&total, &last); err != nil {
			return fmt.Errorf("count %s to index: %w", f.noun, err)
		}
		done := 0
		for lo := int64(0); lo < last; lo += fillBatch {
			res, err := tx.ExecContext(ctx, f.insert, lo, lo+fillBatch)
			if err != nil {
				return fmt.Errorf("index %s for search: %w", f.noun, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("index %s for search: %w", f.noun, err)
			}
			done += int(n)
			if progress != nil {
				progress(Progress{Step: "building the search index", Noun: f.noun, Done: min(done, total), Total: total})
			}
		}
	}
	return nil
}
