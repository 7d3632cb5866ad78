package model

import (
	"slices"
	"strings"
	"testing"
	"unicode"
)

// FuzzParseNames: the name parsers behind `shortlist log --outcome`,
// `--channel`, `--tier`, task kinds and account statuses never panic; what
// they accept is one of the known names and parses back to itself; what
// they refuse gets a one-line error with no raw control character, since
// the CLI prints it to the terminal as it is.
func FuzzParseNames(f *testing.F) {
	for _, s := range []string{"no-answer", "NO_ANSWER", " connected ", "call", "LinkedIn", "a", " d",
		"todo", "nurture", "", "\x1b[2J", "\u202eevil", "meeting\x00booked", "\xff\xfe", "c\u0085d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		check := func(kind string, got string, known []string, err error, again func(string) (string, error)) {
			if err != nil {
				msg := err.Error()
				if strings.ContainsFunc(msg, func(r rune) bool { return unicode.IsControl(r) || r == '\u202e' }) {
					t.Fatalf("%s %q: error has a raw control character: %q", kind, s, msg)
				}
				if !strings.HasPrefix(msg, "unknown ") {
					t.Fatalf("%s %q: error %q does not say what was unknown", kind, s, msg)
				}
				return
			}
			if !slices.Contains(known, got) {
				t.Fatalf("%s %q: accepted as %q, not a known name", kind, s, got)
			}
			if back, err := again(got); err != nil || back != got {
				t.Fatalf("%s %q: %q does not parse back to itself (%q, %v)", kind, s, got, back, err)
			}
		}
		names := func(vs ...string) []string { return vs }
		o, err := ParseOutcome(s)
		check("outcome", string(o), namesOf(Outcomes), err, func(v string) (string, error) { x, err := ParseOutcome(v); return string(x), err })
		c, err := ParseChannel(s)
		check("channel", string(c), namesOf(Channels), err, func(v string) (string, error) { x, err := ParseChannel(v); return string(x), err })
		tr, err := ParseTier(s)
		check("tier", string(tr), names("A", "B", "C", "D"), err, func(v string) (string, error) { x, err := ParseTier(v); return string(x), err })
		k, err := ParseTaskKind(s)
		check("task kind", string(k), namesOf(TaskKinds), err, func(v string) (string, error) { x, err := ParseTaskKind(v); return string(x), err })
		st, err := ParseAccountStatus(s)
		check("status", string(st), namesOf(AccountStatuses), err, func(v string) (string, error) { x, err := ParseAccountStatus(v); return string(x), err })
	})
}

func namesOf[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}
