package storage

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

func TestQuoteIdent(t *testing.T) {
	for in, want := range map[string]string{
		"accounts_fit":                `"accounts_fit"`,
		`x"; DROP TABLE accounts; --`: `"x""; DROP TABLE accounts; --"`,
		`""`:                          `""""""`,
		"":                            `""`,
	} {
		if got := quoteIdent(in); got != want {
			t.Errorf("quoteIdent(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestDropIndexQuotesName: the rescore's drop-and-rebuild of indexes takes
// a name with quotes and SQL in it as one name: the index is dropped and
// rebuilt, and the SQL after the quote never runs. (The verified schema
// keeps such a name out of a book; this holds without it.)
func TestDropIndexQuotesName(t *testing.T) {
	ctx := context.Background()
	r, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	name := `x"; INSERT INTO log VALUES('pwned'); --`
	if _, err := r.Exec(`CREATE TABLE accounts(fit INTEGER); CREATE TABLE log(v TEXT);
		CREATE INDEX ` + quoteIdent(name) + ` ON accounts(fit)`); err != nil {
		t.Fatal(err)
	}
	tx, err := r.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ran := false
	err = withoutIndexes(ctx, tx, "accounts", true, []string{"fit"}, func() error {
		ran = true
		var n int
		return tx.QueryRow("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = ?", name).Scan(&n)
	})
	if err != nil {
		t.Fatalf("withoutIndexes: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var pwned, idx int
	r.QueryRow("SELECT count(*) FROM log").Scan(&pwned)
	r.QueryRow("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = ?", name).Scan(&idx)
	if !ran || pwned != 0 || idx != 1 {
		t.Errorf("update ran %v, injected rows %d, index present %d; want true, 0, 1", ran, pwned, idx)
	}
}

// TestNormSQL: layout and comments do not matter; quoted text does.
func TestNormSQL(t *testing.T) {
	a := normSQL("CREATE TABLE t (\n\ta TEXT DEFAULT 'x  y', -- note\n\tb /* c */ INT\n)")
	b := normSQL("CREATE TABLE t ( a TEXT DEFAULT 'x  y', b INT )")
	if a != b {
		t.Errorf("%q != %q", a, b)
	}
	if normSQL("DEFAULT 'x  y'") == normSQL("DEFAULT 'x y'") {
		t.Error("whitespace inside a string was collapsed")
	}
	if normSQL(`"a  b"`) == normSQL(`"a b"`) {
		t.Error("whitespace inside a quoted name was collapsed")
	}
}
