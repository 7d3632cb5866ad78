package demo

import (
	"context"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
)

// demoSignal is one buyer reaching out in the demo book's week.
type demoSignal struct {
	kind    model.SignalKind
	ago     time.Duration
	detail  string
	channel model.TaskKind // the channel the buyer used; "" for none
	account bool           // only the account is known (a return visit)
}

// week is the demo book's week of buyers reaching out, newest first: a
// reply this morning, a form, a booked meeting, a return visit, a click and
// a call in at the end of last week. None is answered yet, so the morning
// opens on respond rows.
var week = []demoSignal{
	{kind: model.SignalReplied, ago: 110 * time.Minute, detail: "replied: 'Can we talk Thursday about 40 seats?'", channel: model.TaskEmail},
	{kind: model.SignalForm, ago: 3*time.Hour + 10*time.Minute, detail: "form: Pricing request (team plan)", channel: model.TaskEmail},
	{kind: model.SignalMeeting, ago: 26 * time.Hour, detail: "meeting: booked 30 min for Thu 10:00 via the scheduling link", channel: model.TaskEmail},
	{kind: model.SignalVisited, ago: 2*24*time.Hour + 5*time.Hour, detail: "visited: pricing page, back after 45 days", account: true},
	{kind: model.SignalReplied, ago: 3*24*time.Hour + 2*time.Hour, detail: "replied: 'Not now, but send the security review'", channel: model.TaskEmail},
	{kind: model.SignalClicked, ago: 5*24*time.Hour + 1*time.Hour, detail: "clicked: the case study link in 'Q4 planning'", channel: model.TaskEmail},
	{kind: model.SignalCalled, ago: 6*24*time.Hour + 3*time.Hour, detail: "called in: asked for a call back about the pilot", channel: model.TaskCall},
}

// signals writes the week's signals on the best-fitting accounts that may
// be contacted, each on a contact who can be answered on the channel the
// buyer used, so the demo shows answers, not held rows.
func signals(ctx context.Context, db *storage.DB, now time.Time) error {
	accts, err := db.Accounts(ctx, model.AccountFilter{Limit: 60})
	if err != nil {
		return err
	}
	type pickT struct {
		s demoSignal
		a model.Account
		c model.Contact
	}
	var picks []pickT
	used := map[int64]bool{}
	for _, s := range week {
		for _, a := range accts {
			if used[a.ID] || a.DoNotContact || a.Status == model.StatusDisqualified {
				continue
			}
			d, err := db.AccountDetail(ctx, a.ID)
			if err != nil {
				return err
			}
			var who model.Contact
			for _, c := range d.Contacts {
				if s.account || model.Guard(s.channel, c, a) == nil {
					who = c
					break
				}
			}
			if who.ID == 0 {
				continue
			}
			used[a.ID] = true
			picks = append(picks, pickT{s, a, who})
			break
		}
	}
	return db.Load(ctx, func(l *storage.Loader) error {
		for _, p := range picks {
			s := p.s
			sig := model.Signal{AccountID: p.a.ID, ContactID: p.c.ID, Kind: s.kind, At: now.Add(-s.ago), Detail: s.detail,
				Source: model.SignalSourceDemo, Channel: s.channel}
			if s.account {
				sig.ContactID = 0
			}
			if _, err := l.Signal(sig); err != nil {
				return err
			}
		}
		return nil
	})
}
