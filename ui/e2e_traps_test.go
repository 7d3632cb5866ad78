package ui

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// TestNoteInEditor: ctrl+e in the log screen's note hands it to $VISUAL and
// takes back what the editor wrote; enter logs it with the touch. Then
// typing /olivia on the account screen only searches (trap 1, in the real
// terminal), and q goes back to Today before it quits.
func TestNoteInEditor(t *testing.T) {
	needTmux(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	editor := filepath.Join(dir, "editor.sh")
	if err := os.WriteFile(editor, []byte("#!/bin/sh\nprintf 'asked for the security review' >> \"$1\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	d := startTmux(t, "VISUAL="+editor+" "+bin+" --demo --db "+filepath.Join(dir, "book.db"), 100, 30)
	d.waitFor("done today 0", 20*time.Second)
	d.keys("l", "C", "e")
	d.typeText("pricing: ")
	d.keys("C-e")
	d.waitFor("pricing: asked for the security review", 5*time.Second)
	d.keys("Enter")
	d.waitFor("logged connected", 5*time.Second)

	d.keys("Enter")
	d.waitFor("Buying committee", 5*time.Second)
	d.typeText("/olivia")
	d.waitFor("Search", 5*time.Second)
	d.keys("Escape", "q")
	d.waitFor("done today 1", 5*time.Second)
	d.keys("q")
	d.waitFor("[exited 0]", 5*time.Second)

	ctx := context.Background()
	db := e2eBook(t, filepath.Join(dir, "demo.db"))
	s, err := db.Stats(ctx, e2eLater(t))
	if err != nil {
		t.Fatal(err)
	}
	if s.Today[model.OutcomeConnected] != 1 || len(s.Today) != 1 {
		t.Fatalf("today's touches = %v, want the one connected (typing /olivia logged nothing)", s.Today)
	}
	tc, err := db.NewestLoggedTouch(ctx)
	if err != nil || tc.Note != "pricing: asked for the security review" {
		t.Fatalf("note = %q (%v)", tc.Note, err)
	}
}
