// Package demo writes a deterministic, realistic demo book into a store:
// B2B accounts across industries, sizes and countries, about four contacts
// each, three weeks of touch history and the next actions, all as if pulled
// from a CRM (no outbox rows: none of it is the rep's own change).
package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
)

// Options say how big a book to write and from which seed and clock: the
// same options always write the same book.
type Options struct {
	Accounts int       // 0: 300
	Seed     uint64    // the random seed
	Now      time.Time // the book's "now"; zero: the wall clock
	// Progress, when set, hears how many accounts are written after each
	// transaction of chunk accounts (and the last): a large book takes
	// minutes.
	Progress func(done, total int)
}

// The demo's CRM ids are numeric strings like HubSpot's, each object type
// in its own range (companies up to 300,000, the demo's most; six contacts at
// most each, in steps of ten).
const (
	demoCompanyBase    = 5_000_000
	demoContactBase    = 60_000_000
	demoEngagementBase = 70_000_000
	demoTaskBase       = 1_000_000_000
)

// chunk is how many accounts go into one transaction.
const chunk = 5000

// Generate writes a demo book into an empty store.
func Generate(ctx context.Context, db *storage.DB, opts Options) error {
	if opts.Accounts == 0 {
		opts.Accounts = 300
	}
	if opts.Accounts < 0 {
		return fmt.Errorf("demo book: %d accounts: give a positive number", opts.Accounts)
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	empty, err := db.Empty(ctx)
	if err != nil {
		return fmt.Errorf("demo book: %w", err)
	}
	if !empty {
		return fmt.Errorf("demo book: %s already has accounts: use an empty --db path", db.Path())
	}
	g := &gen{r: &rng{rand.New(rand.NewPCG(opts.Seed, 0x5348_4c54_6465_6d6f))}, now: opts.Now.UTC(),
		names: map[string]bool{}, zones: map[string]*time.Location{},
		rules: model.DefaultSettings()}
	for start := 1; start <= opts.Accounts; start += chunk {
		end := min(start+chunk-1, opts.Accounts)
		err := db.Load(ctx, func(l *storage.Loader) error {
			for i := start; i <= end; i++ {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := g.account(l, i); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("demo book: %w", err)
		}
		if opts.Progress != nil {
			opts.Progress(end, opts.Accounts)
		}
	}
	if err := signals(ctx, db, g.now); err != nil {
		return fmt.Errorf("demo book: signals: %w", err)
	}
	return nil
}

// rng adds the draws a book needs to a seeded generator.
type rng struct{ *rand.Rand }

func (r *rng) chance(p float64) bool { return r.Float64() < p }

func (r *rng) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

func pick[T any](r *rng, xs []T) T { return xs[r.IntN(len(xs))] }

// weighted picks an index with probability proportional to its weight.
func (r *rng) weighted(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

type gen struct {
	r       *rng
	now     time.Time
	names   map[string]bool
	zones   map[string]*time.Location
	touch   int
	taskIDs map[int]bool   // task CRM ids given out
	rules   model.Settings // the outcome rules the history's next actions follow
}

// taskID is a task's CRM id from a random draw, moved up to the next free
// one when taken: a book of 100,000 accounts holds enough tasks for random
// ids to collide, and taking the draw keeps every smaller book as it was.
func (g *gen) taskID(draw int) string {
	if g.taskIDs == nil {
		g.taskIDs = map[int]bool{}
	}
	for g.taskIDs[draw] {
		draw = (draw + 1) % 1_000_000_000
	}
	g.taskIDs[draw] = true
	return strconv.Itoa(demoTaskBase + draw)
}

func (g *gen) zone(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	if loc, ok := g.zones[name]; ok {
		return loc
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = time.UTC
	}
	g.zones[name] = loc
	return loc
}

var (
	placeWeights    = weightsOf(places, func(p place) int { return p.weight })
	industryWeights = weightsOf(industries, func(i industry) int { return i.weight })
	titleWeights    = func() []int {
		w := make([]int, len(titles))
		for i, t := range titles {
			w[i] = t.weight
		}
		return w
	}()
	statuses       = []model.AccountStatus{model.StatusTarget, model.StatusWorking, model.StatusEngaged, model.StatusOpportunity, model.StatusNurture, model.StatusDisqualified}
	statusWeights  = []int{55, 20, 10, 5, 7, 3}
	taskKinds      = []model.TaskKind{model.TaskCall, model.TaskEmail, model.TaskLinkedIn, model.TaskTodo}
	taskWeights    = []int{60, 25, 10, 5}
	priorities     = []model.Priority{model.PriorityHigh, model.PriorityMedium, model.PriorityLow}
	priorityWeight = []int{20, 60, 20}
)

func weightsOf[T any](xs []T, f func(T) int) []int {
	w := make([]int, len(xs))
	for i, x := range xs {
		w[i] = f(x)
	}
	return w
}

// companyName draws a unique, real-looking company name and its domain stem.
func (g *gen) companyName(ind industry) (string, string) {
	r := g.r
	for attempt := 0; ; attempt++ {
		root := joinSyllables(pick(r, namePrefixes), pick(r, nameMiddles), pick(r, nameEnds))
		if attempt > 3 {
			root = pick(r, namePrefixes) + strings.ToLower(root)
		}
		name := root
		if r.chance(0.45) {
			name += " " + pick(r, ind.words)
		}
		key := strings.ToLower(name)
		if g.names[key] {
			continue
		}
		g.names[key] = true
		return name, strings.ReplaceAll(key, " ", "")
	}
}

// joinSyllables glues name parts, dropping a part that would put two vowels
// together ("Astra"+"a" reads badly).
func joinSyllables(parts ...string) string {
	out := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if out != "" && isVowel(out[len(out)-1]) && isVowel(p[0]) {
			if len(p) <= 2 {
				continue
			}
			p = p[1:]
		}
		out += p
	}
	return out
}

func isVowel(b byte) bool { return strings.IndexByte("aeiouyAEIOUY", b) >= 0 }

func (g *gen) account(l *storage.Loader, n int) error {
	r := g.r
	pl := places[r.weighted(placeWeights)]
	ind := industries[r.weighted(industryWeights)]
	name, stem := g.companyName(ind)
	a := model.Account{
		Name:     name + " " + pick(r, legal[pl.country]),
		Domain:   stem + pl.tld,
		Industry: ind.name,
		Country:  pl.country,
		Region:   pl.region,
		City:     pick(r, pl.cities),
		TimeZone: pl.zone,
		Owner:    "Demo Rep",
		Status:   statuses[r.weighted(statusWeights)],
	}
	switch {
	case r.chance(0.04): // unknown size
	case r.chance(0.06):
		e := int64(5 + r.IntN(15))
		a.Employees = &e
	default:
		e := int64(math.Exp(math.Log(20) + r.Float64()*(math.Log(20000)-math.Log(20))))
		a.Employees = &e
	}
	if !r.chance(0.10) {
		base := int64(50 + r.IntN(950))
		if a.Employees != nil {
			base = *a.Employees
		}
		rev := base * int64(80_000+r.IntN(220_000)) / 1000 * 1000
		a.AnnualRevenue = &rev
	}
	if r.chance(0.03) {
		a.TimeZone = ""
	}
	for _, i := range r.Perm(len(technologies))[:1+r.IntN(5)] {
		a.Technologies = append(a.Technologies, technologies[i])
	}
	a.DoNotContact = r.chance(0.01)
	if r.chance(0.92) {
		// Numeric like HubSpot's, in ranges apart per object type, so the
		// demo sandbox can serve the book under the same ids.
		a.CRMID = strconv.Itoa(demoCompanyBase + n)
		a.CRMURL = "https://app.hubspot.com/contacts/0/company/" + a.CRMID
	}
	a.UpdatedAt = g.now.Add(-time.Duration(r.IntN(60*24)) * time.Hour)

	// Contacts and history are drawn first so the statuses, flags, consent
	// and last-touched times they imply are known when the records are
	// written: everything the book says about a touch is in the touches table.
	contacts := g.contacts(a, pl)
	touches := g.history(a, contacts)
	a.Status = settle(a.Status, touches)
	for _, t := range touches {
		c := &contacts[t.ContactID]
		c.LastTouched = later(c.LastTouched, t.At)
		a.LastTouched = later(a.LastTouched, t.At)
	}
	id, err := l.Account(a)
	if err != nil {
		return err
	}
	a.ID = id
	for i := range contacts {
		contacts[i].AccountID = id
		cid, err := l.Contact(contacts[i])
		if err != nil {
			return err
		}
		contacts[i].ID = cid
	}
	for _, t := range touches {
		c := contacts[t.ContactID] // an index until now
		t.ContactID, t.AccountID = c.ID, id
		if _, err := l.Touch(t); err != nil {
			return err
		}
	}
	return g.tasks(l, a, contacts, touches)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// settle moves a drawn status to one the history supports: a booked meeting
// makes an account engaged (or keeps it an opportunity), a worked account is
// no longer a bare target, a last "not interested" puts it in nurture, and
// an account nobody has touched is still a target.
func settle(s model.AccountStatus, ts []model.Touch) model.AccountStatus {
	if s == model.StatusDisqualified {
		return s
	}
	if len(ts) == 0 {
		return model.StatusTarget
	}
	booked := false
	for _, t := range ts {
		booked = booked || t.Outcome == model.OutcomeMeetingBooked
	}
	switch {
	case booked && s != model.StatusOpportunity:
		return model.StatusEngaged
	case !booked && (s == model.StatusEngaged || s == model.StatusOpportunity):
		s = model.StatusWorking // nothing in the book shows the meeting
	}
	if ts[len(ts)-1].Outcome == model.OutcomeNotInterested {
		return model.StatusNurture
	}
	if s == model.StatusTarget {
		return model.StatusWorking
	}
	return s
}

func (g *gen) contacts(a model.Account, pl place) []model.Contact {
	r := g.r
	cs := make([]model.Contact, 2+r.IntN(5))
	for i := range cs {
		first, last := pick(r, firstNames), pick(r, lastNames)
		c := model.Contact{
			FirstName: first,
			LastName:  last,
			Title:     titles[r.weighted(titleWeights)].title,
			Email:     asciiSlug(first, ".") + "." + asciiSlug(last, "") + "@" + a.Domain,
			UpdatedAt: a.UpdatedAt,
		}
		if a.CRMID != "" {
			id, _ := strconv.Atoi(a.CRMID)
			c.CRMID = strconv.Itoa(demoContactBase + (id-demoCompanyBase)*10 + i + 1)
		}
		if r.chance(0.88) {
			c.Phone = pl.phone(r)
		}
		if r.chance(0.8) {
			c.LinkedInURL = "https://www.linkedin.com/in/" + asciiSlug(first, "-") + "-" + asciiSlug(last, "-") + "-" + r.digits(4)
		}
		if r.chance(0.05) {
			other := places[r.weighted(placeWeights)]
			c.TimeZone = other.zone // works remotely, in another zone
		}
		at := g.now.Add(-time.Duration(30+r.IntN(300)) * 24 * time.Hour)
		if r.chance(0.03) {
			c.Consent.Call = model.Consent{State: model.ConsentOptedOut, Source: "crm", At: at}
		}
		if r.chance(0.03) {
			c.Consent.Email = model.Consent{State: model.ConsentOptedOut, Source: "crm", At: at}
		}
		if r.chance(0.01) {
			c.Consent.LinkedIn = model.Consent{State: model.ConsentOptedOut, Source: "crm", At: at}
		}
		cs[i] = c
	}
	return cs
}

var fold = strings.NewReplacer("ü", "u", "é", "e", "á", "a", "í", "i", "ó", "o", "ã", "a", "ç", "c", "ö", "o",
	"å", "a", "ä", "a", "'", "", "’", "")

func asciiSlug(s, sep string) string {
	return strings.ReplaceAll(fold.Replace(strings.ToLower(s)), " ", sep)
}

// history draws three weeks of touches before now, oldest first, or for
// some quiet accounts one older touch; ContactID holds the index of the
// contact until the contacts are written. It applies what each outcome
// implies to the contacts as it goes: a wrong number flags the phone, an
// opt-out records the consent, and neither channel is used again.
func (g *gen) history(a model.Account, cs []model.Contact) []model.Touch {
	r := g.r
	if a.Status == model.StatusDisqualified {
		return nil
	}
	var ts []model.Touch
	if r.chance(0.3) {
		if r.chance(0.5) {
			// Quiet for a while: the last touch is older than the window.
			ci := r.IntN(len(cs))
			if t, ok := g.touchAt(a, &cs[ci], ci, g.channel(), 22+r.IntN(125)); ok {
				ts = append(ts, t)
			}
		}
	} else {
		n := 1 + r.IntN(29)
		ts = make([]model.Touch, 0, n)
		for range n {
			ci := r.IntN(len(cs))
			if t, ok := g.touchAt(a, &cs[ci], ci, g.channel(), 1+r.IntN(21)); ok {
				ts = append(ts, t)
			}
		}
	}
	slices.SortStableFunc(ts, func(x, y model.Touch) int { return x.At.Compare(y.At) })
	// Replay in time order: nothing reaches a channel after it was closed.
	kept, booked := ts[:0], false
	for _, t := range ts {
		c := &cs[t.ContactID]
		if !reachable(*c, t.Channel) || (t.Channel == model.ChannelMeeting && !booked) {
			continue // a meeting is held only once one was booked
		}
		switch t.Outcome {
		case model.OutcomeMeetingBooked:
			booked = true
		case model.OutcomeWrongNumber:
			c.PhoneBad = true
		case model.OutcomeOptedOut:
			c.Consent.Set(t.Channel, model.Consent{State: model.ConsentOptedOut, Source: "crm", At: t.At})
		}
		g.touch++
		if a.CRMID != "" {
			t.CRMID = strconv.Itoa(demoEngagementBase + g.touch)
		}
		kept = append(kept, t)
	}
	return kept
}

// reachable reports whether a touch on ch could reach the contact.
func reachable(c model.Contact, ch model.Channel) bool {
	switch {
	case c.Consent.For(ch).OptedOut():
		return false
	case ch == model.ChannelCall:
		return c.Phone != "" && !c.PhoneBad
	case ch == model.ChannelLinkedIn:
		return c.LinkedInURL != ""
	case ch == model.ChannelEmail:
		return c.Email != ""
	}
	return true
}

func (g *gen) channel() model.Channel {
	switch x := g.r.IntN(100); {
	case x < 30:
		return model.ChannelEmail
	case x < 42:
		return model.ChannelLinkedIn
	case x < 45:
		return model.ChannelMeeting
	}
	return model.ChannelCall
}

// touchAt draws a touch on a business day daysAgo days before now, in the
// contact's working hours; ok is false when the channel cannot reach them.
func (g *gen) touchAt(a model.Account, c *model.Contact, ci int, ch model.Channel, daysAgo int) (model.Touch, bool) {
	r := g.r
	if !reachable(*c, ch) {
		return model.Touch{}, false
	}
	loc := g.zone(c.Zone(a))
	day := g.now.In(loc).AddDate(0, 0, -daysAgo)
	for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, -1)
	}
	y, m, d := day.Date()
	at := time.Date(y, m, d, 9+r.IntN(8), r.IntN(60), 0, 0, loc)
	for at.After(g.now.Add(-24*time.Hour)) || at.Weekday() == time.Saturday || at.Weekday() == time.Sunday {
		// Far ahead of UTC, yesterday's afternoon can be today for the rep:
		// history ends a full day before now, wherever the rep is.
		at = at.AddDate(0, 0, -1)
	}
	t := model.Touch{ContactID: int64(ci), Channel: ch, Direction: model.Outbound, At: at.UTC(),
		Origin: model.OriginCRM, Synced: true}
	t.Outcome = g.outcome(ch)
	if t.Outcome == model.OutcomeConnected && ch != model.ChannelCall && r.chance(0.5) {
		t.Direction = model.Inbound // a reply
	}
	if ch == model.ChannelCall && (t.Outcome == model.OutcomeConnected || t.Outcome == model.OutcomeMeetingBooked) {
		t.Duration = time.Duration(2+r.IntN(25)) * time.Minute
	}
	if ns := notes[string(t.Outcome)]; len(ns) > 0 && r.chance(0.6) {
		t.Note = pick(r, ns)
	}
	return t, true
}

func (g *gen) outcome(ch model.Channel) model.Outcome {
	x := g.r.IntN(100)
	switch ch {
	case model.ChannelCall:
		switch {
		case x < 45:
			return model.OutcomeNoAnswer
		case x < 65:
			return model.OutcomeLeftVoicemail
		case x < 70:
			return model.OutcomeBusy
		case x < 88:
			return model.OutcomeConnected
		case x < 90:
			return model.OutcomeMeetingBooked
		case x < 95:
			return model.OutcomeNotInterested
		case x < 97:
			return model.OutcomeBadTiming
		case x < 98:
			return model.OutcomeWrongPerson
		case x < 99:
			return model.OutcomeWrongNumber
		}
		return model.OutcomeOptedOut
	case model.ChannelMeeting:
		if x < 80 {
			return model.OutcomeConnected
		}
		return model.OutcomeMeetingBooked
	}
	switch {
	case x < 87:
		return model.OutcomeSent
	case x < 95:
		return model.OutcomeConnected
	case x < 96:
		return model.OutcomeMeetingBooked
	case x < 99:
		return model.OutcomeNotInterested
	}
	return model.OutcomeOptedOut
}

// tasks writes the account's open tasks: the next action the rules propose
// for its last touch when that action is still plausibly open (due no more
// than a day ago; most due by tomorrow count as done), and CRM tasks of the usual kinds, each on a channel
// its contact can be reached on.
func (g *gen) tasks(l *storage.Loader, a model.Account, cs []model.Contact, ts []model.Touch) error {
	r := g.r
	if a.Status == model.StatusDisqualified {
		return nil
	}
	n := 0
	switch x := r.IntN(100); {
	case x < 70:
		n = 1
	case x < 78:
		n = 2
	}
	if len(ts) > 0 && n > 0 {
		// The rule's next action takes the place of one CRM task.
		if k := g.followUp(a, cs, ts[len(ts)-1]); k != nil {
			if _, err := l.Task(*k); err != nil {
				return err
			}
			n--
		}
	}
	for range n {
		kind := taskKinds[r.weighted(taskWeights)]
		k := model.Task{AccountID: a.ID, Kind: kind, Priority: priorities[r.weighted(priorityWeight)],
			Origin: model.OriginCRM, Status: model.TaskOpen}
		c := cs[r.IntN(len(cs))]
		if kind != model.TaskTodo {
			kind = reachableKind(c, kind)
			k.Kind = kind
		}
		if kind == model.TaskTodo && r.chance(0.6) {
			k.Title = pick(r, []string{"Research " + a.Name, "Find a champion at " + a.Name, "Map the buying committee"})
		} else {
			k.ContactID = c.ID
			switch kind {
			case model.TaskCall:
				k.Title = pick(r, []string{"Call ", "Follow-up call with ", "Discovery call with "}) + c.FirstName
			case model.TaskEmail:
				k.Title = pick(r, []string{"Email ", "Send case study to ", "Follow-up email to "}) + c.FirstName
			case model.TaskLinkedIn:
				k.Title = "Connect with " + c.FirstName + " on LinkedIn"
			default:
				k.Title = "Prepare notes for " + c.FirstName
			}
		}
		if a.CRMID != "" {
			k.CRMID = g.taskID(r.IntN(1_000_000_000))
		}
		loc := g.zone(c.Zone(a))
		var days int
		switch x := r.IntN(100); {
		case x < 8:
			days = -1 - r.IntN(10) // overdue
		case x < 13:
			days = 0 // due today
		default:
			days = 1 + r.IntN(30)
		}
		if k.ContactID == 0 {
			days = 1 + r.IntN(30) // research can wait for a quiet day
		}
		y, m, d := g.now.In(loc).AddDate(0, 0, days).Date()
		if r.chance(0.3) && k.ContactID != 0 {
			k.DueHasTime = true
			k.Due = time.Date(y, m, d, pick(r, []int{9, 10, 11, 14, 15, 16}), pick(r, []int{0, 30}), 0, 0, loc).UTC()
		} else {
			k.Due = time.Date(y, m, d, 0, 0, 0, 0, time.UTC) // a civil date (model.CivilDate)
		}
		if r.chance(0.04) {
			k.Status = model.TaskSnoozed
			k.SnoozedUntil = g.now.Add(time.Duration(r.IntN(48)-24) * time.Hour)
		}
		k.CreatedAt = g.now.Add(-time.Duration(1+r.IntN(30*24)) * time.Hour)
		if _, err := l.Task(k); err != nil {
			return err
		}
	}
	return nil
}

// followUp is the next action the default rules propose for the account's
// last touch, as the rep would have logged it then, or nil when the rules
// propose none or it would have been due more than a day ago (done or
// dropped by now).
func (g *gen) followUp(a model.Account, cs []model.Contact, t model.Touch) *model.Task {
	c := cs[t.ContactID] // contacts are written: ID is set
	loc := g.zone(c.Zone(a))
	var meeting time.Time
	if t.Outcome == model.OutcomeMeetingBooked {
		meeting = g.now.AddDate(0, 0, 2+g.r.IntN(10))
	}
	// Tasks in the CRM are not all Shortlist's: a do-not-contact account
	// may still hold one a colleague filed, which the worklist then shows
	// held back. So the history is drawn as if the flag were not set.
	open := a
	open.DoNotContact = false
	k := g.rules.ProposeNextOn(t.Outcome, t.Channel, c, open, t.At.In(loc), meeting)
	if k == nil || k.Due.Before(g.now.AddDate(0, 0, -1)) {
		return nil
	}
	if k.Due.Before(g.now.Add(36*time.Hour)) && !g.r.chance(0.3) {
		return nil // most follow-ups due by now were done, a few are still open
	}
	k.Origin, k.CreatedAt = model.OriginCRM, t.At
	if a.CRMID != "" {
		k.CRMID = g.taskID(g.r.IntN(1_000_000_000))
	}
	return k
}

// reachableKind falls back from a call or email task to a channel the
// contact can be reached on, as the rules do for proposals.
func reachableKind(c model.Contact, want model.TaskKind) model.TaskKind {
	if want == model.TaskCall && reachable(c, model.ChannelCall) {
		return model.TaskCall
	}
	if (want == model.TaskCall || want == model.TaskEmail) && reachable(c, model.ChannelEmail) {
		return model.TaskEmail
	}
	if reachable(c, model.ChannelLinkedIn) {
		return model.TaskLinkedIn
	}
	return model.TaskTodo
}
