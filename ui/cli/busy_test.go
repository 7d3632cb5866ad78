package cli_test

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	"github.com/shortlisthq/shortlist/ui/cli"
)

// TestBusyLogErrorHasOnePrefix: a log that cannot get its turn fails with
// one line that names the operation once (it read "log touch: log touch:
// database busy …").
func TestBusyLogErrorHasOnePrefix(t *testing.T) {
	f := newFixture(t)
	opts := storage.Options{Settings: model.DefaultSettings(), Profile: model.DefaultProfile(), BusyWait: 200 * time.Millisecond}
	f.env.Open = func(ctx context.Context, g cli.Globals) (*cli.Book, error) {
		db, err := storage.Open(ctx, f.path, opts)
		if err != nil {
			return nil, err
		}
		return &cli.Book{Store: db, Settings: opts.Settings, Profile: opts.Profile, Path: db.Path(), Close: db.Close}, nil
	}
	row := callRow(t, f.today())
	holder, err := sql.Open("sqlite", "file:"+f.path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	tx, err := holder.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec("INSERT INTO meta(key, value) VALUES('holder', 'x')"); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := f.run("log", "--contact", strconv.FormatInt(row.ContactID, 10), "--outcome", "busy")
	if code != cli.ExitFailure || strings.Count(errOut, "\n") != 1 || strings.Count(errOut, "log touch") != 1 ||
		!strings.HasPrefix(errOut, "shortlist: log touch: database busy: another Shortlist held "+f.path) {
		t.Errorf("exit %d, stderr %q; want one line, one 'log touch:'", code, errOut)
	}
}
