package sync_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// hostileTexts are the strings a CRM may hold that must never reach a
// terminal raw.
var hostileTexts = []string{
	"Evil\x1b[2JCorp",                      // CSI clear screen
	"Title\x1b]0;pwned\x07Co",              // OSC title change
	"Clip\x1b]52;c;ZWNobyBwd25lZA==\x07",   // OSC 52 clipboard write
	"C1\u009b2J\u0085next\u009d0;x\u009c",  // C1 controls (CSI, NEL, OSC, ST)
	"Nul\x00Byte\x00Inc",                   // NUL
	"Bad\xff\xfeUTF\xc3",                   // invalid UTF-8
	"\u202eevil.exe\u202c שלום עולם مرحبا", // RTL and an override
	"Emoji 👩‍💻🏳️‍🌈 漢字ｗｉｄｅ",                 // emoji, ZWJ, wide
	strings.Repeat("W", 10_000),            // a 10,000-character name
	"",                                     // empty
	"Del\x7fBell\x07Back\x08Tab\tLine\nFeed\rCR",
}

// TestHostileCRMData seeds hubspottest with companies, contacts and tasks
// whose text holds escape sequences, C1 controls, NUL, invalid UTF-8, RTL,
// emoji, 10,000-character and empty names, out-of-range numbers, dates in
// 1900 and 9999 and zones that do not exist; a sync through the real adapter
// stores no raw control byte in any text column of the book, stores or
// reports every hostile record, and syncs the ordinary ones.
func TestHostileCRMData(t *testing.T) {
	ctx := context.Background()
	srv := hubspottest.NewServer(hubspottest.Options{Token: faultToken, RateLimit: -1, SearchPerSecond: -1})
	defer srv.Close()
	seedServer(srv, 4, 2) // the ordinary ones
	ownerID := srv.List("companies")[0].Properties["hubspot_owner_id"]
	numbers := []string{"-1", "99999999999999999999999", "1e400", "NaN", "-9223372036854775808", "12.5.6", "\x1b[31m7"}
	dates := []string{"1900-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z", "-62135596800000", "253402300799999", "not a date"}
	zones := []string{"Mars/Olympus_Mons", "\x1b[2J", "Etc/GMT+99", "", "Pacific/Kiritimati", strings.Repeat("Z", 500)}
	hostile := 0
	for i, s := range hostileTexts {
		co := srv.Put("companies", map[string]string{
			"name": s, "domain": fmt.Sprintf("h%d.example.com", i), "industry": s, "city": s, "country": s,
			"numberofemployees": numbers[i%len(numbers)], "annualrevenue": numbers[(i+3)%len(numbers)],
			"timezone": zones[i%len(zones)], "hubspot_owner_id": ownerID,
		})
		ct := srv.Put("contacts", map[string]string{
			"firstname": s, "lastname": s, "jobtitle": s, "email": fmt.Sprintf("h%d@example.com", i), "phone": s,
			"hs_timezone": zones[(i+1)%len(zones)], "hs_linkedin_url": s, "associatedcompanyid": co, "hubspot_owner_id": ownerID,
		})
		if err := srv.Associate("contacts", ct, "companies", co); err != nil {
			t.Fatal(err)
		}
		tk := srv.Put("tasks", map[string]string{
			"hs_task_subject": s, "hs_task_body": s, "hs_task_type": s, "hs_task_priority": s, "hs_task_status": "NOT_STARTED",
			"hs_timestamp": dates[i%len(dates)], "hubspot_owner_id": ownerID,
		})
		srv.Associate("tasks", tk, "companies", co)
		srv.Associate("tasks", tk, "contacts", ct)
		hostile++
	}
	b := openFaultBook(t)
	rep, err := crmsync.New(b.db, faultAdapter(t, srv.URL()), crmsync.Options{OwnerEmail: "rep@example.com"}).Sync(ctx, nil)
	if err != nil {
		t.Fatalf("sync over hostile data: %v", err)
	}
	for _, e := range rep.Errors {
		if model.Sanitize(e) != e {
			t.Errorf("a report line carries control bytes: %q", e)
		}
	}
	// The ordinary records all arrived.
	if n := b.count(t, "SELECT count(*) FROM accounts WHERE name LIKE 'Company %'"); n != 4 {
		t.Errorf("%d ordinary accounts, want 4", n)
	}
	// Every hostile company is stored (sanitised) or reported.
	stored := b.count(t, "SELECT count(*) FROM accounts WHERE domain LIKE 'h%.example.com'")
	if stored+len(rep.Errors) < hostile {
		t.Errorf("%d hostile companies stored and %d reported, want %d", stored, len(rep.Errors), hostile)
	}
	if n := b.count(t, "SELECT count(*) FROM accounts WHERE length(name) > 0 AND name NOT LIKE 'Company %' AND name NOT LIKE 'h%.example.com'"); n == 0 {
		t.Errorf("no hostile name survived sanitised: %d", n)
	}
	contacts := b.count(t, "SELECT count(*) FROM contacts WHERE email LIKE 'h%@example.com'")
	tasks := b.count(t, "SELECT count(*) FROM tasks WHERE origin = 'crm'")
	if contacts+len(rep.Errors) < hostile || tasks+len(rep.Errors) < hostile {
		t.Errorf("%d hostile contacts and %d tasks stored, %d reported, want %d each", contacts, tasks, len(rep.Errors), hostile)
	}
	cols, bad := scanBookText(t, b)
	t.Logf("hostile: %d companies + %d contacts + %d tasks seeded; %d/%d/%d stored, %d report lines; %d text values checked, %d raw control bytes",
		hostile, hostile, hostile, stored, contacts, tasks, len(rep.Errors), cols, len(bad))
	for _, s := range bad {
		t.Errorf("raw control text in the book: %s", s)
	}
}

// scanBookText reads every text value of every table and returns how many
// it checked and those holding ESC, C0 (but tab and newline), DEL, C1, NUL
// or invalid UTF-8.
func scanBookText(t *testing.T, b faultBook) (int, []string) {
	t.Helper()
	rows, err := b.raw.Query("SELECT name FROM sqlite_master WHERE type = 'table'")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		// The search index's own structure (FTS5's segments, sizes and
		// settings) is binary by design; its copy of the text, the
		// _content tables, is checked with the rest.
		if fts, part, ok := strings.Cut(n, "_fts_"); ok && fts != "" && part != "content" {
			continue
		}
		tables = append(tables, n)
	}
	rows.Close()
	checked := 0
	var bad []string
	for _, tbl := range tables {
		rows, err := b.raw.Query(fmt.Sprintf("SELECT * FROM %q", tbl))
		if err != nil {
			t.Fatal(err)
		}
		names, _ := rows.Columns()
		vals := make([]any, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var s string
				switch v := v.(type) {
				case string:
					s = v
				case []byte:
					s = string(v)
				default:
					continue
				}
				checked++
				if why := rawControl(s); why != "" {
					bad = append(bad, fmt.Sprintf("%s.%s: %s in %.80q", tbl, names[i], why, s))
				}
			}
		}
		rows.Close()
	}
	return checked, bad
}

// rawControl says what in s could drive a terminal, or "".
func rawControl(s string) string {
	if !utf8.ValidString(s) {
		return "invalid UTF-8"
	}
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n':
		case r < 0x20 || r == 0x7f:
			return fmt.Sprintf("C0 %#x", r)
		case r >= 0x80 && r <= 0x9f:
			return fmt.Sprintf("C1 %#x", r)
		}
	}
	// JSON-escaped controls come back raw when decoded.
	low := strings.ToLower(s)
	for _, esc := range []string{`\u001b`, `\u009b`, `\u0000`, `\u0007`, `\u009d`} {
		if strings.Contains(low, esc) {
			return "escaped " + esc
		}
	}
	return ""
}

// TestTokenNeverStored runs syncs with a known token through faults and
// failures (5xx, resets, a refused token, an unreachable CRM) and searches
// the book, its -wal and -shm files, every error, report line and progress
// message for the token: absent. The book's files are 0600.
func TestTokenNeverStored(t *testing.T) {
	ctx := context.Background()
	srv := hubspottest.NewServer(hubspottest.Options{Token: faultToken, RateLimit: -1, SearchPerSecond: -1})
	seedServer(srv, 4, 2)
	b := openFaultBook(t)
	var said []string
	sync := func(c crmsync.CRM) {
		progress := make(chan model.SyncProgress, 1024)
		rep, err := crmsync.New(b.db, c, crmsync.Options{OwnerEmail: "rep@example.com", BatchSize: 3}).Sync(ctx, progress)
		close(progress)
		for p := range progress {
			said = append(said, fmt.Sprintf("%+v", p))
		}
		said = append(said, fmt.Sprintf("%+v", rep))
		if err != nil {
			said = append(said, err.Error(), fmt.Sprintf("%#v", err))
		}
	}
	good := faultAdapter(t, srv.URL())
	sync(good)
	b.logTouches(t, 9, 1)
	srv.Inject(hubspottest.Fault{Kind: hubspottest.FaultStatus, Code: 500, Times: -1})
	sync(good)
	srv.ClearFaults()
	srv.Inject(hubspottest.Fault{Kind: hubspottest.FaultReset, After: 5, Times: -1})
	sync(good)
	srv.ClearFaults()
	// A refused token: the server knows another one.
	other := hubspottest.NewServer(hubspottest.Options{Token: "pat-na1-the-right-one", RateLimit: -1, SearchPerSecond: -1})
	sync(faultAdapter(t, other.URL()))
	other.Close()
	// Offline: nothing listens.
	url := srv.URL()
	sync(good)
	srv.Close()
	sync(faultAdapter(t, url))
	if len(said) < 6 {
		t.Fatalf("captured only %d lines", len(said))
	}
	for _, s := range said {
		if strings.Contains(s, faultToken) {
			t.Errorf("output carries the token: %.200q", s)
		}
	}
	b.db.Close() // flush; the -wal may remain
	files := 0
	for _, suf := range []string{"", "-wal", "-shm", "-journal"} {
		p := b.path + suf
		fi, err := os.Stat(p)
		if err != nil {
			continue
		}
		files++
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(faultToken)) || bytes.Contains(data, []byte("5ec2e7-70ken")) {
			t.Errorf("%s holds the token", p)
		}
		if m := fi.Mode().Perm(); m&0o077 != 0 {
			t.Errorf("%s is %v, want 0600", p, m)
		}
	}
	t.Logf("secrets: 6 syncs (ok, 5xx storm, resets, refused token, ok, offline); %d output lines and %d book files searched: token absent", len(said), files)
}
