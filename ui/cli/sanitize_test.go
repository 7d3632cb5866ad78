package cli_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/ui/cli"
)

// rawTerminal reports the first thing in s a terminal would act on: ESC,
// another C0 control but newline, a C1 control, or a bidi control.
func rawTerminal(s string) (rune, bool) {
	for _, r := range s {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) || model.IsBidiControl(r) {
			return r, true
		}
	}
	return 0, false
}

func noRaw(t *testing.T, what, s string) {
	t.Helper()
	if r, bad := rawTerminal(s); bad {
		t.Errorf("%s printed %U raw:\n%q", what, r, s)
	}
}

// evil is text a hostile CSV, CRM or older book may hold: an OSC 52
// clipboard write, a window title, a C1 CSI that clears the screen and a
// right-to-left override.
const evil = "\x1b]52;c;cm0gLXJmIH4=\x07Evil\x1b]0;pwned\x07 \u009b2JCorp \u202eexe.fdp"

// TestLogNoteIsSanitizedOnTheWayIn: log --note stores the text sanitised,
// as import and sync do, so no later reader meets the raw bytes.
func TestLogNoteIsSanitizedOnTheWayIn(t *testing.T) {
	f := newFixture(t)
	var lj cli.LogJSON
	if err := json.Unmarshal([]byte(f.ok("log", "--json", "--contact", "5", "--outcome", "connected", "--note", evil, "--next", "none")), &lj); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var note string
	if err := db.QueryRow("SELECT note FROM touches WHERE id = ?", lj.Touch.ID).Scan(&note); err != nil {
		t.Fatal(err)
	}
	if note != "Evil Corp \u202eexe.fdp" {
		t.Errorf("stored note %q; want the controls gone (the bidi override is text, kept)", note)
	}
}

// TestTerminalOutputIsSanitized: a book that holds raw controls (written
// before text was sanitised on the way in, or by another tool) prints
// nothing raw to a terminal: tables, show, exports to a TTY, JSON (C1 and
// bidi controls as \u escapes), errors. An export to a file or a pipe keeps
// the data exact.
func TestTerminalOutputIsSanitized(t *testing.T) {
	f := newFixture(t)
	db, err := sql.Open("sqlite", f.path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("UPDATE accounts SET name = ? WHERE id = 3", evil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("UPDATE touches SET note = ? WHERE account_id = 3", evil); err != nil {
		t.Fatal(err)
	}

	noRaw(t, "show", f.ok("show", "3"))
	noRaw(t, "accounts", f.ok("accounts", "--limit", "0"))
	noRaw(t, "search", f.ok("search", "Evil"))
	if out := f.ok("show", "3"); !strings.Contains(out, "EvilCorp exe.fdp") && !strings.Contains(out, "Evil Corp exe.fdp") {
		t.Errorf("show lost the name's text:\n%s", out)
	}

	js := f.ok("show", "3", "--json")
	noRaw(t, "show --json", js)
	if !strings.Contains(js, `\u202e`) {
		t.Errorf("show --json dropped the bidi override; want it kept as \\u202e")
	}
	var d cli.DetailJSON
	if err := json.Unmarshal([]byte(js), &d); err != nil || d.Account.Name != model.Sanitize(evil) {
		t.Errorf("show --json name %q (%v); want %q", d.Account.Name, err, model.Sanitize(evil))
	}

	// Export to a pipe: the data exact (CSV) or exact once decoded (JSON),
	// and JSON never holds a raw C1 or bidi control.
	if out := f.ok("export", "accounts"); !strings.Contains(out, evil) {
		t.Error("export to a pipe changed the data")
	}
	jout := f.ok("export", "touches", "--format", "json")
	noRaw(t, "export --format json", strings.ReplaceAll(jout, "\t", ""))
	var rows []map[string]any
	if err := json.Unmarshal([]byte(jout), &rows); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		found = found || r["note"] == evil
	}
	if !found {
		t.Error("export --format json did not keep the note exactly")
	}

	// Export to a terminal: sanitised line by line, rows still rows.
	f.env.StdoutTerminal = true
	for _, format := range []string{"csv", "json"} {
		out := f.ok("export", "accounts", "--format", format)
		noRaw(t, "export --format "+format+" to a terminal", out)
		if !strings.Contains(out, "Evil") {
			t.Errorf("export %s to a terminal lost the row", format)
		}
	}
	if n := strings.Count(f.ok("export", "accounts"), "\n"); n != testAccounts+1 {
		t.Errorf("export to a terminal: %d lines, want %d", n, testAccounts+1)
	}
}

// TestErrorLineIsSanitizedAndBounded: whatever an error carries (SQLite's
// text, a trigger's RAISE message, a quoted 1 MB cell) it reaches stderr as
// one clean line of bounded length.
func TestErrorLineIsSanitizedAndBounded(t *testing.T) {
	f := newFixture(t)
	f.env.Open = func(ctx context.Context, g cli.Globals) (*cli.Book, error) {
		return nil, fmt.Errorf("open book: %w", errors.New(evil+"\nsecond line\r\n"+strings.Repeat("x", 100000)))
	}
	code, _, errOut := f.run("today")
	if code != cli.ExitFailure {
		t.Errorf("exit %d", code)
	}
	noRaw(t, "the error line", strings.TrimSuffix(errOut, "\n"))
	if strings.Count(errOut, "\n") != 1 || len([]rune(errOut)) > 600 {
		t.Errorf("error is %d lines, %d characters; want one line of at most 600", strings.Count(errOut, "\n"), len([]rune(errOut)))
	}
	if !strings.HasPrefix(errOut, "shortlist: open book: Evil Corp exe.fdp second line xxx") || !strings.HasSuffix(errOut, "…\n") {
		t.Errorf("error line %q", errOut[:min(len(errOut), 120)])
	}
}

// TestTriggerMessageIsSanitized: a book handed over may carry a trigger
// whose RAISE message is a control sequence; it never reaches the terminal
// raw, and the log fails.
func TestTriggerMessageIsSanitized(t *testing.T) {
	f := newFixture(t)
	db, err := sql.Open("sqlite", f.path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TRIGGER evil BEFORE INSERT ON touches BEGIN SELECT RAISE(ABORT, '" + strings.ReplaceAll(evil, "'", "''") + "'); END"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	code, out, errOut := f.run("log", "--contact", "5", "--outcome", "busy")
	if code == cli.ExitOK {
		t.Fatalf("log passed a RAISE trigger: %q", out)
	}
	noRaw(t, "the trigger's error", strings.TrimSuffix(errOut, "\n"))
	if strings.Count(errOut, "\n") != 1 {
		t.Errorf("stderr %q: want one line", errOut)
	}
}
