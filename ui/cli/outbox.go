package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/shortlisthq/shortlist/model"
)

// outboxStore is what `outbox` needs from the book beyond model.Store: the
// unpushed changes with their reasons, and dropping one.
type outboxStore interface {
	OutboxItems(ctx context.Context, heldOnly bool, limit int) ([]model.OutboxItem, error)
	DropOutbox(ctx context.Context, id int64) (model.OutboxItem, error)
}

// OutboxJSON is `outbox --json`.
type OutboxJSON struct {
	Items []model.OutboxItem `json:"items"`
}

func outboxCmd() *command {
	return &command{
		name: "outbox", args: "[drop ID]", summary: "list the changes waiting for the CRM, with why; drop one",
		about: `List every change not yet in the CRM, oldest first: what it is, its account,
where it stands and why, and the way out.

  queued   goes with the next sync (a reason shows when a try failed)
  held     the CRM refused it: change it and it goes again, or drop it
  gone     a record it refers to was deleted in the CRM: drop it
  waiting  its record is not in the CRM (an account that was never there):
           create the company in the CRM with the same domain and sync (it is
           linked by its domain), or drop it

shortlist outbox drop ID removes one change from the queue: it will not go to
the CRM; what you did stays in the book. On a terminal it asks once; --yes
skips the question (needed when not on a terminal).`,
		example: []string{"shortlist outbox", "shortlist outbox --json | jq '.items[] | select(.state != \"queued\")'", "shortlist outbox drop 12", "shortlist outbox drop 12 --yes"},
		define: func(f *flags) func(context.Context, *call) error {
			asJSON := f.fs.Bool("json", false, "print as JSON")
			yes := f.fs.Bool("yes", false, "drop without asking")
			return func(ctx context.Context, c *call) error {
				var drop int64
				switch {
				case len(c.args) == 0:
				case c.args[0] != "drop":
					return usagef("outbox takes no arguments or drop ID, got %q (see shortlist outbox --help)", c.args[0])
				case len(c.args) != 2:
					return usagef("outbox drop takes one ID, the number shortlist outbox lists")
				default:
					n, err := strconv.ParseInt(c.args[1], 10, 64)
					if err != nil || n <= 0 {
						return usagef("outbox drop ID: %q is not an id like 12 (shortlist outbox lists them)", c.args[1])
					}
					drop = n
				}
				if drop == 0 && *yes {
					return usagef("--yes goes with outbox drop ID")
				}
				b, err := c.open(ctx)
				if err != nil {
					return err
				}
				st, ok := b.Store.(outboxStore)
				if !ok {
					return errors.New("the outbox is not available in this build")
				}
				if drop != 0 {
					return dropOutbox(ctx, c, st, drop, *yes, *asJSON)
				}
				items, err := st.OutboxItems(ctx, false, 0)
				if err != nil {
					return err
				}
				if *asJSON {
					return writeJSON(c.env.Stdout, OutboxJSON{Items: items})
				}
				printOutbox(c.env.Stdout, items, c.env.Width)
				return nil
			}
		},
	}
}

// dropOutbox drops one entry, asking first on a terminal.
func dropOutbox(ctx context.Context, c *call, st outboxStore, id int64, yes, asJSON bool) error {
	if !yes {
		if !c.env.Terminal || c.env.Stdin == nil {
			return usagef("outbox drop asks before it drops a change: add --yes to drop %d without asking", id)
		}
		items, err := st.OutboxItems(ctx, false, 0)
		if err != nil {
			return err
		}
		var it *model.OutboxItem
		for i := range items {
			if items[i].ID == id {
				it = &items[i]
			}
		}
		if it == nil {
			return fmt.Errorf("no queued change %d (shortlist outbox lists them)", id)
		}
		fmt.Fprintf(c.env.Stdout, "drop %d, %s? It will not go to the CRM; the book keeps what you did. [y/N] ", id, itemLine(*it))
		line, err := bufio.NewReader(c.env.Stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read the answer: %w", err)
		}
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
			fmt.Fprintln(c.env.Stdout, "kept: nothing dropped")
			return nil
		}
	}
	it, err := st.DropOutbox(ctx, id)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(c.env.Stdout, it)
	}
	fmt.Fprintf(c.env.Stdout, "dropped %d: %s\n", it.ID, itemLine(it))
	return nil
}

// itemLine is an entry in a few words: `task "Call again" done (Acme)`.
func itemLine(it model.OutboxItem) string {
	s := model.Sanitize(it.What)
	if it.Account != "" {
		s += " (" + model.Sanitize(it.Account) + ")"
	}
	return s
}

// printOutbox lists the entries, one line each, then the reason and the
// way out indented under those that need one.
func printOutbox(w io.Writer, items []model.OutboxItem, width int) {
	if len(items) == 0 {
		fmt.Fprintln(w, "the outbox is empty: everything is in the CRM")
		return
	}
	counts := map[model.OutboxState]int{}
	for _, it := range items {
		counts[it.State]++
	}
	var parts []string
	for _, s := range []model.OutboxState{model.OutboxQueued, model.OutboxHeld, model.OutboxGone, model.OutboxWaiting} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	fmt.Fprintf(w, "%s: %s\n", plural(len(items), "change"), strings.Join(parts, ", "))
	for _, it := range items {
		fmt.Fprintln(w, clipTo(fmt.Sprintf("%5d  %-7s  %-14s  %s", it.ID, it.State, it.Kind, itemLine(it)), width))
		if it.Reason != "" {
			fmt.Fprintln(w, clipTo("       why: "+model.Sanitize(it.Reason), width))
		}
		if it.Fix != "" {
			fmt.Fprintln(w, clipTo("       fix: "+model.Sanitize(it.Fix), width))
		}
	}
}
