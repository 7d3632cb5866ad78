package ui

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
)

// hostileText is what a CRM or a CSV may hold: escape sequences that clear
// the screen, retitle the window or write the clipboard, C1 controls, NUL,
// invalid UTF-8, right-to-left and wide text, huge and empty names.
var hostileText = []string{
	"\x1b[2J\x1b[HCleared Corp",
	"\x1b]0;owned title\x07Title Inc",
	"\x1b]52;c;cm0gLXJmIH4=\x07Clipboard LLC",
	"C1\u009b31mCorp\u0085\u009d0;x\u009c",
	"Nul\x00Byte GmbH\x7f",
	"Bad\xff\xfe\xc3UTF8 AG",
	"شركة الرياض \u202eRTL\u202c",
	"🚀🔥 Émoji 株式会社 東京 👩‍👩‍👧",
	strings.Repeat("W", 10000),
	strings.Repeat("界", 5000),
	"",
	"\t\r\n",
}

// loadHostileBook writes a book whose every text field is hostile, with
// out-of-range numbers, dates in 1900 and 9999 and zones that do not exist,
// through the store's Loader as a sync or an import would, and returns it.
func loadHostileBook(t testing.TB, now time.Time) *storage.DB {
	t.Helper()
	ctx := context.Background()
	opts := testOptions(nil)
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "hostile.db"), storage.Options{Settings: opts.Settings, Profile: opts.Profile})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	big, neg := int64(math.MaxInt64), int64(-5)
	zones := []string{"Mars/Olympus_Mons", "", "\x1b[2J", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/New_York"}
	dates := []time.Time{time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 0, 0, time.UTC), now.Add(-time.Hour), now}
	err = db.Load(ctx, func(l *storage.Loader) error {
		for i, s := range hostileText {
			emp, rev := &big, &neg
			if i%2 == 1 {
				emp, rev = &neg, &big
			}
			aid, err := l.Account(model.Account{CRMID: s, Name: s, Domain: s, Industry: s, Employees: emp, AnnualRevenue: rev,
				Country: s, Region: s, City: s, TimeZone: zones[i%len(zones)], Technologies: []string{s, s}, Owner: s,
				CRMTier: s, LastTouched: dates[i%2], CRMURL: "https://x.test/" + s})
			if err != nil {
				return err
			}
			cid, err := l.Contact(model.Contact{AccountID: aid, FirstName: s, LastName: s, Title: s + " VP Sales",
				Email: s + "@x.test", Phone: "+1 555 " + s, LinkedInURL: s, TimeZone: zones[(i+1)%len(zones)]})
			if err != nil {
				return err
			}
			for j, at := range dates[:2*(i%2)] { // half have no history at all
				if _, err := l.Touch(model.Touch{ContactID: cid, AccountID: aid, Channel: model.ChannelCall,
					Outcome: model.Outcomes[(i+j)%len(model.Outcomes)], Note: s, At: at, Duration: time.Duration(math.MaxInt64)}); err != nil {
					return err
				}
			}
			for j, due := range dates {
				if _, err := l.Task(model.Task{AccountID: aid, ContactID: cid, Kind: model.TaskCall, Title: s,
					Due: due, DueHasTime: j%2 == 0, CreatedAt: dates[0]}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("load hostile records: %v", err)
	}
	return db
}

// checkClean fails on anything a terminal would act on: ESC and every other
// C0 control but newline, DEL, C1 controls, and invalid UTF-8.
func checkClean(t *testing.T, where, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%s: invalid UTF-8 reaches the terminal", where)
	}
	for i, r := range s {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			lo := max(0, i-30)
			t.Errorf("%s: raw control %U at byte %d: %q", where, r, i, s[lo:min(len(s), i+30)])
			return
		}
	}
}

// TestHostileDataOnScreen opens every screen at 80x24 over a book of
// hostile records: nothing raw reaches the terminal and every line fits.
func TestHostileDataOnScreen(t *testing.T) {
	t.Setenv("SHORTLIST_NO_LINKS", "1")
	db := loadHostileBook(t, testNow())
	h := newHarness(t, testOptions(db))
	screens := 0
	var seen strings.Builder
	look := func(name string) {
		t.Helper()
		v := h.view()
		seen.WriteString(v)
		checkClean(t, name, v)
		checkFits(t, v, 80, 24)
		screens++
	}
	look("today")
	for _, k := range []string{"H", "o", "c"} { // filters: held rows, overdue, callable
		h.keys(k)
		look("today " + k)
		h.keys(k)
	}
	h.keys("H") // held rows too: every hostile record on screen
	rows := len(h.m.today.rows)
	if rows < len(hostileText) {
		t.Fatalf("only %d of the %d hostile accounts' tasks are on the worklist:\n%s", rows, len(hostileText), h.view())
	}
	for i := 0; i < rows; i++ {
		look("today row")
		h.keys("enter")
		h.wantScreen(scrAccount)
		look("account")
		h.keys("j", "j")
		look("account moved")
		h.keys("esc", "l")
		if h.m.active == scrLog {
			look("log")
			h.keys("esc")
		}
		h.keys("j")
	}
	h.keys("/")
	h.send(runes("W"))
	look("search")
	h.keys("esc", "s")
	look("stats")
	h.keys("esc", "?")
	look("help")
	// The records were drawn, cleaned, not dropped.
	for _, want := range []string{"Cleared Corp", "Title Inc", "Clipboard LLC", "株式会社", "WWWW", "RTL"} {
		if !strings.Contains(seen.String(), want) {
			t.Errorf("no screen showed %q", want)
		}
	}
	t.Logf("%d screens over %d hostile accounts (each with a contact, 4 tasks, some with touches in 1900 and 9999): no raw control bytes, every line within 80 cells",
		screens, len(hostileText))
}
