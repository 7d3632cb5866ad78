package storage_test

import (
	"context"
	"maps"
	"testing"

	"github.com/shortlisthq/shortlist/storage"
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
