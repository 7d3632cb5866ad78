package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDateOnlyDueAcrossTimeZones: a rep who logs in Tokyo with a next action
// on a date, then reads the book in UTC or St John's, sees that date (the
// issue: TZ=Asia/Tokyo log --next 2026-12-10, then TZ=UTC show said Wed 9
// Dec). Run with -count=1: the binary is built in a subprocess.
func TestDateOnlyDueAcrossTimeZones(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "shortlist")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	home := filepath.Join(dir, "home")
	book := filepath.Join(dir, "book.db")
	run := func(tz string, args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"--db", book}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"),
			"XDG_CONFIG_HOME="+filepath.Join(home, "config"), "SHORTLIST_DB=", "TZ="+tz, "SHORTLIST_NOW="+binaryNow)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("TZ=%s shortlist %v: %v\n%s", tz, args, err, errOut.String())
		}
		return out.String()
	}
	run("Asia/Tokyo", "demo")
	// Three weeks out: a date, and a weekday name, that no zone's "today"
	// can reach while the test runs.
	pinned, _ := time.Parse(time.RFC3339, binaryNow)
	date := pinned.AddDate(0, 0, 21)
	ymd := date.Format(time.DateOnly)
	label := date.Format("Mon 2 Jan")
	logged := run("Asia/Tokyo", "log", "--contact", "1", "--outcome", "no-answer", "--next", ymd)
	if !strings.Contains(logged, label) {
		t.Errorf("TZ=Asia/Tokyo log --next %s said %q, want %s", ymd, logged, label)
	}
	var acct struct {
		OpenTasks []struct {
			Due        string `json:"due"`
			DueHasTime bool   `json:"due_has_time"`
		} `json:"open_tasks"`
	}
	for _, tz := range []string{"UTC", "America/St_Johns", "America/Chicago", "Asia/Tokyo", "Pacific/Honolulu"} {
		if out := run(tz, "show", "1"); !strings.Contains(out, label) {
			t.Errorf("TZ=%s show 1 does not show the task due %s:\n%s", tz, label, out)
		}
		if err := json.Unmarshal([]byte(run(tz, "show", "1", "--json")), &acct); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, k := range acct.OpenTasks {
			found = found || (k.Due == ymd && !k.DueHasTime)
		}
		if !found {
			t.Errorf("TZ=%s show 1 --json: open tasks %+v, want one due %s (a date)", tz, acct.OpenTasks, ymd)
		}
	}
}
