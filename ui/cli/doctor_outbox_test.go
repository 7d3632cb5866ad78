package cli_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	"github.com/shortlisthq/shortlist/storage/demo"
	"github.com/shortlisthq/shortlist/ui/cli"
)

// TestDoctorOutbox: doctor says what waits for the CRM: queued changes are
// fine; a change that will not go on its own is a warning naming it, its
// reason and the way out.
func TestDoctorOutbox(t *testing.T) {
	f := newSetupFix(t)
	if code, _, errs := f.run("init"); code != 0 {
		t.Fatal(errs)
	}
	ctx := context.Background()
	opts := storage.Options{Settings: model.DefaultSettings(), Profile: model.DefaultProfile()}
	os.MkdirAll(filepath.Dir(f.book), 0o700)
	db, err := storage.Open(ctx, f.book, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Generate(ctx, db, demo.Options{Accounts: 20, Seed: 1, Now: now}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	f.open = func(ctx context.Context, g cli.Globals) (*cli.Book, error) {
		db, err := storage.Open(ctx, f.book, opts)
		if err != nil {
			return nil, err
		}
		return &cli.Book{Store: db, Settings: opts.Settings, Profile: opts.Profile, Path: db.Path(), Close: db.Close}, nil
	}
	raw, err := sql.Open("sqlite", "file:"+f.book+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var contact int64
	if err := raw.QueryRow("SELECT id FROM contacts ORDER BY id LIMIT 1").Scan(&contact); err != nil {
		t.Fatal(err)
	}
	db, _ = storage.Open(ctx, f.book, opts)
	_, err = db.LogTouch(ctx, model.LogRequest{ContactID: contact, Channel: model.ChannelCall, Outcome: model.OutcomeConnected})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	checks, _ := doctorRun(t, f)
	if c := checks["outbox"]; c.Status != cli.CheckOK || !strings.Contains(c.Detail, "queued for the next sync") {
		t.Errorf("queued: %+v", c)
	}
	// As a sync leaves a change whose account the CRM does not hold.
	if _, err := raw.Exec("UPDATE outbox SET held = 3, last_error = 'the account Acme is not in the CRM' WHERE id = (SELECT max(id) FROM outbox)"); err != nil {
		t.Fatal(err)
	}
	checks, _ = doctorRun(t, f)
	c := checks["outbox"]
	if c.Status != cli.CheckWarn || !strings.Contains(c.Detail, "1 change will not go to the CRM on its own") ||
		!strings.Contains(c.Detail, "is not in the CRM") || !strings.Contains(c.Fix, "shortlist outbox") {
		t.Errorf("held: %+v", c)
	}
}
