package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

func signalCmd() *command {
	return &command{
		name:    "signal",
		args:    "",
		summary: "record that a buyer reached out (a call in, a reply, a meeting ask); it leads today until answered",
		about: `Record something a buyer did that asks for an answer, for what reached you
outside the CRM: a call to your mobile, a word at an event, a reply forwarded
by a colleague. The signal leads the worklist as a respond row until the next
touch you log on that contact answers it (any channel), for up to 7 days.
Signals pulled from the CRM arrive by themselves with shortlist sync.

` + wrap("Kinds: "+signalKinds()+". Email opens are not signals: mail clients open mail by themselves.", 76),
		example: []string{
			`shortlist signal --contact 7 --kind replied --note "Can we talk Thursday?"`,
			`shortlist signal --contact 7 --kind called --at 40m`,
			`shortlist signal --account 3 --kind visited --note "pricing page twice"`,
			"shortlist signal --undo 12",
		},
		define: func(f *flags) func(context.Context, *call) error {
			contact := f.int64("contact", 0, "the contact's `ID` who reached out (see shortlist show ACCOUNT_ID)")
			account := f.int64("account", 0, "the account's `ID`, when you do not know who it was")
			kind := f.fs.String("kind", "", "what they did: "+signalKinds()+" (required)")
			note := f.fs.String("note", "", "one line on what they said or did")
			at := f.fs.String("at", "", "when, as `WHEN`: 40m or 2h (ago), 09:15 (today), 2026-12-01 09:15, or RFC 3339; default now")
			undo := f.int64("undo", 0, "take back signal `ID` you recorded, while no touch has answered it")
			asJSON := f.fs.Bool("json", false, `print the signal as JSON: {"id", "account_id", "contact_id", "kind", "at", "detail", "source", "channel", "answered_at", "answered_by"}`)
			return func(ctx context.Context, c *call) error {
				if len(c.args) > 0 {
					return usagef("signal takes flags only, got %q (see shortlist signal --help)", c.args[0])
				}
				if *undo != 0 {
					if *contact != 0 || *account != 0 || *kind != "" || *note != "" || *at != "" {
						return usagef("--undo takes only the signal's id (see shortlist signal --help)")
					}
					return undoSignal(ctx, c, *undo)
				}
				if *contact < 0 || *account < 0 {
					return usagef("--contact and --account take a positive id")
				}
				if *contact == 0 && *account == 0 {
					return usagef("signal needs --contact ID (or --account ID when you do not know who it was)")
				}
				if *kind == "" {
					return usagef("signal needs --kind: one of %s", signalKinds())
				}
				k, ok := model.ParseSignalKind(strings.ToLower(strings.TrimSpace(*kind)))
				if !ok {
					hint := ""
					if strings.HasPrefix(strings.ToLower(*kind), "open") {
						hint = " (an email open is not a signal: mail clients open mail by themselves)"
					}
					return usagef("unknown signal kind %q%s: use one of %s", *kind, hint, signalKinds())
				}
				b, err := c.open(ctx)
				if err != nil {
					return err
				}
				now := c.repNow(b.Settings)
				when := now
				if *at != "" {
					if when, err = parseAt(*at, now); err != nil {
						return usagef("--at: %v", err)
					}
				}
				s, err := b.Store.RecordSignal(ctx, model.Signal{ContactID: *contact, AccountID: *account, Kind: k, At: when,
					Detail: *note, Source: model.SignalSourceManual})
				if errors.Is(err, model.ErrNotFound) {
					if *contact != 0 {
						return fmt.Errorf("contact %d not found: find ids with shortlist show ACCOUNT_ID or shortlist search", *contact)
					}
					return fmt.Errorf("account %d not found: find ids with shortlist accounts or shortlist search", *account)
				}
				if err != nil {
					return err // the store names the operation: "record signal: …"
				}
				if *asJSON {
					return writeJSON(c.env.Stdout, s)
				}
				who := fmt.Sprintf("account %d", s.AccountID)
				if s.ContactID != 0 {
					if ct, a, err := b.Store.Contact(ctx, s.ContactID); err == nil {
						who = model.Display(ct.Name()) + " (" + model.Display(a.Name) + ")"
					}
				}
				fmt.Fprintf(c.env.Stdout, "recorded: %s %s (signal %d)\n", who, s.Phrase(now), s.ID)
				if s.Answered() {
					fmt.Fprintf(c.env.Stdout, "  · already answered by touch %d, logged after it\n", s.AnsweredBy)
				} else {
					fmt.Fprintln(c.env.Stdout, "  · it leads shortlist today until you log a touch on them")
					fmt.Fprintf(c.env.Stdout, "  undo with: shortlist signal --undo %d\n", s.ID)
				}
				return nil
			}
		},
	}
}

func signalKinds() string {
	var out []string
	for _, k := range model.SignalKinds {
		out = append(out, string(k))
	}
	return strings.Join(out, ", ")
}

// parseAt reads when a signal happened: a duration ago (40m, 2h), a time
// today (09:15), a date and time (2026-12-01 09:15) in the rep's zone, or
// RFC 3339. Times after now are refused.
func parseAt(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	var t time.Time
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return t, fmt.Errorf("%q: give how long ago as a positive duration, like 40m", s)
		}
		return now.Add(-d), nil
	}
	loc := now.Location()
	if v, err := time.Parse(time.RFC3339, s); err == nil {
		t = v
	} else if v, err := time.ParseInLocation("2006-01-02 15:04", s, loc); err == nil {
		t = v
	} else if v, err := time.ParseInLocation("15:04", s, loc); err == nil {
		y, m, d := now.Date()
		t = time.Date(y, m, d, v.Hour(), v.Minute(), 0, 0, loc)
	} else if v, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		t = v
	} else {
		return t, fmt.Errorf("%q is not a time: use 40m (ago), 09:15, 2026-12-01 09:15 or RFC 3339", s)
	}
	if t.After(now) {
		return t, fmt.Errorf("%s is in the future: a signal is something the buyer already did", t.Format("2006-01-02 15:04"))
	}
	return t, nil
}

// undoSignal takes back a signal recorded by hand.
func undoSignal(ctx context.Context, c *call, id int64) error {
	if id < 0 {
		return usagef("--undo takes a positive signal id")
	}
	b, err := c.open(ctx)
	if err != nil {
		return err
	}
	switch err := b.Store.UndoSignal(ctx, id); {
	case errors.Is(err, model.ErrNotFound):
		return fmt.Errorf("signal %d not found: shortlist show ACCOUNT_ID lists an account's signals", id)
	case errors.Is(err, model.ErrConflict):
		return fmt.Errorf("signal %d not undone: only a signal recorded here and not yet answered can be taken back", id)
	case err != nil:
		return err
	}
	fmt.Fprintf(c.env.Stdout, "undone: signal %d\n", id)
	return nil
}
