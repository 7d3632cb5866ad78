package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

func logCmd() *command {
	return &command{
		name:    "log",
		summary: "record a call, email or meeting and its outcome; propose the next action",
		about: `Log a touch on a contact and what came of it. Shortlist closes the task
you worked (--task), applies the outcome's rule (a booked meeting moves the
account to engaged, opted-out records the opt-out, wrong number flags the phone)
and creates the next action the rule proposes, unless you say otherwise with
--next. It prints what it did; undo it with shortlist undo TOUCH_ID.

Outcomes: ` + wrap(outcomeNames()+".", 68),
		example: []string{
			"shortlist log --contact 7 --outcome no-answer",
			`shortlist log --contact 7 --outcome connected --note "wants pricing" --next +2`,
			`shortlist log --contact 7 --outcome meeting-booked --meeting "thu 14:00"`,
			"shortlist log --contact 9 --outcome sent --channel email --next none",
		},
		define: func(f *flags) func(context.Context, *call) error {
			contact := f.int64("contact", 0, "the contact's `ID` (required; see shortlist show ACCOUNT_ID)")
			outcome := f.fs.String("outcome", "", "what came of it, e.g. no-answer, connected (required)")
			channel := f.fs.String("channel", "call", "call, email, linkedin, meeting, visit or note")
			direction := f.fs.String("direction", "outbound", "outbound (you reached out) or inbound (they did)")
			note := f.fs.String("note", "", "a note to keep with the touch")
			task := f.int64("task", 0, "the task `ID` this touch worked; it is closed as done")
			meeting := f.fs.String("meeting", "", "when the booked meeting is, as `WHEN` in your zone: \"thu 14:00\", \"2026-12-01 10:00\" or \"tomorrow 9:30\" (for meeting-booked)")
			duration := f.fs.Duration("duration", 0, "how long it took, like 5m")
			next := f.fs.String("next", "auto", "auto (the outcome's rule), none, or a due `DATE`: today, tomorrow, +3 (business days), mon, 2026-12-01, each with an optional time (thu 14:00)")
			asJSON := f.fs.Bool("json", false, "print what was logged as JSON")
			edit := f.fs.Bool("edit", false, "write the note in $VISUAL or $EDITOR (starting from --note)")
			return func(ctx context.Context, c *call) error {
				if len(c.args) > 0 {
					return usagef("log takes flags only, got %q (see shortlist log --help)", c.args[0])
				}
				if *contact <= 0 {
					return usagef("log needs --contact ID (see shortlist log --help)")
				}
				if *outcome == "" {
					return usagef("log needs --outcome: one of %s", outcomeNames())
				}
				o, err := model.ParseOutcome(*outcome)
				if err != nil {
					return badValue(err)
				}
				ch, err := model.ParseChannel(*channel)
				if err != nil {
					return badValue(err)
				}
				dir := model.Direction(strings.ToLower(strings.TrimSpace(*direction)))
				if dir != model.Outbound && dir != model.Inbound {
					return usagef("unknown direction %q: use outbound or inbound", *direction)
				}
				if *duration < 0 {
					return usagef("--duration must not be negative")
				}
				if *edit {
					if c.env.Edit == nil {
						return usagef("--edit needs a terminal for the editor; give the note with --note instead")
					}
					text, err := c.env.Edit(*note)
					if err != nil {
						return fmt.Errorf("edit the note: %w (nothing was logged)", err)
					}
					*note = strings.TrimSpace(text)
				}
				b, err := c.open(ctx)
				if err != nil {
					return err
				}
				ct, acct, err := b.Store.Contact(ctx, *contact)
				if errors.Is(err, model.ErrNotFound) {
					return fmt.Errorf("contact %d not found: find ids with shortlist show ACCOUNT_ID or shortlist search", *contact)
				}
				if err != nil {
					return fmt.Errorf("read contact %d: %w", *contact, err)
				}
				now := c.repNow(b.Settings)
				var meetAt time.Time
				if *meeting != "" {
					meetAt, _, err = model.ParseDueFor(*meeting, now, model.DueMeeting)
					if err != nil {
						return usagef("--meeting: %v", err)
					}
				} else if o == model.OutcomeMeetingBooked {
					return usagef(`meeting-booked needs --meeting "thu 14:00" (or "2026-12-01 14:00"): when the meeting is, so the prep task lands before it`)
				}
				choice, err := nextChoice(*next, now)
				if err != nil {
					return err
				}
				res, err := b.Store.LogTouch(ctx, model.LogRequest{
					ContactID: ct.ID, Channel: ch, Direction: dir, Outcome: o, Note: *note,
					At: c.now(), Duration: *duration, TaskID: *task, MeetingAt: meetAt, Next: choice,
				})
				if errors.Is(err, model.ErrNotFound) && *task != 0 {
					return fmt.Errorf("log: task %d not found for %s: check the id with shortlist show %d (%w)", *task, model.Display(ct.Name()), acct.ID, err)
				}
				if err != nil {
					return err // the store names the operation: "log touch: …"
				}
				if *asJSON {
					return writeJSON(c.env.Stdout, logJSON(res, ct, acct, now.Location()))
				}
				fmt.Fprintln(c.env.Stdout, logSentence(res, ct, acct, now))
				for _, e := range planEffects(res, ct, acct, now) {
					fmt.Fprintf(c.env.Stdout, "  · %s\n", e)
				}
				fmt.Fprintf(c.env.Stdout, "  undo with: shortlist undo %d\n", res.Touch.ID)
				return nil
			}
		},
	}
}

func outcomeNames() string {
	names := make([]string, len(model.Outcomes))
	for i, o := range model.Outcomes {
		names[i] = string(o)
	}
	return strings.Join(names, ", ")
}

// nextChoice reads --next: the rule's proposal (auto), nothing (none), or
// a date that moves the proposal or, when the rule proposes nothing, makes
// a follow-up on the same channel. The plan guards either.
func nextChoice(next string, now time.Time) (model.NextChoice, error) {
	switch strings.ToLower(strings.TrimSpace(next)) {
	case "", "auto":
		return model.NextChoice{Mode: model.NextAuto}, nil
	case "none":
		return model.NextChoice{Mode: model.NextNone}, nil
	}
	due, hasTime, err := model.ParseDueFor(next, now, model.DueTask)
	if err != nil {
		return model.NextChoice{}, usagef("--next: %v", err)
	}
	return model.NextChoice{Mode: model.NextAt, Due: due, DueHasTime: hasTime}, nil
}

// planEffects are the lines under the log sentence: what the plan did
// besides the touch and its next action, what that replaces, and a budget
// that will hold it.
func planEffects(res model.LogResult, ct model.Contact, a model.Account, now time.Time) []string {
	p := res.Plan
	var out []string
	for _, k := range p.Replaces {
		out = append(out, fmt.Sprintf("replaces %s due %s (task %d, closed as superseded)",
			model.Display(lowerFirst(k.Title)), dayLabel(k.Due, k.DueHasTime, now), k.ID))
	}
	for _, e := range p.Effects(ct, a.Status) {
		out = append(out, model.Display(e))
	}
	if p.Held != nil {
		out = append(out, p.Held.Text(dayLabel(p.Held.Until, true, now)))
	}
	return out
}

// logSentence: "logged no answer for Dana Kim (Acme) — next: call again Thu 26 Nov".
func logSentence(res model.LogResult, ct model.Contact, a model.Account, now time.Time) string {
	s := fmt.Sprintf("logged %s for %s (%s)", res.Touch.Outcome.Label(), model.Display(ct.Name()), model.Display(a.Name))
	if res.Next == nil {
		return s + " — no next action"
	}
	title := model.Display(res.Next.Title)
	if title == "" {
		title = string(res.Next.Kind)
	}
	return fmt.Sprintf("%s — next: %s %s (task %d)", s, lowerFirst(title), dayLabel(res.Next.Due, res.Next.DueHasTime, now), res.Next.ID)
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	if len(r) > 1 && r[1] >= 'A' && r[1] <= 'Z' { // an acronym: keep it
		return s
	}
	return strings.ToLower(string(r[0])) + string(r[1:])
}

// LogJSON is `log --json`: the touch, the next action, the plan's words
// (effects) and the plan as data.
type LogJSON struct {
	Touch   TouchJSON `json:"touch"`
	Next    *TaskJSON `json:"next_action"` // null: none
	Effects []string  `json:"effects"`
	Plan    PlanJSON  `json:"plan"`
}

// PlanJSON is what a log decided, as data.
type PlanJSON struct {
	Closed    []ClosedJSON         `json:"closed"`               // tasks closed: worked (done), opted-out (skipped), superseded
	Replaces  []int64              `json:"replaces"`             // ids of the follow-ups the next action superseded
	Refused   []model.Refusal      `json:"refused"`              // next actions a guard refused, and what was used instead
	Consent   *model.ConsentChange `json:"consent"`              // the opt-out recorded; null: none
	FlagPhone bool                 `json:"phone_flagged"`        // the phone was flagged wrong
	Status    model.AccountStatus  `json:"status,omitempty"`     // the account's new status
	Held      *model.BudgetHold    `json:"budget_hold"`          // the next action will be held by a budget until; null: not
	MeetingAt string               `json:"meeting_at,omitempty"` // the booked meeting's time
}

// ClosedJSON is one task a log closed.
type ClosedJSON struct {
	TaskID int64             `json:"task_id"`
	Status model.TaskStatus  `json:"status"`
	Why    model.CloseReason `json:"why"`
}

func logJSON(res model.LogResult, ct model.Contact, a model.Account, loc *time.Location) LogJSON {
	p := res.Plan
	out := LogJSON{Touch: touchJSON(res.Touch), Effects: []string{}, Plan: PlanJSON{Closed: []ClosedJSON{},
		Replaces: []int64{}, Refused: []model.Refusal{}, Consent: p.Consent, FlagPhone: p.FlagPhone, Status: p.Status, Held: p.Held}}
	if res.Next != nil {
		t := taskJSON(*res.Next, loc)
		out.Next = &t
	}
	for _, e := range p.Effects(ct, a.Status) {
		out.Effects = append(out.Effects, model.Sanitize(e))
	}
	for _, cl := range p.Close {
		out.Plan.Closed = append(out.Plan.Closed, ClosedJSON{cl.Task.ID, cl.Status, cl.Why})
	}
	for _, k := range p.Replaces {
		out.Plan.Replaces = append(out.Plan.Replaces, k.ID)
	}
	for _, r := range p.Refused {
		r.Contact, r.Account = model.Sanitize(r.Contact), model.Sanitize(r.Account)
		out.Plan.Refused = append(out.Plan.Refused, r)
	}
	if !res.Touch.MeetingAt.IsZero() {
		out.Plan.MeetingAt = res.Touch.MeetingAt.In(loc).Format(time.RFC3339)
	}
	return out
}
