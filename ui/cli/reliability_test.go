package cli_test

import (
	"bytes"
	"context"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	"github.com/shortlisthq/shortlist/ui/cli"
)

// hostile is text a CRM or CSV may hold (see ui/reliability_test.go).
var hostile = []string{
	"\x1b[2J\x1b[HCleared Corp", "\x1b]0;owned\x07Title Inc", "\x1b]52;c;cm0gLXJmIH4=\x07Clipboard LLC",
	"C1\u009b31mCorp\u0085", "Nul\x00Byte\x7f", "Bad\xff\xfeUTF8", "شركة \u202eRTL", "🚀 株式会社",
	strings.Repeat("W", 10000), "",
}

// TestHostileDataInCLIOutput runs today, show, accounts and search, as
// tables and as JSON, over hostile records: no raw control byte, no invalid
// UTF-8 in any output.
func TestHostileDataInCLIOutput(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hostile.db")
	opts := storage.Options{Settings: model.DefaultSettings(), Profile: model.DefaultProfile()}
	db, err := storage.Open(ctx, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	big, neg := int64(math.MaxInt64), int64(-7)
	var ids []int64
	err = db.Load(ctx, func(l *storage.Loader) error {
		for i, s := range hostile {
			aid, err := l.Account(model.Account{CRMID: s, Name: s, Domain: s, Industry: s, Employees: &big, AnnualRevenue: &neg,
				Country: s, City: s, TimeZone: []string{"Mars/Olympus_Mons", "\x1b[2J", "Pacific/Kiritimati"}[i%3],
				Technologies: []string{s}, Owner: s, LastTouched: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				return err
			}
			ids = append(ids, aid)
			cid, err := l.Contact(model.Contact{AccountID: aid, FirstName: s, LastName: s, Title: s, Email: s, Phone: s, TimeZone: s})
			if err != nil {
				return err
			}
			if _, err := l.Touch(model.Touch{ContactID: cid, AccountID: aid, Channel: model.ChannelEmail,
				Outcome: model.OutcomeSent, Note: s, At: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)}); err != nil {
				return err
			}
			if _, err := l.Task(model.Task{AccountID: aid, ContactID: cid, Kind: model.TaskCall, Title: s, Due: now.Add(-time.Hour), DueHasTime: true}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	var out, errOut bytes.Buffer
	env := cli.Env{Stdout: &out, Stderr: &errOut, Now: func() time.Time { return now }, Width: 80,
		Open: func(ctx context.Context, g cli.Globals) (*cli.Book, error) {
			db, err := storage.Open(ctx, path, opts)
			if err != nil {
				return nil, err
			}
			return &cli.Book{Store: db, Settings: opts.Settings, Profile: opts.Profile, Path: db.Path(), Close: db.Close}, nil
		}}
	cmds := [][]string{{"today", "--all", "--limit", "0"}, {"today", "--json", "--all", "--limit", "0"},
		{"accounts", "--limit", "0"}, {"accounts", "--json", "--limit", "0"}, {"search", "Corp"}, {"search", "Corp", "--json"}}
	for _, id := range ids {
		cmds = append(cmds, []string{"show", strconv.FormatInt(id, 10)}, []string{"show", strconv.FormatInt(id, 10), "--json"})
	}
	var all strings.Builder
	for _, args := range cmds {
		out.Reset()
		errOut.Reset()
		code := cli.Run(ctx, args, env)
		if code != 0 {
			t.Errorf("%v: exit %d: %s", args, code, errOut.String())
		}
		for name, s := range map[string]string{"stdout": out.String(), "stderr": errOut.String()} {
			if !utf8.ValidString(s) {
				t.Errorf("%v %s: invalid UTF-8", args, name)
			}
			for i, r := range s {
				if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
					t.Errorf("%v %s: raw control %U at %d: %q", args, name, r, i, s[max(0, i-30):min(len(s), i+30)])
					break
				}
			}
		}
		all.WriteString(out.String())
	}
	for _, want := range []string{"Cleared Corp", "Clipboard LLC", "株式会社"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("no output showed %q", want)
		}
	}
	t.Logf("%d commands over %d hostile accounts: no raw control bytes", len(cmds), len(hostile))
}
