package cli_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/ui/cli"
)

// TestSyncWhileAnotherRuns: shortlist sync on a book another sync holds
// (another terminal, the TUI's S) prints one line naming it and exits 1,
// before reaching the CRM.
func TestSyncWhileAnotherRuns(t *testing.T) {
	f := newFixture(t)
	holder, err := storage.Open(context.Background(), f.path, storage.Options{Settings: model.DefaultSettings(), Profile: model.DefaultProfile()})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	release, err := holder.LockSync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	open := f.env.Open
	f.env.Open = func(ctx context.Context, g cli.Globals) (*cli.Book, error) {
		b, err := open(ctx, g)
		if err != nil {
			return nil, err
		}
		// No CRM: a sync that got past the lock would fail on it.
		b.Syncer = crmsync.New(b.Store.(*storage.DB), nil, crmsync.Options{OwnerEmail: "rep@example.com"})
		return b, nil
	}
	code, out, errOut := f.run("sync")
	want := fmt.Sprintf("shortlist: a sync is already running (pid %d, started ", os.Getpid())
	if code != cli.ExitFailure || !strings.HasPrefix(errOut, want) || strings.Count(errOut, "\n") != 1 || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 1 and %q…", code, out, errOut, want)
	}
}
