package cli

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

func todayCmd() *command {
	return &command{
		name:    "today",
		summary: "the day's next actions, ranked, with what was held back and why",
		about: `Show today's worklist: open tasks due today or overdue, and accounts gone
stale for their tier, ranked. Each row says why it ranks where it does (the two
biggest terms) and whether the contact can be called right now in their own
time zone. Rows held back by a guardrail (opted out, outside calling hours,
touch budget spent) are counted on the last line; --all lists them too.`,
		example: []string{
			"shortlist today",
			"shortlist today --tier A --limit 5",
			"shortlist today --json | jq '.rows[] | select(.callable_now)'",
		},
		define: func(f *flags) func(context.Context, *call) error {
			limit := f.int("limit", 20, "show at most `N` rows (0: all)")
			all := f.fs.Bool("all", false, "include held-back rows, marked with the reason")
			tier := f.fs.String("tier", "", "only accounts of this `tier` (A, B, C or D)")
			asJSON := f.fs.Bool("json", false, `print JSON: {"rows": [...], "respond", "due", "overdue", "suggested", "held_back", "held_by_reason", "left_out", "cold_today", "cold_quota"}`)
			return func(ctx context.Context, c *call) error {
				if len(c.args) > 0 {
					return usagef("today takes no arguments, got %q (see shortlist today --help)", c.args[0])
				}
				if *limit < 0 {
					return usagef("--limit must be 0 or more")
				}
				q := model.WorklistQuery{Limit: *limit, IncludeHeld: *all, Counts: true}
				if *tier != "" {
					t, err := model.ParseTier(*tier)
					if err != nil {
						return badValue(err)
					}
					q.Tier = t
				}
				b, err := c.open(ctx)
				if err != nil {
					return err
				}
				now := c.repNow(b.Settings)
				q.Now = now
				wl, err := b.Store.Worklist(ctx, q)
				if err != nil {
					return err // the store names the operation
				}
				if *asJSON {
					return writeJSON(c.env.Stdout, todayJSON(wl, now.Location()))
				}
				total := wl.Respond + wl.Due + wl.Overdue + wl.Suggested
				if *all {
					total += wl.HeldBack
				}
				writeToday(c.env.Stdout, c.env.Width, wl, now, total)
				if len(wl.Rows) == 0 && wl.HeldBack == 0 && q.Tier == "" {
					// Most likely a new book: say how to fill it.
					accts, err := b.Store.Accounts(ctx, model.AccountFilter{Limit: 1})
					if err != nil {
						return fmt.Errorf("read accounts: %w", err)
					}
					if len(accts) == 0 {
						fmt.Fprintln(c.env.Stdout, "\nThe book has no accounts yet. Bring them in with shortlist import accounts FILE.csv\n"+
							"(a list from marketing or ops) or shortlist sync (from HubSpot), or try shortlist --demo.")
					}
				}
				return nil
			}
		},
	}
}

// TodayJSON is `today --json`: the rows under "rows" and the day's counts.
type TodayJSON struct {
	Rows []RowJSON `json:"rows"`
	// Respond counts the respond rows: buyers who reached out in the last
	// 7 days and are not answered yet (not held).
	Respond      int            `json:"respond"`
	Due          int            `json:"due"`
	Overdue      int            `json:"overdue"`
	Suggested    int            `json:"suggested"`
	HeldBack     int            `json:"held_back"`
	HeldByReason map[string]int `json:"held_by_reason"`
	// LeftOut counts stale accounts not suggested at all, by reason:
	// below-focus-tier ([restraint] suggest_tier), excluded (an ICP exclusion).
	LeftOut map[string]int `json:"left_out"`
	// ColdToday is the cold touches logged today, ColdQuota the cap
	// ([restraint] cold_per_day); suggested rows past it are held as
	// cold-quota.
	ColdToday int `json:"cold_today"`
	ColdQuota int `json:"cold_quota"`
}

// RowJSON is one worklist row as scripts see it. Field names are stable.
type RowJSON struct {
	Rank int    `json:"rank"`
	Kind string `json:"kind"` // signal (respond), task or suggested
	// Signal is what the buyer did, for a respond row (kind "signal").
	Signal      *SignalJSON `json:"signal,omitempty"`
	Score       float64     `json:"score"`
	AccountID   int64       `json:"account_id"`
	Account     string      `json:"account"`
	ContactID   int64       `json:"contact_id"`
	Contact     string      `json:"contact"`
	Title       string      `json:"title"`
	Tier        string      `json:"tier"`
	Fit         int         `json:"fit"`
	Action      string      `json:"action"` // call, email, linkedin, todo
	ActionTitle string      `json:"action_title"`
	Due         string      `json:"due"` // 2026-11-26, or RFC 3339 when due_has_time; "" if none
	DueHasTime  bool        `json:"due_has_time"`
	TaskID      int64       `json:"task_id"` // 0 for a suggested row
	LocalTime   string      `json:"local_time"`
	Zone        string      `json:"zone"`
	CallableNow bool        `json:"callable_now"`
	Held        bool        `json:"held"`
	HeldReason  string      `json:"held_reason"`
	HeldDetail  string      `json:"held_detail"`
	Why         []TermJSON  `json:"why"`
}

// SignalJSON is a respond row's signal: its kind (replied, form, meeting,
// called, clicked, visited, other), when, the one-line detail and where it
// came from (hubspot, salesforce, manual, demo).
type SignalJSON struct {
	ID     int64  `json:"id"`
	Kind   string `json:"kind"`
	At     string `json:"at"` // RFC 3339
	Detail string `json:"detail"`
	Source string `json:"source"`
}

// TermJSON is one term of a row's rank.
type TermJSON struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Detail string  `json:"detail"`
}

// todayJSON builds the JSON rows; date-only dues are dates in loc, the
// rep's zone, where the model puts them at midnight.
func todayJSON(wl model.Worklist, loc *time.Location) TodayJSON {
	out := TodayJSON{
		Rows: make([]RowJSON, 0, len(wl.Rows)), Due: wl.Due, Overdue: wl.Overdue,
		Suggested: wl.Suggested, HeldBack: wl.HeldBack, HeldByReason: map[string]int{}, LeftOut: map[string]int{},
		Respond: wl.Respond, ColdToday: wl.ColdToday, ColdQuota: wl.ColdQuota,
	}
	for r, n := range wl.Held {
		out.HeldByReason[string(r)] = n
	}
	for r, n := range wl.LeftOut {
		out.LeftOut[string(r)] = n
	}
	for i, r := range wl.Rows {
		row := RowJSON{
			Rank: i + 1, Kind: string(r.Kind), Score: round2(r.Rank),
			AccountID: r.Account.ID, Account: model.Sanitize(r.Account.Name),
			ContactID: r.Contact.ID, Contact: model.Sanitize(r.Contact.Name()), Title: model.Sanitize(r.Contact.Title),
			Tier: string(r.Account.Tier), Fit: r.Account.Fit,
			Action: string(r.Task.Kind), ActionTitle: model.Sanitize(r.Task.Title),
			DueHasTime: r.Task.DueHasTime, TaskID: r.Task.ID,
			Zone: r.Zone, CallableNow: r.CallableNow,
			Held: r.Held, HeldReason: string(r.HeldReason), HeldDetail: model.Sanitize(r.HeldDetail),
			Why: make([]TermJSON, 0, len(r.Why)),
		}
		if !r.Task.Due.IsZero() {
			if r.Task.DueHasTime {
				row.Due = r.Task.Due.Format(time.RFC3339)
			} else {
				row.Due = r.Task.DueDay(loc).Format(time.DateOnly)
			}
		}
		if !r.LocalTime.IsZero() {
			row.LocalTime = r.LocalTime.Format(time.RFC3339)
		}
		if r.Signal != nil {
			row.Signal = &SignalJSON{ID: r.Signal.ID, Kind: string(r.Signal.Kind), At: r.Signal.At.In(loc).Format(time.RFC3339),
				Detail: model.Sanitize(r.Signal.Detail), Source: r.Signal.Source}
		}
		for _, t := range r.Why {
			row.Why = append(row.Why, TermJSON{Name: model.Sanitize(t.Name), Value: round2(t.Value), Detail: model.Sanitize(t.Detail)})
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// writeToday prints the rows, a note when they are fewer than the total
// that match, and the day's counts.
func writeToday(w io.Writer, width int, wl model.Worklist, now time.Time, total int) {
	if len(wl.Rows) == 0 {
		fmt.Fprintln(w, "Nothing due today.")
	} else {
		t := newTable(
			column{Title: "#", Right: true}, column{Title: "account", Min: 10}, column{Title: "contact", Min: 10},
			column{Title: "title", Min: 8, Drop: 4}, column{Title: "tier"}, column{Title: "fit", Right: true, Drop: 3},
			column{Title: "next action", Min: 12}, column{Title: "due"}, column{Title: "local", Drop: 2},
			column{Title: "call"}, column{Title: "why", Min: 12, Drop: 1},
		)
		for i, r := range wl.Rows {
			action := r.Task.Title
			if action == "" {
				action = string(r.Task.Kind)
			}
			switch r.Kind {
			case model.RowSuggested:
				action += " (suggested)"
			case model.RowSignal:
				action = "↩ " + action
			}
			callable := "–"
			if r.CallableNow {
				callable = "✓"
			}
			local := ""
			if !r.LocalTime.IsZero() {
				local = r.LocalTime.Format("15:04")
			}
			why := topTerms(r.Why, 2)
			if r.Signal != nil {
				why = signalWhy(r)
			}
			if r.Held {
				callable = "held"
				why = "held: " + holdLabel(r.HeldReason)
				if r.HeldDetail != "" {
					why += " (" + r.HeldDetail + ")"
				}
			}
			contact := r.Contact.Name()
			if contact == "" {
				contact = "–"
			}
			due := dueLabel(r.Task, now)
			if r.Kind == model.RowSignal {
				due = "now" // an answer is due as soon as it can be given
			}
			t.add(fmt.Sprint(i+1), r.Account.Name, contact, r.Contact.Title, string(r.Account.Tier),
				fmt.Sprint(r.Account.Fit), action, due, local, callable, why)
		}
		t.write(w, width)
		cutShort(w, len(wl.Rows), total)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, summaryLine(wl))
}

// summaryLine is the day's counts on two lines: "4 due today, 2 overdue",
// then "3 held back: 2 outside calling hours, 1 contact budget".
func summaryLine(wl model.Worklist) string {
	s := fmt.Sprintf("%d due today, %d overdue", wl.Due, wl.Overdue)
	if wl.Respond > 0 {
		s = fmt.Sprintf("%d to answer, %s", wl.Respond, s)
	}
	if wl.Suggested > 0 {
		s += fmt.Sprintf(", %d suggested", wl.Suggested)
	}
	if out := leftOut(wl.LeftOut); out != "" {
		s += " (" + out + ")"
	}
	if wl.HeldBack == 0 {
		s += "\nnothing held back"
	} else {
		var parts []string
		for _, h := range model.HeldByCount(wl.Held) {
			parts = append(parts, fmt.Sprintf("%d %s", h.N, holdLabel(h.Reason)))
		}
		s += fmt.Sprintf("\n%d held back: %s", wl.HeldBack, strings.Join(parts, ", "))
	}
	if wl.ColdQuota > 0 || wl.ColdToday > 0 {
		s += fmt.Sprintf(" · cold %d/%d today", wl.ColdToday, wl.ColdQuota)
	}
	return s
}

// leftOut says what the ICP focus kept out of the suggestions, in the
// TUI header's words: "5 off-ICP not suggested" (below the focus tier or
// excluded; stats has the split); "" when nothing was.
func leftOut(m map[model.LeftOutReason]int) string {
	if n := m[model.LeftOutBelowTier] + m[model.LeftOutExcluded]; n > 0 {
		return fmt.Sprintf("%d off-ICP not suggested", n)
	}
	return ""
}

func holdLabel(r model.HoldReason) string {
	switch r {
	case model.HoldCallingHours:
		return "outside calling hours"
	case model.HoldContactBudget:
		return "contact budget"
	case model.HoldAccountBudget:
		return "account budget"
	case model.HoldOptedOut:
		return "opted out"
	case model.HoldDoNotContact:
		return "do not contact"
	case model.HoldNoChannel:
		return "no way to reach"
	case model.HoldBadNumber:
		return "bad number"
	case model.HoldColdQuota:
		return "cold quota"
	}
	return strings.ReplaceAll(string(r), "-", " ")
}

// topTerms are the n biggest terms of a rank, by size: "tier A +8, overdue +3".
func topTerms(terms []model.Term, n int) string {
	ts := append([]model.Term(nil), terms...)
	sort.SliceStable(ts, func(i, j int) bool { return abs(ts[i].Value) > abs(ts[j].Value) })
	var parts []string
	for _, t := range ts {
		if len(parts) == n {
			break
		}
		if t.Value == 0 {
			continue
		}
		parts = append(parts, t.Name+" "+strings.TrimSuffix(fmt.Sprintf("%+.1f", t.Value), ".0"))
	}
	return strings.Join(parts, ", ")
}

// signalWhy leads a respond row's why with its speed term: "+9.0 replied
// 40 min ago", then the next biggest term.
func signalWhy(r model.Row) string {
	var rest []model.Term
	lead := ""
	for _, t := range r.Why {
		if t.Name == "speed" {
			lead = fmt.Sprintf("%+.1f %s", t.Value, t.Detail)
			continue
		}
		rest = append(rest, t)
	}
	if more := topTerms(rest, 1); more != "" {
		return lead + ", " + more
	}
	return lead
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// dueLabel is a due date as a person reads it, against the rep's today:
// "overdue 3d", "today", "today 14:30", "tomorrow", "Thu 26 Nov".
func dueLabel(t model.Task, now time.Time) string {
	if t.Due.IsZero() {
		return "–"
	}
	// A date-only due is its own calendar date in every zone.
	due := t.DueDay(now.Location())
	day := time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, time.UTC)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	days := int(day.Sub(today).Hours() / 24)
	clock := ""
	if t.DueHasTime {
		clock = " " + t.Due.In(now.Location()).Format("15:04")
	}
	switch {
	case days < 0:
		return fmt.Sprintf("overdue %dd", -days)
	case days == 0:
		return "today" + clock
	case days == 1:
		return "tomorrow" + clock
	}
	return model.DayWord(due, t.DueHasTime, now)
}

// dayLabel is a date for a sentence: "Thu 26 Nov", or "Thu 26 Nov 14:30".
func dayLabel(t time.Time, hasTime bool, now time.Time) string {
	return model.DayWord(t, hasTime, now)
}

// round2 keeps JSON scores readable (19.45, not 19.450000000000003); two
// decimals is finer than any coefficient.
func round2(x float64) float64 { return math.Round(x*100) / 100 }
