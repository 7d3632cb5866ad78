package storage_test

import (
	"context"
	"strings"
	"testing"

	"github.com/shortlisthq/shortlist/model"
)

// TestTypedTextIsSanitized: text a rep types (a log note, a note edit, a
// task title, a next action's title) is sanitised on the way in, as import
// and sync already sanitise theirs, so the book never holds a raw OSC 52
// clipboard write or a C1 control sequence whatever front end typed it.
// Bidi controls are text and kept (they are neutralised where drawn).
func TestTypedTextIsSanitized(t *testing.T) {
	db := demoDB(t, 20)
	r := raw(t, db.Path())
	ctx := context.Background()
	_, contactID := workedTask(t, r, 0)
	const evil = "\x1b]52;c;cm0gLXJmIH4=\x07call \u009b2Jback\r\nsoon\x00 \u202eok"
	const want = "call back soon \u202eok"

	res, err := db.LogTouch(ctx, model.LogRequest{ContactID: contactID, Channel: model.ChannelCall, Outcome: model.OutcomeConnected,
		Note: evil, At: clock, Next: model.NextChoice{Mode: model.NextAt, Due: clock.AddDate(0, 0, 2)}})
	if err != nil {
		t.Fatal(err)
	}
	k, err := db.AddTask(ctx, model.Task{ContactID: contactID, Kind: model.TaskTodo, Title: evil, Due: clock})
	if err != nil {
		t.Fatal(err)
	}
	check := func(what, query string, id int64) {
		t.Helper()
		var got string
		if err := r.QueryRow(query, id).Scan(&got); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got != want {
			t.Errorf("%s stored %q; want %q", what, got, want)
		}
	}
	check("log --note", "SELECT note FROM touches WHERE id = ?", res.Touch.ID)
	check("an added task's title", "SELECT title FROM tasks WHERE id = ?", k.ID)
	if res.Touch.Note != want || k.Title != want {
		t.Errorf("returned records carry the raw text: %q %q", res.Touch.Note, k.Title)
	}
	if err := db.EditTouchNote(ctx, res.Touch.ID, evil); err != nil {
		t.Fatal(err)
	}
	check("an edited note", "SELECT note FROM touches WHERE id = ?", res.Touch.ID)
	var payloads string
	if err := r.QueryRow("SELECT group_concat(payload, ' ') FROM outbox").Scan(&payloads); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(payloads, "\x1b") || strings.Contains(payloads, `\u001b`) || strings.Contains(payloads, "\u009b") || strings.Contains(payloads, `\u009b`) {
		t.Error("the outbox, bound for the CRM, holds the raw text")
	}
	if err := db.SetSyncState(ctx, clock, "HubSpot said \x1b[2J no"); err != nil {
		t.Fatal(err)
	}
	if st, err := db.SyncState(ctx); err != nil || strings.ContainsRune(st.LastErr, 0x1b) {
		t.Errorf("sync error stored raw: %q (%v)", st.LastErr, err)
	}
}
