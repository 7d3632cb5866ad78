package storage_test

import (
	"context"
	"testing"

	"github.com/shortlisthq/shortlist/model"
)

func TestDemoBookAndWorklist(t *testing.T) {
	db := demoDB(t, 300)
	r := raw(t, db.Path())
	accounts := count(t, r, "SELECT count(*) FROM accounts")
	contacts := count(t, r, "SELECT count(*) FROM contacts")
	touches := count(t, r, "SELECT count(*) FROM touches")
	tasks := count(t, r, "SELECT count(*) FROM tasks")
	t.Logf("accounts %d contacts %d touches %d tasks %d outbox %d", accounts, contacts, touches, tasks, count(t, r, "SELECT count(*) FROM outbox"))
	wl, err := db.Worklist(context.Background(), model.WorklistQuery{Now: clock, Limit: 20, Counts: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("due %d overdue %d suggested %d held %d %v", wl.Due, wl.Overdue, wl.Suggested, wl.HeldBack, wl.Held)
	for _, row := range wl.Rows {
		t.Logf("%-9s %6.2f %-40s %-25s %s %v", row.Kind, row.Rank, row.Account.Name, row.Contact.Name(), row.Task.Title, row.Held)
	}
}
