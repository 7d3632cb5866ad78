package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

func searchCmd() *command {
	return &command{
		name:    "search",
		args:    "QUERY",
		summary: "find accounts and contacts by name, domain or title",
		about: `Search your book for accounts and contacts whose name, domain or title
matches QUERY, and print their ids for shortlist show and shortlist log.`,
		example: []string{"shortlist search acme", `shortlist search "dana kim" --json`},
		define: func(f *flags) func(context.Context, *call) error {
			limit := f.int("limit", 20, "show at most `N` matches")
			asJSON := f.fs.Bool("json", false, "print a JSON array of matches")
			return func(ctx context.Context, c *call) error {
				q := strings.TrimSpace(strings.Join(c.args, " "))
				if q == "" {
					return usagef("search needs a QUERY, like shortlist search acme")
				}
				if *limit <= 0 {
					return usagef("--limit must be 1 or more")
				}
				b, err := c.open(ctx)
				if err != nil {
					return err
				}
				res, err := b.Store.Search(ctx, q, *limit)
				if err != nil {
					return fmt.Errorf("search: %w", err)
				}
				hits := res.Hits
				if *asJSON {
					out := make([]SearchHitJSON, len(hits))
					for i, h := range hits {
						out[i] = SearchHitJSON{AccountID: h.AccountID, Account: model.Sanitize(h.AccountName), ContactID: h.ContactID,
							Contact: model.Sanitize(h.ContactName), Title: model.Sanitize(h.Title), Tier: string(h.Tier)}
					}
					return writeJSON(c.env.Stdout, out)
				}
				if len(hits) == 0 {
					fmt.Fprintf(c.env.Stdout, "Nothing matches %q.\n", model.Display(q))
					return nil
				}
				t := newTable(column{Title: "account id", Right: true}, column{Title: "account", Min: 10},
					column{Title: "contact id", Right: true}, column{Title: "contact", Min: 8}, column{Title: "title", Min: 8}, column{Title: "tier"})
				for _, h := range hits {
					cid := ""
					if h.ContactID != 0 {
						cid = fmt.Sprint(h.ContactID)
					}
					t.add(fmt.Sprint(h.AccountID), h.AccountName, cid, h.ContactName, h.Title, string(h.Tier))
				}
				t.write(c.env.Stdout, c.env.Width)
				return nil
			}
		},
	}
}

// SearchHitJSON is one search match.
type SearchHitJSON struct {
	AccountID int64  `json:"account_id"`
	Account   string `json:"account"`
	ContactID int64  `json:"contact_id"` // 0: the account itself matched
	Contact   string `json:"contact"`
	Title     string `json:"title"`
	Tier      string `json:"tier"`
}

const taskNotFound = "task %d not found: list open tasks with shortlist today or shortlist show ACCOUNT_ID"

// taskStatusCmd builds done and skip, which differ only in the status set.
func taskStatusCmd(name string, status model.TaskStatus, summary, about string) *command {
	return &command{
		name: name, args: "TASK_ID", summary: summary, about: about,
		example: []string{"shortlist " + name + " 12"},
		define: func(f *flags) func(context.Context, *call) error {
			return func(ctx context.Context, c *call) error {
				id, err := oneID(c, "TASK_ID")
				if err != nil {
					return err
				}
				b, err := c.open(ctx)
				if err != nil {
					return err
				}
				if err := setStatus(ctx, b, id, status, time.Time{}); err != nil {
					return err
				}
				fmt.Fprintf(c.env.Stdout, "task %d %s\n", id, status)
				return nil
			}
		},
	}
}

func setStatus(ctx context.Context, b *Book, id int64, status model.TaskStatus, until time.Time) error {
	err := b.Store.SetTaskStatus(ctx, id, status, until)
	if errors.Is(err, model.ErrNotFound) {
		return fmt.Errorf(taskNotFound, id)
	}
	if err != nil {
		return fmt.Errorf("set task %d %s: %w", id, status, err)
	}
	return nil
}

func doneCmd() *command {
	return taskStatusCmd("done", model.TaskDone, "mark a task done without logging a touch",
		`Mark a task done. To record a call or email and its outcome as well, use
shortlist log --task TASK_ID instead, which closes the task for you.`)
}

func skipCmd() *command {
	return taskStatusCmd("skip", model.TaskSkipped, "drop a task you will not do",
		`Skip a task: it leaves the worklist without counting as done.`)
}

func snoozeCmd() *command {
	return &command{
		name: "snooze", args: "TASK_ID", summary: "move a task out of the worklist until a date",
		about: `Snooze a task: it leaves the worklist and comes back, open, on the date
given with --until.`,
		example: []string{"shortlist snooze 12 --until tomorrow", "shortlist snooze 12 --until +3", "shortlist snooze 12 --until 2026-12-01"},
		define: func(f *flags) func(context.Context, *call) error {
			until := f.fs.String("until", "", "when it comes back: today, tomorrow, +3 (business days), mon, 2026-12-01 (required)")
			return func(ctx context.Context, c *call) error {
				id, err := oneID(c, "TASK_ID")
				if err != nil {
					return err
				}
				if strings.TrimSpace(*until) == "" {
					return usagef("snooze needs --until DATE, like --until tomorrow (see shortlist snooze --help)")
				}
				b, err := c.open(ctx)
				if err != nil {
					return err
				}
				now := c.repNow(b.Settings)
				due, hasTime, err := model.ParseDue(*until, now)
				if err != nil {
					return fmt.Errorf("--until: %w", err)
				}
				if !due.After(now) {
					return fmt.Errorf("--until %s is not in the future: snooze to a later date", dayLabel(due, hasTime))
				}
				if err := setStatus(ctx, b, id, model.TaskSnoozed, due); err != nil {
					return err
				}
				fmt.Fprintf(c.env.Stdout, "task %d snoozed until %s\n", id, dayLabel(due, hasTime))
				return nil
			}
		},
	}
}

func undoCmd() *command {
	return &command{
		name: "undo", args: "TOUCH_ID", summary: "take back a logged touch and what it changed",
		about: `Undo a logged touch: the touch, the next action it created, the task it
closed and any status or consent it changed are put back, as long as none of it
has been synced to the CRM. shortlist log prints the touch id.`,
		example: []string{"shortlist undo 31"},
		define: func(f *flags) func(context.Context, *call) error {
			return func(ctx context.Context, c *call) error {
				id, err := oneID(c, "TOUCH_ID")
				if err != nil {
					return err
				}
				b, err := c.open(ctx)
				if err != nil {
					return err
				}
				err = b.Store.UndoLog(ctx, id)
				switch {
				case errors.Is(err, model.ErrNotFound):
					return fmt.Errorf("touch %d not found: touch ids are in shortlist show ACCOUNT_ID under History", id)
				case errors.Is(err, model.ErrSynced):
					return fmt.Errorf("touch %d has already been synced to the CRM, so it cannot be undone here: change it in the CRM", id)
				case err != nil:
					return fmt.Errorf("undo touch %d: %w", id, err)
				}
				fmt.Fprintf(c.env.Stdout, "undid touch %d and what it changed\n", id)
				return nil
			}
		},
	}
}
