package storage_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// writeAccountsCSV writes a generated accounts file of n rows: a list from
// marketing, every row a new company.
func writeAccountsCSV(t testing.TB, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), fmt.Sprintf("accounts-%d.csv", n))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "Company Name,Website,Industry,# Employees,Annual Revenue,Country,City")
	industries := []string{"Software", "Manufacturing", "Retail", "Financial Services", "Healthcare"}
	for i := range n {
		fmt.Fprintf(w, "Company %d Holdings,co%d.example.com,%s,%d,%d,United States,City %d\n",
			i, i, industries[i%len(industries)], 5+(i*7919)%20000, 100000+(i*104729)%900000000, i%997)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// peakHeap imports path into a new book and returns the most Go heap in use
// while it ran, above what was in use before, and the report.
func peakHeap(t *testing.T, path string) (uint64, model.ImportReport) {
	t.Helper()
	db := freshDB(t)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, ms.HeapInuse
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
	}()
	rep, err := db.Import(context.Background(), model.ImportRequest{Kind: model.KindAccounts, Source: "list.csv", Input: f, Now: clock})
	close(stop)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	return peak - min(base, peak), rep
}

// TestImportMemoryDoesNotGrowWithRows: an import streams its file, so the
// Go heap it needs for 80,000 rows is about what it needs for 20,000 (before:
// every row, its record and its plan were held, about 3 KB a row: 1M rows
// peaked at 3.0 GB). The report's lists stop at ImportListMax entries; its
// counts stay exact.
func TestImportMemoryDoesNotGrowWithRows(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 100,000 rows")
	}
	defer debug.SetGCPercent(debug.SetGCPercent(10)) // the heap in use tracks what is live
	small, srep := peakHeap(t, writeAccountsCSV(t, 20_000))
	large, lrep := peakHeap(t, writeAccountsCSV(t, 80_000))
	t.Logf("peak heap: %d KiB for 20,000 rows, %d KiB for 80,000", small>>10, large>>10)
	if large > small+16<<20 {
		t.Errorf("peak heap %d MiB for 80,000 rows, %d MiB for 20,000: memory grows with the file", large>>20, small>>20)
	}
	for _, c := range []struct {
		rows int
		rep  model.ImportReport
	}{{20_000, srep}, {80_000, lrep}} {
		if c.rep.Rows != c.rows || c.rep.Added != c.rows || !c.rep.Written ||
			len(c.rep.Changes) != model.ImportListMax || c.rep.ChangesOmitted != c.rows-model.ImportListMax {
			t.Errorf("%d rows: report rows %d added %d written %v, %d changes listed and %d left out", c.rows,
				c.rep.Rows, c.rep.Added, c.rep.Written, len(c.rep.Changes), c.rep.ChangesOmitted)
		}
	}
}

// TestImportDuplicateChains: the later row wins whatever the chain of keys,
// each replaced row reported once, against the first later row sharing a
// key with it, as the rows were planned in memory before.
func TestImportDuplicateChains(t *testing.T) {
	db := freshDB(t)
	rep := mustImport(t, db, model.KindAccounts, strings.Join([]string{
		"name,domain,crm_id,employees",
		"A1,a.com,,1",     // 2: replaced by 3 (domain a.com)
		"A2,a.com,7,2",    // 3: replaced by 4 (domain a.com)
		"A3,a.com,,3",     // 4: replaced by 6 (crm_id? no: domain a.com)
		"B1,b.com,8,4",    // 5: replaced by 6 (crm_id 8)
		"AB,a.com,8,5",    // 6: wins
		"Solo,,,6",        // 7: replaced by 8 (name)
		"solo,,,7",        // 8: wins
		"C,c.com,,8",      // 9: kept
		"Bad,x,,9",        // 10: a bad domain, fails
		"D,d.com,,10",     // 11: kept
		"D again,d.com,,", // 12: wins over 11
	}, "\n")+"\n", func(r *model.ImportRequest) { r.SkipInvalid = true })
	want := []model.ImportDuplicate{
		{Line: 2, Winner: 3, Key: `domain "a.com"`},
		{Line: 3, Winner: 4, Key: `domain "a.com"`},
		{Line: 5, Winner: 6, Key: `crm_id "8"`},
		{Line: 4, Winner: 6, Key: `domain "a.com"`},
		{Line: 7, Winner: 8, Key: `name "solo"`},
		{Line: 11, Winner: 12, Key: `domain "d.com"`},
	}
	if got, _ := json.Marshal(rep.Duplicates); string(got) != mustJSON(t, want) {
		t.Errorf("duplicates\n got  %s\n want %s", got, mustJSON(t, want))
	}
	if rep.Added != 4 || rep.Skipped != 1 || rep.Rows != 11 {
		t.Errorf("added %d skipped %d rows %d, want 4, 1, 11", rep.Added, rep.Skipped, rep.Rows)
	}
	var names []string
	for _, a := range allAccounts(t, db) {
		names = append(names, a.Name)
	}
	if got := strings.Join(names, ","); got != "AB,solo,C,D again" {
		t.Errorf("accounts %s, want AB,solo,C,D again", got)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestImportFromAPipe: standard input cannot be read twice, so it is copied
// to a private temporary file, removed afterwards.
func TestImportFromAPipe(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	db := freshDB(t)
	pr, pw := io.Pipe()
	go func() {
		fmt.Fprint(pw, "name,domain\nAcme,acme.com\nBeta,beta.io\nAcme again,acme.com\n")
		pw.Close()
	}()
	rep, err := db.Import(context.Background(), model.ImportRequest{Kind: model.KindAccounts, Source: "stdin", Input: pr, Now: clock})
	if err != nil || rep.Added != 2 || len(rep.Duplicates) != 1 {
		t.Fatalf("import from a pipe: %+v, %v", rep, err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left in the temporary directory: %v", left)
	}
}

// TestImportDuplicateUndoesFirstPass: a contacts file with a replaced row
// and companies new to the book: the first pass's writes (the new accounts
// among them) are undone, and the second writes each company once and only
// the rows that won.
func TestImportDuplicateUndoesFirstPass(t *testing.T) {
	db := freshDB(t)
	rep := mustImport(t, db, model.KindContacts, "first_name,last_name,email,company\n"+
		"Ann,Lee,ann@newco.com,NewCo\nBo,Ma,bo@otherco.com,OtherCo\nAnn,Lee-Smith,ann@newco.com,NewCo\n",
		func(r *model.ImportRequest) { r.CreateAccounts = true })
	if rep.Added != 2 || rep.AccountsCreated != 2 || len(rep.Duplicates) != 1 || rep.Duplicates[0].Line != 2 {
		t.Fatalf("report %+v", rep)
	}
	r := raw(t, db.Path())
	if n := count(t, r, "SELECT count(*) FROM accounts"); n != 2 {
		t.Errorf("%d accounts, want NewCo and OtherCo once each", n)
	}
	if n := count(t, r, `SELECT count(*) FROM contacts c JOIN accounts a ON a.id = c.account_id
		WHERE (c.last_name = 'Lee-Smith' AND a.name = 'NewCo') OR (c.last_name = 'Ma' AND a.name = 'OtherCo')`); n != 2 ||
		count(t, r, "SELECT count(*) FROM contacts") != 2 {
		t.Errorf("contacts are not Lee-Smith at NewCo and Ma at OtherCo")
	}
}

// TestImportFileWithBOMAndWindows1252: a file on disk (read twice, from its
// start each time) with a byte-order mark, and one in Windows-1252.
func TestImportFileWithBOMAndWindows1252(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"bom.csv":  "\xef\xbb\xbfCompany Name,Website\r\nCafé Müller,cafe.de\r\nCafé Müller GmbH,cafe.de\r\n",
		"1252.csv": "Company Name,Website\nCaf\xe9 M\xfcller,cafe.de\nCaf\xe9 M\xfcller GmbH,cafe.de\n",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			db := freshDB(t)
			rep, err := db.Import(context.Background(), model.ImportRequest{Kind: model.KindAccounts, Source: name, Input: f, Now: clock})
			if err != nil || rep.Added != 1 || len(rep.Duplicates) != 1 || len(rep.Columns) == 0 || rep.Columns[0].Header != "Company Name" {
				t.Fatalf("%+v, %v", rep, err)
			}
			if as := allAccounts(t, db); len(as) != 1 || as[0].Name != "Café Müller GmbH" {
				t.Errorf("accounts %+v", as)
			}
		})
	}
}

// TestImportWriteErrorKeepsNothing: new accounts are written many to a
// statement; when a write in the middle of one fails, the import fails with
// the database's reason, as a write a row did, and nothing of the file is
// kept.
func TestImportWriteErrorKeepsNothing(t *testing.T) {
	db := freshDB(t)
	r := raw(t, db.Path())
	if _, err := r.Exec(`CREATE TRIGGER refuse_bad BEFORE INSERT ON accounts WHEN new.name = 'Company 70'
		BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END`); err != nil {
		t.Fatal(err)
	}
	var csv strings.Builder
	csv.WriteString("name,domain\n")
	for i := range 200 {
		fmt.Fprintf(&csv, "Company %d,co%d.example.com\n", i, i)
	}
	_, err := importCSV(t, db, model.KindAccounts, csv.String())
	// The row is named by its line (Company 70 is line 72), though it was
	// written in a batch of many.
	if err == nil || !strings.Contains(err.Error(), "nothing was imported") || !strings.Contains(err.Error(), "refused by a test trigger") ||
		!strings.Contains(err.Error(), "line 72:") || !errors.Is(err, model.ErrConflict) || strings.Count(err.Error(), "\n") > 0 {
		t.Fatalf("err %v, want the line, the trigger's message and nothing imported", err)
	}
	t.Log(err)
	if n := count(t, r, "SELECT count(*) FROM accounts"); n != 0 {
		t.Errorf("%d accounts kept from a failed import", n)
	}
}

// TestImportRepeatAfterManyRowsReportsAsTheWrite: a key that comes again
// after more rows than one INSERT holds (new accounts are written many to
// a statement while no key repeats; a repeat plans the file again) gives a
// dry run and the write the same report, counts from one pass only, and
// the later row wins.
func TestImportRepeatAfterManyRowsReportsAsTheWrite(t *testing.T) {
	var csv strings.Builder
	csv.WriteString("name,domain,employees\n")
	for i := range 150 {
		fmt.Fprintf(&csv, "Company %d,co%d.example.com,%d\n", i, i, i+1)
	}
	csv.WriteString("Company 3 again,https://co3.example.com,999\nBad,not a domain,1\n")
	db := freshDB(t)
	skip := func(r *model.ImportRequest) { r.SkipInvalid = true }
	dry := mustImport(t, db, model.KindAccounts, csv.String(), skip, func(r *model.ImportRequest) { r.DryRun = true })
	rep := mustImport(t, db, model.KindAccounts, csv.String(), skip)
	if rep.Rows != 152 || rep.Added != 150 || rep.Skipped != 1 || len(rep.Errors) != 1 || len(rep.Duplicates) != 1 ||
		rep.Duplicates[0] != (model.ImportDuplicate{Line: 5, Winner: 152, Key: `domain "co3.example.com"`}) {
		t.Fatalf("report %+v", rep)
	}
	if dry.Rows != rep.Rows || dry.Added != rep.Added || dry.Skipped != rep.Skipped || len(dry.Changes) != len(rep.Changes) ||
		mustJSON(t, dry.Duplicates) != mustJSON(t, rep.Duplicates) {
		t.Errorf("dry run %+v\nwrite %+v", dry, rep)
	}
	as := allAccounts(t, db)
	if len(as) != 150 || as[len(as)-1].Name != "Company 3 again" || *as[len(as)-1].Employees != 999 {
		t.Errorf("%d accounts, last %+v", len(as), as[len(as)-1])
	}
}
