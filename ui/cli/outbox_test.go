package cli_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	"github.com/shortlisthq/shortlist/ui/cli"
)

// TestOutboxListAndDrop: shortlist outbox lists the queued changes with
// their state (and --json them); outbox drop ID asks once on a terminal,
// refuses to drop unasked on a pipe, and with --yes drops at once.
func TestOutboxListAndDrop(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	db, err := storage.Open(ctx, f.path, storage.Options{Settings: model.DefaultSettings(), Profile: model.DefaultProfile()})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+f.path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var contact int64
	if err := raw.QueryRow("SELECT id FROM contacts ORDER BY id LIMIT 1").Scan(&contact); err != nil {
		t.Fatal(err)
	}
	if _, err := db.LogTouch(ctx, model.LogRequest{ContactID: contact, Channel: model.ChannelCall, Outcome: model.OutcomeConnected, Note: "hi"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	unpushed := func() int {
		var n int
		if err := raw.QueryRow("SELECT count(*) FROM outbox WHERE pushed_at IS NULL").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := unpushed()

	var list cli.OutboxJSON
	if err := json.Unmarshal([]byte(f.ok("outbox", "--json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != before || before == 0 {
		t.Fatalf("outbox --json lists %d of %d", len(list.Items), before)
	}
	last := list.Items[len(list.Items)-1]
	if last.Kind != model.OutboxTouchCreate || last.State != model.OutboxQueued || !strings.HasPrefix(last.What, "call (connected) with ") || last.Account == "" {
		t.Errorf("last item %+v", last)
	}
	out := f.ok("outbox")
	if !strings.Contains(out, fmt.Sprintf("%d queued", before)) || !strings.Contains(out, fmt.Sprintf("%5d  queued   touch.create    call (connected) with ", last.ID)) {
		t.Errorf("outbox printed:\n%s", out)
	}

	id := fmt.Sprint(last.ID)
	if code, _, errOut := f.run("outbox", "drop", id); code != cli.ExitUsage || !strings.Contains(errOut, "--yes") {
		t.Errorf("drop on a pipe: exit %d %q", code, errOut)
	}
	f.env.Terminal = true
	f.env.Stdin = strings.NewReader("n\n")
	if code, out, _ := f.run("outbox", "drop", id); code != 0 || !strings.Contains(out, "[y/N]") || !strings.Contains(out, "kept") || unpushed() != before {
		t.Errorf("answered no: exit %d %q, %d left", code, out, unpushed())
	}
	f.env.Stdin = strings.NewReader("y\n")
	if code, out, _ := f.run("outbox", "drop", id); code != 0 || !strings.Contains(out, "dropped "+id+": call (connected)") || unpushed() != before-1 {
		t.Errorf("answered yes: exit %d %q, %d left", code, out, unpushed())
	}
	f.env.Terminal, f.env.Stdin = false, nil
	if code, _, errOut := f.run("outbox", "drop", id, "--yes"); code != cli.ExitFailure || !strings.Contains(errOut, "no queued change "+id) {
		t.Errorf("drop again: exit %d %q", code, errOut)
	}
	if before > 1 {
		if code, _, errOut := f.run("outbox", "drop", fmt.Sprint(list.Items[0].ID), "--yes"); code != 0 || unpushed() != before-2 {
			t.Errorf("drop --yes: exit %d %q", code, errOut)
		}
	}
	for _, args := range [][]string{{"outbox", "show"}, {"outbox", "drop"}, {"outbox", "drop", "x"}, {"outbox", "--yes"}} {
		if code, _, _ := f.run(args...); code != cli.ExitUsage {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
