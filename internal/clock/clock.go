// Package clock is Shortlist's one source of "now". main.go builds a clock
// once and hands the same one to the store, the sync engine, the demo
// sandbox, the CLI and the TUI, so everything that ranks, stamps, counts or
// words a relative time reads the same instant.
//
// Tests and demos pin it with SHORTLIST_NOW: a pinned clock starts at the
// given instant and moves on with the wall clock from there, so durations,
// debounces and timeouts behave as they do unpinned.
package clock

import (
	"fmt"
	"strings"
	"time"
)

// EnvVar names the variable that pins the clock (RFC 3339).
const EnvVar = "SHORTLIST_NOW"

// Wall is the machine's clock.
func Wall() func() time.Time { return time.Now }

// Pinned is a clock that reads at when it is built and moves on with the
// wall clock from there, in at's location.
func Pinned(at time.Time) func() time.Time {
	start := time.Now()
	return func() time.Time { return at.Add(time.Since(start)) }
}

// FromEnv is the clock the environment asks for: pinned when SHORTLIST_NOW
// is set, else the wall clock. A value that is not an RFC 3339 time is an
// error that says what to write, never silently the wall clock.
func FromEnv(getenv func(string) string) (func() time.Time, error) {
	v := strings.TrimSpace(getenv(EnvVar))
	if v == "" {
		return Wall(), nil
	}
	at, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, fmt.Errorf("%s=%q is not an RFC 3339 time like 2026-12-01T10:30:00-05:00: fix or unset it", EnvVar, printable(v))
	}
	// In the machine's zone, as the wall clock's times are: pinning moves
	// the instant, not the zone (the offset only says which instant).
	return Pinned(at.In(time.Local)), nil
}

// printable cuts a bad value to a short line; %q escapes the rest.
func printable(v string) string {
	if r := []rune(v); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return v
}
