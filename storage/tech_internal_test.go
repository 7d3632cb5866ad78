package storage

import (
	"encoding/json"
	"slices"
	"testing"
)

// FuzzParseTech checks the fast technologies decoder against encoding/json
// on everything techJSON can write: the rescore, the reads and the sync all
// read the column through it, so a divergence would score an account on
// the wrong technologies.
func FuzzParseTech(f *testing.F) {
	for _, s := range []string{"", "Salesforce", "a\",\"b", `x\y`, "<&>", "\x00\x1b[2J", "\xff", "日本", `"]`, `["`} {
		f.Add(s, "HubSpot")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, ts := range [][]string{nil, {a}, {a, b}, {b, a, ""}} {
			stored := techJSON(ts)
			got, err := parseTech(stored)
			if err != nil {
				t.Fatalf("parseTech(%q): %v", stored, err)
			}
			var want []string
			if stored != "[]" {
				if err := json.Unmarshal([]byte(stored), &want); err != nil {
					t.Fatal(err)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("parseTech(%q) = %q, encoding/json says %q", stored, got, want)
			}
		}
	})
}

// FuzzTechJSON holds techJSON's quoting to encoding/json's: what the
// column holds must not depend on which path wrote it.
func FuzzTechJSON(f *testing.F) {
	for _, s := range []string{"", "Salesforce", "a\"b", `x\y`, "<&>", "\x00\x1b[2J", "\xff", "日本", "\x7f", " ~"} {
		f.Add(s, "HubSpot")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, ts := range [][]string{{a}, {a, b}, {b, a, ""}} {
			want, _ := json.Marshal(ts)
			if got := techJSON(ts); got != string(want) {
				t.Errorf("techJSON(%q) = %s, encoding/json writes %s", ts, got, want)
			}
		}
	})
}
