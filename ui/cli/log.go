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
			contact := f.fs.Int64("contact", 0, "the contact's `ID` (required; see shortlist show ACCOUNT_ID)")
			outcome := f.fs.String("outcome", "", "what came of it, e.g. no-answer, connected (required)")
			channel := f.fs.String("channel", "call", "call, email, linkedin, meeting, visit or note")
			direction := f.fs.String("direction", "outbound", "outbound (you reached out) or inbound (they did)")
			note := f.fs.String("note", "", "a note to keep with the touch")
			task := f.fs.Int64("task", 0, "the task `ID` this touch worked; it is closed as done")
			meeting := f.fs.String("meeting", "", "when the booked meeting is, as `WHEN` in your zone: \"thu 14:00\", \"2026-12-01 10:00\" or \"tomorrow 9:30\" (for meeting-booked)")
			duration := f.fs.Duration("duration", 0, "how long it took, like 5m")
			next := f.fs.String("next", "auto", "auto (the outcome's rule), none, or a due `DATE`: today, tomorrow, +3 (business days), mon, 2026-12-01, each with an optional time (thu 14:00)")
			asJSON := f.fs.Bool("json", false, "print what was logged as JSON")
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
					return err
				}
				ch, err := model.ParseChannel(*channel)
				if err != nil {
					return err
				}
				dir := model.Direction(strings.ToLower(strings.TrimSpace(*direction)))
				if dir != model.Outbound && dir != model.Inbound {
					return fmt.Errorf("unknown direction %q: use outbound or inbound", *direction)
				}
				if *duration < 0 {
					return fmt.Errorf("--duration must not be negative")
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
					meetAt, _, err = model.ParseDue(*meeting, now)
					if err != nil {
						return fmt.Errorf("--meeting: %w", err)
					}
				} else if o == model.OutcomeMeetingBooked {
					return fmt.Errorf(`meeting-booked needs --meeting "thu 14:00" (or "2026-12-01 14:00"): when the meeting is, so the prep task lands before it`)
				}
				nextTask, err := planNext(b.Settings, *next, o, ch, ct, acct, now, meetAt)
				if err != nil {
					return err
				}
				res, err := b.Store.LogTouch(ctx, model.LogRequest{
					ContactID: ct.ID, Channel: ch, Direction: dir, Outcome: o, Note: *note,
					At: c.now(), Duration: *duration, TaskID: *task, Next: nextTask,
				})
				if errors.Is(err, model.ErrNotFound) && *task != 0 {
					return fmt.Errorf("log: task %d not found for %s: check the id with shortlist show %d (%w)", *task, model.Sanitize(ct.Name()), acct.ID, err)
				}
				if err != nil {
					return fmt.Errorf("log touch: %w", err)
				}
				if *asJSON {
					return writeJSON(c.env.Stdout, logJSON(res, now.Location()))
				}
				fmt.Fprintln(c.env.Stdout, logSentence(res, ct, acct, now.Location()))
				for _, e := range res.Effects {
					if strings.HasPrefix(e, "next: ") {
						continue // the sentence above already says it
					}
					fmt.Fprintf(c.env.Stdout, "  · %s\n", model.Sanitize(e))
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

// planNext turns --next into the next action: the rule's proposal (auto),
// nothing (none), or a date that moves the proposal or, when the rule
// proposes nothing, makes a follow-up on the same channel.
func planNext(s model.Settings, next string, o model.Outcome, ch model.Channel, ct model.Contact, a model.Account, now, meeting time.Time) (*model.Task, error) {
	switch strings.ToLower(strings.TrimSpace(next)) {
	case "", "auto":
		return s.ProposeNextOn(o, ch, ct, a, now, meeting), nil
	case "none":
		return nil, nil
	}
	due, hasTime, err := model.ParseDue(next, now)
	if err != nil {
		return nil, fmt.Errorf("--next: %w", err)
	}
	t := s.ProposeNextOn(o, ch, ct, a, now, meeting)
	if t == nil {
		kind := model.TaskTodo
		switch ch {
		case model.ChannelCall:
			kind = model.TaskCall
		case model.ChannelEmail:
			kind = model.TaskEmail
		case model.ChannelLinkedIn:
			kind = model.TaskLinkedIn
		}
		t = &model.Task{
			AccountID: a.ID, ContactID: ct.ID, Kind: kind, Title: "Follow up",
			Priority: model.PriorityMedium, Status: model.TaskOpen, Origin: model.OriginLocal, CreatedAt: now,
		}
	}
	t.Due, t.DueHasTime = due, hasTime
	return t, nil
}

// logSentence: "logged no answer for Dana Kim (Acme) — next: call again Thu 26 Nov".
func logSentence(res model.LogResult, ct model.Contact, a model.Account, loc *time.Location) string {
	s := fmt.Sprintf("logged %s for %s (%s)", res.Touch.Outcome.Label(), model.Sanitize(ct.Name()), model.Sanitize(a.Name))
	if res.Next == nil {
		return s + " — no next action"
	}
	title := model.Sanitize(res.Next.Title)
	if title == "" {
		title = string(res.Next.Kind)
	}
	due := res.Next.DueDay(loc)
	if res.Next.DueHasTime {
		due = res.Next.Due.In(loc)
	}
	return fmt.Sprintf("%s — next: %s %s (task %d)", s, lowerFirst(title), dayLabel(due, res.Next.DueHasTime), res.Next.ID)
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

// LogJSON is `log --json`.
type LogJSON struct {
	Touch   TouchJSON `json:"touch"`
	Next    *TaskJSON `json:"next_action"` // null: none
	Effects []string  `json:"effects"`
}

func logJSON(res model.LogResult, loc *time.Location) LogJSON {
	out := LogJSON{Touch: touchJSON(res.Touch), Effects: []string{}}
	if res.Next != nil {
		t := taskJSON(*res.Next, loc)
		out.Next = &t
	}
	for _, e := range res.Effects {
		out.Effects = append(out.Effects, model.Sanitize(e))
	}
	return out
}
