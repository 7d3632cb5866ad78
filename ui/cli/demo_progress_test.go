package cli_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shortlisthq/shortlist/ui/cli"
)

// TestDemoLargeBook: demo takes up to 300,000 accounts and says how far it
// got while it writes a large book; one more is a usage error.
func TestDemoLargeBook(t *testing.T) {
	f := newFixture(t)
	code, _, errOut := f.run("demo", "--db", filepath.Join(t.TempDir(), "big.db"), "--accounts", "300001")
	if code != cli.ExitUsage || !strings.Contains(errOut, "--accounts must be from 1 to 300000") {
		t.Errorf("300,001 accounts: exit %d, %q; want a usage error naming the bound", code, errOut)
	}
	write := f.env.WriteDemo
	var asked int
	f.env.WriteDemo = func(ctx context.Context, g cli.Globals, p string, o cli.DemoOptions) (*cli.Book, error) {
		asked = o.Accounts
		if o.Progress == nil {
			t.Fatal("a 300,000-account demo book shows no progress")
		}
		for done := 5000; done < o.Accounts; done += 5000 {
			o.Progress(done, o.Accounts)
		}
		o.Progress(o.Accounts, o.Accounts)
		o.Accounts = 12 // the real write, small
		return write(ctx, g, p, o)
	}
	code, _, errOut = f.run("demo", "--db", filepath.Join(t.TempDir(), "big.db"), "--accounts", "300000")
	if code != 0 || asked != 300000 {
		t.Fatalf("300,000 accounts: exit %d (asked for %d), %q", code, asked, errOut)
	}
	if !strings.Contains(errOut, "\rwriting the demo book: 5,000 of 300,000 accounts") ||
		!strings.HasSuffix(errOut, "\rwriting the demo book: 300,000 of 300,000 accounts\n") {
		t.Errorf("progress on stderr = %q", errOut[max(0, len(errOut)-200):])
	}
	f.env.WriteDemo = func(ctx context.Context, g cli.Globals, p string, o cli.DemoOptions) (*cli.Book, error) {
		if o.Progress != nil {
			t.Error("a small demo book (12 accounts) prints progress")
		}
		return write(ctx, g, p, o)
	}
	f.ok("demo", "--db", filepath.Join(t.TempDir(), "small.db"), "--accounts", "12")
}
