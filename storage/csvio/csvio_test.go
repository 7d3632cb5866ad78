package csvio

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

func read(t *testing.T, s string) *Table {
	t.Helper()
	tb, err := Read(strings.NewReader(s))
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return tb
}

func TestReadDialects(t *testing.T) {
	cases := []struct {
		name  string
		in    string
		delim rune
		rows  [][]string
		lines []int
	}{
		{"comma", "Name,Domain\nAcme,acme.com\n", ',', [][]string{{"Acme", "acme.com"}}, []int{2}},
		{"bom and crlf", "\xef\xbb\xbfName,Domain\r\nAcme,acme.com\r\nBeta,beta.io\r\n", ',', [][]string{{"Acme", "acme.com"}, {"Beta", "beta.io"}}, []int{2, 3}},
		{"semicolon", "Name;Employees\n\"Acme, Inc\";1.200\n", ';', [][]string{{"Acme, Inc", "1.200"}}, []int{2}},
		{"tab", "Name\tCity\nAcme\tBerlin\n", '\t', [][]string{{"Acme", "Berlin"}}, []int{2}},
		{"quoted newline keeps line numbers", "Name,Note\n\"Acme\",\"two\nlines\"\nBeta,x\n", ',', [][]string{{"Acme", "two\nlines"}, {"Beta", "x"}}, []int{2, 4}},
		{"blank rows skipped", "\nName,City\n\n,\nAcme,Oslo\n", ',', [][]string{{"Acme", "Oslo"}}, []int{5}},
		{"quoted delimiter in header", "\"Name, legal\";City\nAcme;Oslo\n", ';', [][]string{{"Acme", "Oslo"}}, []int{2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tb := read(t, tc.in)
			if tb.Delimiter != tc.delim {
				t.Errorf("delimiter %q; want %q", tb.Delimiter, tc.delim)
			}
			if len(tb.Rows) != len(tc.rows) {
				t.Fatalf("rows %v; want %v", tb.Rows, tc.rows)
			}
			for i, r := range tb.Rows {
				if strings.Join(r.Cells, "|") != strings.Join(tc.rows[i], "|") || r.Line != tc.lines[i] {
					t.Errorf("row %d = line %d %q; want line %d %q", i, r.Line, r.Cells, tc.lines[i], tc.rows[i])
				}
			}
		})
	}
}

func TestReadEncodingsAndErrors(t *testing.T) {
	tb := read(t, "Name,City\nCaf\xe9 \x80,K\xf6ln\n")
	if tb.Encoding != "windows-1252" || tb.Rows[0].Cells[0] != "Café €" || tb.Rows[0].Cells[1] != "Köln" {
		t.Errorf("windows-1252: %q %q", tb.Encoding, tb.Rows[0].Cells)
	}
	if _, err := Read(strings.NewReader("\xff\xfeN\x00")); err == nil || !strings.Contains(err.Error(), "UTF-16") {
		t.Errorf("utf-16: %v", err)
	}
	if _, err := Read(strings.NewReader("\n\n")); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty: %v", err)
	}
	tb = read(t, "Name,City\nAc\"me,Oslo\nBeta,Rome\n")
	if len(tb.Errors) != 1 || tb.Errors[0].Line != 2 || len(tb.Rows) != 1 || tb.Rows[0].Line != 3 {
		t.Errorf("bare quote: errors %v rows %v", tb.Errors, tb.Rows)
	}
}

func TestMapHeaders(t *testing.T) {
	hdr := []string{"Company Name", "Website", "# Employees", "Annual Revenue (USD)", "State/Region", "Time Zone", "Record ID", "Fit", "Favourite Colour", "Company"}
	m, err := Map(model.KindAccounts, hdr, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"name", "domain", "employees", "annual_revenue", "region", "time_zone", "crm_id", "", "", ""}
	if strings.Join(m.Fields, ",") != strings.Join(want, ",") {
		t.Errorf("fields %q; want %q", m.Fields, want)
	}
	if strings.Join(m.Ignored, "|") != "Favourite Colour|Company (a second name column)" || strings.Join(m.Computed, "|") != "Fit" {
		t.Errorf("ignored %q computed %q", m.Ignored, m.Computed)
	}
	m, err = Map(model.KindAccounts, hdr, map[string]string{"favourite colour": "industry", "Company Name": "", "Company": "name"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Fields[8] != "industry" || m.Fields[0] != "" || m.Fields[9] != "name" {
		t.Errorf("overrides: %q", m.Fields)
	}
	_, err = Map(model.KindAccounts, hdr, map[string]string{"Website": "webby"})
	if !errors.Is(err, model.ErrUnknownField) || !strings.Contains(err.Error(), "crm_id, name, domain") {
		t.Errorf("unknown field: %v", err)
	}
	if _, err = Map(model.KindAccounts, hdr, map[string]string{"Nope": "name"}); err == nil || !strings.Contains(err.Error(), `no column "Nope"`) {
		t.Errorf("unknown header: %v", err)
	}
	m, _ = Map(model.KindAccounts, []string{"Name", "\x1b[2JEvil\x07"}, nil)
	if len(m.Ignored) != 1 || m.Ignored[0] != "Evil" {
		t.Errorf("ignored header not sanitised: %q", m.Ignored)
	}
	if _, err = Map(model.KindAccounts, []string{"City"}, nil); err == nil || !strings.Contains(err.Error(), "--map") {
		t.Errorf("no key column: %v", err)
	}
	for _, k := range []model.RecordKind{model.KindAccounts, model.KindContacts} {
		al := aliases(k)
		for _, f := range model.ImportFields(k) {
			if _, ok := al[f]; !ok {
				t.Errorf("%s: field %s has no aliases", k, f)
			}
		}
		for f := range al {
			if !strings.Contains(","+strings.Join(model.ImportFields(k), ",")+",", ","+f+",") {
				t.Errorf("%s: alias table names unknown field %s", k, f)
			}
		}
	}
}

func TestValues(t *testing.T) {
	amounts := []struct {
		in    string
		whole bool
		want  int64
		err   string
	}{
		{"1200000", false, 1200000, ""},
		{"$1,200,000", false, 1200000, ""},
		{"1.2M", false, 1200000, ""},
		{"€ 3,5 Mio", false, 0, "not a number"},
		{"€3,5m", false, 3500000, ""},
		{"1.234.567,89 EUR", false, 1234568, ""},
		{"USD 2bn", false, 2000000000, ""},
		{"12x", true, 0, "not a number"},
		{"1.5", true, 0, "not a whole number"},
		{"1.5k", true, 1500, ""},
		{"-5", false, 0, "negative"},
		{"1e30", false, 0, "not a number"},
		{"9999999999999999999", false, 0, "too large"},
	}
	for _, tc := range amounts {
		got, err := amount(tc.in, tc.whole, false)
		if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) || got != tc.want {
			t.Errorf("amount(%q) = %d, %v; want %d, %q", tc.in, got, err, tc.want, tc.err)
		}
	}
	for in, want := range map[string]int64{"51-200": 125, "10,001+": 10001, "1,000": 1000, "11 to 50": 30} {
		if got, err := employees(in, false); err != nil || got != want {
			t.Errorf("employees(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	if n, err := employees("1.200", true); err != nil || n != 1200 {
		t.Errorf("employees(1.200) in a ;-file = %d, %v", n, err)
	}
	if _, err := employees("1.200", false); err == nil {
		t.Error("employees(1.200) in a ,-file accepted")
	}
	if _, err := employees("12x", false); err == nil || err.Error() != `"12x" is not a whole number` {
		t.Errorf("employees(12x): %v", err)
	}
	for in, want := range map[string]string{"https://www.Acme.com/about?x=1": "acme.com", "acme.co.uk": "acme.co.uk", "http://beta.io:8080": "beta.io", "bücher.de": "bücher.de"} {
		if got, err := domain(in); err != nil || got != want {
			t.Errorf("domain(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"not a domain", "localhost", "acme..com", "-acme.com"} {
		if _, err := domain(in); err == nil {
			t.Errorf("domain(%q) accepted", in)
		}
	}
	if got, err := email("Ann Lee <Ann@ACME.com>"); err != nil || got != "Ann@acme.com" {
		t.Errorf("email: %q %v", got, err)
	}
	for _, in := range []string{"bob at acme", "a@b", "a@b.com, c@d.com"} {
		if _, err := email(in); err == nil {
			t.Errorf("email(%q) accepted", in)
		}
	}
	if f, l := splitName("Lee, Ann Marie"); f != "Ann Marie" || l != "Lee" {
		t.Errorf("split: %q %q", f, l)
	}
	if f, l := splitName("Ann Marie Lee"); f != "Ann Marie" || l != "Lee" {
		t.Errorf("split: %q %q", f, l)
	}
	if got := technologies("Salesforce; HubSpot | salesforce;;"); strings.Join(got, ",") != "Salesforce,HubSpot" {
		t.Errorf("tech: %q", got)
	}
	if got := technologies("AWS, GCP"); strings.Join(got, ",") != "AWS,GCP" {
		t.Errorf("tech commas: %q", got)
	}
}

func TestAccountsRows(t *testing.T) {
	tb := read(t, "Company,Website,Employees,Annual Revenue,Time Zone,Technologies,Status\n"+
		"Acme,https://acme.com,\"1,200\",$5M,Europe/Berlin,Salesforce;Slack,working\n"+
		"Beta,beta.io,12x,,PST,,\n"+
		"\"\x1b[31mGamma\",gamma.dev,n/a,,,,\n"+
		"Delta,delta.dev,5,,,,,extra\n")
	m, err := Map(model.KindAccounts, tb.Header, nil)
	if err != nil {
		t.Fatal(err)
	}
	recs, errs := Accounts(tb, m)
	if len(recs) != 2 {
		t.Fatalf("records %+v", recs)
	}
	a := recs[0].Account
	if a.Name != "Acme" || a.Domain != "acme.com" || *a.Employees != 1200 || *a.AnnualRevenue != 5000000 ||
		a.TimeZone != "Europe/Berlin" || strings.Join(a.Technologies, ",") != "Salesforce,Slack" || a.Status != model.StatusWorking {
		t.Errorf("acme: %+v", a)
	}
	if g := recs[1]; g.Account.Name != "Gamma" || g.Account.Employees != nil || g.Present.Has("employees") || !g.Present.Has("domain") {
		t.Errorf("gamma (sanitised, n/a empty): %+v", g)
	}
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	want := []string{
		`line 3: employees: "12x" is not a whole number`,
		`line 3: time_zone: "PST" is not an IANA time zone name like America/New_York`,
		`line 5: 8 values but the header has 7 columns: quote values that hold the delimiter ','`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestContactsRows(t *testing.T) {
	tb := read(t, "Full Name,Job Title,Email,Mobile,Company,Email Opt Out,Do Not Call\n"+
		"\"Lee, Ann\",VP Sales,ann@acme.com,+1 555,Acme,yes,no\n"+
		"Bob Stone,CTO,bob at acme,,Acme,maybe,\n")
	m, err := Map(model.KindContacts, tb.Header, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	recs, errs := Contacts(tb, m, Options{Source: "leads.csv", Now: now})
	if len(recs) != 1 || len(errs) != 2 {
		t.Fatalf("records %+v errors %v", recs, errs)
	}
	c := recs[0].Contact
	if c.FirstName != "Ann" || c.LastName != "Lee" || c.Phone != "+1 555" || recs[0].Account != "Acme" ||
		c.Consent.Email != (model.Consent{State: model.ConsentOptedOut, Source: "import leads.csv", At: now}) ||
		c.Consent.Call.OptedOut() || recs[0].Present.Has("do_not_call") || !recs[0].Present.Has("phone") {
		t.Errorf("ann: %+v %+v", c, recs[0].Present)
	}
	if errs[0].Field != "email" || errs[1].Field != "email_opt_out" || errs[0].Line != 3 {
		t.Errorf("errors: %v", errs)
	}
}

func TestWriter(t *testing.T) {
	var b bytes.Buffer
	w, err := NewWriter(&b, "csv", []string{"name", "employees", "tech", "ok"})
	if err != nil {
		t.Fatal(err)
	}
	n := int64(5)
	w.Row("Acme, \"Inc\"", &n, []string{"a", "b"}, true)
	w.Row("Beta\nline", (*int64)(nil), []string(nil), false)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := "name,employees,tech,ok\n\"Acme, \"\"Inc\"\"\",5,a; b,true\n\"Beta\nline\",,,false\n"
	if b.String() != want {
		t.Errorf("csv:\n%q\nwant\n%q", b.String(), want)
	}
	b.Reset()
	w, _ = NewWriter(&b, "json", []string{"name", "employees", "tech"})
	w.Row("Acme", &n, []string{"a"})
	w.Row("Beta", (*int64)(nil), []string(nil))
	w.Close()
	want = "[\n  {\"name\": \"Acme\", \"employees\": 5, \"tech\": [\"a\"]},\n  {\"name\": \"Beta\", \"employees\": null, \"tech\": []}\n]\n"
	if b.String() != want {
		t.Errorf("json:\n%s\nwant\n%s", b.String(), want)
	}
	if _, err := NewWriter(&b, "xml", nil); err == nil {
		t.Error("xml accepted")
	}
}

// FuzzImport feeds arbitrary bytes through everything an import does with
// a file before the book: it must never panic, and every error must name
// a line.
func FuzzImport(f *testing.F) {
	f.Add([]byte("Company Name,Website,# Employees,Annual Revenue\nAcme,https://acme.com,\"1,200\",$1.2M\n"), false)
	f.Add([]byte("\xef\xbb\xbfFirst Name;Last Name;Email;Company\r\nAnn;Lee;ann@acme.com;Acme\r\n"), true)
	f.Add([]byte("Name\tNote\n\"A\"\"b\"\t\"multi\nline\"\n"), false)
	f.Add([]byte("Full Name,Email Opt Out\n\"Lee, Ann\",maybe\nx\"y,1\n"), true)
	f.Add([]byte("First Name,Last Name,Email,Phone,Company\n'=cmd,''@x,a@b.co,'+1 415 555 0100,'-Acme\n"), true)
	f.Add([]byte("Company Name,Website,Industry\n\"'\t=1\",acme.com,'''+x\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, contacts bool) {
		tb, err := Read(bytes.NewReader(data))
		if err != nil {
			var ie model.ImportError
			if !errors.Is(err, ErrEmpty) && !(errors.As(err, &ie) && ie.Line > 0) && !strings.Contains(err.Error(), "UTF-16") {
				t.Fatalf("read error names no line: %v", err)
			}
			return
		}
		for _, e := range tb.Errors {
			if e.Line < 1 {
				t.Fatalf("parse error without a line: %+v", e)
			}
		}
		kind := model.KindAccounts
		if contacts {
			kind = model.KindContacts
		}
		m, err := Map(kind, tb.Header, nil)
		if err != nil {
			return // the header names no key column: reported against the header line by the caller
		}
		var errs []model.ImportError
		if contacts {
			_, errs = Contacts(tb, m, Options{Source: "fuzz.csv"})
		} else {
			_, errs = Accounts(tb, m)
		}
		for _, e := range errs {
			if e.Line < tb.HeaderLine || e.Message == "" {
				t.Fatalf("row error without a line or a reason: %+v", e)
			}
		}
	})
}

// TestReadSaysWhereTheBadByteIs: a file with one byte that is not UTF-8 is
// still read as Windows-1252, and the table says which line held the first
// such byte, so the report can tell the rep where to look.
func TestReadSaysWhereTheBadByteIs(t *testing.T) {
	tb := read(t, "Name,City\nAcme,Oslo\n\"Multi\nline\",Rome\nCaf\xe9,K\xf6ln\n")
	if tb.Encoding != "windows-1252" || tb.BadLine != 5 || tb.BadByte != 0xe9 {
		t.Errorf("encoding %q, bad line %d byte %#x; want windows-1252, line 5, 0xe9", tb.Encoding, tb.BadLine, tb.BadByte)
	}
	if tb.Rows[2].Cells[0] != "Café" {
		t.Errorf("row %q: want it read as Windows-1252", tb.Rows[2].Cells)
	}
	tb = read(t, "\xef\xbb\xbfName\nZoë\n")
	if tb.Encoding != "utf-8" || tb.BadLine != 0 {
		t.Errorf("utf-8 with a BOM: %q, bad line %d", tb.Encoding, tb.BadLine)
	}
}

// TestMessagesAreBounded: a message quoting a cell or listing headers stays
// short whatever the file holds.
func TestMessagesAreBounded(t *testing.T) {
	huge := strings.Repeat("9x", 500000)
	tb := read(t, "Company,Employees\nAcme,"+huge+"\n")
	m, err := Map(model.KindAccounts, tb.Header, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, errs := Accounts(tb, m)
	if len(errs) != 1 || len(errs[0].Error()) > 200 || !strings.Contains(errs[0].Error(), "is not a whole number") {
		t.Errorf("a 1 MB cell's error: %d errors, first %d bytes", len(errs), len(errs[0].Error()))
	}
	header := make([]string, 20000)
	for i := range header {
		header[i] = fmt.Sprintf("Column %d", i)
	}
	_, err = Map(model.KindAccounts, header, map[string]string{"Nope": "name"})
	if err == nil || len(err.Error()) > 400 || !strings.Contains(err.Error(), "and 19992 more") {
		t.Errorf("map error over 20,000 headers: %d bytes: %.200v", len(err.Error()), err)
	}
}

// TestPlaceholder: every cell is asked whether it only says "no value", so
// long cells skip the lower-casing; what counts as one must not change.
func TestPlaceholder(t *testing.T) {
	for s, want := range map[string]bool{
		"": true, " - ": true, "N/A": true, "Unknown": true, "NULL\t": true, "?": true,
		"UN\u212aNOWN": true, // a Kelvin sign lower-cases to k: 9 bytes, 7 once lower-cased
		"unknowns":     false, "Company 12": false, "acme.com": false, "n/a n/a": false,
		strings.Repeat("\u212a", 8): false,
	} {
		if got := placeholder(s); got != want {
			t.Errorf("placeholder(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestAmountDigits: plain digits take a shortcut past amount's parsing;
// it must give what the parsing gives.
func TestAmountDigits(t *testing.T) {
	for s, want := range map[string]int64{"0": 0, "7": 7, "007": 7, " 120 ": 120, "999999999999999": 999999999999999,
		"1234567890123456": 1234567890123456, "1,200": 1200, "$25M": 25_000_000} {
		got, err := amount(s, true, false)
		if err != nil || got != want {
			t.Errorf("amount(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	if _, err := amount("12345678901234567890", true, false); err == nil {
		t.Error("a 20-digit amount was taken")
	}
}
