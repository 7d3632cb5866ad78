package model

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// RecordKind names what an import or an export carries.
type RecordKind string

// Record kinds. Accounts and contacts import and export; touches and tasks
// only export.
const (
	KindAccounts RecordKind = "accounts"
	KindContacts RecordKind = "contacts"
	KindTouches  RecordKind = "touches"
	KindTasks    RecordKind = "tasks"
)

// ErrRowsInvalid: some rows of an import failed and nothing was written;
// the report lists them.
var ErrRowsInvalid = errors.New("rows failed")

// ErrUnknownField: a header mapping named a field the import does not know.
var ErrUnknownField = errors.New("unknown field")

// ImportFields lists the fields a CSV column can fill for a kind: the names
// --map takes. Export writes the same names as headers (except name and
// mobile, which only import: export writes first_name, last_name and phone).
// Nil for a kind that does not import.
func ImportFields(k RecordKind) []string {
	switch k {
	case KindAccounts:
		return []string{"crm_id", "name", "domain", "industry", "employees", "annual_revenue", "country",
			"region", "city", "time_zone", "technologies", "owner", "status", "crm_tier", "do_not_contact", "crm_url"}
	case KindContacts:
		return []string{"crm_id", "first_name", "last_name", "name", "title", "persona", "seniority", "email",
			"phone", "mobile", "phone_bad", "linkedin_url", "time_zone", "account", "account_crm_id", "account_domain",
			"email_opt_out", "do_not_call", "linkedin_opt_out"}
	}
	return nil
}

// ParseRecordKind reads an import or export kind ("accounts", "contact"…).
func ParseRecordKind(s string) (RecordKind, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	for _, k := range []RecordKind{KindAccounts, KindContacts, KindTouches, KindTasks} {
		if v == string(k) || v+"s" == string(k) {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown record kind %q: use accounts, contacts, touches or tasks", s)
}

// ImportRequest is one CSV file to bring into the book.
type ImportRequest struct {
	Kind   RecordKind
	Source string    // the file as the user named it ("stdin" for -): messages and consent sources
	Input  io.Reader // the CSV bytes
	// Map overrides header recognition: header (as written in the file) →
	// field (one of ImportFields), or "" to ignore the column.
	Map map[string]string
	// DryRun plans the import and reports it without writing anything.
	DryRun bool
	// SkipInvalid imports the valid rows when some fail; without it one
	// failing row keeps the whole file out.
	SkipInvalid bool
	// CreateAccounts adds an account for a contact whose company is not in
	// the book, instead of failing the row.
	CreateAccounts bool
	Now            time.Time // when the import happens (consent times); zero: now
}

// ImportReport says what an import did, or would do on a dry run.
type ImportReport struct {
	Kind      RecordKind `json:"kind"`
	Source    string     `json:"source"`
	DryRun    bool       `json:"dry_run"`
	Written   bool       `json:"written"` // false on a dry run or when rows failed
	Delimiter string     `json:"delimiter"`
	Encoding  string     `json:"encoding"` // "utf-8", or "windows-1252" when the file was not UTF-8
	// EncodingLine is the line that held the first byte that is not UTF-8
	// (EncodingByte), when Encoding is not "utf-8"; 0 otherwise.
	EncodingLine int  `json:"encoding_line,omitempty"`
	EncodingByte byte `json:"encoding_byte,omitempty"`
	Rows         int  `json:"rows"` // data rows read, blank ones not counted
	Added        int  `json:"added"`
	Updated      int  `json:"updated"`
	Unchanged    int  `json:"unchanged"`
	Skipped      int  `json:"skipped"` // failing rows left out (with SkipInvalid)
	// AccountsCreated counts accounts added for contacts (CreateAccounts).
	AccountsCreated int               `json:"accounts_created"`
	Columns         []ImportColumn    `json:"columns"`
	Ignored         []string          `json:"ignored_columns"`  // headers no field matched
	Computed        []string          `json:"computed_columns"` // export-only columns (id, fit…), not imported
	Duplicates      []ImportDuplicate `json:"duplicates"`
	Changes         []ImportChange    `json:"changes"`
	Errors          []ImportError     `json:"errors"`
	// The lists hold at most ImportListMax entries each, so a report on a
	// file of a million rows stays small; these count the ones left out
	// (the counts above are always exact).
	DuplicatesOmitted int `json:"duplicates_omitted,omitempty"`
	ChangesOmitted    int `json:"changes_omitted,omitempty"`
	ErrorsOmitted     int `json:"errors_omitted,omitempty"`
}

// ImportListMax bounds each list of an ImportReport (duplicates, changes,
// errors): the first ones, in line order.
const ImportListMax = 10_000

// ImportColumn is one header and the field it fills.
type ImportColumn struct {
	Header string `json:"header"`
	Field  string `json:"field"`
}

// ImportDuplicate is a row that a later row with the same key replaced.
type ImportDuplicate struct {
	Line   int    `json:"line"`
	Winner int    `json:"winner_line"`
	Key    string `json:"key"` // e.g. `domain "acme.com"`
}

// ImportChange is one record an import adds or changes.
type ImportChange struct {
	Line   int           `json:"line"`
	Action string        `json:"action"` // "add" or "update"
	ID     int64         `json:"id,omitempty"`
	Label  string        `json:"label"` // the record as a person knows it
	Fields []FieldChange `json:"fields,omitempty"`
}

// FieldChange is one field an import changes, as text.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// ImportError is why one row (or the file at a line) could not be read.
type ImportError struct {
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Error reads "line 14: employees: "12x" is not a whole number".
func (e ImportError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Message)
}

// ExportRequest selects what an export writes.
type ExportRequest struct {
	Kind   RecordKind
	Format string    // "csv" (default) or "json"
	Since  time.Time // zero: everything; else records updated (touches: at, tasks: created) since
}

// Importer brings a CSV file into the book in one transaction.
type Importer interface {
	Import(ctx context.Context, req ImportRequest) (ImportReport, error)
}

// Exporter writes records as CSV or JSON and returns how many it wrote.
type Exporter interface {
	Export(ctx context.Context, req ExportRequest, w io.Writer) (int, error)
}
