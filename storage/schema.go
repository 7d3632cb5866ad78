package storage

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
)

// quoteIdent quotes a SQL identifier (a table or index name) for SQLite:
// in double quotes, each double quote doubled. Every identifier that is
// not a constant of this package goes through it.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// schemaObject is one row of sqlite_schema.
type schemaObject struct {
	typ, name, table, sql string
}

func (o schemaObject) key() string { return o.typ + "\x00" + o.name }

// what names the object for a person: `trigger "x" on touches`.
func (o schemaObject) what() string {
	s := fmt.Sprintf("%s %q", o.typ, o.name)
	if o.typ != "table" && o.typ != "view" && o.table != "" {
		s += " on " + plainName(o.table)
	}
	return s
}

// plainName is a name as is when it is a plain word, else quoted (a
// crafted name is shown escaped, never raw).
func plainName(s string) string {
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return fmt.Sprintf("%q", s)
		}
	}
	if s == "" {
		return `""`
	}
	return s
}

// statTables are the tables ANALYZE adds (query-planner statistics, data
// only): a book analysed with the sqlite3 shell is still ours.
var statTables = map[string]string{
	"sqlite_stat1": "CREATE TABLE sqlite_stat1(tbl,idx,stat)",
	"sqlite_stat4": "CREATE TABLE sqlite_stat4(tbl,idx,neq,nlt,ndlt,sample)",
}

// readSchema reads every object of the main schema.
func readSchema(ctx context.Context, q queryer) ([]schemaObject, error) {
	rows, err := q.QueryContext(ctx, "SELECT type, name, tbl_name, coalesce(sql, '') FROM main.sqlite_schema")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []schemaObject
	for rows.Next() {
		var o schemaObject
		if err := rows.Scan(&o.typ, &o.name, &o.table, &o.sql); err != nil {
			return nil, err
		}
		o.sql = normSQL(o.sql)
		out = append(out, o)
	}
	return out, rows.Err()
}

// expectedSchema is the schema the first n migrations make, read from a
// private in-memory database they are applied to: the expectation follows
// the embedded migrations, with no list to keep by hand.
func expectedSchema(ctx context.Context, ms []migration) ([]schemaObject, error) {
	mem, err := sql.Open("sqlite", "file:expected?mode=memory")
	if err != nil {
		return nil, fmt.Errorf("expected schema: %w", err)
	}
	defer mem.Close()
	mem.SetMaxOpenConns(1) // one connection: one in-memory database
	for _, m := range ms {
		if _, err := mem.ExecContext(ctx, m.sql); err != nil {
			return nil, fmt.Errorf("expected schema: migration %s: %w", m.name, err)
		}
	}
	s, err := readSchema(ctx, mem)
	if err != nil {
		return nil, fmt.Errorf("expected schema: %w", err)
	}
	return s, nil
}

// verifySchema compares the book's schema with what the migrations up to
// its version make (type, name, table and SQL of every table, index,
// trigger and view) and refuses anything else, naming what it found: a
// trigger or view someone added runs SQL in every process that opens the
// book.
func verifySchema(ctx context.Context, q queryer, path string, ms []migration) error {
	want, err := expectedSchema(ctx, ms)
	if err != nil {
		return err
	}
	got, err := readSchema(ctx, q)
	if err != nil {
		return fmt.Errorf("open %s: read its schema: %w", path, err)
	}
	if diffs := schemaDiffs(want, got); len(diffs) > 0 {
		more := ""
		if len(diffs) > 1 {
			more = fmt.Sprintf(" (and %d more differences)", len(diffs)-1)
		}
		return fmt.Errorf("%s: %s%s: this file was %w; restore a backup (shortlist backup) or choose another --db", path, diffs[0], more, ErrChanged)
	}
	return nil
}

// schemaDiffs lists how got differs from want, additions first (the
// dangerous kind), each as a short phrase.
func schemaDiffs(want, got []schemaObject) []string {
	w := map[string]schemaObject{}
	for _, o := range want {
		w[o.key()] = o
	}
	g := map[string]bool{}
	var added, changed, missing []string
	for _, o := range got {
		g[o.key()] = true
		exp, ok := w[o.key()]
		switch {
		case !ok && o.typ == "table" && statTables[o.name] != "" && o.sql == normSQL(statTables[o.name]):
			// statistics from ANALYZE
		case !ok:
			added = append(added, "unexpected "+o.what())
		case exp.table != o.table || exp.sql != o.sql:
			changed = append(changed, o.what()+" is not the one Shortlist made")
		}
	}
	for _, o := range want {
		if !g[o.key()] {
			missing = append(missing, o.what()+" is missing")
		}
	}
	for _, l := range [][]string{added, changed, missing} {
		sort.Strings(l)
	}
	return append(append(added, changed...), missing...)
}

// normSQL collapses each run of whitespace outside quotes and comments to
// one space, so a schema differing only in layout compares equal; quoted
// text (strings, identifiers) is kept byte for byte.
func normSQL(s string) string {
	var b strings.Builder
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			space = true
			continue
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			for i < len(s) && s[i] != '\n' {
				i++
			}
			space = true
			continue
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				i = len(s)
			} else {
				i += 2 + end + 1
			}
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		var end byte
		switch c {
		case '\'', '"', '`':
			end = c
		case '[':
			end = ']'
		default:
			b.WriteByte(c)
			continue
		}
		j := i + 1
		for j < len(s) {
			if s[j] == end {
				if end != ']' && j+1 < len(s) && s[j+1] == end {
					j += 2 // a doubled quote inside
					continue
				}
				break
			}
			j++
		}
		if j >= len(s) {
			j = len(s) - 1
		}
		b.WriteString(s[i : j+1])
		i = j
	}
	return b.String()
}
