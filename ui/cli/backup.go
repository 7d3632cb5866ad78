package cli

import (
	"context"
	"fmt"

	"github.com/shortlisthq/shortlist/model"
)

// backuper is a store that can copy itself while open (storage.DB).
type backuper interface {
	Backup(ctx context.Context, dest string) (model.BackupInfo, error)
}

func backupCmd() *command {
	return &command{
		name: "backup", args: "[FILE]", summary: "copy the book to a new file, safely, while it is in use",
		about: `Copy the book to FILE: a consistent snapshot, even while the TUI or another
command is writing. Without FILE the copy goes beside the book, named with the
date and time (shortlist-backup-20260124-143000.db). The copy is private
(mode 0600), is checked before it gets its name, and an existing file is never
overwritten. To restore, close Shortlist and use the copy as --db, or move it
into the book's place.`,
		example: []string{"shortlist backup", "shortlist backup ~/backups/shortlist-monday.db", "shortlist backup --json"},
		define: func(f *flags) func(context.Context, *call) error {
			asJSON := f.fs.Bool("json", false, "print what was written as JSON")
			return func(ctx context.Context, c *call) error {
				if len(c.args) > 1 {
					return usagef("backup takes at most one FILE, got %d arguments (see shortlist backup --help)", len(c.args))
				}
				b, err := c.open(ctx)
				if err != nil {
					return err
				}
				bk, ok := b.Store.(backuper)
				if !ok {
					return fmt.Errorf("this book cannot be backed up while open: copy %s with Shortlist closed", b.Path)
				}
				dest := model.DefaultBackupPath(b.Path, c.now())
				if len(c.args) == 1 {
					dest = c.args[0]
				}
				info, err := bk.Backup(ctx, dest)
				if err != nil {
					return err
				}
				if *asJSON {
					return writeJSON(c.env.Stdout, info)
				}
				fmt.Fprintf(c.env.Stdout, "backed up %s to %s\n", b.Path, info.Path)
				fmt.Fprintf(c.env.Stdout, "  %d accounts, %d contacts, %d touches, %d tasks, %d changes waiting to sync; %s\n",
					info.Accounts, info.Contacts, info.Touches, info.Tasks, info.Outbox, humanBytes(info.Bytes))
				return nil
			}
		},
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
