package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

func syncCmd() *command {
	return &command{
		name: "sync", summary: "sync with the CRM: pull changes, push your touches and tasks",
		about: `Sync the book with the CRM (HubSpot or Salesforce). A sync pulls the companies you own, their
contacts and open tasks (the first sync everything, later ones only what changed),
then pushes what you did here, in order: each touch as what it was (a call, an
email, a LinkedIn message, a meeting held or booked, a note), new next actions as
tasks, done, skipped and snoozed tasks, statuses and opt-outs.

The CRM wins for firmographics, ownership and its own task changes; your touches
are never dropped. A field changed on both sides is listed: the CRM's value is
kept, the local one shown beside it. Offline, nothing is lost: the changes stay
queued and go with the next sync, which resumes where this one stopped.

On a terminal a progress line is rewritten in place; piped, each stage is a plain
line. Ctrl+C stops cleanly. Setup: [crm] kind and owner_email in config.toml (or
SHORTLIST_HUBSPOT_OWNER_EMAIL) and a token (shortlist auth hubspot, or
SHORTLIST_HUBSPOT_TOKEN). Salesforce: [crm] kind = "salesforce", instance_url and
client_id, then shortlist auth salesforce (or SHORTLIST_SALESFORCE_INSTANCE_URL and
SHORTLIST_SALESFORCE_ACCESS_TOKEN). With --demo it syncs with a built-in sandbox
CRM (--crm salesforce for a Salesforce one).

Exit status: 0 synced; 1 offline, cancelled, refused or not set up (one line on
stderr says which, and what to do).`,
		example: []string{"shortlist sync", "shortlist --demo sync", "shortlist sync --json | jq .conflicts", "shortlist sync --quiet || echo 'sync later'"},
		define: func(f *flags) func(context.Context, *call) error {
			asJSON := f.fs.Bool("json", false, "print the sync report as JSON")
			quiet := f.fs.Bool("quiet", false, "print nothing but errors")
			return func(ctx context.Context, c *call) error {
				if len(c.args) > 0 {
					return usagef("sync takes flags only, got %q (see shortlist sync --help)", c.args[0])
				}
				if *asJSON && *quiet {
					return usagef("--json and --quiet do not go together: choose one")
				}
				c.f.g.Create = true // a first sync makes the book
				b, err := c.open(ctx)
				if err != nil {
					return err
				}
				if b.Syncer == nil {
					return errors.New("sync is not available in this build")
				}
				var pr progressPrinter = discardProgress{}
				if !*asJSON && !*quiet {
					if c.env.Width > 0 {
						pr = &lineProgress{w: c.env.Stdout, width: c.env.Width}
					} else {
						pr = &plainProgress{w: c.env.Stdout}
					}
				}
				rep, err := runSync(ctx, b.Syncer, pr)
				switch {
				case *asJSON:
					if rep.Errors == nil {
						rep.Errors = []string{}
					}
					if rep.Conflicts == nil {
						rep.Conflicts = []model.SyncConflict{}
					}
					if rep.Held == nil {
						rep.Held = []model.OutboxItem{}
					}
					if rep.Changes == nil {
						rep.Changes = []model.SyncChange{}
					}
					if jerr := writeJSON(c.env.Stdout, sanitizeReport(rep)); jerr != nil && err == nil {
						return jerr
					}
				case !*quiet && !rep.Started.IsZero():
					printReport(c.env.Stdout, sanitizeReport(rep), c.env.Width)
				}
				return syncError(ctx, rep, err)
			}
		},
	}
}

// runSync runs one sync, printing each progress report as it comes. The
// channel is drained here, so the syncer never waits on the printer for
// long; it is not closed until Sync has returned.
func runSync(ctx context.Context, s model.Syncer, pr progressPrinter) (model.SyncReport, error) {
	ch := make(chan model.SyncProgress, 64)
	type result struct {
		rep model.SyncReport
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := s.Sync(ctx, ch)
		done <- result{rep, err}
	}()
	for {
		select {
		case p := <-ch:
			pr.progress(p)
		case r := <-done:
			// Reports sent just before Sync returned are still buffered.
			for len(ch) > 0 {
				pr.progress(<-ch)
			}
			pr.end()
			return r.rep, r.err
		}
	}
}

// syncError is the one line a failed sync leaves on stderr: what happened
// and what to do. The syncer's own words are kept for everything else, as
// main.go already phrases them (auth, daily limit, missing settings).
func syncError(ctx context.Context, rep model.SyncReport, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, model.ErrOffline):
		return fmt.Errorf("offline: %s queued; they go with the next sync", changes(rep.Pending))
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		return fmt.Errorf("sync cancelled: nothing is lost; %s queued for the next sync", changes(rep.Pending))
	}
	return errors.New(model.Display(err.Error()))
}

func changes(n int) string {
	if n == 1 {
		return "1 change"
	}
	return fmt.Sprintf("%d changes", n)
}

// sanitizeReport makes every text that came from the CRM safe to print.
func sanitizeReport(r model.SyncReport) model.SyncReport {
	out := r
	out.Errors = nil
	for _, e := range r.Errors {
		out.Errors = append(out.Errors, model.Sanitize(e))
	}
	out.Conflicts = nil
	for _, c := range r.Conflicts {
		out.Conflicts = append(out.Conflicts, model.SyncConflict{
			Record: model.Sanitize(c.Record), Field: model.Sanitize(c.Field),
			CRM: model.Sanitize(c.CRM), Local: model.Sanitize(c.Local),
		})
	}
	out.Held = nil
	for _, it := range r.Held {
		it.What, it.Account, it.Reason, it.Fix = model.Sanitize(it.What), model.Sanitize(it.Account), model.Sanitize(it.Reason), model.Sanitize(it.Fix)
		out.Held = append(out.Held, it)
	}
	out.Changes = nil
	for _, c := range r.Changes {
		c.Account, c.Task, c.CRMID = model.Sanitize(c.Account), model.Sanitize(c.Task), model.Sanitize(c.CRMID)
		c.From, c.To = model.Sanitize(c.From), model.Sanitize(c.To)
		out.Changes = append(out.Changes, c)
	}
	if r.Held != nil && out.Held == nil {
		out.Held = []model.OutboxItem{}
	}
	if r.Changes != nil && out.Changes == nil {
		out.Changes = []model.SyncChange{}
	}
	if r.Errors != nil && out.Errors == nil {
		out.Errors = []string{}
	}
	if r.Conflicts != nil && out.Conflicts == nil {
		out.Conflicts = []model.SyncConflict{}
	}
	return out
}

// Bounds on what the summary lists; the rest is counted ("and N more").
const (
	changesListed = 8
	heldListed    = 5
)

// printReport writes the summary: one line of counts, then what changed in
// the book (accounts arrived, left, renamed; tasks closed, reopened, moved or
// deleted in the CRM; a few, then how many more),
// each conflict with both values, each error, and each change held back
// with its reason and the way out.
func printReport(w io.Writer, r model.SyncReport, width int) {
	took := ""
	if !r.Finished.IsZero() && r.Finished.After(r.Started) {
		took = " in " + r.Finished.Sub(r.Started).Round(time.Millisecond).String()
	}
	fmt.Fprintf(w, "sync%s: pulled %d, pushed %d, %s, %d held back, %s, %d still queued\n",
		took, r.Pulled, r.Pushed, plural(len(r.Conflicts), "conflict"), r.HeldBack, plural(len(r.Errors), "error"), r.Pending)
	for i, c := range r.Changes {
		if i == changesListed {
			break
		}
		fmt.Fprintln(w, clipTo("  "+changeLine(c), width))
	}
	if more := len(r.Changes) - min(len(r.Changes), changesListed) + r.ChangesMore; more > 0 {
		fmt.Fprintln(w, clipTo(fmt.Sprintf("  and %d more (shortlist sync --json lists them)", more), width))
	}
	for _, c := range r.Conflicts {
		line := fmt.Sprintf("  conflict %s %s: kept the CRM's %q; yours was %q", c.Record, c.Field, c.CRM, c.Local)
		fmt.Fprintln(w, clipTo(line, width))
	}
	for _, e := range r.Errors {
		fmt.Fprintln(w, clipTo("  error: "+model.Display(e), width))
	}
	for i, it := range r.Held {
		if i == heldListed {
			break
		}
		line := fmt.Sprintf("  %s %d: %s", it.State, it.ID, itemLine(it))
		if it.Reason != "" {
			line += ": " + it.Reason
		}
		if it.Fix != "" {
			line += "; " + it.Fix
		}
		fmt.Fprintln(w, clipTo(line, width))
	}
	if more := r.HeldBack - min(len(r.Held), heldListed); more > 0 {
		fmt.Fprintln(w, clipTo(fmt.Sprintf("  and %d more held back: shortlist outbox lists them with the way out", more), width))
	}
}

// changeLine says one change to the book in a few words.
func changeLine(c model.SyncChange) string { return c.Text() }

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// clipTo cuts s to width columns (0: no limit), marking the cut.
func clipTo(s string, width int) string {
	r := []rune(s)
	if width <= 0 || len(r) <= width {
		return s
	}
	if width == 1 {
		return "…"
	}
	return string(r[:width-1]) + "…"
}

// progressPrinter shows a running sync.
type progressPrinter interface {
	progress(p model.SyncProgress)
	end()
}

type discardProgress struct{}

func (discardProgress) progress(model.SyncProgress) {}
func (discardProgress) end()                        {}

func progressText(p model.SyncProgress) string {
	s := fmt.Sprintf("sync: %s", p.Phase)
	if p.What != "" && p.Phase != model.PhaseDone {
		s += " " + model.Display(p.What)
	}
	switch {
	case p.Total > 0:
		s += fmt.Sprintf(" %d/%d", p.Done, p.Total)
	case p.Done > 0:
		s += fmt.Sprintf(" %d", p.Done)
	}
	return s
}

// lineProgress rewrites one line in place on a terminal, and clears it at
// the end so the summary starts on a clean line.
type lineProgress struct {
	w      io.Writer
	width  int
	drawn  bool
	last   string
	lastAt time.Time
}

func (l *lineProgress) progress(p model.SyncProgress) {
	s := clipTo(progressText(p), l.width-1)
	if s == l.last {
		return
	}
	// A terminal redrawn thousands of times a second only flickers: at
	// most 20 redraws a second, and the latest text wins.
	now := time.Now()
	if l.drawn && now.Sub(l.lastAt) < 50*time.Millisecond {
		return
	}
	l.lastAt, l.last = now, s
	l.drawn = true
	fmt.Fprintf(l.w, "\r\x1b[K%s", s)
}

func (l *lineProgress) end() {
	if l.drawn {
		fmt.Fprint(l.w, "\r\x1b[K")
	}
}

// plainProgress prints a line when a stage starts and the stage's last
// count when the next begins, so a log shows every stage without a line per
// page.
type plainProgress struct {
	w       io.Writer
	cur     model.SyncProgress
	started bool
	shown   bool // cur has been printed
}

func (l *plainProgress) progress(p model.SyncProgress) {
	if l.started && p.Phase == l.cur.Phase && p.What == l.cur.What {
		if p != l.cur {
			l.cur, l.shown = p, false
		}
		return
	}
	l.flush()
	l.cur, l.started, l.shown = p, true, true
	fmt.Fprintln(l.w, progressText(p))
}

func (l *plainProgress) flush() {
	if l.started && !l.shown {
		fmt.Fprintln(l.w, progressText(l.cur))
		l.shown = true
	}
}

func (l *plainProgress) end() { l.flush() }
