package ui

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"

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

// TestOtherProcessChangeShownAfterKey: the TUI is open while another
// handle on the book (as the CLI in another terminal) logs a touch; the
// next key shows it, long before the 5-minute staleness reload.
func TestOtherProcessChangeShownAfterKey(t *testing.T) {
	db := demoBook(t)
	opts := testOptions(db)
	opts.DBPath = db.Path()
	h := newHarness(t, opts)
	if !strings.Contains(h.view(), "done today 0") {
		t.Fatalf("start:\n%s", h.view())
	}
	ctx := context.Background()
	other, err := storage.Open(ctx, db.Path(), storage.Options{Settings: opts.Settings, Profile: opts.Profile})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	for i, r := range h.m.today.rows[:3] {
		if _, err := other.LogTouch(ctx, model.LogRequest{ContactID: r.Contact.ID, Channel: model.ChannelCall,
			Outcome: model.OutcomeNoAnswer, At: testNow().Add(-time.Duration(i+1) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	h.keys("j")
	if !strings.Contains(h.view(), "done today 3") {
		t.Fatalf("after a key the other process's 3 logs are not shown:\n%s", h.view())
	}
	// Focus coming back does the same, without a key.
	if _, err := other.LogTouch(ctx, model.LogRequest{ContactID: h.m.today.rows[5].Contact.ID, Channel: model.ChannelCall,
		Outcome: model.OutcomeBusy, At: testNow()}); err != nil {
		t.Fatal(err)
	}
	h.send(tea.FocusMsg{})
	if !strings.Contains(h.view(), "done today 4") {
		t.Fatalf("after focus the fourth log is not shown:\n%s", h.view())
	}
}

// timeBook has one account with three contacts: one in the rep's zone with
// a date-only task due the day after start, one in Pacific/Kiritimati
// (UTC+14) and one in Pacific/Pago_Pago (UTC-11), with call tasks due at
// start.
func timeBook(t *testing.T, start time.Time) *storage.DB {
	t.Helper()
	ctx := context.Background()
	opts := testOptions(nil)
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "time.db"), storage.Options{Settings: opts.Settings, Profile: opts.Profile})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ny, _ := time.LoadLocation("America/New_York")
	y, mo, d := start.In(ny).Date()
	tomorrow := time.Date(y, mo, d+1, 0, 0, 0, 0, ny)
	emp := int64(400)
	err = db.Load(ctx, func(l *storage.Loader) error {
		aid, err := l.Account(model.Account{Name: "Dateline Corp", Domain: "dateline.test", Industry: "Software", Employees: &emp, TimeZone: "America/New_York", Country: "US"})
		if err != nil {
			return err
		}
		for _, c := range []struct {
			last, zone string
			due        time.Time
			timed      bool
		}{{"Local", "America/New_York", tomorrow, false}, {"Kiritimati", "Pacific/Kiritimati", start, true}, {"PagoPago", "Pacific/Pago_Pago", start, true}} {
			cid, err := l.Contact(model.Contact{AccountID: aid, FirstName: "Pat", LastName: c.last, Title: "VP Sales", Phone: "+1 555 0100", TimeZone: c.zone})
			if err != nil {
				return err
			}
			if _, err := l.Task(model.Task{AccountID: aid, ContactID: cid, Kind: model.TaskCall, Title: "Call " + c.last, Due: c.due, DueHasTime: c.timed, CreatedAt: start.Add(-48 * time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func rowFor(t *testing.T, h *harness, last string) model.Row {
	t.Helper()
	for _, r := range h.m.today.rows {
		if r.Contact.LastName == last {
			return r
		}
	}
	t.Fatalf("no row for %s:\n%s", last, h.view())
	return model.Row{}
}

// TestClockJumps keeps the TUI open while the clock crosses midnight, a DST
// change in both directions and a jump back by a day: on the next key "due
// today", "overdue" and callable-now follow the new time. Contacts across
// the date line are callable in their own daytime, not the rep's.
func TestClockJumps(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	// 01:58 on Sunday 8 March 2026 in New York, two minutes before DST starts.
	now := time.Date(2026, 3, 8, 1, 58, 0, 0, ny)
	db := timeBook(t, now)
	opts := testOptions(db)
	opts.DBPath = db.Path()
	opts.Now = func() time.Time { return now }
	h := newHarness(t, opts)
	h.keys("H")
	// The local contact's row on screen ("" when not listed).
	local := func() string {
		for _, l := range strings.Split(h.view(), "\n") {
			if strings.Contains(l, "Pat Local") {
				return l
			}
		}
		return ""
	}
	// Across the spring-forward gap: 01:58 EST to 03:01 EDT is 3 minutes.
	now = now.Add(3 * time.Minute)
	h.keys("j")
	if !strings.Contains(h.view(), "03:01") {
		t.Fatalf("after the DST jump the clock should read 03:01:\n%s", h.view())
	}
	// Across midnight, three minutes later: the local task (due Monday,
	// date only) is due today.
	now = time.Date(2026, 3, 8, 23, 58, 0, 0, ny)
	h.keys("k")
	if local() != "" {
		t.Fatalf("the local task is due tomorrow, yet listed:\n%s", h.view())
	}
	now = time.Date(2026, 3, 9, 0, 1, 0, 0, ny)
	h.keys("j")
	if !strings.Contains(local(), "today") || !strings.Contains(h.view(), "00:01") {
		t.Fatalf("three minutes after midnight the local task is not due today:\n%s", h.view())
	}
	// The next day, the local task is overdue.
	now = time.Date(2026, 3, 10, 9, 30, 0, 0, ny)
	h.keys("k")
	if !strings.Contains(local(), "1d late") || !strings.Contains(h.view(), "09:30") {
		t.Fatalf("a day later the local task is not overdue:\n%s", h.view())
	}
	// The clock is set back a day (a wrong clock fixed): the list follows
	// it back, rather than keeping a tomorrow's list for a day.
	now = time.Date(2026, 3, 9, 9, 30, 0, 0, ny)
	h.keys("j")
	if h.m.today.loadedAt != now {
		t.Fatalf("a clock set back a day did not reload the list (loaded at %v)", h.m.today.loadedAt)
	}
	// Date line: at 16:00 EDT in New York (20:00 UTC) it is 10:00 tomorrow
	// on Kiritimati and 09:00 today in Pago Pago: both callable. At 03:00
	// EDT (07:00 UTC) it is 21:00 on Kiritimati and 20:00 in Pago Pago
	// the day before: neither.
	now = time.Date(2026, 3, 10, 16, 0, 0, 0, ny)
	h.keys("k")
	for _, last := range []string{"Kiritimati", "PagoPago"} {
		if r := rowFor(t, h, last); !r.CallableNow {
			t.Errorf("at %v %s should be callable (local %v)", now.UTC(), last, r.LocalTime)
		}
	}
	if r := rowFor(t, h, "Kiritimati"); r.LocalTime.Day() != 11 {
		t.Errorf("Kiritimati's local time %v should be the next day", r.LocalTime)
	}
	now = time.Date(2026, 3, 11, 3, 0, 0, 0, ny)
	h.keys("j")
	for _, last := range []string{"Kiritimati", "PagoPago"} {
		if r := rowFor(t, h, last); r.CallableNow {
			t.Errorf("at %v %s should not be callable (local %v)", now.UTC(), last, r.LocalTime)
		}
	}
	checkFits(t, h.view(), 80, 24)
}
