package clock

import (
	"strings"
	"testing"
	"time"
)

func env(v string) func(string) string {
	return func(k string) string {
		if k == EnvVar {
			return v
		}
		return ""
	}
}

func TestFromEnv(t *testing.T) {
	at := time.Date(2026, 12, 1, 15, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, value string
		pinned      bool
		err         string
	}{
		{name: "unset is the wall clock", value: ""},
		{name: "blank is the wall clock", value: "  "},
		{name: "an offset", value: "2026-12-01T10:30:00-05:00", pinned: true},
		{name: "UTC", value: "2026-12-01T15:30:00Z", pinned: true},
		{name: "fractional seconds", value: "2026-12-01T15:30:00.000Z", pinned: true},
		{name: "no offset is refused", value: "2026-12-01T10:30:00", err: `SHORTLIST_NOW="2026-12-01T10:30:00" is not an RFC 3339 time`},
		{name: "a date alone is refused", value: "2026-12-01", err: "is not an RFC 3339 time like 2026-12-01T10:30:00-05:00: fix or unset it"},
		{name: "words are refused", value: "tomorrow 9am", err: `SHORTLIST_NOW="tomorrow 9am"`},
		{name: "a control character is quoted", value: "x\x1b[2Jy", err: `"x\x1b[2Jy"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now, err := FromEnv(env(tc.value))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one containing %q", err, tc.err)
				}
				if strings.ContainsAny(err.Error(), "\n\x1b") {
					t.Fatalf("err %q is not one printable line", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := now()
			if tc.pinned {
				if d := got.Sub(at); d < 0 || d > time.Second {
					t.Fatalf("now() = %v, want %v", got, at)
				}
				if got.Location() != time.Local {
					t.Errorf("now() is in %v, want the machine's zone as the wall clock's times are", got.Location())
				}
			} else if d := time.Since(got); d < 0 || d > time.Second {
				t.Fatalf("now() = %v, want the wall clock", got)
			}
		})
	}
}

// TestPinnedMovesOn: durations and timeouts measured on a pinned clock are
// real ones.
func TestPinnedMovesOn(t *testing.T) {
	at := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	now := Pinned(at)
	first := now()
	time.Sleep(30 * time.Millisecond)
	second := now()
	if first.Before(at) || first.Sub(at) > 20*time.Millisecond {
		t.Fatalf("first read %v, want %v", first, at)
	}
	if d := second.Sub(first); d < 30*time.Millisecond || d > time.Second {
		t.Fatalf("30 ms later the clock moved %v", d)
	}
	if second.Location() != time.UTC {
		t.Errorf("a pinned clock keeps its instant's location, got %v", second.Location())
	}
}

func TestLongValueCut(t *testing.T) {
	_, err := FromEnv(env(strings.Repeat("9", 500)))
	if err == nil || len(err.Error()) > 200 {
		t.Fatalf("err = %v: want a short line", err)
	}
}
