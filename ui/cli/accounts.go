package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

func accountsCmd() *command {
	return &command{
		name:    "accounts",
		summary: "list the accounts in your book, best fit first",
		about: `List the accounts in your book with their ICP tier, fit score and status.
Filter by tier, pipeline status or a piece of the name or domain.`,
		example: []string{
			"shortlist accounts --tier A",
			"shortlist accounts --status engaged --json",
			"shortlist accounts --search acme",
		},
		define: func(f *flags) func(context.Context, *call) error {
			tier := f.fs.String("tier", "", "only accounts of this `tier` (A, B, C or D)")
			status := f.fs.String("status", "", "only accounts with this `status` (target, working, engaged, opportunity, nurture, disqualified)")
			search := f.fs.String("search", "", "only accounts whose name or domain contains `TEXT`")
			limit := f.int("limit", 50, "show at most `N` accounts (0: all)")
			asJSON := f.fs.Bool("json", false, "print a JSON array of accounts")
			return func(ctx context.Context, c *call) error {
				if len(c.args) > 0 {
					return usagef("accounts takes no arguments, got %q (see shortlist accounts --help)", c.args[0])
				}
				if *limit < 0 {
					return usagef("--limit must be 0 or more")
				}
				af := model.AccountFilter{Query: strings.TrimSpace(*search), Limit: *limit}
				if *tier != "" {
					t, err := model.ParseTier(*tier)
					if err != nil {
						return badValue(err)
					}
					af.Tier = t
				}
				if *status != "" {
					s, err := model.ParseAccountStatus(*status)
					if err != nil {
						return badValue(err)
					}
					af.Status = s
				}
				b, err := c.open(ctx)
				if err != nil {
					return err
				}
				// One more than asked says whether the list is cut; only
				// then are all counted, for "50 of 1,144".
				if *limit > 0 {
					af.Limit = *limit + 1
				}
				accts, err := b.Store.Accounts(ctx, af)
				if err != nil {
					return err // the store names the operation
				}
				total := len(accts)
				if *limit > 0 && len(accts) > *limit {
					af.Limit = 0
					all, err := b.Store.Accounts(ctx, af)
					if err != nil {
						return fmt.Errorf("count accounts: %w", err)
					}
					total, accts = len(all), accts[:*limit]
				}
				if *asJSON {
					out := make([]AccountJSON, len(accts))
					for i, a := range accts {
						out[i] = accountJSON(a)
					}
					return writeJSON(c.env.Stdout, out)
				}
				if len(accts) == 0 {
					fmt.Fprintln(c.env.Stdout, "No accounts match.")
					return nil
				}
				t := newTable(column{Title: "id", Right: true}, column{Title: "account", Min: 10}, column{Title: "tier"},
					column{Title: "fit", Right: true}, column{Title: "status"}, column{Title: "industry", Min: 6},
					column{Title: "employees", Right: true}, column{Title: "country", Min: 4}, column{Title: "last touch"})
				now := c.repNow(b.Settings)
				for _, a := range accts {
					t.add(fmt.Sprint(a.ID), a.Name, string(a.Tier), fmt.Sprint(a.Fit), string(a.Status), a.Industry,
						optInt(a.Employees), a.Country, ago(a.LastTouched, now))
				}
				t.write(c.env.Stdout, c.env.Width)
				cutShort(c.env.Stdout, len(accts), total)
				return nil
			}
		},
	}
}

// AccountJSON is an account as scripts see it.
type AccountJSON struct {
	ID            int64    `json:"id"`
	Name          string   `json:"name"`
	Domain        string   `json:"domain"`
	Industry      string   `json:"industry"`
	Employees     *int64   `json:"employees"`
	AnnualRevenue *int64   `json:"annual_revenue"`
	Country       string   `json:"country"`
	Region        string   `json:"region"`
	City          string   `json:"city"`
	TimeZone      string   `json:"time_zone"`
	Technologies  []string `json:"technologies"`
	Owner         string   `json:"owner"`
	Status        string   `json:"status"`
	Tier          string   `json:"tier"`
	Fit           int      `json:"fit"`
	DoNotContact  bool     `json:"do_not_contact"`
	LastTouched   string   `json:"last_touched"` // RFC 3339; "" if never
	CRMID         string   `json:"crm_id"`
	CRMURL        string   `json:"crm_url"`
}

func accountJSON(a model.Account) AccountJSON {
	tech := make([]string, len(a.Technologies))
	for i, t := range a.Technologies {
		tech[i] = model.Sanitize(t)
	}
	return AccountJSON{
		ID: a.ID, Name: model.Sanitize(a.Name), Domain: model.Sanitize(a.Domain), Industry: model.Sanitize(a.Industry),
		Employees: a.Employees, AnnualRevenue: a.AnnualRevenue, Country: model.Sanitize(a.Country),
		Region: model.Sanitize(a.Region), City: model.Sanitize(a.City), TimeZone: model.Sanitize(a.TimeZone), Technologies: tech,
		Owner: model.Sanitize(a.Owner), Status: string(a.Status), Tier: string(a.Tier), Fit: a.Fit,
		DoNotContact: a.DoNotContact, LastTouched: stamp(a.LastTouched), CRMID: model.Sanitize(a.CRMID), CRMURL: model.Sanitize(a.CRMURL),
	}
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

func optInt(p *int64) string {
	if p == nil {
		return "?"
	}
	return groupDigits(*p)
}

// groupDigits writes 12345 as 12,345.
// cutShort says that a list shows fewer than match: "50 of 1,144
// (--limit 0 for all)".
func cutShort(w io.Writer, shown, total int) {
	if shown < total {
		fmt.Fprintf(w, "%s of %s (--limit 0 for all)\n", groupDigits(int64(shown)), groupDigits(int64(total)))
	}
}

func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// ago is how long since t: "today", "3d ago", "never".
func ago(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := int(now.Sub(t).Hours() / 24)
	if d <= 0 {
		return "today"
	}
	return fmt.Sprintf("%dd ago", d)
}

func showCmd() *command {
	return &command{
		name:    "show",
		args:    "ACCOUNT_ID",
		summary: "one account: ICP fit criterion by criterion, contacts, gaps, history",
		about: `Show one account: its firmographics; its ICP fit explained criterion by
criterion (✓ met, ~ partial, ✗ missed, ? unknown: the data is missing and is not
counted against it); its contacts with persona, seniority and consent per
channel; the buying-committee roles nobody has been reached in yet; the last 10
touches; and its open tasks. Find account ids with shortlist accounts or
shortlist search.`,
		example: []string{"shortlist show 42", "shortlist show 42 --json | jq .fit"},
		define: func(f *flags) func(context.Context, *call) error {
			asJSON := f.fs.Bool("json", false, "print the account as JSON")
			return func(ctx context.Context, c *call) error {
				id, err := oneID(c, "ACCOUNT_ID")
				if err != nil {
					return err
				}
				b, err := c.open(ctx)
				if err != nil {
					return err
				}
				d, err := b.Store.AccountDetail(ctx, id)
				if errors.Is(err, model.ErrNotFound) {
					return fmt.Errorf("account %d not found: find ids with shortlist accounts or shortlist search", id)
				}
				if err != nil {
					return fmt.Errorf("read account %d: %w", id, err)
				}
				if *asJSON {
					return writeJSON(c.env.Stdout, detailJSON(d, c.repNow(b.Settings).Location()))
				}
				writeDetail(c.env.Stdout, c.env.Width, d, c.repNow(b.Settings))
				return nil
			}
		},
	}
}

// oneID reads the single positional id a command takes.
func oneID(c *call, what string) (int64, error) {
	if len(c.args) == 0 {
		return 0, usagef("%s needs %s (see shortlist %s --help)", c.f.cmd, what, c.f.cmd)
	}
	if len(c.args) > 1 {
		return 0, usagef("%s takes one %s, got %d arguments (see shortlist %s --help)", c.f.cmd, what, len(c.args), c.f.cmd)
	}
	id, err := parseDecimal(strings.TrimPrefix(c.args[0], "#"))
	if err != nil || id == 0 || id > math.MaxInt64 {
		return 0, usagef("%s must be a number like 42, not %q", what, c.args[0])
	}
	return int64(id), nil
}

// DetailJSON is `show --json`.
type DetailJSON struct {
	Account       AccountJSON   `json:"account"`
	Fit           FitJSON       `json:"fit"`
	Contacts      []ContactJSON `json:"contacts"`
	CommitteeGaps []string      `json:"committee_gaps"`
	Touches       []TouchJSON   `json:"touches"`
	OpenTasks     []TaskJSON    `json:"open_tasks"`
	// Signals are what the account's buyers did in the last 90 days,
	// newest first; answered_by is the touch that answered one (0: waiting).
	Signals []AccountSignalJSON `json:"signals"`
}

// AccountSignalJSON is one signal in show --json.
type AccountSignalJSON struct {
	ID         int64  `json:"id"`
	ContactID  int64  `json:"contact_id"`
	Kind       string `json:"kind"`
	At         string `json:"at"`
	Detail     string `json:"detail"`
	Source     string `json:"source"`
	AnsweredAt string `json:"answered_at"` // "" while waiting
	AnsweredBy int64  `json:"answered_by"`
}

// FitJSON is an explained fit score.
type FitJSON struct {
	Score       int             `json:"score"`
	Tier        string          `json:"tier"`
	Excluded    bool            `json:"excluded"`
	ExcludedBy  string          `json:"excluded_by"`
	KnownWeight int             `json:"known_weight"`
	TotalWeight int             `json:"total_weight"`
	Criteria    []CriterionJSON `json:"criteria"`
}

// CriterionJSON is one criterion's part in a fit.
type CriterionJSON struct {
	Name     string `json:"name"`
	Field    string `json:"field"`
	Status   string `json:"status"` // met, partial, missed, unknown
	Earned   int    `json:"earned"`
	Possible int    `json:"possible"`
	Detail   string `json:"detail"`
}

// ContactJSON is a contact as scripts see it.
type ContactJSON struct {
	ID          int64             `json:"id"`
	Name        string            `json:"name"`
	Title       string            `json:"title"`
	Persona     string            `json:"persona"`
	Seniority   string            `json:"seniority"`
	Email       string            `json:"email"`
	Phone       string            `json:"phone"`
	PhoneBad    bool              `json:"phone_bad"`
	LinkedInURL string            `json:"linkedin_url"`
	TimeZone    string            `json:"time_zone"`
	Consent     map[string]string `json:"consent"` // channel → allowed | opted-out
	LastTouched string            `json:"last_touched"`
}

// TouchJSON is a logged touch.
type TouchJSON struct {
	ID        int64  `json:"id"`
	ContactID int64  `json:"contact_id"`
	Channel   string `json:"channel"`
	Direction string `json:"direction"`
	Outcome   string `json:"outcome"`
	Note      string `json:"note"`
	At        string `json:"at"`
	// MeetingAt is when a booked meeting takes place; "" when not known.
	MeetingAt string `json:"meeting_at,omitempty"`
	// MeetingCancelled: the meeting was cancelled in the CRM (MeetingAt is
	// when it was to be).
	MeetingCancelled bool `json:"meeting_cancelled,omitempty"`
	Synced           bool `json:"synced"`
}

// TaskJSON is a task as scripts see it.
type TaskJSON struct {
	ID         int64  `json:"id"`
	ContactID  int64  `json:"contact_id"`
	Kind       string `json:"kind"`
	Title      string `json:"title"`
	Due        string `json:"due"`
	DueHasTime bool   `json:"due_has_time"`
	Priority   string `json:"priority"`
	Status     string `json:"status"`
}

// taskJSON writes a date-only due as the date in loc, the rep's zone, where
// the model puts it at midnight.
func taskJSON(t model.Task, loc *time.Location) TaskJSON {
	out := TaskJSON{ID: t.ID, ContactID: t.ContactID, Kind: string(t.Kind), Title: model.Sanitize(t.Title),
		DueHasTime: t.DueHasTime, Priority: string(t.Priority), Status: string(t.Status)}
	if !t.Due.IsZero() {
		if t.DueHasTime {
			out.Due = t.Due.Format(time.RFC3339)
		} else {
			out.Due = t.DueDay(loc).Format(time.DateOnly)
		}
	}
	return out
}

func detailJSON(d model.AccountDetail, loc *time.Location) DetailJSON {
	out := DetailJSON{
		Account: accountJSON(d.Account),
		Fit: FitJSON{Score: d.Fit.Score, Tier: string(d.Fit.Tier), Excluded: d.Fit.Excluded, ExcludedBy: model.Sanitize(d.Fit.ExcludedBy),
			KnownWeight: d.Fit.Known, TotalWeight: d.Fit.Total, Criteria: []CriterionJSON{}},
		Contacts: []ContactJSON{}, CommitteeGaps: []string{}, Touches: []TouchJSON{}, OpenTasks: []TaskJSON{},
		Signals: []AccountSignalJSON{},
	}
	for _, g := range d.Signals {
		out.Signals = append(out.Signals, AccountSignalJSON{ID: g.ID, ContactID: g.ContactID, Kind: string(g.Kind), At: stamp(g.At),
			Detail: model.Sanitize(g.Detail), Source: model.Sanitize(g.Source), AnsweredAt: stamp(g.AnsweredAt), AnsweredBy: g.AnsweredBy})
	}
	for _, cr := range d.Fit.Criteria {
		out.Fit.Criteria = append(out.Fit.Criteria, CriterionJSON{Name: model.Sanitize(cr.Name), Field: string(cr.Field),
			Status: string(cr.Status), Earned: cr.Earned, Possible: cr.Possible, Detail: model.Sanitize(cr.Detail)})
	}
	for _, ct := range d.Contacts {
		consent := map[string]string{}
		for _, ch := range model.ConsentChannels {
			consent[string(ch)] = consentState(ct.Consent.For(ch))
		}
		out.Contacts = append(out.Contacts, ContactJSON{ID: ct.ID, Name: model.Sanitize(ct.Name()), Title: model.Sanitize(ct.Title),
			Persona: string(ct.Persona), Seniority: string(ct.Seniority), Email: model.Sanitize(ct.Email), Phone: model.Sanitize(ct.Phone),
			PhoneBad: ct.PhoneBad, LinkedInURL: model.Sanitize(ct.LinkedInURL), TimeZone: model.Sanitize(ct.Zone(d.Account)), Consent: consent,
			LastTouched: stamp(ct.LastTouched)})
	}
	for _, g := range d.Gaps {
		out.CommitteeGaps = append(out.CommitteeGaps, string(g))
	}
	for _, t := range d.Touches {
		out.Touches = append(out.Touches, touchJSON(t))
	}
	for _, t := range d.Tasks {
		out.OpenTasks = append(out.OpenTasks, taskJSON(t, loc))
	}
	return out
}

func touchJSON(t model.Touch) TouchJSON {
	out := TouchJSON{ID: t.ID, ContactID: t.ContactID, Channel: string(t.Channel), Direction: string(t.Direction),
		Outcome: string(t.Outcome), Note: model.Sanitize(t.Note), At: stamp(t.At), Synced: t.Synced}
	if !t.MeetingAt.IsZero() {
		out.MeetingAt = stamp(t.MeetingAt)
	}
	out.MeetingCancelled = t.MeetingCancelled
	return out
}

// outcomeText is the outcome as history shows it: a booked meeting says
// when ("meeting booked for Thu 26 Nov 14:00").
func outcomeText(t model.Touch, loc *time.Location) string {
	switch {
	case t.Outcome == model.OutcomeMeetingBooked && t.MeetingCancelled:
		return t.Outcome.Label() + " for " + t.MeetingAt.In(loc).Format("Mon 2 Jan 15:04") + ", cancelled in the CRM"
	case t.Outcome == model.OutcomeMeetingBooked && !t.MeetingAt.IsZero():
		return t.Outcome.Label() + " for " + t.MeetingAt.In(loc).Format("Mon 2 Jan 15:04")
	}
	return t.Outcome.Label()
}

func consentState(c model.Consent) string {
	if c.OptedOut() {
		return string(model.ConsentOptedOut)
	}
	return string(model.ConsentAllowed)
}

var criterionMark = map[model.CriterionStatus]string{
	model.CriterionMet: "✓", model.CriterionPartial: "~", model.CriterionMissed: "✗", model.CriterionUnknown: "?",
}

func writeDetail(w io.Writer, width int, d model.AccountDetail, now time.Time) {
	a := d.Account
	s := model.Display
	fmt.Fprintf(w, "%s  (account %d)\n", s(a.Name), a.ID)
	var facts []string
	for _, f := range []string{s(a.Domain), s(a.Industry)} {
		if f != "" {
			facts = append(facts, f)
		}
	}
	if a.Employees != nil {
		facts = append(facts, groupDigits(*a.Employees)+" employees")
	}
	if a.AnnualRevenue != nil {
		facts = append(facts, "revenue "+groupDigits(*a.AnnualRevenue))
	}
	if place := strings.Trim(strings.Join([]string{s(a.City), s(a.Region), s(a.Country)}, ", "), ", "); place != "" {
		facts = append(facts, place)
	}
	if len(facts) > 0 {
		fmt.Fprintln(w, strings.Join(facts, " · "))
	}
	fmt.Fprintf(w, "status %s · last touch %s", a.Status, ago(a.LastTouched, now))
	if a.TimeZone != "" {
		fmt.Fprintf(w, " · zone %s", model.Display(a.TimeZone))
	}
	if a.DoNotContact {
		fmt.Fprint(w, " · DO NOT CONTACT")
	}
	fmt.Fprintln(w)
	if len(a.Technologies) > 0 {
		fmt.Fprintf(w, "tech: %s\n", s(strings.Join(a.Technologies, ", ")))
	}

	fit := d.Fit
	fmt.Fprintf(w, "\nICP fit %d/100, tier %s", fit.Score, fit.Tier)
	if fit.Total > 0 && fit.Known < fit.Total {
		fmt.Fprintf(w, " (scored on %d of %d points of weight; the rest is unknown)", fit.Known, fit.Total)
	}
	fmt.Fprintln(w)
	if fit.Excluded {
		fmt.Fprintf(w, "  excluded: %s\n", s(fit.ExcludedBy))
	}
	if len(fit.Criteria) > 0 {
		t := newTable(column{Title: " "}, column{Title: "criterion", Min: 8}, column{Title: "points", Right: true}, column{Title: "detail", Min: 10})
		for _, cr := range fit.Criteria {
			mark := criterionMark[cr.Status]
			if mark == "" {
				mark = string(cr.Status)
			}
			pts := fmt.Sprintf("%d/%d", cr.Earned, cr.Possible)
			if cr.Status == model.CriterionUnknown {
				pts = fmt.Sprintf("–/%d", cr.Possible)
			}
			t.add(mark, cr.Name, pts, cr.Detail)
		}
		t.write(w, width)
	}

	fmt.Fprintln(w, "\nContacts")
	if len(d.Contacts) == 0 {
		fmt.Fprintln(w, "  none yet")
	} else {
		t := newTable(column{Title: "id", Right: true}, column{Title: "name", Min: 8}, column{Title: "title", Min: 6},
			column{Title: "persona"}, column{Title: "seniority"}, column{Title: "call"}, column{Title: "email"},
			column{Title: "linkedin"}, column{Title: "last touch"})
		for _, ct := range d.Contacts {
			cs := make([]string, 0, 3)
			for _, ch := range model.ConsentChannels {
				mark := "ok"
				if ct.Consent.For(ch).OptedOut() {
					mark = "opted out"
				}
				if ch == model.ChannelCall && ct.PhoneBad && mark == "ok" {
					mark = "bad number"
				}
				cs = append(cs, mark)
			}
			t.add(fmt.Sprint(ct.ID), ct.Name(), ct.Title, string(ct.Persona), string(ct.Seniority), cs[0], cs[1], cs[2], ago(ct.LastTouched, now))
		}
		t.write(w, width)
	}
	if len(d.Gaps) > 0 {
		gaps := make([]string, len(d.Gaps))
		for i, g := range d.Gaps {
			gaps[i] = string(g)
		}
		fmt.Fprintf(w, "\nCommittee gaps: no %s reached yet\n", strings.Join(gaps, ", no "))
	}

	fmt.Fprintln(w, "\nHistory (last 10 touches)")
	if len(d.Touches) == 0 {
		fmt.Fprintln(w, "  no touches yet")
	} else {
		names := map[int64]string{}
		for _, ct := range d.Contacts {
			names[ct.ID] = ct.Name()
		}
		t := newTable(column{Title: "touch", Right: true}, column{Title: "when"}, column{Title: "contact", Min: 8},
			column{Title: "channel"}, column{Title: "outcome"}, column{Title: "note", Min: 8})
		for i, tc := range d.Touches {
			if i == 10 {
				break
			}
			t.add(fmt.Sprint(tc.ID), tc.At.In(now.Location()).Format("Mon 2 Jan 15:04"), names[tc.ContactID],
				string(tc.Channel), outcomeText(tc, now.Location()), tc.Note)
		}
		t.write(w, width)
	}

	if len(d.Signals) > 0 {
		fmt.Fprintln(w, "\nSignals (what buyers did, last 90 days)")
		names := map[int64]string{}
		for _, ct := range d.Contacts {
			names[ct.ID] = ct.Name()
		}
		t := newTable(column{Title: "when"}, column{Title: "contact", Min: 8}, column{Title: "kind"},
			column{Title: "detail", Min: 8}, column{Title: "answered"})
		for i, g := range d.Signals {
			if i == 10 {
				break
			}
			who := names[g.ContactID]
			if g.ContactID == 0 {
				who = "(someone)"
			}
			state := "waiting"
			if g.Answered() {
				state = fmt.Sprintf("in %s (touch %d)", model.Minutes(int(g.AnsweredAt.Sub(g.At)/time.Minute)), g.AnsweredBy)
			}
			t.add(g.At.In(now.Location()).Format("Mon 2 Jan 15:04"), who, string(g.Kind), g.Detail, state)
		}
		t.write(w, width)
	}

	fmt.Fprintln(w, "\nOpen tasks")
	if len(d.Tasks) == 0 {
		fmt.Fprintln(w, "  none")
		return
	}
	t := newTable(column{Title: "task", Right: true}, column{Title: "kind"}, column{Title: "title", Min: 8},
		column{Title: "due"}, column{Title: "priority"}, column{Title: "status"})
	for _, tk := range d.Tasks {
		t.add(fmt.Sprint(tk.ID), string(tk.Kind), tk.Title, dueLabel(tk, now), string(tk.Priority), string(tk.Status))
	}
	t.write(w, width)
}
