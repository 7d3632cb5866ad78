package storage_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
)

// TestSearchWords: every word a rep types must appear, in any order and
// any case; a word may match a contact's company as long as another
// matches the contact, so "anna acme" is Anna at Acme and "acme" alone is
// not every Acme contact.
func TestSearchWords(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, filepath.Join(t.TempDir(), "search.db"))
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
			{AccountID: acme, FirstName: "Anna", LastName: "Schmidt", Title: "VP Sales", Email: "a.schmidt@mail.example"},
			{AccountID: acme, FirstName: "Bob", LastName: "Stone", Title: "Engineer", Email: "bob@acme.de"},
			{AccountID: globex, FirstName: "Anna", LastName: "Berg", Title: "CFO", Email: "anna@globex.com"},
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
	show := func(hits []model.SearchHit) string {
		var out []string
		for _, h := range hits {
			if h.ContactID == 0 {
				out = append(out, h.AccountName)
			} else {
				out = append(out, h.ContactName+"@"+h.AccountName)
			}
		}
		return strings.Join(out, ", ")
	}
	for _, tc := range []struct{ query, want string }{
		{"acme", "Acme GmbH, Bob Stone@Acme GmbH"},
		{"anna acme", "Anna Schmidt@Acme GmbH"},
		{"ACME anna", "Anna Schmidt@Acme GmbH"},
		{"anna", "Anna Schmidt@Acme GmbH, Anna Berg@Globex"},
		{"vp acme", "Anna Schmidt@Acme GmbH"},
		{"globex.com", "Globex, Anna Berg@Globex"},
		{"anna nobody", ""},
		{"   ", ""},
	} {
		res, err := db.Search(ctx, tc.query, 10)
		hits := res.Hits
		if err != nil {
			t.Fatalf("%q: %v", tc.query, err)
		}
		if got := show(hits); got != tc.want {
			t.Errorf("search %q = %q, want %q", tc.query, got, tc.want)
		}
	}
	if _, err := db.Search(ctx, strings.Repeat("a ", 500), 10); err != nil {
		t.Errorf("a pasted paragraph: %v", err)
	}
}
