package storage_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
)

// rawDB opens the book's file on a second, plain connection, as another
// writer (the sqlite3 shell, a sync in another process) would.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	r, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func rawExec(t *testing.T, r *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := r.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func names(res model.SearchResult) string {
	var out []string
	for _, h := range res.Hits {
		if h.ContactID == 0 {
			out = append(out, h.AccountName)
		} else {
			out = append(out, h.ContactName+"@"+h.AccountName)
		}
	}
	return strings.Join(out, ", ")
}

// TestSearchRanking: what a rep expects on top: a field equal to the word,
// then a field (or a word of it) starting with it, then the rest; tier A
// before D within each; an account before its own contacts.
func TestSearchRanking(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rank.db")
	db := openDB(t, path)
	err := db.Load(ctx, func(l *storage.Loader) error {
		for _, a := range []model.Account{{Name: "Pacme Freight"}, {Name: "Acme Labs"}, {Name: "Acme"}, {Name: "Old Acme Tools"}, {Name: "Globex"}} {
			id, err := l.Account(a)
			if err != nil {
				return err
			}
			if a.Name == "Globex" {
				for _, c := range []model.Contact{{FirstName: "Joanna", LastName: "Berg"}, {FirstName: "Annabel", LastName: "Ray"}, {FirstName: "Anna", LastName: "Lind"}} {
					c.AccountID = id
					if _, err := l.Contact(c); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r := rawDB(t, path)
	rawExec(t, r, "UPDATE accounts SET tier = CASE name WHEN 'Acme' THEN 'D' WHEN 'Old Acme Tools' THEN 'A' WHEN 'Acme Labs' THEN 'D' ELSE 'A' END")
	for _, tc := range []struct{ query, want string }{
		// exact (D), then word starts (A before D), then a substring (A)
		{"acme", "Acme, Old Acme Tools, Acme Labs, Pacme Freight"},
		{"ACME", "Acme, Old Acme Tools, Acme Labs, Pacme Freight"},
		{"anna", "Anna Lind@Globex, Annabel Ray@Globex, Joanna Berg@Globex"},
		// below the index's reach: the same order
		{"an", "Anna Lind@Globex, Annabel Ray@Globex, Joanna Berg@Globex"},
	} {
		res, err := db.Search(ctx, tc.query, 10)
		if err != nil {
			t.Fatalf("%q: %v", tc.query, err)
		}
		if got := names(res); got != tc.want {
			t.Errorf("search %q = %q, want %q", tc.query, got, tc.want)
		}
	}
}

// TestSearchTotal: a page cut short says how many match in all; a query of
// short words on a book this small searched all of it.
func TestSearchTotal(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "total.db"))
	err := db.Load(ctx, func(l *storage.Loader) error {
		id, err := l.Account(model.Account{Name: "Initech"})
		if err != nil {
			return err
		}
		for i := range 60 {
			if _, err := l.Contact(model.Contact{AccountID: id, FirstName: "Sam", LastName: fmt.Sprintf("Lee%02d", i)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"sam", "sa", "sam lee"} {
		res, err := db.Search(ctx, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) != 10 || res.Total != 60 || res.Partial {
			t.Errorf("search %q: %d hits of %d (partial %v), want 10 of 60, whole book", q, len(res.Hits), res.Total, res.Partial)
		}
	}
}

// TestSearchIndexFollowsWrites: the index changes in the same transaction
// as the rows, whoever writes them: a renamed account (and so its
// contacts' company), an edited contact, a contact moved, deleted rows and
// an account deleted with its contacts.
func TestSearchIndexFollowsWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "follow.db")
	db := openDB(t, path)
	err := db.Load(ctx, func(l *storage.Loader) error {
		acme, err := l.Account(model.Account{Name: "Acme GmbH", Domain: "acme.de"})
		if err != nil {
			return err
		}
		globex, err := l.Account(model.Account{Name: "Globex", Domain: "globex.com"})
		if err != nil {
			return err
		}
		for _, c := range []model.Contact{
			{AccountID: acme, FirstName: "Anna", LastName: "Schmidt", Title: "VP Sales", Email: "anna@acme.de"},
			{AccountID: acme, FirstName: "Bob", LastName: "Stone", Title: "Engineer", Email: "bob@acme.de"},
			{AccountID: globex, FirstName: "Carla", LastName: "Berg", Title: "CFO", Email: "carla@globex.com"},
		} {
			if _, err := l.Contact(c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r := rawDB(t, path)
	want := func(query, hits string) {
		t.Helper()
		res, err := db.Search(ctx, query, 10)
		if err != nil {
			t.Fatalf("%q: %v", query, err)
		}
		if got := names(res); got != hits {
			t.Errorf("search %q = %q, want %q", query, got, hits)
		}
	}
	want("anna acme", "Anna Schmidt@Acme GmbH")

	rawExec(t, r, "UPDATE accounts SET name = 'Zenith AG' WHERE name = 'Acme GmbH'")
	want("zenith", "Zenith AG")
	want("anna zenith", "Anna Schmidt@Zenith AG")
	want("anna gmbh", "")

	rawExec(t, r, "UPDATE contacts SET last_name = 'Wolf', email = 'anna.wolf@zenith.example' WHERE first_name = 'Anna'")
	want("schmidt", "")
	want("wolf zenith", "Anna Wolf@Zenith AG")

	rawExec(t, r, "UPDATE contacts SET account_id = (SELECT id FROM accounts WHERE name = 'Globex') WHERE first_name = 'Bob'")
	want("bob globex", "Bob Stone@Globex")
	want("bob zenith", "")

	rawExec(t, r, "DELETE FROM contacts WHERE first_name = 'Carla'")
	want("carla", "")
	rawExec(t, r, "DELETE FROM accounts WHERE name = 'Globex'") // Bob goes with it
	want("bob", "")
	want("globex", "")

	// Rows added and one of them changed in one transaction: both are
	// found (a changed row's entry is above the index's highest).
	tx, err := r.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"INSERT INTO accounts(name, domain) VALUES ('Umbrella Corp', 'umbrella.example'), ('Initech', 'initech.example')",
		"UPDATE accounts SET name = 'Initech Labs' WHERE name = 'Initech'",
		"INSERT INTO contacts(account_id, first_name, last_name) SELECT id, 'Dana', 'Kim' FROM accounts WHERE name = 'Umbrella Corp'",
	} {
		if _, err := tx.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	want("umbrella", "Umbrella Corp")
	want("dana umbrella", "Dana Kim@Umbrella Corp")
	want("initech", "Initech Labs")

	// Nothing is left in the index that the tables do not hold.
	var stale int
	if err := r.QueryRow(`SELECT (SELECT count(*) FROM accounts_fts) - (SELECT count(*) FROM accounts)
		+ (SELECT count(*) FROM contacts_fts) - (SELECT count(*) FROM contacts)`).Scan(&stale); err != nil {
		t.Fatal(err)
	}
	if stale != 0 {
		t.Errorf("the index holds %d rows more than the tables", stale)
	}
}

// TestSearchIndexBuiltOnMigration: a book made before the index (from the
// migrations before it) is indexed when it is opened.
func TestSearchIndexBuiltOnMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v3.db")
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	r := rawDB(t, path)
	before := 0 // the schema version just before the search index
	for _, f := range files {
		if strings.Contains(f, "_search") {
			break
		}
		before++
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rawExec(t, r, string(b))
	}
	rawExec(t, r, fmt.Sprintf("PRAGMA user_version = %d", before))
	rawExec(t, r, fmt.Sprintf("PRAGMA application_id = %d", storage.ApplicationID))
	rawExec(t, r, "INSERT INTO accounts(id, name, domain) VALUES (1, 'Acme GmbH', 'acme.de'), (50001, 'Zeta AG', 'zeta.ch')")
	// Ids in more than one batch of the migration's copy.
	rawExec(t, r, `INSERT INTO contacts(id, account_id, first_name, last_name, email, title) VALUES
		(1, 1, 'Anna', 'Schmidt', 'anna@acme.de', 'VP Sales'), (30000, 50001, 'Jonas', 'Keller', 'jonas@zeta.ch', 'CTO'),
		(65000, 1, 'Lea', 'Brunner', 'lea@acme.de', 'CFO')`)
	r.Close()

	opts := testOptions()
	var heard []storage.Progress
	opts.Progress = func(p storage.Progress) { heard = append(heard, p) }
	db, err := storage.Open(ctx, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Indexed by the migration itself, before any search could catch up.
	check := rawDB(t, path)
	var nAccounts, nContacts int
	if err := check.QueryRow("SELECT (SELECT count(*) FROM accounts_fts), (SELECT count(*) FROM contacts_fts)").Scan(&nAccounts, &nContacts); err != nil {
		t.Fatal(err)
	}
	if nAccounts != 2 || nContacts != 3 {
		t.Errorf("after migration the index holds %d accounts and %d contacts, want 2 and 3", nAccounts, nContacts)
	}
	last := map[string]storage.Progress{}
	for _, p := range heard {
		if p.Step != "building the search index" || p.Done > p.Total {
			t.Errorf("progress %+v", p)
		}
		last[p.Noun] = p
	}
	if a, c := last["accounts"], last["contacts"]; a.Done != 2 || a.Total != 2 || c.Done != 3 || c.Total != 3 || len(heard) < 5 {
		t.Errorf("progress heard %+v: want a report per batch ending at 2 of 2 accounts and 3 of 3 contacts", heard)
	}
	res, err := db.Search(ctx, "schmidt acme", 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(res); got != "Anna Schmidt@Acme GmbH" {
		t.Errorf("after migration, search = %q, want Anna Schmidt@Acme GmbH", got)
	}
}
