package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/shortlisthq/shortlist/model"
)

// Backup writes a consistent copy of the book to dest with VACUUM INTO, as
// other processes go on writing. The copy is written under a temporary
// name in dest's directory (0600 from its first byte), synced, checked, and
// only then given its name, so dest is either absent or a whole book. An
// existing dest is never overwritten.
func (db *DB) Backup(ctx context.Context, dest string) (model.BackupInfo, error) {
	abs, err := filepath.Abs(dest)
	if err != nil {
		return model.BackupInfo{}, fmt.Errorf("back up to %s: %w", dest, err)
	}
	dest = abs
	for _, p := range []string{db.path, db.path + "-wal", db.path + "-shm"} {
		if dest == p {
			return model.BackupInfo{}, fmt.Errorf("back up to %s: that is the book itself: choose another file", dest)
		}
	}
	if _, err := os.Lstat(dest); err == nil {
		return model.BackupInfo{}, fmt.Errorf("backup %s already exists: choose another file name (backups are never overwritten)", dest)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return model.BackupInfo{}, fmt.Errorf("back up to %s: %w", dest, err)
	}
	dir := filepath.Dir(dest)
	var suffix [6]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return model.BackupInfo{}, fmt.Errorf("back up to %s: %w", dest, err)
	}
	tmp := filepath.Join(dir, "."+filepath.Base(dest)+".tmp-"+hex.EncodeToString(suffix[:]))
	// VACUUM INTO accepts an empty file: making it first keeps it 0600.
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return model.BackupInfo{}, backupFileError(dest, err)
	}
	f.Close()
	keep := false
	defer func() {
		if !keep {
			os.Remove(tmp)
		}
	}()
	if _, err := db.sql.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		if isDiskFull(err) || strings.Contains(err.Error(), "full") {
			return model.BackupInfo{}, fmt.Errorf("back up to %s: disk full: free space or choose another place; the book is unchanged", dest)
		}
		return model.BackupInfo{}, fmt.Errorf("back up to %s: %w", dest, db.mapErr("copy the book", err))
	}
	if err := syncFile(tmp); err != nil {
		return model.BackupInfo{}, backupFileError(dest, err)
	}
	info, err := inspectBackup(ctx, tmp)
	if err != nil {
		return model.BackupInfo{}, fmt.Errorf("back up to %s: the copy did not check out: %w", dest, err)
	}
	// A hard link fails if dest appeared meanwhile: never overwrite.
	if err := os.Link(tmp, dest); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return model.BackupInfo{}, fmt.Errorf("backup %s already exists: choose another file name (backups are never overwritten)", dest)
		}
		// No hard links on this file system: rename, having checked above.
		if _, serr := os.Lstat(dest); serr == nil {
			return model.BackupInfo{}, fmt.Errorf("backup %s already exists: choose another file name (backups are never overwritten)", dest)
		}
		if rerr := os.Rename(tmp, dest); rerr != nil {
			return model.BackupInfo{}, backupFileError(dest, rerr)
		}
		keep = true
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	st, err := os.Stat(dest)
	if err != nil {
		return model.BackupInfo{}, fmt.Errorf("back up to %s: %w", dest, err)
	}
	info.Path, info.Bytes = dest, st.Size()
	return info, nil
}

func backupFileError(dest string, err error) error {
	switch {
	case isDiskFull(err):
		return fmt.Errorf("back up to %s: disk full: free space or choose another place; the book is unchanged", dest)
	case errors.Is(err, fs.ErrPermission) || isReadOnlyFS(err):
		return fmt.Errorf("back up to %s: %s is not writable: choose another place", dest, filepath.Dir(dest))
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("back up to %s: directory %s does not exist: create it or choose another place", dest, filepath.Dir(dest))
	}
	return fmt.Errorf("back up to %s: %w", dest, err)
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// inspectBackup opens a copy read-only, checks it and counts its records.
func inspectBackup(ctx context.Context, path string) (model.BackupInfo, error) {
	r, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro&_pragma=trusted_schema(0)")
	if err != nil {
		return model.BackupInfo{}, err
	}
	defer r.Close()
	var ok string
	if err := r.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&ok); err != nil {
		return model.BackupInfo{}, fmt.Errorf("check: %w", err)
	}
	if ok != "ok" {
		return model.BackupInfo{}, fmt.Errorf("check: %s", firstLine(ok))
	}
	var info model.BackupInfo
	err = r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM contacts),
		(SELECT count(*) FROM touches), (SELECT count(*) FROM tasks),
		(SELECT count(*) FROM outbox WHERE pushed_at IS NULL)`).
		Scan(&info.Accounts, &info.Contacts, &info.Touches, &info.Tasks, &info.Outbox)
	if err != nil {
		return model.BackupInfo{}, fmt.Errorf("count records: %w", err)
	}
	return info, nil
}
