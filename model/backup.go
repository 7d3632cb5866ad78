package model

import (
	"path/filepath"
	"strings"
	"time"
)

// BackupInfo is what a backup of the book wrote: where, how big, and the
// records the copy holds (read back from the copy, not from the book).
type BackupInfo struct {
	Path     string `json:"path"`
	Bytes    int64  `json:"bytes"`
	Accounts int    `json:"accounts"`
	Contacts int    `json:"contacts"`
	Touches  int    `json:"touches"`
	Tasks    int    `json:"tasks"`
	Outbox   int    `json:"outbox_pending"`
}

// DefaultBackupPath is the backup file beside the book for a backup taken
// at now: shortlist.db -> shortlist-backup-20260124-143000.db.
func DefaultBackupPath(book string, now time.Time) string {
	dir, base := filepath.Split(book)
	stem := strings.TrimSuffix(base, filepath.Ext(base))
	return filepath.Join(dir, stem+"-backup-"+now.Format("20060102-150405")+".db")
}
