package main

import "github.com/shortlisthq/shortlist/internal/clock"

// binaryNow pins the clock of every binary this package's tests run: a rep
// in New York on a Tuesday morning, so no test depends on the hour or the
// zone of the machine (calls are held outside calling hours, "today" and
// the demo book follow the clock).
const (
	binaryNow  = "2026-12-01T10:30:00-05:00"
	binaryZone = "America/New_York"
)

// pinnedEnv is the environment that pins a run's clock and zone.
func pinnedEnv() []string { return []string{"TZ=" + binaryZone, clock.EnvVar + "=" + binaryNow} }
