package ui

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// shownRow is a worklist row as the screen draws it.
type shownRow struct {
	n     int
	call  bool   // its next action is a call
	local string // the contact's local time, "15:04"
	mark  string // ✓ callable now, ✗ held, "" neither
	line  string
}

func rowLines(rs []shownRow) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.line + "\n")
	}
	return b.String()
}

// rowLine reads a worklist row: "> 13   Acme … call · today    03:00 ✗ 6d".
var rowLine = regexp.MustCompile(`^[> ] +(\d+) +.*?\s([+↩]?)(call|email|linkedin|todo) · .*\s(\d\d:\d\d) ([✓✗ ]) +\S+\s*$`)

func shownRows(screen string) []shownRow {
	var out []shownRow
	for _, l := range strings.Split(screen, "\n") {
		m := rowLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[1])
		out = append(out, shownRow{n: n, call: m[3] == "call", local: m[4], mark: strings.TrimSpace(m[5]), line: l})
	}
	return out
}

// allRows pages through the whole list (ctrl+d) and returns every row once.
func (d *tmuxDriver) allRows() []shownRow {
	d.t.Helper()
	seen := map[int]bool{}
	var rows []shownRow
	for page := 0; page < 10; page++ {
		added := 0
		for _, r := range shownRows(d.screen()) {
			if !seen[r.n] {
				seen[r.n] = true
				rows = append(rows, r)
				added++
			}
		}
		if added == 0 && page > 0 {
			break
		}
		d.keys("C-d")
		time.Sleep(150 * time.Millisecond)
	}
	return rows
}

// selectRow moves the cursor to row n and returns the screen.
func (d *tmuxDriver) selectRow(n int) string {
	d.t.Helper()
	d.keys("g")
	for i := 1; i < n; i++ {
		d.tmux("send-keys", "-t", "e2e", "j")
	}
	return d.screenWait("row "+strconv.Itoa(n)+" selected", 5*time.Second, func(s string) bool {
		return strings.HasPrefix(cursorLine(s), "> "+strconv.Itoa(n)+" ")
	})
}

// TestEndToEndPinnedHours runs one scenario in tmux at 80x24 on the demo
// book at two pinned instants of a rep's day in New York, and checks what
// the rep sees at each: the header's clock, and a New York contact's call
// open at 10:30 but held for calling hours at 03:00, with the reason on the
// status line. It is what made the end-to-end tests depend on the hour they
// ran at; SHORTLIST_NOW pins it, and TZ of the machine running the test
// does not matter (the binary runs in e2eZone).
func TestEndToEndPinnedHours(t *testing.T) {
	needTmux(t)
	bin := buildBinary(t)
	for _, tc := range []struct {
		name, at, header, local string
		open                    bool
	}{
		{name: "morning", at: "2026-12-01T10:30:00-05:00", header: "Tue 1 Dec 10:30", local: "10:30", open: true},
		{name: "night", at: "2026-12-01T03:00:00-05:00", header: "Tue 1 Dec 03:00", local: "03:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			d := startTmuxAt(t, tc.at, bin+" --demo --db "+filepath.Join(dir, "book.db"), 80, 24)
			d.waitFor("done today 0", 20*time.Second)
			if head := strings.SplitN(d.screen(), "\n", 2)[0]; !strings.Contains(head, tc.header) {
				t.Fatalf("the header says %q, want the pinned %s", head, tc.header)
			}
			d.keys("H") // held rows too, each with why
			d.waitFor("[+held]", 5*time.Second)
			var here []shownRow // calls to contacts whose local time is the rep's: New York
			for _, r := range d.allRows() {
				if r.call && r.local == tc.local {
					here = append(here, r)
				}
			}
			if len(here) == 0 {
				t.Fatalf("no call to a contact at %s local on the list: the demo book should hold New York calls", tc.local)
			}
			if tc.open {
				// At 10:30 a New York call can be made now: it is marked ✓
				// and its status line holds no hold.
				var open *shownRow
				for i := range here {
					if here[i].mark == "✓" {
						open = &here[i]
						break
					}
				}
				if open == nil {
					t.Fatalf("at 10:30 no New York call is callable now:\n%s", rowLines(here))
				}
				s := d.selectRow(open.n)
				if strings.Contains(s, "held: ") {
					t.Fatalf("the callable row %d shows a hold:\n%s", open.n, s)
				}
				d.keys("q")
				d.waitFor("[exited 0]", 5*time.Second)
				return
			}
			// At 03:00 every New York call is held, and the rep is told why.
			for _, r := range here {
				if r.mark != "✗" {
					t.Errorf("at 03:00 a call to New York is not held: %q", r.line)
				}
			}
			want := "held: outside-calling-hours — calls 09:00–17:00 local; it is 03:00 in America/N"
			found := false
			for _, r := range here {
				if strings.Contains(d.selectRow(r.n), want) {
					found = true
					break
				}
			}
			if !found {
				t.Fatalf("no held New York call says %q; screen:\n%s", want, d.screen())
			}
			d.keys("q")
			d.waitFor("[exited 0]", 5*time.Second)
		})
	}
}

func TestNextMorning(t *testing.T) {
	ny, err := time.LoadLocation(e2eZone)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name          string
		written, want time.Time
	}{
		{"written at night: the next morning", time.Date(2026, 12, 3, 23, 41, 0, 0, ny), time.Date(2026, 12, 4, 10, 30, 0, 0, ny)},
		{"written early: the same morning", time.Date(2026, 12, 3, 8, 0, 0, 0, ny), time.Date(2026, 12, 3, 10, 30, 0, 0, ny)},
		{"written at 10:30: the next day", time.Date(2026, 12, 3, 10, 30, 0, 0, ny), time.Date(2026, 12, 4, 10, 30, 0, 0, ny)},
		{"written on Friday night: Monday", time.Date(2026, 12, 4, 20, 0, 0, 0, ny), time.Date(2026, 12, 7, 10, 30, 0, 0, ny)},
		{"written on Saturday: Monday", time.Date(2026, 12, 5, 9, 0, 0, 0, ny), time.Date(2026, 12, 7, 10, 30, 0, 0, ny)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := nextMorning(tc.written); !got.Equal(tc.want) {
				t.Errorf("nextMorning(%v) = %v, want %v", tc.written, got, tc.want)
			}
		})
	}
}
