package storage_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
)

// bookCopy is the whole book read through the plain read API, for the
// brute-force reference.
type bookCopy struct {
	accounts []model.Account
	details  map[int64]model.AccountDetail
}

func loadBook(t *testing.T, ctx context.Context, db interface {
	Accounts(context.Context, model.AccountFilter) ([]model.Account, error)
	AccountDetail(context.Context, int64) (model.AccountDetail, error)
}) bookCopy {
	t.Helper()
	accs, err := db.Accounts(ctx, model.AccountFilter{})
	if err != nil {
		t.Fatal(err)
	}
	b := bookCopy{accounts: accs, details: map[int64]model.AccountDetail{}}
	for _, a := range accs {
		d, err := db.AccountDetail(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		b.details[a.ID] = d
	}
	return b
}

// reference ranks every candidate and sorts: the worklist by brute force.
// cold is the cold touches logged today, which the cold quota counts.
func reference(b bookCopy, q model.WorklistQuery, cold int) model.Worklist {
	return referenceWith(b, q, cold, testOptions())
}

// referenceWith is reference under other settings and another profile.
func referenceWith(b bookCopy, q model.WorklistQuery, cold int, opts storage.Options) model.Worklist {
	rk := model.NewRanker(opts.Settings, opts.Profile)
	rep, _ := time.LoadLocation(opts.Settings.RepZone)
	now := q.Now.In(rep)
	y, m, d := now.Date()
	end := time.Date(y, m, d+1, 0, 0, 0, 0, rep)
	win := now.Add(-opts.Settings.Budget.Window)
	out := model.Worklist{Held: map[model.HoldReason]int{}, LeftOut: map[model.LeftOutReason]int{}}
	var respond, tasks, sugg []model.Row
	var signals []model.Candidate
	consider := func(c model.Candidate, into *[]model.Row) {
		if q.Tier != "" && c.Account.Tier != q.Tier {
			return
		}
		for _, t := range b.details[c.Account.ID].Touches {
			if !t.At.Before(win) {
				c.AccountTouches++
				if c.Contact.ID != 0 && t.ContactID == c.Contact.ID {
					c.ContactTouches++
				}
			}
		}
		r := rk.Rank(c, now)
		overdue := r.Kind == model.RowTask && slices.ContainsFunc(r.Why, func(t model.Term) bool { return t.Name == "overdue" })
		if (q.Channel != "" && r.Task.Kind != q.Channel) || (q.CallableNow && !r.CallableNow) || (q.Overdue && !overdue) {
			return
		}
		switch {
		case r.Held:
			out.HeldBack++
			out.Held[r.HeldReason]++
		case r.Kind == model.RowSuggested:
			out.Suggested++
		case overdue:
			out.Overdue++
		default:
			out.Due++
		}
		if !r.Held || q.IncludeHeld {
			*into = append(*into, r)
		}
	}
	for _, a := range b.accounts {
		d := b.details[a.ID]
		contact := map[int64]model.Contact{}
		for _, c := range d.Contacts {
			contact[c.ID] = c
		}
		for _, s := range d.Signals {
			if q.Overdue || s.Answered() || s.At.Before(now.Add(-model.SignalWindow)) || s.At.After(now.Add(time.Minute)) {
				continue
			}
			signals = append(signals, model.Candidate{Kind: model.RowSignal, Signal: s, Account: a, Contact: contact[s.ContactID]})
		}
		for _, k := range d.Tasks {
			if !k.DueDay(rep).Before(end) || (k.Status == model.TaskSnoozed && k.SnoozedUntil.After(now)) {
				continue
			}
			consider(model.Candidate{Kind: model.RowTask, Task: k, Account: a, Contact: contact[k.ContactID]}, &tasks)
		}
		stale := a.LastTouched.IsZero() || a.LastTouched.Before(rk.StaleBefore(a.Tier, now))
		waiting := slices.ContainsFunc(d.Signals, func(s model.Signal) bool {
			return !s.Answered() && !s.At.Before(now.Add(-model.SignalWindow)) && !s.At.After(now.Add(time.Minute))
		})
		if q.Overdue || len(d.Tasks) > 0 || a.Status == model.StatusDisqualified || !stale || waiting {
			continue
		}
		if q.Tier != "" && a.Tier != q.Tier {
			continue
		}
		// Only the ICP focus is suggested; the rest is counted as left out.
		if !opts.Settings.InFocus(a.Tier) {
			out.LeftOut[model.LeftOutBelowTier]++
			continue
		}
		if opts.Profile.Excludes(a) {
			out.LeftOut[model.LeftOutExcluded]++
			continue
		}
		var best model.Contact
		for _, c := range d.Contacts {
			lc, lb := opts.Profile.ContactLevel(c), opts.Profile.ContactLevel(best)
			if best.ID == 0 || lc > lb || (lc == lb && (c.LastTouched.Before(best.LastTouched) ||
				(c.LastTouched.Equal(best.LastTouched) && c.ID < best.ID))) {
				best = c
			}
		}
		consider(model.Candidate{Kind: model.RowSuggested, Account: a, Contact: best}, &sugg)
	}
	order := func(x, y model.Row) int {
		switch {
		case x.Rank != y.Rank:
			if x.Rank > y.Rank {
				return -1
			}
			return 1
		case x.Account.Name != y.Account.Name:
			return strings.Compare(x.Account.Name, y.Account.Name)
		case x.Task.ID != y.Task.ID:
			return int(x.Task.ID - y.Task.ID)
		}
		return int(x.Account.ID - y.Account.ID)
	}
	// One respond row per buyer: rank them all, keep each buyer's best,
	// then filter and count as the rest.
	var all0 []model.Row
	for _, c := range signals {
		if q.Tier != "" && c.Account.Tier != q.Tier {
			continue
		}
		c2 := c
		for _, t := range b.details[c.Account.ID].Touches {
			// A buyer's own touches do not use up the budget for the answer.
			if t.Direction == model.Inbound || t.At.Before(win) {
				continue
			}
			c2.AccountTouches++
			if c.Contact.ID != 0 && t.ContactID == c.Contact.ID {
				c2.ContactTouches++
			}
		}
		all0 = append(all0, rk.Rank(c2, now))
	}
	for _, r := range model.OneRowPerBuyer(all0) {
		if (q.Channel != "" && r.Task.Kind != q.Channel) || (q.CallableNow && !r.CallableNow) {
			continue
		}
		if r.Held {
			out.HeldBack++
			out.Held[r.HeldReason]++
		} else {
			out.Respond++
		}
		if !r.Held || q.IncludeHeld {
			respond = append(respond, r)
		}
	}
	slices.SortFunc(respond, order)
	slices.SortFunc(tasks, order)
	slices.SortFunc(sugg, order)
	// The cold quota: suggested rows past what today's cold touches leave
	// of cold_per_day are held.
	if over := out.Suggested - max(opts.Settings.ColdPerDay-cold, 0); over > 0 {
		out.Suggested -= over
		out.HeldBack += over
		out.Held[model.HoldColdQuota] += over
	}
	opts.Settings.ColdQuota(sugg, cold)
	if !q.IncludeHeld {
		sugg = slices.DeleteFunc(sugg, func(r model.Row) bool { return r.Held })
	}
	all := append(append(respond, tasks...), sugg...)
	from := min(q.Offset, len(all))
	to := len(all)
	if q.Limit > 0 {
		to = min(from+q.Limit, len(all))
	}
	out.Rows = all[from:to]
	return out
}

func rowKey(r model.Row) string {
	return fmt.Sprintf("%s task %d account %d contact %d rank %.6f held %v %s", r.Kind, r.Task.ID, r.Account.ID, r.Contact.ID, r.Rank, r.Held, r.HeldReason)
}

func TestWorklistMatchesBruteForce(t *testing.T) {
	n := 2000
	if testing.Short() {
		n = 400
	}
	db := demoDB(t, n)
	ctx := context.Background()
	b := loadBook(t, ctx, db)
	clocks := []time.Time{clock, clock.Add(-6 * time.Hour), clock.Add(5 * time.Hour), clock.Add(9*time.Hour + 40*time.Minute), clock.AddDate(0, 0, 3)}
	queries := []model.WorklistQuery{
		{Limit: 50}, {Limit: 10}, {Limit: 25, Offset: 30}, {Limit: 50, Counts: true}, {Limit: 0},
		{Limit: 20, Tier: model.TierA}, {Limit: 20, Tier: model.TierC, IncludeHeld: true},
		{Limit: 30, Overdue: true}, {Limit: 15, CallableNow: true}, {Limit: 15, Channel: model.TaskEmail},
		{Limit: 40, IncludeHeld: true, Counts: true}, {Limit: 10, Offset: 400},
	}
	for _, now := range clocks {
		for _, q := range queries {
			q.Now = now
			name := fmt.Sprintf("%s/%+v", now.Format("Mon15:04"), q)
			got, err := db.Worklist(ctx, q)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			want := reference(b, q, got.ColdToday)
			if len(got.Rows) != len(want.Rows) {
				t.Errorf("%s: %d rows, want %d", name, len(got.Rows), len(want.Rows))
				continue
			}
			for i := range want.Rows {
				if g, w := rowKey(got.Rows[i]), rowKey(want.Rows[i]); g != w {
					t.Errorf("%s: row %d\n got  %s\n want %s", name, i, g, w)
					break
				}
			}
			if q.Counts && (got.Due != want.Due || got.Overdue != want.Overdue || got.Suggested != want.Suggested ||
				got.HeldBack != want.HeldBack || fmt.Sprint(got.Held) != fmt.Sprint(want.Held) || fmt.Sprint(got.LeftOut) != fmt.Sprint(want.LeftOut)) {
				t.Errorf("%s: counts %d/%d/%d/%d %v, want %d/%d/%d/%d %v", name, got.Due, got.Overdue, got.Suggested,
					got.HeldBack, got.Held, want.Due, want.Overdue, want.Suggested, want.HeldBack, want.Held)
			}
		}
	}
}

// TestWorklistCopiesFollowWrites checks that the columns the worklist's
// bound reads from tasks_work follow the writes that change them, and that
// the page still matches brute force afterwards.
func TestWorklistCopiesFollowWrites(t *testing.T) {
	db := demoDB(t, 300)
	ctx := context.Background()
	r := raw(t, db.Path())
	stale := func(when string) {
		t.Helper()
		n := count(t, r, `SELECT count(*) FROM tasks k JOIN accounts a ON a.id = k.account_id
			LEFT JOIN contacts c ON c.id = k.contact_id
			WHERE k.a_touched <> a.last_touched
			   OR k.zone <> coalesce(nullif(c.time_zone, ''), a.time_zone)
			   OR k.c_level <> coalesce(CASE WHEN c.persona IN ('', 'unknown') OR c.seniority IN ('', 'unknown') THEN 100 ELSE c.level END, 0)`)
		if n != 0 {
			t.Fatalf("%s: %d tasks carry stale copies", when, n)
		}
	}
	stale("after generate")
	var logged []int64
	for id := int64(1); id <= 5; id++ {
		res, err := db.LogTouch(ctx, model.LogRequest{ContactID: id, Channel: model.ChannelCall,
			Outcome: model.OutcomeNoAnswer, At: clock,
			Next: model.NextChoice{Mode: model.NextAt, Due: clock}})
		if err != nil {
			t.Fatal(err)
		}
		logged = append(logged, res.Touch.ID)
	}
	if n := count(t, r, "SELECT count(*) FROM tasks WHERE a_touched = ?", clock.UnixMilli()); n == 0 {
		t.Fatal("no task carries the logged touch's time")
	}
	stale("after logging")
	q := model.WorklistQuery{Now: clock, Limit: 30}
	check := func(when string) {
		t.Helper()
		got, err := db.Worklist(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		want := reference(loadBook(t, ctx, db), q, got.ColdToday)
		if len(got.Rows) != len(want.Rows) {
			t.Fatalf("%s: %d rows, want %d", when, len(got.Rows), len(want.Rows))
		}
		for i := range want.Rows {
			if g, w := rowKey(got.Rows[i]), rowKey(want.Rows[i]); g != w {
				t.Fatalf("%s: row %d\n got  %s\n want %s", when, i, g, w)
			}
		}
	}
	check("after logging")
	if err := db.UndoLog(ctx, logged[0]); err != nil {
		t.Fatal(err)
	}
	stale("after undo")
	check("after undo")
	if _, err := r.Exec("UPDATE contacts SET level = 0, time_zone = 'Asia/Tokyo' WHERE id = 2"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Exec("UPDATE accounts SET time_zone = 'Europe/Berlin' WHERE id = 3"); err != nil {
		t.Fatal(err)
	}
	stale("after contact and account edits")
}

// TestSuggestionsStayInFocus: a nominative ICP list is worked on its fit:
// no tier-D or excluded account is suggested for cold outreach, and the
// counts say how many stale accounts were left out and why.
func TestSuggestionsStayInFocus(t *testing.T) {
	db := demoDB(t, 600)
	ctx := context.Background()
	wl, err := db.Worklist(ctx, model.WorklistQuery{Now: clock.AddDate(0, 0, 3), IncludeHeld: true, Counts: true})
	if err != nil {
		t.Fatal(err)
	}
	suggested := 0
	for _, r := range wl.Rows {
		if r.Kind != model.RowSuggested {
			continue
		}
		suggested++
		if r.Account.Tier == model.TierD || r.Account.Fit == 0 {
			t.Errorf("suggested %s (tier %s, fit %d): outside the ICP focus", r.Account.Name, r.Account.Tier, r.Account.Fit)
		}
	}
	if suggested == 0 || wl.LeftOut[model.LeftOutBelowTier] == 0 {
		t.Fatalf("%d suggested, left out %v: the demo book should have both", suggested, wl.LeftOut)
	}
}
