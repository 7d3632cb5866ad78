// Package storage is Shortlist's local book: a SQLite file (modernc.org/sqlite,
// pure Go) that implements model.Store. Every user action is one transaction
// that also writes its outbox rows for the next CRM sync.
package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
	sqlite "modernc.org/sqlite"
)

// ApplicationID marks a SQLite file as a Shortlist book (PRAGMA
// application_id; "SHLT").
const ApplicationID = 0x53484c54

//go:embed migrations/*.sql
var migrationFS embed.FS

// Sentinel errors Open returns (wrapped, with the path and what to do).
var (
	// ErrNotShortlist: the file is not a Shortlist database, or it is damaged.
	ErrNotShortlist = errors.New("not a Shortlist database")
	// ErrTooNew: the database was written by a newer Shortlist.
	ErrTooNew = errors.New("database schema is newer than this shortlist")
	// ErrNoBook: there is no book at the path and the caller may not make
	// one (Options.MustExist).
	ErrNoBook = errors.New("no book")
	// ErrChanged: the book's schema is not what Shortlist's migrations
	// made (a trigger, view, index or table added or altered).
	ErrChanged = errors.New("changed outside Shortlist")
	// ErrReadOnly: the book opened read-only and a write was asked for, or
	// a read-only book cannot be opened (it needs an upgrade first).
	ErrReadOnly = errors.New("read-only")
)

// Options configure a store.
type Options struct {
	Settings model.Settings
	Profile  model.Profile
	// MustExist refuses a missing or empty book with ErrNoBook instead of
	// creating one: only the commands that make a book (demo, import,
	// sync) create one, so a mistyped --db creates nothing. The zero value
	// creates, as tests and Build do.
	MustExist bool
	// BusyWait is how long a write waits its turn behind other writers
	// before it fails with model.ErrBusy; 0 means defaultBusyWait.
	BusyWait time.Duration
	// Progress, when set, hears how far a long step of Open got (a
	// migration copying the book's rows into a new index), after each
	// batch.
	Progress func(Progress)
	// Now is the clock every timestamp the store writes and every "now"
	// it ranks or counts at reads, when a caller gives none; nil: the
	// wall clock. main.go passes the app's one clock (SHORTLIST_NOW).
	Now func() time.Time
}

// bigBackup is the size from which the copy of a book made before a
// migration is announced.
const bigBackup = 64 << 20

// Progress is how far a long step of Open got: Done of Total Noun
// ("building the search index": 40,000 of 100,000 accounts). A step that
// cannot count its way is said Once, before it starts, with the Total
// Noun it covers, if any.
type Progress struct {
	Step        string
	Noun        string
	Done, Total int
	Once        bool
}

// defaultBusyWait: ten processes logging at once each wait well under a
// second; a write fails only when another one holds the book far longer.
const defaultBusyWait = 10 * time.Second

// DB is the local book. It is safe for concurrent use.
type DB struct {
	sql    *sql.DB
	path   string
	opts   Options
	ranker *model.Ranker
	zone   *time.Location // the rep's zone, for "today"
	// readOnly says why the book opened read-only ("" : writable).
	readOnly    string
	staleScores bool          // read-only, scored with another profile
	busyWait    time.Duration // how long a write waits its turn
	// rescored is what Open's re-score found, when the profile or the
	// rank weights had changed since the book was last scored.
	rescored struct {
		ran     bool
		changed int
	}
	// searchIndexed: the book has the search index (migration 0004), so
	// every write transaction brings it up to date before it commits.
	searchIndexed bool
}

// RescoredAtOpen reports whether Open re-scored a book scored before with
// another profile or other rank weights, and how many accounts changed fit
// or tier: a rep who edited the ICP sees it took effect. A new book's first
// scoring does not count.
func (db *DB) RescoredAtOpen() (changed int, ran bool) {
	return db.rescored.changed, db.rescored.ran
}

var _ model.Store = (*DB)(nil)

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		n, rest, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(n)
		if !ok || err != nil || !strings.HasSuffix(rest, ".sql") {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", e.Name())
		}
		b, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %04d", m.name, i+1)
		}
	}
	return ms, nil
}

// LatestSchema is the schema version this build writes.
func LatestSchema() int {
	ms, err := migrations()
	if err != nil {
		return 0
	}
	return len(ms)
}

// Open opens the book at path, creating it (and its directory) if missing
// unless opts.MustExist, migrating it to the latest schema and re-scoring
// every account when the profile changed since the last open. What path
// names is checked before anything is written or chmod-ed: a regular file
// (a link is followed to one), a SQLite file of Shortlist's, its schema
// exactly what the migrations made. Anything else (a device, another
// program's file, a damaged book, one from a newer Shortlist, one with a
// trigger, view or index added) is refused and left untouched. A book this
// process may not write (a read-only file, folder or file system) opens
// read-only: reads work, writes fail with ErrReadOnly naming the file.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	return open(ctx, path, opts, writeAccess)
}

// open is Open with the write-access check given (tests pretend a
// read-only file system with it).
func open(ctx context.Context, path string, opts Options, access func(string) string) (*DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	path, err = locate(abs, opts.MustExist)
	if err != nil {
		return nil, err
	}
	ms, err := migrations()
	if err != nil {
		return nil, err
	}
	ro := access(path)
	version, immutable, err := probe(ctx, path, ms, ro != "")
	if err != nil {
		return nil, err
	}
	if ro != "" {
		switch {
		case version == 0:
			return nil, fmt.Errorf("open %s: %w (%s): a new book cannot be written there: choose a writable --db path", path, ErrReadOnly, ro)
		case version < len(ms):
			return nil, fmt.Errorf("open %s: %w (%s): it is schema %d and this shortlist must upgrade it to %d first: make it writable, then run shortlist once", path, ErrReadOnly, ro, version, len(ms))
		}
	} else if err := fixModes(path); err != nil {
		return nil, err
	}
	busyWait := opts.BusyWait
	if busyWait <= 0 {
		busyWait = defaultBusyWait
	}
	if err := registerRate(); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	sdb, err := sql.Open("sqlite", dsn(path, ro != "", immutable, busyWait))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// A bounded pool: each connection holds its own page cache (2 MiB,
	// SQLite's default), and the TUI runs a few reads at once at most.
	sdb.SetMaxOpenConns(maxConns)
	db := &DB{sql: sdb, path: path, opts: opts, readOnly: ro, busyWait: busyWait}
	if err := db.init(ctx, ms, version); err != nil {
		sdb.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) init(ctx context.Context, ms []migration, version int) error {
	// Touch the database so WAL mode and the -wal/-shm files exist, then fix
	// their modes: they hold the same data as the book.
	if _, err := db.sql.ExecContext(ctx, "SELECT 1"); err != nil {
		return db.mapErr("open", err)
	}
	if db.readOnly == "" {
		if err := fixModes(db.path); err != nil {
			return err
		}
		if err := db.migrate(ctx, ms, version); err != nil {
			return err
		}
	}
	db.searchIndexed = true
	db.ranker = model.NewRanker(db.opts.Settings, db.opts.Profile)
	db.zone = time.Local
	if z := db.opts.Settings.RepZone; z != "" {
		loc, err := time.LoadLocation(z)
		if err != nil {
			return fmt.Errorf("open %s: rep time zone %q: %w", db.path, z, err)
		}
		db.zone = loc
	}
	if err := db.syncBudgets(ctx); err != nil {
		return err
	}
	hash, err := profileHash(db.opts.Profile, db.opts.Settings.Coefficients)
	if err != nil {
		return err
	}
	stored, err := db.meta(ctx, metaProfileHash)
	if err != nil {
		return err
	}
	if stored != hash {
		if db.readOnly != "" {
			// A read-only book keeps the scores it was last written with.
			db.staleScores = true
			return nil
		}
		n, err := db.Rescore(ctx)
		if err != nil {
			return err
		}
		db.rescored.ran, db.rescored.changed = stored != "", n
	}
	return nil
}

// ReadOnly says why the book opened read-only ("" when it is writable):
// "its file system is read-only", "the file is read-only", "its folder is
// read-only".
func (db *DB) ReadOnly() string { return db.readOnly }

// StaleScores reports whether a read-only book was scored with another
// profile or other rank weights than it was opened with: it could not be
// re-scored.
func (db *DB) StaleScores() bool { return db.staleScores }

// readOnlyErr is a write refused on a read-only book.
func (db *DB) readOnlyErr(op string) error {
	return fmt.Errorf("%s: %s is %w (%s): nothing was changed; make it writable, or copy it with shortlist backup FILE and use --db FILE", op, db.path, ErrReadOnly, db.readOnly)
}

// maxConns bounds the connection pool (see Open).
const maxConns = 8

// dsn sets the pragmas on every pooled connection. synchronous=FULL: a logged
// touch survives power loss, not just a crash (measured cheap enough; see
// BenchmarkLogTouch). trusted_schema=OFF: SQL stored in the file (a
// trigger, a view, a default) may not call functions with side effects; a
// book is data, not code.
func dsn(path string, readOnly, immutable bool, busy time.Duration) string {
	q := url.Values{}
	// SQLite's own wait, per attempt; withTx retries BEGIN past it.
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", min(busy, 2*time.Second).Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "trusted_schema(0)")
	// No memory map: pages are read into each connection's bounded page
	// cache instead. With mmap_size at 1 GiB every pooled connection could
	// map the whole book, and the pages it touched counted in the process's
	// memory (the TUI held 445 MB after browsing a 100k book, a search 270
	// MB); read(2) of a cached page costs about the same here.
	q.Add("_pragma", "mmap_size(0)")
	if readOnly {
		q.Set("mode", "ro")
		if immutable {
			q.Set("immutable", "1")
		}
		return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	}
	// 16 KiB pages (new books only): the worklist reads rows scattered over
	// the book, and fewer, larger pages cost less to bring in.
	q.Add("_pragma", "page_size(16384)")
	q.Add("_pragma", "synchronous(FULL)")
	// Statement journals in memory: a statement that may need to roll
	// back alone (an insert that fires a trigger) journals each page it
	// changes, and with 16 KiB pages a few pages pass the 64 KiB SQLite
	// keeps in memory before it spills to a temporary file, a write per
	// page (the demo's touches cost 13 writes each). The same for temporary
	// tables and sorts, which are bounded here (a re-score's index builds
	// sort in the 256 MiB cache they ask for anyway).
	q.Add("_pragma", "temp_store(2)")
	// WAL through the driver's own key, not _pragma: the driver runs the
	// _pragma list sorted by name, so journal_mode would run before
	// page_size and fix a new book at 4 KiB pages (it did until this).
	q.Set("_journal_mode", "WAL")
	q.Set("_txlock", "immediate")
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

var sqliteMagic = []byte("SQLite format 3\x00")

// probe decides, without writing anything, whether path is an empty file, a
// Shortlist book this build can open (its schema version, its schema
// exactly what the migrations up to that version make) or something to
// refuse. readOnly: the book cannot be written; immutable is then true
// when SQLite must read it as immutable (a WAL book on a read-only file
// system, with no -shm file to share the WAL index through).
func probe(ctx context.Context, path string, ms []migration, readOnly bool) (version int, immutable bool, err error) {
	notOurs := func(why string) error {
		return fmt.Errorf("database %s is %w (%s): choose another --db path", path, ErrNotShortlist, why)
	}
	f, err := openNoFollow(path) // never blocks on a fifo swapped in
	if err != nil {
		return 0, false, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, false, fmt.Errorf("open %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return 0, false, notOurs(fileKind(st.Mode()) + ", not a file")
	}
	if st.Size() == 0 {
		if walSize(path) > 0 {
			return 0, false, notOurs("empty file with a leftover -wal file")
		}
		return 0, false, nil
	}
	hdr := make([]byte, 100)
	if _, err := io.ReadFull(f, hdr); err != nil {
		return 0, false, notOurs("file too short")
	}
	if !bytes.Equal(hdr[:16], sqliteMagic) {
		return 0, false, notOurs("not a SQLite file")
	}
	pageSize := int64(binary.BigEndian.Uint16(hdr[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 || pageSize&(pageSize-1) != 0 {
		return 0, false, notOurs("damaged header")
	}
	pages := int64(binary.BigEndian.Uint32(hdr[28:32]))
	if walSize(path) == 0 && pages > 0 && st.Size() < pages*pageSize {
		return 0, false, notOurs(fmt.Sprintf("truncated: %d of %d bytes", st.Size(), pages*pageSize))
	}
	if st.Size()%pageSize != 0 {
		return 0, false, notOurs("truncated: not a whole number of pages")
	}

	// Read the header fields through SQLite too: the newest ones may sit in
	// the -wal file. mode=ro and no journal pragma: nothing gets written.
	version, err = probeSQL(ctx, path, ms, false)
	if err != nil && readOnly && isCantOpen(err) {
		// A WAL book on a read-only file system: SQLite cannot make the
		// -shm file it shares the WAL index through. Read the file as
		// immutable, which is right only when no -wal holds changes.
		if walSize(path) > 0 {
			return 0, false, fmt.Errorf("open %s: %w: its -wal file holds changes that cannot be read where the folder is read-only: make it writable and run shortlist once", path, ErrReadOnly)
		}
		immutable = true
		version, err = probeSQL(ctx, path, ms, true)
	}
	if err != nil {
		var se *sqlite.Error
		var pe *probeError
		switch {
		case errors.As(err, &pe):
			return 0, false, pe.err
		case errors.As(err, &se) && se.Code()&0xff == sqliteBusy:
			return 0, false, fmt.Errorf("open %s: %w: another program holds it; close it and retry", path, model.ErrBusy)
		case errors.As(err, &se) && se.Code()&0xff == sqliteIOErr:
			// An I/O error (e.g. no room for the -shm file on a full disk) says
			// nothing about what the file is: do not call a good book foreign.
			return 0, false, fmt.Errorf("open %s: %s: is the disk full or failing? free space and retry; nothing was changed", path, firstLine(se.Error()))
		case readOnly && isCantOpen(err):
			return 0, false, fmt.Errorf("open %s: %w (%s): %s", path, ErrReadOnly, firstLine(err.Error()), "make it writable or choose another --db path")
		}
		return 0, false, notOurs(firstLine(err.Error()))
	}
	return version, immutable, nil
}

// probeError is a refusal probeSQL decided on (not a driver error).
type probeError struct{ err error }

func (e *probeError) Error() string { return e.err.Error() }

// probeSQL reads the application id, schema version and schema through a
// read-only connection and checks them.
func probeSQL(ctx context.Context, path string, ms []migration, immutable bool) (int, error) {
	ro, err := sql.Open("sqlite", dsn(path, true, immutable, 5*time.Second))
	if err != nil {
		return 0, err
	}
	defer ro.Close()
	var appID, version, tables int
	err = ro.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID)
	if err == nil {
		err = ro.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version)
	}
	if err == nil {
		err = ro.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&tables)
	}
	if err != nil {
		return 0, err
	}
	switch {
	case appID == 0 && tables == 0:
		return 0, nil // an empty SQLite file, e.g. a first open that stopped early
	case appID != ApplicationID:
		return 0, &probeError{fmt.Errorf("database %s is %w (a SQLite file of another program): choose another --db path", path, ErrNotShortlist)}
	case version > len(ms):
		return 0, &probeError{fmt.Errorf("database %s is schema %d, this shortlist knows up to %d: upgrade shortlist: %w", path, version, len(ms), ErrTooNew)}
	case version < 1:
		return 0, &probeError{fmt.Errorf("database %s is %w (no schema version): choose another --db path", path, ErrNotShortlist)}
	}
	if err := verifySchema(ctx, ro, path, ms[:version]); err != nil {
		var se *sqlite.Error
		if errors.As(err, &se) {
			return 0, err
		}
		return 0, &probeError{err}
	}
	return version, nil
}

func isCantOpen(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqliteCantOpen
}

func walSize(path string) int64 {
	st, err := os.Stat(path + "-wal")
	if err != nil {
		return 0
	}
	return st.Size()
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// migrate applies every migration above version, each in its own transaction
// with the version stamp, after a backup of a non-empty book.
func (db *DB) migrate(ctx context.Context, ms []migration, version int) error {
	start := version
	for _, m := range ms[version:] {
		// One backup of the book as it was before this open; a book
		// created by this open (start 0) has nothing to keep.
		if start > 0 && version == start {
			bak := fmt.Sprintf("%s.bak-v%d", db.path, version)
			// Made empty and 0600 first, without following a link
			// (O_EXCL), so VACUUM INTO writes only a file of ours.
			f, err := os.OpenFile(bak, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			switch {
			case err == nil:
				f.Close()
				// A big book's copy takes seconds: say so first.
				if fi, err := os.Stat(db.path); err == nil && fi.Size() >= bigBackup && db.opts.Progress != nil {
					db.opts.Progress(Progress{Step: fmt.Sprintf("backing up the book to %s before its upgrade", filepath.Base(bak)), Once: true})
				}
				if _, err := db.sql.ExecContext(ctx, "VACUUM INTO ?", bak); err != nil {
					os.Remove(bak)
					return db.mapErr("back up before migration", err)
				}
			case !errors.Is(err, fs.ErrExist): // an existing copy is kept as it is
				return fmt.Errorf("back up before migration to %s: %w", bak, err)
			}
		}
		err := db.withTx(ctx, "migrate to "+m.name, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			if fill := migrationFills[m.version]; fill != nil {
				if err := fill(ctx, tx, db.opts.Progress); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", ApplicationID))
			return err
		})
		if err != nil {
			return err
		}
		version = m.version
	}
	return nil
}

// Close closes the book.
func (db *DB) Close() error {
	if err := db.sql.Close(); err != nil {
		return fmt.Errorf("close %s: %w", db.path, err)
	}
	return nil
}

// Path is the book's absolute file path.
func (db *DB) Path() string { return db.path }

// SchemaVersion is the book's schema version (PRAGMA user_version).
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := db.sql.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, db.mapErr("read schema version", err)
	}
	return v, nil
}

// Meta keys.
const (
	metaProfileHash = "profile_hash"
	metaLastSync    = "last_sync"
	metaLastSyncErr = "last_sync_error"
)

func (db *DB) meta(ctx context.Context, key string) (string, error) {
	v, err := readMeta(ctx, db.sql, key)
	if err != nil {
		return "", db.mapErr("read "+key, err)
	}
	return v, nil
}

// readMeta reads a meta value through q (the pool or a transaction); ""
// when it is not set.
func readMeta(ctx context.Context, q queryer, key string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

func setMeta(ctx context.Context, tx *sql.Tx, key, value string) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value)
	return err
}

// profileHash identifies what stored scores and ranks were computed with:
// the profile (fit, tier, contact level) and the rank coefficients (base and
// suggest ranks). Open rescores when it differs from the stored one.
func profileHash(p model.Profile, co model.Coefficients) (string, error) {
	b, err := json.Marshal(struct {
		Profile      model.Profile
		Coefficients model.Coefficients
	}{p, co})
	if err != nil {
		return "", fmt.Errorf("hash profile: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// withTx runs fn in one write transaction (BEGIN IMMEDIATE, so a second
// writer waits busy_timeout instead of failing on lock upgrade). A write
// that finds the book busy waits its turn: BEGIN is retried with growing,
// jittered pauses until busyWait has passed, so many writers (ten `log`
// processes at once) each get in. fn runs only once BEGIN succeeded, so it
// never runs twice.
func (db *DB) withTx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	if db.readOnly != "" {
		return db.readOnlyErr(op)
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return db.mapErr(op, err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return db.mapErr(op, err)
	}
	if db.searchIndexed {
		if err := applySearchPending(ctx, tx); err != nil {
			tx.Rollback()
			return db.mapErr(op, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return db.mapErr(op, err)
	}
	return nil
}

// begin starts a write transaction, retrying while the book is busy.
func (db *DB) begin(ctx context.Context) (*sql.Tx, error) {
	// A timeout, not an instant: the monotonic clock, pinned or not.
	deadline := time.Now().Add(db.busyWait)
	pause := 5 * time.Millisecond
	for {
		tx, err := db.sql.BeginTx(ctx, nil)
		if err == nil || !isBusy(err) {
			return tx, err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return nil, err
		}
		// Jitter: writers that met at the lock do not meet again.
		d := min(left, pause/2+time.Duration(rand.Int64N(int64(pause))))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(d):
		}
		pause = min(2*pause, 200*time.Millisecond)
	}
}

// isBusy reports a driver error that says another connection holds the
// book: SQLITE_BUSY or SQLITE_LOCKED, any extended code.
func isBusy(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	c := se.Code() & 0xff
	return c == sqliteBusy || c == sqliteLocked
}
