package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

func exportCmd() *command {
	return &command{
		name: "export", args: "accounts|contacts|touches|tasks",
		summary: "write accounts, contacts, touches or tasks as CSV or JSON",
		about: `Export records as CSV (the default) or a JSON array. Accounts and contacts
use the headers shortlist import reads, so an export imports into another book
as the same records. Times are in your time zone. -o writes a file that only you
can read (mode 0600), replacing it whole or not at all.

Safe in spreadsheets: a CSV text cell starting with =, +, -, @, TAB or CR (after
any apostrophes) gets one more leading ' so Excel, Sheets and LibreOffice show
it as text, never run it (a phone +1 415… too); numbers, dates and JSON are not
changed. shortlist import takes that one ' off again.`,
		example: []string{
			"shortlist export accounts -o accounts.csv",
			"shortlist export touches --since 2026-11-01 --format json",
		},
		define: func(f *flags) func(context.Context, *call) error {
			since := f.fs.String("since", "", "only records updated (touches: logged; tasks: created) on or after `DATE` (YYYY-MM-DD, your zone)")
			format := f.fs.String("format", "csv", "csv or json")
			out := f.fs.String("o", "", "write to `FILE` instead of standard output")
			return func(ctx context.Context, c *call) error {
				if len(c.args) != 1 {
					return usagef("export needs what to export: shortlist export accounts|contacts|touches|tasks (see shortlist export --help)")
				}
				kind, err := model.ParseRecordKind(c.args[0])
				if err != nil {
					return usagef("%s (see shortlist export --help)", err)
				}
				fm := strings.ToLower(*format)
				if fm != "csv" && fm != "json" {
					return usagef("--format %q: use csv or json", *format)
				}
				b, err := c.open(ctx)
				if err != nil {
					return err
				}
				req := model.ExportRequest{Kind: kind, Format: fm}
				if *since != "" {
					day, err := time.ParseInLocation(time.DateOnly, *since, c.repNow(b.Settings).Location())
					if err != nil {
						return usagef("--since %q: want a date like 2026-11-01", *since)
					}
					req.Since = day
				}
				exp, ok := b.Store.(model.Exporter)
				if !ok {
					return errors.New("this book cannot export")
				}
				if *out == "" {
					if !c.env.StdoutTerminal {
						_, err := exp.Export(ctx, req, c.env.Stdout) // a pipe or a file: the data exact
						return err
					}
					tw := &termWriter{w: c.env.Stdout}
					_, err := exp.Export(ctx, req, tw)
					if ferr := tw.flush(); err == nil {
						err = ferr
					}
					return err
				}
				n, err := writeAtomic(*out, func(w io.Writer) (int, error) { return exp.Export(ctx, req, w) })
				if err != nil {
					return err
				}
				fmt.Fprintf(c.env.Stderr, "wrote %d %s to %s\n", n, kind, *out)
				return nil
			}
		},
	}
}

// writeAtomic writes a file through a temporary one beside it (mode 0600:
// exports hold personal data), synced and renamed over the target, so a
// failed export never leaves a half-written file.
func writeAtomic(path string, fill func(io.Writer) (int, error)) (int, error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	n, err := fill(tmp)
	if err != nil {
		return 0, err
	}
	if err := tmp.Sync(); err != nil {
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	done = true
	return n, nil
}

// termWriter passes an export to a terminal through model.Display line by
// line, as tables are: a note holding an OSC 52 or a bidi override is data
// in a file, but on a screen it would act. Line ends are kept, so the CSV
// still reads as CSV.
type termWriter struct {
	w    io.Writer
	line []byte
	err  error
}

func (t *termWriter) Write(p []byte) (int, error) {
	if t.err != nil {
		return 0, t.err
	}
	for _, c := range p {
		if c != '\n' {
			t.line = append(t.line, c)
			continue
		}
		t.writeLine(true)
		if t.err != nil {
			return 0, t.err
		}
	}
	return len(p), nil
}

func (t *termWriter) writeLine(nl bool) {
	s := model.Display(strings.TrimSuffix(string(t.line), "\r"))
	if nl {
		s += "\n"
	}
	t.line = t.line[:0]
	_, t.err = io.WriteString(t.w, s)
}

// flush writes a last line without its line end.
func (t *termWriter) flush() error {
	if len(t.line) > 0 && t.err == nil {
		t.writeLine(false)
	}
	return t.err
}
