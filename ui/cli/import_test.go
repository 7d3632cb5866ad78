package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/ui/cli"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportCommand(t *testing.T) {
	f := newFixture(t)
	file := writeFile(t, "new.csv", "Company Name,Website,# Employees,Favourite Colour\nZeta Labs,zeta-labs.example,250,blue\nYotta,yotta.example,40,red\n")
	out := f.ok("import", "accounts", file, "--dry-run")
	want := "ignored columns: Favourite Colour (name their field with --map \"Header=field\")\n" +
		"line 2: add Zeta Labs (zeta-labs.example)\nline 3: add Yotta (yotta.example)\n" +
		"dry run, nothing written: accounts " + file + ": 2 added, 0 updated, 0 unchanged\n"
	if out != want {
		t.Errorf("dry run:\n%s\nwant:\n%s", out, want)
	}
	if got := f.ok("search", "Zeta Labs"); !strings.HasPrefix(got, "Nothing matches") {
		t.Fatalf("a dry run wrote: %s", got)
	}
	out = f.ok("import", "accounts", file, "--map", "Favourite Colour=")
	if out != "imported accounts "+file+": 2 added, 0 updated, 0 unchanged\n" {
		t.Errorf("import: %q", out)
	}
	if got := f.ok("search", "Zeta Labs"); strings.HasPrefix(got, "Nothing matches") {
		t.Errorf("imported account not found: %s", got)
	}
	change := writeFile(t, "change.csv", "domain,employees\nzeta-labs.example,300\n")
	out = f.ok("import", "accounts", change, "--dry-run")
	if !strings.Contains(out, "line 2: change Zeta Labs (zeta-labs.example): employees: 250 → 300\n") {
		t.Errorf("dry-run change: %q", out)
	}
}

func TestImportFailingRowsExitOne(t *testing.T) {
	f := newFixture(t)
	var b strings.Builder
	b.WriteString("name,domain,employees\n")
	for i := range 25 {
		fmt.Fprintf(&b, "Bad %d,bad%d.example,%dx\n", i, i, i)
	}
	b.WriteString("Good,good.example,5\n")
	file := writeFile(t, "bad.csv", b.String())
	code, out, errOut := f.run("import", "accounts", file)
	if code != cli.ExitFailure {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
	if len(lines) != 22 || lines[0] != `line 2: employees: "0x" is not a whole number` || lines[20] != "and 5 more" ||
		lines[21] != "shortlist: "+file+": 25 of 26 rows failed, so nothing was imported: fix them, or pass --skip-invalid to import the rest" {
		t.Errorf("stderr:\n%s", errOut)
	}
	if !strings.HasPrefix(out, "not imported: accounts") {
		t.Errorf("stdout %q", out)
	}
	if got := f.ok("search", "good.example"); !strings.HasPrefix(got, "Nothing matches") {
		t.Errorf("a failed import wrote: %s", got)
	}
	out = f.ok("import", "accounts", file, "--skip-invalid", "--json")
	var rep model.ImportReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if rep.Added != 1 || rep.Skipped != 25 || len(rep.Errors) != 25 || rep.Errors[3] != (model.ImportError{Line: 5, Field: "employees", Message: `"3x" is not a whole number`}) || !rep.Written {
		t.Errorf("report %+v", rep)
	}
}

func TestImportCommandLineErrors(t *testing.T) {
	f := newFixture(t)
	file := writeFile(t, "a.csv", "name\nAcme\n")
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"import", "accounts"}, cli.ExitUsage, "import needs what and a file"},
		{[]string{"import", "touches", file}, cli.ExitUsage, `import takes accounts or contacts, not "touches"`},
		{[]string{"import", "accounts", file, "--map", "name=nom"}, cli.ExitUsage, `accounts have no field "nom": use one of crm_id, name, domain`},
		{[]string{"import", "accounts", file, "--map", "nonsense"}, cli.ExitUsage, `invalid value "nonsense" for --map`},
		{[]string{"import", "accounts", file, "--create-accounts"}, cli.ExitUsage, "--create-accounts is for import contacts"},
		{[]string{"import", "accounts", file + ".missing"}, cli.ExitFailure, "a.csv.missing does not exist: check the path"},
		{[]string{"import", "accounts", file, "--map", "Org=name"}, cli.ExitFailure, `line 1: map "Org=name": the file has no column "Org"`},
		{[]string{"import", "accounts", "-"}, cli.ExitFailure, "no standard input to read"},
		{[]string{"export", "deals"}, cli.ExitUsage, `unknown record kind "deals"`},
		{[]string{"export", "accounts", "--format", "xml"}, cli.ExitUsage, `--format "xml": use csv or json`},
		{[]string{"export", "accounts", "--since", "last week"}, cli.ExitUsage, `--since "last week": want a date like 2026-11-01`},
	}
	for _, tc := range cases {
		code, _, errOut := f.run(tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q on one line", tc.args, code, errOut, tc.code, tc.want)
		}
	}
}

func TestExportCommandRoundTrip(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	accts, contacts := filepath.Join(dir, "a.csv"), filepath.Join(dir, "c.csv")
	f.ok("export", "accounts", "-o", accts)
	f.ok("export", "contacts", "-o", contacts)
	for _, p := range []string{accts, contacts} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v; want 0600", p, st.Mode().Perm())
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(left) > 0 {
		t.Errorf("temp files left: %v", left)
	}
	fresh := filepath.Join(t.TempDir(), "fresh.db")
	out := f.ok("--db", fresh, "import", "accounts", accts)
	if !strings.Contains(out, fmt.Sprintf("%d added, 0 updated", testAccounts)) || strings.Contains(out, "ignored") {
		t.Errorf("import accounts: %q", out)
	}
	f.ok("--db", fresh, "import", "contacts", contacts)
	a1, a2 := f.ok("export", "accounts", "--format", "json"), f.ok("--db", fresh, "export", "accounts", "--format", "json")
	var r1, r2 []map[string]any
	if err := json.Unmarshal([]byte(a1), &r1); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(a2), &r2); err != nil {
		t.Fatal(err)
	}
	if len(r1) != testAccounts || len(r2) != len(r1) {
		t.Fatalf("%d and %d accounts", len(r1), len(r2))
	}
	for i := range r1 {
		for _, k := range append(model.ImportFields(model.KindAccounts), "fit", "tier") {
			if fmt.Sprint(r1[i][k]) != fmt.Sprint(r2[i][k]) {
				t.Errorf("account %v %s: %v; want %v", r1[i]["name"], k, r2[i][k], r1[i][k])
			}
		}
	}
}

// TestExportGuardsFormulas: the CLI's CSV export guards text a spreadsheet
// would run (the demo's + phones), JSON keeps it as is, the help says so,
// and importing the CSV into a fresh book gives the phones back unguarded.
func TestExportGuardsFormulas(t *testing.T) {
	f := newFixture(t)
	csvOut := f.ok("export", "contacts")
	if !strings.Contains(csvOut, ",'+1 ") || strings.Contains(csvOut, ",+1 ") {
		t.Fatalf("CSV phones are not guarded:\n%.400s", csvOut)
	}
	if js := f.ok("export", "contacts", "--format", "json"); !strings.Contains(js, `"phone": "+1 `) || strings.Contains(js, `"'+`) {
		t.Errorf("JSON phones changed:\n%.400s", js)
	}
	if help := f.ok("export", "--help"); !strings.Contains(help, "Safe in spreadsheets") || !strings.Contains(help, "takes that one ' off again") {
		t.Errorf("export --help does not state the rule:\n%s", help)
	}
	dir := t.TempDir()
	accts, contacts := filepath.Join(dir, "a.csv"), filepath.Join(dir, "c.csv")
	f.ok("export", "accounts", "-o", accts)
	f.ok("export", "contacts", "-o", contacts)
	fresh := filepath.Join(dir, "fresh.db")
	f.ok("--db", fresh, "import", "accounts", accts)
	f.ok("--db", fresh, "import", "contacts", contacts)
	if a, b := f.ok("export", "contacts", "--format", "json"), f.ok("--db", fresh, "export", "contacts", "--format", "json"); strings.Count(a, `"phone": "+`) != strings.Count(b, `"phone": "+`) || strings.Contains(b, `"'`) {
		t.Errorf("phones after the round trip: %d with +, want %d (or a guard was kept)", strings.Count(b, `"phone": "+`), strings.Count(a, `"phone": "+`))
	}
}

// TestImportMessagesAreBounded: a 20,000-column CSV printed one 149 KB
// "ignored columns" line; every warning and error about input is now one
// line of at most 300 characters, listing a few names and "and N more".
func TestImportMessagesAreBounded(t *testing.T) {
	f := newFixture(t)
	var b strings.Builder
	b.WriteString("Company Name,Website,# Employees")
	for i := range 20000 {
		fmt.Fprintf(&b, ",Custom Field Number %d", i)
	}
	b.WriteString("\nZeta Labs,zeta-labs.example," + strings.Repeat("12x", 300000) + "\n")
	file := writeFile(t, "wide.csv", b.String())
	code, out, errOut := f.run("import", "accounts", file, "--dry-run")
	if code != cli.ExitFailure {
		t.Fatalf("exit %d; want 1 (the row fails)", code)
	}
	longest := 0
	for _, line := range strings.Split(out+errOut, "\n") {
		longest = max(longest, len([]rune(line)))
	}
	if longest > 300 {
		t.Errorf("longest line %d characters; want at most 300", longest)
	}
	if !strings.Contains(out, "and 19994 more (name their field with --map") {
		t.Errorf("ignored columns line does not say how many more:\n%.400s", out)
	}
	if !strings.Contains(errOut, "line 2: employees: ") {
		t.Errorf("the failing row is not reported:\n%.400s", errOut)
	}
}

// TestImportSaysWhereTheFileIsNotUTF8: one byte that is not UTF-8 makes the
// importer read the file as Windows-1252; the report says so, with the
// line of the first such byte, on stdout or (with --json) on stderr.
func TestImportSaysWhereTheFileIsNotUTF8(t *testing.T) {
	f := newFixture(t)
	file := writeFile(t, "latin.csv", "Company Name,Website,City\nZeta Labs,zeta-labs.example,Oslo\nYotta,yotta.example,K\xf6ln\n")
	out := f.ok("import", "accounts", file, "--dry-run")
	want := "read as windows-1252 (what Excel writes): line 3 held the first byte that is not UTF-8 (0xF6); if accents look wrong, save it as CSV UTF-8 and import again\n"
	if !strings.Contains(out, want) {
		t.Errorf("report:\n%s\nwant a line:\n%s", out, want)
	}
	code, js, errOut := f.run("import", "accounts", file, "--dry-run", "--json")
	var rep cli.ImportJSON
	if code != 0 || json.Unmarshal([]byte(js), &rep) != nil || rep.EncodingLine != 3 || rep.Encoding != "windows-1252" {
		t.Errorf("--json: exit %d, encoding %q line %d", code, rep.Encoding, rep.EncodingLine)
	}
	if errOut != "warning: "+want {
		t.Errorf("--json stderr %q; want the warning", errOut)
	}
}
