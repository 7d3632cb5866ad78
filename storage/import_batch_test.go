package storage_test

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/shortlisthq/shortlist/model"
)

// rowsOf reads every column of a table's rows but the id, as text, keyed
// by key (a column whose value tells the rows apart).
func rowsOf(t *testing.T, r *sql.DB, table, key string) map[string]string {
	t.Helper()
	rows, err := r.Query("SELECT * FROM " + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	out := map[string]string{}
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var k string
		var b strings.Builder
		for i, c := range cols {
			if c == key {
				k = vals[i].String
			}
			if c != "id" && c != "account_id" {
				fmt.Fprintf(&b, "%s=%q/%v ", c, vals[i].String, vals[i].Valid)
			}
		}
		out[k] = b.String()
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestImportBatchWritesWhatOneRowWrites: new rows go many to an INSERT,
// with the columns the file cannot fill written as constants; a file
// where a key repeats is written a row at a time (Loader's own INSERT).
// Both must store the same rows, column for column, for a file with every
// column and for one with only a few.
func TestImportBatchWritesWhatOneRowWrites(t *testing.T) {
	accounts := map[string]string{
		"all": "Record ID,Company Name,Website,Industry,# Employees,Annual Revenue,Country,State,City,Time Zone,Technologies,Account Owner,Status,CRM Tier,Do Not Contact,CRM URL\n" +
			"11,Acme,acme.com,Software,120,$2.5M,United States,CA,Oakland,America/Los_Angeles,Salesforce;Slack,ann@x.io,engaged,Gold,yes,https://crm/11\n" +
			"12,Beta,beta.io,Retail,,,Germany,,Berlin,Europe/Berlin,,,,,no,\n" +
			"13,\x1b[31mGamma\x1b[0m,gamma.dev,n/a,51-200,1200000,,,,,\"HubSpot, Outreach\",,nurture,,,\n",
		"few": "name,domain\nAcme,acme.com\nBeta,\nO'Neil & Sons,oneil.co.uk\n",
	}
	contacts := map[string]string{
		"all": "Record ID,First Name,Last Name,Email,Phone Number,Mobile,Job Title,Persona,Seniority,LinkedIn,Time Zone,Company Domain,Email Opt Out,Do Not Call,LinkedIn Opt Out,Phone Bad\n" +
			"21,Ann,Lee,ann@acme.com,+1 415 555 0100,,VP Sales,,,https://linkedin.com/in/ann,America/New_York,acme.com,yes,no,,\n" +
			"22,Bo,Ng,bo@beta.io,,+49 30 1234,CTO,champion,c-level,,,beta.io,,yes,yes,yes\n" +
			"23,\x1b]52;c;aGk=\x07Cy,Ra,cy@acme.com,,,,,,,,acme.com,,,,\n",
		"few": "Full Name,Email,Company Domain\nAnn Lee,ann@acme.com,acme.com\n\"Lee, Bo\",bo@beta.io,beta.io\n",
	}
	for _, kind := range []model.RecordKind{model.KindAccounts, model.KindContacts} {
		files, key, zed := accounts, "domain", "zed.com"
		if kind == model.KindContacts {
			files, key, zed = contacts, "email", "zed@acme.com"
		}
		for name, file := range files {
			t.Run(string(kind)+"/"+name, func(t *testing.T) {
				// A row for zed twice: the key comes again, so the file is
				// planned again and every row written alone.
				header := strings.Split(file[:strings.Index(file, "\n")], ",")
				cells := make([]string, len(header))
				for i, h := range header {
					switch h {
					case "name", "Company Name", "Full Name", "First Name":
						cells[i] = "Zed"
					case "domain", "Website", "Email":
						cells[i] = zed
					case "Company Domain":
						cells[i] = "acme.com"
					}
				}
				zedRow := strings.Join(cells, ",") + "\n"
				var got [2]map[string]string
				for i, repeat := range []bool{false, true} {
					db := freshDB(t)
					if kind == model.KindContacts {
						mustImport(t, db, model.KindAccounts, "name,domain\nAcme,acme.com\nBeta,beta.io\n")
					}
					in := file
					if repeat {
						in += zedRow + zedRow
					}
					rep := mustImport(t, db, kind, in)
					if repeat != (len(rep.Duplicates) == 1) {
						t.Fatalf("repeat %v: report %+v", repeat, rep)
					}
					r := raw(t, db.Path())
					if n := count(t, r, "SELECT count(*) FROM accounts a WHERE n_contacts <> (SELECT count(*) FROM contacts c WHERE c.account_id = a.id)"); n != 0 {
						t.Errorf("%d accounts with a wrong contact count", n)
					}
					got[i] = rowsOf(t, r, string(kind), key)
					delete(got[i], zed)
				}
				if len(got[0]) < 2 || len(got[0]) != len(got[1]) {
					t.Fatalf("%d rows batched, %d alone", len(got[0]), len(got[1]))
				}
				for k, v := range got[0] {
					if got[1][k] != v {
						t.Errorf("%s:\nbatched %s\nalone   %s", k, v, got[1][k])
					}
					if strings.ContainsAny(v, "\x1b\x07") {
						t.Errorf("%s: terminal escapes stored: %s", k, v)
					}
				}
			})
		}
	}
}

// bigFile is n accounts rows; row bad (1-based, 0: none) has a value
// that fails its check.
func bigFile(n, bad int) string {
	var b strings.Builder
	b.WriteString("name,domain,employees\n")
	for i := 1; i <= n; i++ {
		emp := fmt.Sprint(i)
		if i == bad {
			emp = "twelve"
		}
		fmt.Fprintf(&b, "Company %d,co%d.example.com,%s\n", i, i, emp)
	}
	return b.String()
}

// TestImportBadRowInsideABatch: a row that fails its check in the middle
// of a full batch (rows 257–512 are the second INSERT) fails the import
// whole, naming its line; with --skip-invalid every other row is written.
func TestImportBadRowInsideABatch(t *testing.T) {
	db := freshDB(t)
	r := raw(t, db.Path())
	in := bigFile(700, 300) // line 301
	rep, err := importCSV(t, db, model.KindAccounts, in)
	if !errors.Is(err, model.ErrRowsInvalid) || rep.Skipped != 1 || len(rep.Errors) != 1 || rep.Errors[0].Line != 301 ||
		rep.Errors[0].Field != "employees" {
		t.Fatalf("err %v report %+v", err, rep.Errors)
	}
	if n := count(t, r, "SELECT count(*) FROM accounts"); n != 0 {
		t.Fatalf("%d accounts kept from a failed import", n)
	}
	rep = mustImport(t, db, model.KindAccounts, in, func(q *model.ImportRequest) { q.SkipInvalid = true })
	if rep.Added != 699 || count(t, r, "SELECT count(*) FROM accounts") != 699 ||
		count(t, r, "SELECT count(*) FROM accounts WHERE name IN ('Company 299', 'Company 301', 'Company 700')") != 3 ||
		count(t, r, "SELECT count(*) FROM accounts WHERE name = 'Company 300'") != 0 {
		t.Errorf("report %+v", rep)
	}
	// The book's indexes were dropped for the load and are all back.
	if n := count(t, r, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'accounts' AND sql IS NOT NULL"); n != 5 {
		t.Errorf("%d account indexes after a bulk import, want 5", n)
	}
	if got := count(t, r, "SELECT count(*) FROM accounts INDEXED BY accounts_name WHERE name = 'Company 301' COLLATE NOCASE"); got != 1 {
		t.Errorf("the rebuilt name index finds %d rows", got)
	}
}

// TestImportRefusedRowInsideABatch: a row the book refuses (here a
// trigger) inside a full batch is named by its line, and nothing of the
// import is kept, neither the batches before it nor the indexes' drop.
func TestImportRefusedRowInsideABatch(t *testing.T) {
	for _, kind := range []model.RecordKind{model.KindAccounts, model.KindContacts} {
		t.Run(string(kind), func(t *testing.T) {
			db := freshDB(t)
			r := raw(t, db.Path())
			in := bigFile(700, 0)
			refuse := `CREATE TRIGGER refuse BEFORE INSERT ON accounts WHEN new.name = 'Company 400' BEGIN SELECT RAISE(ABORT, 'no 400'); END`
			if kind == model.KindContacts {
				mustImport(t, db, model.KindAccounts, "name,domain\nAcme,acme.com\n")
				var b strings.Builder
				b.WriteString("email,company\n")
				for i := 1; i <= 700; i++ {
					fmt.Fprintf(&b, "p%d@acme.com,Acme\n", i)
				}
				in = b.String()
				refuse = `CREATE TRIGGER refuse BEFORE INSERT ON contacts WHEN new.email = 'p400@acme.com' BEGIN SELECT RAISE(ABORT, 'no 400'); END`
			}
			if _, err := r.Exec(refuse); err != nil {
				t.Fatal(err)
			}
			before := count(t, r, "SELECT count(*) FROM "+string(kind))
			_, err := importCSV(t, db, kind, in)
			if !errors.Is(err, model.ErrConflict) || !strings.Contains(err.Error(), "line 401:") || !strings.Contains(err.Error(), "no 400") ||
				!strings.Contains(err.Error(), "nothing was imported") {
				t.Fatalf("err %v", err)
			}
			if n := count(t, r, "SELECT count(*) FROM "+string(kind)); n != before {
				t.Errorf("%d %s after a refused import, %d before", n, kind, before)
			}
			if n := count(t, r, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", string(kind)); n == 0 {
				t.Errorf("the %s indexes are gone", kind)
			}
		})
	}
}

// TestImportContactRepeatInsideABatch: two rows for one email among the
// first batch's rows: the later wins, the report says so once, and the
// contacts of the other rows are written once each.
func TestImportContactRepeatInsideABatch(t *testing.T) {
	db := freshDB(t)
	mustImport(t, db, model.KindAccounts, "name,domain\nAcme,acme.com\n")
	var b strings.Builder
	b.WriteString("name,email,title,company\n")
	for i := 1; i <= 300; i++ {
		fmt.Fprintf(&b, "Person %d,p%d@acme.com,Engineer,Acme\n", i, i)
		if i == 40 {
			b.WriteString("Person Ten,P10@ACME.COM,VP Sales,Acme\n") // line 42 replaces line 11
		}
	}
	rep := mustImport(t, db, model.KindContacts, b.String())
	if n := count(t, raw(t, db.Path()), "SELECT n_contacts FROM accounts WHERE domain = 'acme.com'"); n != 300 {
		t.Errorf("n_contacts %d, want 300", n)
	}
	if rep.Added != 300 || len(rep.Duplicates) != 1 || rep.Duplicates[0].Line != 11 || rep.Duplicates[0].Winner != 42 {
		t.Fatalf("report added %d, duplicates %+v", rep.Added, rep.Duplicates)
	}
	r := raw(t, db.Path())
	if n := count(t, r, "SELECT count(*) FROM contacts"); n != 300 {
		t.Errorf("%d contacts", n)
	}
	// The contact count is kept by a trigger, dropped for a bulk load and
	// done once at its end: it is back, and counts the next contact too.
	mustImport(t, db, model.KindContacts, "name,email,company\nLate,late@acme.com,Acme\n")
	if n := count(t, r, "SELECT n_contacts FROM accounts WHERE domain = 'acme.com'"); n != 301 {
		t.Errorf("n_contacts %d after one more, want 301", n)
	}
	if n := count(t, r, "SELECT count(*) FROM contacts WHERE lower(email) = 'p10@acme.com' AND first_name = 'Person' AND last_name = 'Ten' AND title = 'VP Sales'"); n != 1 {
		t.Errorf("the later row did not win")
	}
}

// TestImportHugeField: a 1 MiB company name is stored whole among a batch
// of ordinary rows, and a 1 MiB bad value is reported in a line a person
// can read.
func TestImportHugeField(t *testing.T) {
	db := freshDB(t)
	huge := "Big " + strings.Repeat("x", 1<<20)
	in := "name,domain,employees\n" + bigFile(300, 0)[len("name,domain,employees\n"):] + huge + ",big.com,7\n"
	rep := mustImport(t, db, model.KindAccounts, in)
	r := raw(t, db.Path())
	if rep.Added != 301 || count(t, r, "SELECT count(*) FROM accounts WHERE name = ?", huge) != 1 {
		t.Fatalf("report added %d", rep.Added)
	}
	rep, err := importCSV(t, db, model.KindAccounts, "name,domain,employees\nHuge,huge.com,"+strings.Repeat("9x", 1<<19)+"\n")
	if !errors.Is(err, model.ErrRowsInvalid) || len(rep.Errors) != 1 || len(rep.Errors[0].Message) > 300 || rep.Errors[0].Line != 2 {
		t.Fatalf("err %v, errors %d, message of %d bytes", err, len(rep.Errors), len(rep.Errors[0].Message))
	}
}
