package ui

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// screenWait polls the screen until ok holds and returns it.
func (d *tmuxDriver) screenWait(what string, timeout time.Duration, ok func(string) bool) string {
	d.t.Helper()
	end := time.Now().Add(timeout)
	for time.Now().Before(end) {
		if s := d.screen(); ok(s) {
			return s
		}
		time.Sleep(10 * time.Millisecond)
	}
	d.t.Fatalf("timed out waiting for %s; screen:\n%s", what, d.screen())
	return ""
}

func cursorLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "> ") {
			return l
		}
	}
	return ""
}

// TestEndToEndListen drives the newcomer's path of issue 17 in tmux at
// 80x24 on the demo book: S syncs with the demo sandbox, which makes a
// buyer reply; the reply appears on top as a respond row whose why leads
// with the speed term; g selects it, l then c answers it (logs connected);
// it leaves the list, and the book holds the signal answered by that touch.
func TestEndToEndListen(t *testing.T) {
	needTmux(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	d := startTmux(t, bin+" --demo --db "+filepath.Join(dir, "book.db"), 80, 24)
	d.screenWait("the worklist with respond rows", 20*time.Second, func(s string) bool {
		return strings.Contains(s, "answer ") && strings.Contains(cursorLine(s), "↩")
	})
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "demo.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var before int
	if err := db.QueryRow("SELECT coalesce(max(id), 0) FROM signals").Scan(&before); err != nil {
		t.Fatal(err)
	}

	d.keys("S")
	d.waitFor("sync finished", 30*time.Second)
	var contactID int
	var first string
	if err := db.QueryRow(`SELECT s.contact_id, c.first_name FROM signals s JOIN contacts c ON c.id = s.contact_id
		WHERE s.id > ? AND s.answered_at = 0 AND s.kind = 'replied' ORDER BY s.at DESC, s.id DESC LIMIT 1`, before).
		Scan(&contactID, &first); err != nil {
		t.Fatalf("the demo sync brought no new reply: %v", err)
	}
	d.keys("Escape")
	d.screenWait("the new reply on top", 15*time.Second, func(s string) bool {
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(strings.TrimLeft(l, "> "), "1 ") {
				return strings.Contains(l, first) && strings.Contains(l, "↩")
			}
		}
		return false
	})
	// The cursor stays on the row the rep was on; g goes to the top.
	d.keys("g")
	top := d.screenWait("the new reply selected", 10*time.Second, func(s string) bool {
		return strings.Contains(cursorLine(s), first) && strings.Contains(cursorLine(s), "↩")
	})
	if !strings.Contains(top, "why rank") || !(strings.Contains(top, "replied just now") || strings.Contains(top, " min ago")) {
		t.Errorf("the why line does not lead with the speed term:\n%s", top)
	}

	d.keys("l")
	d.waitFor("answers: replied", 10*time.Second)
	d.keys("c")
	after := d.screenWait("the answer logged", 15*time.Second, func(s string) bool { return strings.Contains(s, "logged connected") })
	var answered int
	if err := db.QueryRow(`SELECT count(*) FROM signals s JOIN touches t ON t.id = s.answered_by
		WHERE s.contact_id = ? AND s.id > ? AND s.answered_at > 0 AND t.outcome = 'connected'`, contactID, before).Scan(&answered); err != nil {
		t.Fatal(err)
	}
	if answered == 0 {
		t.Fatalf("the book does not hold the reply answered by the logged touch")
	}
	for _, l := range strings.Split(after, "\n") {
		if strings.Contains(l, "↩") && strings.Contains(l, " "+first+" ") {
			t.Errorf("the answered reply is still listed: %q\n%s", l, after)
		}
	}
}
