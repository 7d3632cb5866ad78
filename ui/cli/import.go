package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/shortlisthq/shortlist/model"
)

// How much an import's report says about its input: failing rows (and
// replaced duplicates) listed before "and N more", names listed in one
// line, the characters of a name or value, and of a whole line.
const (
	maxRowErrors   = 20
	maxNamesListed = 6
	maxNameShown   = 30
	maxValueShown  = 80
	maxMessageLine = 300
)

// mapFlag collects repeated --map "Header=field" values.
type mapFlag map[string]string

func (m mapFlag) String() string { return "" }

func (m mapFlag) Set(v string) error {
	h, f, ok := strings.Cut(v, "=")
	if !ok || strings.TrimSpace(h) == "" {
		return errors.New(`want "Header=field"`)
	}
	m[strings.TrimSpace(h)] = strings.TrimSpace(f)
	return nil
}

func importCmd() *command {
	return &command{
		name: "import", args: "accounts|contacts FILE.csv",
		summary: "bring accounts or contacts in from a CSV file",
		about: `Import accounts or contacts from a CSV file (- reads standard input): the list
marketing or ops handed you, or another CRM's export. Comma, semicolon, tab and
pipe delimiters are detected; UTF-8 with or without a byte-order mark, CRLF and
quoted values holding newlines all work. Common headers are recognised (Company
Name, Website, # Employees, Annual Revenue, First Name, Job Title, Email…); --map
names the field of any other column.

Rows match the book by CRM id, then domain (accounts) or email (contacts), then
exact name, and a match changes only the fields the row has a value for. The
whole file is one transaction: if any row fails, nothing is written, unless
--skip-invalid. Imported accounts are scored against your ICP profile at once;
contacts are classified by title. A yes in an opt-out column (Email Opt Out, Do
Not Call) opts the contact out; a no never opts anyone back in. An import is
your own data: nothing of it is pushed to the CRM on sync.`,
		example: []string{
			"shortlist import accounts companies.csv --dry-run",
			"shortlist import contacts leads.csv --create-accounts --skip-invalid",
			`shortlist import accounts list.csv --map "Org=name" --map "Notes="`,
			"shortlist export accounts | shortlist import accounts - --db other.db",
		},
		define: func(f *flags) func(context.Context, *call) error {
			maps := mapFlag{}
			f.fs.Var(maps, "map", "`HEADER=field`: read the column HEADER as field (repeatable); HEADER= ignores it")
			dry := f.fs.Bool("dry-run", false, "show what would be added and changed (field: old → new); write nothing")
			skip := f.fs.Bool("skip-invalid", false, "import the valid rows when some fail (without it, one failing row keeps the whole file out)")
			create := f.fs.Bool("create-accounts", false, "contacts: add an account for a company not in the book, instead of failing the row")
			asJSON := f.fs.Bool("json", false, "print the report as JSON")
			return func(ctx context.Context, c *call) error {
				if len(c.args) != 2 {
					return usagef("import needs what and a file: shortlist import accounts|contacts FILE.csv (see shortlist import --help)")
				}
				kind, err := model.ParseRecordKind(c.args[0])
				if err != nil || (kind != model.KindAccounts && kind != model.KindContacts) {
					return usagef("import takes accounts or contacts, not %q (see shortlist import --help)", c.args[0])
				}
				if *create && kind != model.KindContacts {
					return usagef("--create-accounts is for import contacts")
				}
				for h, fld := range maps {
					if fld != "" && !contains(model.ImportFields(kind), fld) {
						return usagef("--map %q: %s have no field %q: use one of %s", h+"="+fld, kind, fld, strings.Join(model.ImportFields(kind), ", "))
					}
				}
				in, source, closeIn, err := c.input(c.args[1])
				if err != nil {
					return err
				}
				defer closeIn()
				c.f.g.Create = true // importing into a new book makes it
				b, err := c.open(ctx)
				if err != nil {
					return err
				}
				imp, ok := b.Store.(model.Importer)
				if !ok {
					return errors.New("this book cannot import CSV files")
				}
				rep, err := imp.Import(ctx, model.ImportRequest{
					Kind: kind, Source: source, Input: in, Map: maps,
					DryRun: *dry, SkipInvalid: *skip, CreateAccounts: *create, Now: c.now(),
				})
				if err != nil && !errors.Is(err, model.ErrRowsInvalid) {
					return err
				}
				if *asJSON {
					if jerr := writeJSON(c.env.Stdout, importJSON(rep)); jerr != nil {
						return jerr
					}
					if s := encodingWarning(rep); s != "" {
						messageLine(c.env.Stderr, "warning: "+s) // stdout stays JSON
					}
				} else {
					printImport(c.env.Stdout, rep)
				}
				if err != nil {
					printRowErrors(c.env.Stderr, rep.Errors, rep.ErrorsOmitted)
					return fmt.Errorf("%s: %d of %d rows failed, so nothing was imported: fix them, or pass --skip-invalid to import the rest", source, rep.Skipped, rep.Rows)
				}
				return nil
			}
		},
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// input opens the file an import reads; "-" is standard input.
func (c *call) input(name string) (io.Reader, string, func(), error) {
	if name == "-" {
		if c.env.Stdin == nil {
			return nil, "", nil, errors.New("no standard input to read: name a file")
		}
		return c.env.Stdin, "stdin", func() {}, nil
	}
	fh, err := os.Open(name)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, "", nil, fmt.Errorf("%s does not exist: check the path", name)
		}
		return nil, "", nil, fmt.Errorf("open %s: %w", name, err)
	}
	if st, err := fh.Stat(); err == nil && st.IsDir() {
		fh.Close()
		return nil, "", nil, fmt.Errorf("%s is a directory: name a CSV file", name)
	}
	return fh, name, func() { fh.Close() }, nil
}

// ImportJSON is `import --json`: the report, with every list present.
type ImportJSON = model.ImportReport

func importJSON(r model.ImportReport) ImportJSON {
	if r.Columns == nil {
		r.Columns = []model.ImportColumn{}
	}
	if r.Ignored == nil {
		r.Ignored = []string{}
	}
	if r.Computed == nil {
		r.Computed = []string{}
	}
	if r.Duplicates == nil {
		r.Duplicates = []model.ImportDuplicate{}
	}
	if r.Changes == nil {
		r.Changes = []model.ImportChange{}
	}
	if r.Errors == nil {
		r.Errors = []model.ImportError{}
	}
	return r
}

// printImport writes what an import did, or would do: a dry run lists every
// record it would add or change.
func printImport(w io.Writer, r model.ImportReport) {
	if len(r.Ignored) > 0 {
		names := make([]string, len(r.Ignored))
		for i, n := range r.Ignored {
			names[i] = model.Shorten(model.Display(n), maxNameShown)
		}
		messageLine(w, fmt.Sprintf("ignored columns: %s (name their field with --map \"Header=field\")", model.ListSome(names, maxNamesListed)))
	}
	if s := encodingWarning(r); s != "" {
		messageLine(w, s)
	}
	for i, d := range r.Duplicates {
		if i == maxRowErrors {
			fmt.Fprintf(w, "and %d more lines replaced by a later one\n", len(r.Duplicates)-maxRowErrors)
			break
		}
		messageLine(w, fmt.Sprintf("line %d: replaced by line %d (same %s)", d.Line, d.Winner, model.Display(d.Key)))
	}
	if r.DuplicatesOmitted > 0 {
		fmt.Fprintf(w, "and %d more rows replaced by later ones\n", r.DuplicatesOmitted)
	}
	if r.DryRun {
		for _, ch := range r.Changes {
			label := model.Shorten(model.Display(ch.Label), maxValueShown)
			if ch.Action == "add" {
				fmt.Fprintf(w, "line %d: add %s\n", ch.Line, label)
				continue
			}
			parts := make([]string, len(ch.Fields))
			for i, fc := range ch.Fields {
				parts[i] = fmt.Sprintf("%s: %s → %s", fc.Field, shown(fc.Old), shown(fc.New))
			}
			fmt.Fprintf(w, "line %d: change %s: %s\n", ch.Line, label, model.Display(strings.Join(parts, "; ")))
		}
		if r.ChangesOmitted > 0 {
			fmt.Fprintf(w, "and %d more rows to add or change\n", r.ChangesOmitted)
		}
	}
	verb := "imported"
	switch {
	case r.DryRun:
		verb = "dry run, nothing written:"
	case !r.Written:
		verb = "not imported:"
	}
	line := fmt.Sprintf("%s %s %s: %d added, %d updated, %d unchanged", verb, r.Kind, r.Source, r.Added, r.Updated, r.Unchanged)
	if r.Skipped > 0 {
		line += fmt.Sprintf(", %d failed", r.Skipped)
	}
	if r.AccountsCreated > 0 {
		line += fmt.Sprintf(" (%d new accounts for them)", r.AccountsCreated)
	}
	fmt.Fprintln(w, line)
	if r.Written && r.Skipped > 0 {
		printRowErrors(w, r.Errors, r.ErrorsOmitted)
	}
}

// shown is a dry run's old or new value: "" when empty, bounded.
func shown(v string) string {
	if v == "" {
		return `""`
	}
	return model.Shorten(v, maxValueShown)
}

// encodingWarning says that a file was not UTF-8, where the first byte
// that is not was, and what was assumed; "" for UTF-8.
func encodingWarning(r model.ImportReport) string {
	if r.Encoding == "" || r.Encoding == "utf-8" {
		return ""
	}
	where := "the file was not UTF-8"
	if r.EncodingLine > 0 {
		where = fmt.Sprintf("line %d held the first byte that is not UTF-8 (0x%02X)", r.EncodingLine, r.EncodingByte)
	}
	return fmt.Sprintf("read as %s (what Excel writes): %s; if accents look wrong, save it as CSV UTF-8 and import again", r.Encoding, where)
}

// printRowErrors lists failing rows, the first maxRowErrors of them, each
// on one bounded line. omitted counts errors the report itself left out.
func printRowErrors(w io.Writer, errs []model.ImportError, omitted int) {
	for i, e := range errs {
		if i == maxRowErrors {
			break
		}
		messageLine(w, e.Error())
	}
	if more := len(errs) - min(len(errs), maxRowErrors) + omitted; more > 0 {
		fmt.Fprintf(w, "and %d more\n", more)
	}
}

// messageLine prints one warning or error about input: sanitised, on one
// line, at most maxMessageLine characters. A 20,000-column header once made
// a 149 KB line.
func messageLine(w io.Writer, s string) {
	fmt.Fprintln(w, model.Shorten(strings.Join(strings.Fields(model.Display(s)), " "), maxMessageLine))
}
