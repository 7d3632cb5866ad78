package storage_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	"github.com/shortlisthq/shortlist/storage/demo"
)

// benchAccounts is the benchmark book's size.
const benchAccounts = 100_000

// benchPath is the cached 100,000-account book: SHORTLIST_BENCH_DB or
// os.TempDir()/shortlist-bench-100k.db.
func benchPath() string {
	if p := os.Getenv("SHORTLIST_BENCH_DB"); p != "" {
		return p
	}
	return filepath.Join(os.TempDir(), "shortlist-bench-100k.db")
}

// schemaSQL is the text of a book's tables, indexes and triggers: the
// schema version does not change while 0001 is still being edited in place,
// so a cached book is compared by its schema text.
func schemaSQL(b *testing.B, path string) string {
	b.Helper()
	r, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return ""
	}
	defer r.Close()
	var text string
	if err := r.QueryRow(`SELECT coalesce(group_concat(sql, ';'), '') FROM
		(SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type, name)`).Scan(&text); err != nil {
		return ""
	}
	return text
}

// benchBook returns the cached book's path, generating it once (about a
// minute) unless -short; a cached file of another schema is rebuilt.
func benchBook(b *testing.B) string {
	b.Helper()
	path := benchPath()
	ctx := context.Background()
	fresh := filepath.Join(b.TempDir(), "schema.db")
	if db, err := storage.Open(ctx, fresh, testOptions()); err == nil {
		db.Close()
	}
	want := schemaSQL(b, fresh)
	if db, err := storage.Open(ctx, path, testOptions()); err == nil {
		v, verr := db.SchemaVersion(ctx)
		empty, eerr := db.Empty(ctx)
		db.Close()
		if verr == nil && eerr == nil && v == storage.LatestSchema() && !empty && want != "" && schemaSQL(b, path) == want {
			return path
		}
	}
	if testing.Short() {
		b.Skipf("no benchmark book at %s (generate it without -short)", path)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		os.Remove(p)
	}
	db, err := storage.Open(ctx, path, testOptions())
	if err != nil {
		b.Skipf("cannot create benchmark book at %s: %v", path, err)
	}
	defer db.Close()
	start := time.Now()
	if err := demo.Generate(ctx, db, demo.Options{Accounts: benchAccounts, Seed: 1, Now: clock}); err != nil {
		b.Fatalf("generate benchmark book: %v", err)
	}
	b.Logf("generated %d accounts into %s in %s", benchAccounts, path, time.Since(start).Round(time.Millisecond))
	return path
}

// BenchmarkOpenAndFirstPage opens the book and reads the first page at the
// TUI's page sizes.
func BenchmarkOpenAndFirstPage(b *testing.B) {
	path := benchBook(b)
	ctx := context.Background()
	for _, n := range []int{50, 30} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			for b.Loop() {
				db, err := storage.Open(ctx, path, testOptions())
				if err != nil {
					b.Fatal(err)
				}
				wl, err := db.Worklist(ctx, model.WorklistQuery{Now: clock, Limit: n})
				if err != nil {
					b.Fatal(err)
				}
				if len(wl.Rows) != n {
					b.Fatalf("first page has %d rows, want %d", len(wl.Rows), n)
				}
				db.Close()
			}
		})
	}
}

func BenchmarkWorklistCounts(b *testing.B) {
	path := benchBook(b)
	ctx := context.Background()
	db, err := storage.Open(ctx, path, testOptions())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.ResetTimer()
	for b.Loop() {
		if _, err := db.Worklist(ctx, model.WorklistQuery{Now: clock, Limit: 50, Counts: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLogTouch(b *testing.B) {
	path := benchBook(b)
	ctx := context.Background()
	db, err := storage.Open(ctx, path, testOptions())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var ids []int64
	b.ResetTimer()
	i := int64(0)
	for b.Loop() {
		i++
		res, err := db.LogTouch(ctx, model.LogRequest{ContactID: 1 + i%1000, Channel: model.ChannelCall,
			Outcome: model.OutcomeNoAnswer, At: clock,
			Next: model.NextChoice{Mode: model.NextAt, Due: clock.Add(48 * time.Hour)}})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, res.Touch.ID)
	}
	b.StopTimer()
	// Leave the shared book as it was.
	for _, id := range ids {
		if err := db.UndoLog(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRescore measures Open when the profile changed since the last
// open: every account re-scored, contact levels and task base ranks
// refreshed, in one transaction. Each round first opens with another profile
// (untimed) so the timed open has real work.
func BenchmarkRescore(b *testing.B) {
	path := benchBook(b)
	ctx := context.Background()
	other := testOptions()
	other.Profile.Thresholds.A = 80
	other.Profile.Criteria[0].Weight = 20
	var cpu time.Duration
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		db, err := storage.Open(ctx, path, other)
		if err != nil {
			b.Fatal(err)
		}
		db.Close()
		b.StartTimer()
		start := cpuTime()
		db, err = storage.Open(ctx, path, testOptions())
		if err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - start
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
}

// BenchmarkSearch is one search as the TUI runs it per keystroke (50 hits)
// on the 100k book: a word, a rarer word, two words, and two letters (below
// the index's reach: the bounded scan). Each indexed query has a floor
// beside it: the hand-built FTS5 query (the same matches, 50 rows by tier
// and fit, no ranking by how well they match) on a plain connection.
func BenchmarkSearch(b *testing.B) {
	path := benchBook(b)
	db, err := storage.Open(context.Background(), path, testOptions())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{"sarah", "clarke", "sarah data", "an"} {
		b.Run(q, func(b *testing.B) {
			cpuLoop(b, func() error {
				_, err := db.Search(context.Background(), q, 50)
				return err
			})
		})
		if len(q) < 3 {
			continue
		}
		b.Run(q+"/floor", func(b *testing.B) {
			cpuLoop(b, func() error { return ftsFloor(raw, strings.Fields(q)) })
		})
	}
}

// cpuLoop runs fn b.N times and reports its CPU time too: on a shared
// machine wall time says more about the neighbours.
func cpuLoop(b *testing.B, fn func() error) {
	start := cpuTime()
	for b.Loop() {
		if err := fn(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// ftsFloor is the hand-built FTS5 query for words: accounts, then contacts
// with one word at least in the contact's own fields, 50 of each.
func ftsFloor(raw *sql.DB, words []string) error {
	var ph []string
	for _, w := range words {
		ph = append(ph, `"`+w+`"`)
	}
	all := strings.Join(ph, " AND ")
	for _, st := range []struct{ q, m string }{
		{`SELECT a.id, a.name, a.tier FROM accounts_fts f JOIN accounts a ON a.id = f.rowid
			WHERE accounts_fts MATCH ? ORDER BY a.tier, a.fit DESC LIMIT 50`, all},
		{`SELECT f.rowid, a.id, a.name, f.name, f.title, a.tier
			FROM contacts_fts f JOIN accounts a ON a.id = f.account_id
			WHERE contacts_fts MATCH ? ORDER BY a.tier, a.fit DESC LIMIT 50`, all + " AND {name email title} : (" + strings.Join(ph, " OR ") + ")"},
	} {
		rows, err := raw.Query(st.q, st.m)
		if err != nil {
			return err
		}
		for rows.Next() {
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// bookNow is the benchmark book's "now": its latest touch (a book made by
// `shortlist demo` is made around the time it is written, the cached one
// around clock), so its worklist has the shape of a morning's.
func bookNow(b *testing.B, path string) time.Time {
	b.Helper()
	r, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	var at sql.NullInt64
	if err := r.QueryRow("SELECT max(at) FROM touches").Scan(&at); err != nil || !at.Valid {
		return clock
	}
	return time.UnixMilli(at.Int64).UTC()
}

// todayFloor is storage/testdata/today_floor.sql with its parameters for
// now: the top 50 and the header counts in plain SQL.
func todayFloor(b *testing.B, now time.Time) (script string, params map[string]int64) {
	b.Helper()
	text, err := os.ReadFile("testdata/today_floor.sql")
	if err != nil {
		b.Fatal(err)
	}
	opts := testOptions()
	rep, err := time.LoadLocation(opts.Settings.RepZone)
	if err != nil {
		b.Fatal(err)
	}
	y, m, d := now.In(rep).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, rep)
	return string(text), map[string]int64{"now": now.UnixMilli(), "win": now.Add(-opts.Settings.Budget.Window).UnixMilli(),
		"today": today.UnixMilli(), "tomorrow": today.AddDate(0, 0, 1).UnixMilli(), "stale": now.AddDate(0, 0, -30).UnixMilli()}
}

// BenchmarkToday is `shortlist today --limit 50` in process: open the book,
// read the first 50 rows with the header counts, close; and beside it its
// floors: the same question in plain SQL (testdata/today_floor.sql) through
// the same driver, and by the sqlite3 CLI as a whole process (when on
// PATH). Each reports CPU time: on a shared machine it says more than wall.
func BenchmarkToday(b *testing.B) {
	path := benchBook(b)
	ctx := context.Background()
	now := bookNow(b, path)
	b.Run("shortlist", func(b *testing.B) {
		cpuLoop(b, func() error {
			db, err := storage.Open(ctx, path, testOptions())
			if err != nil {
				return err
			}
			defer db.Close()
			wl, err := db.Worklist(ctx, model.WorklistQuery{Now: now, Limit: 50, Counts: true})
			if err == nil && (len(wl.Rows) != 50 || wl.HeldBack == 0) {
				err = fmt.Errorf("%d rows, %d held back", len(wl.Rows), wl.HeldBack)
			}
			return err
		})
	})
	script, params := todayFloor(b, now)
	b.Run("floor-driver", func(b *testing.B) {
		var args []any
		for k, v := range params {
			args = append(args, sql.Named(k, v))
		}
		var stmts []string
		for _, st := range strings.Split(script, ";\n") {
			if strings.Contains(st, "SELECT") {
				stmts = append(stmts, st)
			}
		}
		cpuLoop(b, func() error {
			r, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
			if err != nil {
				return err
			}
			defer r.Close()
			conn, err := r.Conn(ctx)
			if err != nil {
				return err
			}
			defer conn.Close()
			for _, st := range stmts {
				rows, err := conn.QueryContext(ctx, st, args...)
				if err != nil {
					return fmt.Errorf("%s: %w", st, err)
				}
				for rows.Next() {
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return err
				}
			}
			_, err = conn.ExecContext(ctx, "DROP TABLE temp.cand")
			return err
		})
	})
	b.Run("floor-sqlite3", func(b *testing.B) {
		bin, err := exec.LookPath("sqlite3")
		if err != nil {
			b.Skip("no sqlite3 CLI on PATH (apt-get install sqlite3)")
		}
		cmdArgs := []string{"-readonly", path}
		for k, v := range params {
			cmdArgs = append(cmdArgs, "-cmd", fmt.Sprintf(".parameter set @%s %d", k, v))
		}
		var cpu time.Duration
		for b.Loop() {
			cmd := exec.Command(bin, cmdArgs...)
			cmd.Stdin = strings.NewReader(script)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil || stderr.Len() > 0 {
				b.Fatalf("sqlite3: %v: %s", err, stderr.String())
			}
			cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		}
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	})
}
