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
)

// Options configure a store.
type Options struct {
	Settings model.Settings
	Profile  model.Profile
}

// DB is the local book. It is safe for concurrent use.
type DB struct {
	sql    *sql.DB
	path   string
	opts   Options
	ranker *model.Ranker
	zone   *time.Location // the rep's zone, for "today"
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

// Open opens the book at path, creating it (and its directory) if missing,
// migrating it to the latest schema and re-scoring every account when the
// profile changed since the last open. A file that is not a Shortlist
// database, is damaged, or comes from a newer Shortlist is refused and left
// untouched.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	path = abs
	if err := prepareFile(path); err != nil {
		return nil, err
	}
	ms, err := migrations()
	if err != nil {
		return nil, err
	}
	version, err := probe(ctx, path, len(ms))
	if err != nil {
		return nil, err
	}
	sdb, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// A bounded pool: each connection holds its own page cache (2 MiB,
	// SQLite's default), and the TUI runs a few reads at once at most.
	sdb.SetMaxOpenConns(maxConns)
	db := &DB{sql: sdb, path: path, opts: opts}
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
	if err := fixModes(db.path); err != nil {
		return err
	}
	if err := db.migrate(ctx, ms, version); err != nil {
		return err
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
	hash, err := profileHash(db.opts.Profile, db.opts.Settings.Coefficients)
	if err != nil {
		return err
	}
	stored, err := db.meta(ctx, metaProfileHash)
	if err != nil {
		return err
	}
	if stored != hash {
		n, err := db.Rescore(ctx)
		if err != nil {
			return err
		}
		db.rescored.ran, db.rescored.changed = stored != "", n
	}
	return nil
}

// maxConns bounds the connection pool (see Open).
const maxConns = 8

// dsn sets the pragmas on every pooled connection. synchronous=FULL: a logged
// touch survives power loss, not just a crash (measured cheap enough; see
// BenchmarkLogTouch).
func dsn(path string) string {
	q := url.Values{}
	// 16 KiB pages (new books only): the worklist reads rows scattered over
	// the book, and fewer, larger pages cost less to bring in.
	q.Add("_pragma", "page_size(16384)")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	// No memory map: pages are read into each connection's bounded page
	// cache instead. With mmap_size at 1 GiB every pooled connection could
	// map the whole book, and the pages it touched counted in the process's
	// memory (the TUI held 445 MB after browsing a 100k book, a search 270
	// MB); read(2) of a cached page costs about the same here.
	q.Add("_pragma", "mmap_size(0)")
	// WAL through the driver's own key, not _pragma: the driver runs the
	// _pragma list sorted by name, so journal_mode would run before
	// page_size and fix a new book at 4 KiB pages (it did until this).
	q.Set("_journal_mode", "WAL")
	q.Set("_txlock", "immediate")
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// prepareFile makes the directory (0700) and the file (0600) before SQLite
// sees them, so the book is never readable by others, not even briefly.
func prepareFile(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return dirError(dir, err)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			if _, serr := os.Stat(path); serr != nil {
				return dirError(dir, err)
			}
			return fmt.Errorf("open %s: permission denied: choose a --db path you can read and write", path)
		}
		return fmt.Errorf("open %s: %w", path, err)
	}
	f.Close()
	return fixModes(path)
}

func dirError(dir string, err error) error {
	if errors.Is(err, fs.ErrPermission) || isReadOnlyFS(err) {
		return fmt.Errorf("database directory %s is read-only: choose a writable --db path", dir)
	}
	return fmt.Errorf("create database directory %s: %w", dir, err)
}

// fixModes tightens the book and its WAL side files to 0600.
func fixModes(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("check mode of %s: %w", p, err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, 0o600); err != nil {
				return fmt.Errorf("make %s private (mode 0600): %w", p, err)
			}
		}
	}
	return nil
}

var sqliteMagic = []byte("SQLite format 3\x00")

// probe decides, without writing anything, whether path is an empty file, a
// Shortlist book this build can open (its schema version) or something to
// refuse.
func probe(ctx context.Context, path string, latest int) (int, error) {
	notOurs := func(why string) error {
		return fmt.Errorf("database %s is %w (%s): choose another --db path", path, ErrNotShortlist, why)
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", path, err)
	}
	if st.Size() == 0 {
		if walSize(path) > 0 {
			return 0, notOurs("empty file with a leftover -wal file")
		}
		return 0, nil
	}
	hdr := make([]byte, 100)
	if _, err := io.ReadFull(f, hdr); err != nil {
		return 0, notOurs("file too short")
	}
	if !bytes.Equal(hdr[:16], sqliteMagic) {
		return 0, notOurs("not a SQLite file")
	}
	pageSize := int64(binary.BigEndian.Uint16(hdr[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 || pageSize&(pageSize-1) != 0 {
		return 0, notOurs("damaged header")
	}
	pages := int64(binary.BigEndian.Uint32(hdr[28:32]))
	if walSize(path) == 0 && pages > 0 && st.Size() < pages*pageSize {
		return 0, notOurs(fmt.Sprintf("truncated: %d of %d bytes", st.Size(), pages*pageSize))
	}
	if st.Size()%pageSize != 0 {
		return 0, notOurs("truncated: not a whole number of pages")
	}

	// Read the header fields through SQLite too: the newest ones may sit in
	// the -wal file. mode=ro and no journal pragma: nothing gets written.
	ro, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", path, err)
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
		var se *sqlite.Error
		if errors.As(err, &se) && se.Code()&0xff == sqliteBusy {
			return 0, fmt.Errorf("open %s: %w: another program holds it; close it and retry", path, model.ErrBusy)
		}
		// An I/O error (e.g. no room for the -shm file on a full disk) says
		// nothing about what the file is: do not call a good book foreign.
		if errors.As(err, &se) && se.Code()&0xff == sqliteIOErr {
			return 0, fmt.Errorf("open %s: %s: is the disk full or failing? free space and retry; nothing was changed", path, firstLine(se.Error()))
		}
		return 0, notOurs(firstLine(err.Error()))
	}
	switch {
	case appID == 0 && tables == 0:
		return 0, nil // an empty SQLite file, e.g. a first open that stopped early
	case appID != ApplicationID:
		return 0, notOurs("a SQLite file of another program")
	case version > latest:
		return 0, fmt.Errorf("database %s is schema %d, this shortlist knows up to %d: upgrade shortlist: %w", path, version, latest, ErrTooNew)
	}
	return version, nil
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
			if _, err := os.Stat(bak); errors.Is(err, fs.ErrNotExist) {
				if _, err := db.sql.ExecContext(ctx, "VACUUM INTO ?", bak); err != nil {
					return db.mapErr("back up before migration", err)
				}
				if err := os.Chmod(bak, 0o600); err != nil {
					return fmt.Errorf("make %s private: %w", bak, err)
				}
			}
		}
		err := db.withTx(ctx, "migrate to "+m.name, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
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
// writer waits busy_timeout instead of failing on lock upgrade).
func (db *DB) withTx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
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
