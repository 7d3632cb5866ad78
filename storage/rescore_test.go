package storage_test

import (
	"context"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	"github.com/shortlisthq/shortlist/storage/demo"
)

// TestRescoreKeepsIndexes checks that a rescore that rewrites most rows
// (and so rebuilds the indexes it would churn) leaves every index in place
// and consistent, and that the scores match a fresh book's.
func TestRescoreKeepsIndexes(t *testing.T) {
	db := demoDB(t, 200)
	path := db.Path()
	r := raw(t, path)
	indexes := func() string {
		var s string
		if err := r.QueryRow(`SELECT group_concat(name || ':' || sql, ';') FROM
			(SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name)`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	scores := func() string {
		var s string
		if err := r.QueryRow(`SELECT group_concat(id || ':' || fit || tier || suggest_rank, ',') FROM
			(SELECT id, fit, tier, suggest_rank FROM accounts ORDER BY id)`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before, want := indexes(), scores()
	db.Close()

	ctx := context.Background()
	other := testOptions()
	other.Profile.Thresholds.A = 80
	other.Profile.Criteria[0].Weight = 20
	for _, o := range []storage.Options{other, testOptions()} {
		db, err := storage.Open(ctx, path, o)
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.Rescore(ctx)
		db.Close()
		if err != nil || n != 0 {
			t.Fatalf("a second rescore with the same profile changed %d accounts, %v", n, err)
		}
	}
	if after := indexes(); after != before {
		t.Errorf("indexes changed:\n%s\n%s", before, after)
	}
	if got := scores(); got != want {
		t.Error("scores after a round trip through another profile differ from the book's")
	}
	var check string
	if err := r.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity check: %q, %v", check, err)
	}
	if n := count(t, r, `SELECT count(*) FROM tasks k JOIN accounts a ON a.id = k.account_id
		WHERE k.status IN ('open', 'snoozed') AND a.fit > 0 AND k.base_rank = 0`); n != 0 {
		t.Errorf("%d open tasks lost their base rank", n)
	}
}

// TestOpenRerankOnNewCoefficients checks that changing only the [rank]
// weights (not the profile) re-ranks stored rows on the next open: base and
// suggest ranks are computed with them, and a stale one would misorder the
// worklist until the profile happened to change.
func TestOpenRerankOnNewCoefficients(t *testing.T) {
	db := demoDB(t, 100)
	path := db.Path()
	db.Close()
	r := raw(t, path)
	ranks := func() (float64, float64) {
		var base, suggest float64
		if err := r.QueryRow(`SELECT
			(SELECT coalesce(sum(base_rank), 0) FROM tasks WHERE status IN ('open', 'snoozed')),
			(SELECT coalesce(sum(suggest_rank), 0) FROM accounts)`).Scan(&base, &suggest); err != nil {
			t.Fatal(err)
		}
		return base, suggest
	}
	base0, suggest0 := ranks()

	o := testOptions()
	co := o.Settings.Coefficients
	co.Fit += 10
	co.Priority = maps.Clone(co.Priority)
	co.Tier = maps.Clone(co.Tier)
	o.Settings.Coefficients = co
	ctx := context.Background()
	db, err := storage.Open(ctx, path, o)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	base1, suggest1 := ranks()
	if base1 <= base0 || suggest1 <= suggest0 {
		t.Errorf("a higher fit weight left ranks as they were: base %.1f -> %.1f, suggest %.1f -> %.1f", base0, base1, suggest0, suggest1)
	}
	db, err = storage.Open(ctx, path, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if b, s := ranks(); b != base0 || s != suggest0 {
		t.Errorf("back on the old weights, ranks are %.1f/%.1f, want %.1f/%.1f", b, s, base0, suggest0)
	}
}

// TestRescoreStagesMatchFreshBook changes one input at a time (the rank
// coefficients, the ICP criteria, the contact level table), then all of
// them, then back, reopening the same book each time. Rescore skips the
// stages whose inputs did not change; after every step each account's fit,
// tier and suggest rank, each contact's level and each open task's base
// rank must equal those of a book built fresh with the same settings.
func TestRescoreStagesMatchFreshBook(t *testing.T) {
	ctx := context.Background()
	criteria := func(o *storage.Options) {
		o.Profile.Thresholds.A = 80
		o.Profile.Criteria[0].Weight = 20
	}
	// Priority weights move base ranks but no account's suggest rank, so
	// no account is rescored: only the coefficients can tell.
	coefficients := func(o *storage.Options) {
		o.Settings.Coefficients.Priority[model.PriorityHigh] += 7
	}
	fitWeight := func(o *storage.Options) { o.Settings.Coefficients.Fit *= 3 }
	levels := func(o *storage.Options) {
		o.Profile.Contacts.Personas[model.PersonaChampion] = 5
		o.Profile.Contacts.Personas[model.PersonaUser] = 90
	}
	steps := []struct {
		name   string
		change []func(*storage.Options)
	}{
		{"coefficients", []func(*storage.Options){coefficients}},
		{"criteria and coefficients", []func(*storage.Options){criteria, coefficients}},
		{"criteria", []func(*storage.Options){criteria}},
		{"levels", []func(*storage.Options){levels}},
		{"all", []func(*storage.Options){criteria, coefficients, fitWeight, levels}},
		{"back", nil},
	}
	const n = 120
	book := demoDB(t, n).Path()
	for _, s := range steps {
		o := testOptions()
		for _, f := range s.change {
			f(&o)
		}
		db, err := storage.Open(ctx, book, o)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		fresh, err := storage.Open(ctx, filepath.Join(t.TempDir(), "fresh.db"), o)
		if err != nil {
			t.Fatal(err)
		}
		if err := demo.Generate(ctx, fresh, demo.Options{Accounts: n, Seed: 7, Now: clock}); err != nil {
			t.Fatal(err)
		}
		want := rankSnapshot(t, fresh.Path())
		fresh.Close()
		got := rankSnapshot(t, book)
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: %s = %s, a fresh book has %s", s.name, k, got[k], w)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d values, a fresh book has %d", s.name, len(got), len(want))
		}
	}
}

// rankSnapshot is every stored score, level and base rank, by row.
func rankSnapshot(t *testing.T, path string) map[string]string {
	t.Helper()
	r := raw(t, path)
	out := map[string]string{}
	for _, q := range []string{
		`SELECT 'account ' || id, fit || ' ' || tier || ' ' || suggest_rank FROM accounts`,
		`SELECT 'contact ' || id, level FROM contacts`,
		`SELECT 'task ' || id, printf('%.9f', base_rank) FROM tasks WHERE status IN ('open', 'snoozed')`,
	} {
		rows, err := r.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			out[k] = v
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	r.Close()
	return out
}

// TestRescoredAtOpen: Open says when it re-scored a book scored before
// under another profile (the CLI and TUI tell the rep the edit took
// effect), and not for a new book or an unchanged profile.
func TestRescoredAtOpen(t *testing.T) {
	ctx := context.Background()
	db := demoDB(t, 60)
	path := db.Path()
	if _, ran := db.RescoredAtOpen(); ran {
		t.Errorf("a new book's first scoring counted as a re-score")
	}
	db.Close()
	other := testOptions()
	other.Profile.Thresholds.A = 95
	other.Profile.Criteria[0].Weight = 1
	for _, step := range []struct {
		name string
		o    storage.Options
		ran  bool
	}{{"same profile", testOptions(), false}, {"edited profile", other, true}, {"same again", other, false}} {
		db, err := storage.Open(ctx, path, step.o)
		if err != nil {
			t.Fatal(err)
		}
		n, ran := db.RescoredAtOpen()
		db.Close()
		if ran != step.ran || (ran && n == 0) {
			t.Errorf("%s: re-scored %v, %d changed; want re-scored %v", step.name, ran, n, step.ran)
		}
	}
}

// TestRescoreRefusesNegativeWeight checks that a profile Validate would
// refuse (a negative weight can push a fit below 0) fails the re-score
// whole, naming the cause, instead of leaving accounts unscored.
func TestRescoreRefusesNegativeWeight(t *testing.T) {
	db := demoDB(t, 50)
	path := db.Path()
	r := raw(t, path)
	before := count(t, r, "SELECT sum(fit) FROM accounts")
	db.Close()
	bad := testOptions()
	for i := range bad.Profile.Criteria {
		bad.Profile.Criteria[i].Weight = -10
	}
	bad.Profile.Criteria[0].Weight = 100
	db, err := storage.Open(context.Background(), path, bad)
	if err == nil {
		db.Close()
		t.Fatal("a profile with negative weights re-scored the book")
	}
	if !strings.Contains(err.Error(), "criterion weight is negative") {
		t.Errorf("error %q does not name the negative weight", err)
	}
	if after := count(t, r, "SELECT sum(fit) FROM accounts"); after != before {
		t.Errorf("sum of fits %d after the failed re-score, want %d", after, before)
	}
}
