package cli

import (
	"context"
	"errors"
	"fmt"
	"math"
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
			limit := f.int("limit", 20, "show at most `N` matches (0: all)")
			asJSON := f.fs.Bool("json", false, "print a JSON array of matches")
			return func(ctx context.Context, c *call) error {
				q := strings.TrimSpace(strings.Join(c.args, " "))
				if q == "" {
					return usagef("search needs a QUERY, like shortlist search acme")
				}
				if *limit < 0 {
					return usagef("--limit must be 0 or more")
				}
				b, err := c.open(ctx)
				if err != nil {
					return err
				}
				// All matches are counted; --limit 0 lists them all. The count
				// says whether the list is cut ("20 of 1,144").
				lim := *limit
				if lim <= 0 {
					lim = math.MaxInt32
				}
				res, err := b.Store.Search(ctx, q, lim)
				if err != nil {
					return err // the store names the operation
				}
				hits, total := res.Hits, res.Total
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
				cutShort(c.env.Stdout, len(hits), total)
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
			asJSON := f.fs.Bool("json", false, "print the task's new status as JSON")
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
				if *asJSON {
					return writeJSON(c.env.Stdout, TaskStatusJSON{TaskID: id, Status: string(status)})
				}
				fmt.Fprintf(c.env.Stdout, "task %d %s\n", id, status)
				return nil
			}
		},
	}
}

// TaskStatusJSON is done, skip and snooze --json.
type TaskStatusJSON struct {
	TaskID       int64  `json:"task_id"`
	Status       string `json:"status"`
	SnoozedUntil string `json:"snoozed_until,omitempty"` // 2026-12-01, or RFC 3339 with a time
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
			until := f.fs.String("until", "", "when it comes back: tomorrow, +3 (business days), mon, 2026-12-01 (required)")
			asJSON := f.fs.Bool("json", false, "print the task's new status as JSON")
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
				due, hasTime, err := model.ParseDueFor(*until, now, model.DueSnooze)
				if err != nil {
					return usagef("--until: %v", err)
				}
				if err := setStatus(ctx, b, id, model.TaskSnoozed, due); err != nil {
					return err
				}
				if *asJSON {
					day := due.Format(time.DateOnly)
					if hasTime {
						day = due.Format(time.RFC3339)
					}
					return writeJSON(c.env.Stdout, TaskStatusJSON{TaskID: id, Status: string(model.TaskSnoozed), SnoozedUntil: day})
				}
				fmt.Fprintf(c.env.Stdout, "task %d snoozed until %s\n", id, dayLabel(due, hasTime, now))
				return nil
			}
		},
	}
}

// newestLogger finds the newest logged touch, for undo without an id.
type newestLogger interface {
	NewestLoggedTouch(ctx context.Context) (model.Touch, error)
}

// UndoJSON is `undo --json`.
type UndoJSON struct {
	TouchID int64  `json:"touch_id"`
	Undone  string `json:"undone"` // "log of no answer · Lyraworks · Liam Clarke"
}

func undoCmd() *command {
	return &command{
		name: "undo", args: "[TOUCH_ID]", summary: "take back a logged touch and what it changed",
		about: `Undo a logged touch: the touch, the next action it created, the task it
closed and any status or consent it changed are put back, as long as none of it
has been synced to the CRM. shortlist log prints the touch id; without one, undo
takes back the newest touch logged in this book. (The TUI's u also takes back a
snooze, done, skip, new task or note edit made in that session.)`,
		example: []string{"shortlist undo", "shortlist undo 31"},
		define: func(f *flags) func(context.Context, *call) error {
			asJSON := f.fs.Bool("json", false, "print what was undone as JSON")
			return func(ctx context.Context, c *call) error {
				var id int64
				if len(c.args) > 0 {
					var err error
					if id, err = oneID(c, "TOUCH_ID"); err != nil {
						return err
					}
				}
				b, err := c.open(ctx)
				if err != nil {
					return err
				}
				if id == 0 {
					nl, ok := b.Store.(newestLogger)
					if !ok {
						return usagef("undo needs TOUCH_ID with this book (see shortlist undo --help)")
					}
					t, err := nl.NewestLoggedTouch(ctx)
					if errors.Is(err, model.ErrNotFound) {
						return errors.New("nothing to undo: no touch has been logged in this book")
					}
					if err != nil {
						return err
					}
					id = t.ID
				}
				name := fmt.Sprintf("touch %d", id)
				if t, ok := touchOf(ctx, b, id); ok {
					ct, acct, err := b.Store.Contact(ctx, t.ContactID)
					if err == nil {
						name = model.Display(model.LogChangeName(t.Outcome, acct.Name, ct.Name()))
					}
				}
				err = b.Store.UndoLog(ctx, id)
				switch {
				case errors.Is(err, model.ErrNotFound):
					return fmt.Errorf("touch %d not found: touch ids are in shortlist show ACCOUNT_ID under History", id)
				case errors.Is(err, model.ErrSynced):
					return fmt.Errorf("not undone: the %s has been synced to the CRM: change it there", name)
				case err != nil:
					return fmt.Errorf("undo touch %d: %w", id, err)
				}
				if *asJSON {
					return writeJSON(c.env.Stdout, UndoJSON{TouchID: id, Undone: model.Sanitize(name)})
				}
				fmt.Fprintf(c.env.Stdout, "undone: %s (touch %d)\n", name, id)
				return nil
			}
		},
	}
}

// touchOf reads a touch by id through the optional reader the book has.
func touchOf(ctx context.Context, b *Book, id int64) (model.Touch, bool) {
	tr, ok := b.Store.(interface {
		Touch(ctx context.Context, id int64) (model.Touch, error)
	})
	if !ok {
		return model.Touch{}, false
	}
	t, err := tr.Touch(ctx, id)
	return t, err == nil
}
