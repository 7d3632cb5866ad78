package sync

import (
	"context"
	"errors"
	"fmt"

	"github.com/shortlisthq/shortlist/model"
)

// pushKinds is how each kind of outbox entry goes to the CRM, in the order
// the outbox is pushed: creates first, so the updates after them find the
// CRM ids the creates gave; within a kind, the order the changes were made
// in. The push is one loop over this table (run.push).
var pushKinds = []outboxKind{
	{
		kind: model.OutboxTouchCreate, words: "touches", create: true, touches: true,
		check: func(e model.OutboxEntry) verdict {
			switch {
			case e.Touch.ID == 0:
				return skipped("the touch no longer exists")
			case e.Contact.CRMID == "" && e.Account.CRMID == "":
				return waiting("the account " + e.Account.Name) // an engagement linked to nothing helps no one
			}
			return goes
		},
		// The note each create carried: one edited while the push was
		// under way is then queued as an update (storage RecordPush).
		pushed: func(e model.OutboxEntry) string { return e.Touch.Note },
		call: func(ctx context.Context, crm CRM, owner string, es []model.OutboxEntry) ([]Result, error) {
			return crm.PushTouches(ctx, each(es, func(e model.OutboxEntry) OutTouch {
				return OutTouch{OpID: e.OpID, Touch: e.Touch, ContactID: e.Contact.CRMID, CompanyID: e.Account.CRMID, OwnerID: owner, SentAt: e.SentAt}
			}))
		},
	},
	{
		kind: model.OutboxTaskCreate, words: "new tasks", create: true,
		check: func(e model.OutboxEntry) verdict {
			switch {
			case e.Task.ID == 0:
				return skipped("the task no longer exists")
			case e.Task.CRMID != "":
				return verdict{d: dispDone, crmID: e.Task.CRMID} // a pull already matched it by its operation id
			case e.Contact.CRMID == "" && e.Account.CRMID == "":
				return waiting("the account " + e.Account.Name)
			}
			return goes
		},
		call: func(ctx context.Context, crm CRM, owner string, es []model.OutboxEntry) ([]Result, error) {
			return crm.PushTasks(ctx, each(es, func(e model.OutboxEntry) OutTask {
				return OutTask{OpID: e.OpID, Task: e.Task, ContactID: e.Contact.CRMID, CompanyID: e.Account.CRMID, OwnerID: owner, SentAt: e.SentAt}
			}))
		},
	},
	{
		kind: model.OutboxTaskUpdate, words: "task updates",
		check: func(e model.OutboxEntry) verdict {
			switch {
			case e.Task.ID == 0:
				return skipped("the task no longer exists")
			case e.Task.CRMID == "" && e.CreateQueued:
				return stays // its create has not reached the CRM yet
			case e.Task.CRMID == "":
				return waiting("the task") // never pushed (or its create is held): nothing to update
			}
			return goes
		},
		record: func(e model.OutboxEntry) string { return e.Task.CRMID },
		pushed: func(e model.OutboxEntry) string { return string(e.Task.Status) },
		call: func(ctx context.Context, crm CRM, _ string, es []model.OutboxEntry) ([]Result, error) {
			return crm.UpdateTasks(ctx, each(es, taskUpdate))
		},
	},
	{
		kind: model.OutboxAccountUpdate, words: "account updates",
		check: func(e model.OutboxEntry) verdict {
			switch {
			case e.Account.ID == 0:
				return skipped("the account no longer exists")
			case e.Account.CRMID == "":
				return waiting("the account " + e.Account.Name)
			}
			return goes
		},
		record: func(e model.OutboxEntry) string { return e.Account.CRMID },
		pushed: func(e model.OutboxEntry) string { return string(e.Account.Status) },
		call: func(ctx context.Context, crm CRM, _ string, es []model.OutboxEntry) ([]Result, error) {
			return crm.UpdateCompanies(ctx, each(es, func(e model.OutboxEntry) CompanyUpdate {
				return CompanyUpdate{OpID: e.OpID, CRMID: e.Account.CRMID, Status: e.Account.Status}
			}))
		},
	},
	{
		kind: model.OutboxContactUpdate, words: "contact updates",
		check: func(e model.OutboxEntry) verdict {
			switch {
			case e.Contact.ID == 0:
				return skipped("the contact no longer exists")
			case e.Contact.CRMID == "":
				return waiting("the contact " + e.Contact.Name())
			}
			return goes
		},
		record: func(e model.OutboxEntry) string { return e.Contact.CRMID },
		call: func(ctx context.Context, crm CRM, _ string, es []model.OutboxEntry) ([]Result, error) {
			return crm.UpdateContacts(ctx, each(es, func(e model.OutboxEntry) ContactUpdate {
				return ContactUpdate{OpID: e.OpID, CRMID: e.Contact.CRMID, Consent: e.Contact.Consent, PhoneBad: e.Contact.PhoneBad}
			}))
		},
	},
	{
		// A note edited after its touch reached the CRM: one update per
		// engagement carries the latest note.
		kind: model.OutboxTouchUpdate, words: "note edits", touches: true,
		check: func(e model.OutboxEntry) verdict {
			local := e.Touch.Origin == model.OriginLocal
			switch {
			case e.Touch.ID == 0:
				return skipped("the touch no longer exists")
			case e.Touch.CRMID == "" && local && e.CreateQueued:
				return stays // its create has not reached the CRM yet
			case e.Touch.CRMID == "" && local:
				return waiting("the touch")
			case e.Touch.CRMID == "":
				return skipped("the touch is not in the CRM: the note is kept here")
			}
			return goes
		},
		record: func(e model.OutboxEntry) string { return e.Touch.CRMID },
		gone:   "the engagement was deleted in the CRM; the edited note is kept here: ",
		call: func(ctx context.Context, crm CRM, _ string, es []model.OutboxEntry) ([]Result, error) {
			return crm.UpdateTouches(ctx, each(es, func(e model.OutboxEntry) TouchUpdate {
				return TouchUpdate{OpID: e.OpID, CRMID: e.Touch.CRMID, Touch: e.Touch}
			}))
		},
	},
}

// outboxKind is how one kind of outbox entry is pushed: a row of pushKinds.
type outboxKind struct {
	kind  model.OutboxKind
	words string // in progress and errors, e.g. "new tasks"
	// create: each entry creates a record, is marked in flight before it
	// is sent (a create whose reply was lost may exist) and gets its own
	// result. Otherwise each entry updates a record the CRM holds: one
	// update per record goes (every entry reads its record as it is now,
	// so the latest carries every change) and each entry for that record
	// takes its result.
	create bool
	// touches: the entries are touches, read touchWindow batches at a
	// time and batched by the engagement each becomes.
	touches bool
	// check says whether an entry goes now, and what becomes of it if not.
	check func(model.OutboxEntry) verdict
	// record is the CRM id of the record an update writes (updates only).
	record func(model.OutboxEntry) string
	// pushed is what the store keeps of what went (nil: nothing).
	pushed func(model.OutboxEntry) string
	// call sends the entries and returns one result per entry, in order.
	call func(ctx context.Context, crm CRM, ownerID string, es []model.OutboxEntry) ([]Result, error)
	// gone prefixes the error of an entry whose record was deleted in the
	// CRM, to say what is kept.
	gone string
}

// disposition is what becomes of an outbox entry before the CRM is asked.
type disposition int

const (
	dispSend disposition = iota // it goes to the CRM
	dispStay                    // its record's create is still queued: it stays, with no outcome
	dispSkip                    // nothing to push: marked done, saying why
	dispWait                    // its record is not in the CRM: held with the way out
	dispDone                    // the CRM holds it already: recorded as pushed
)

// verdict is an outboxKind's check of one entry.
type verdict struct {
	d     disposition
	why   string // dispSkip: the reason; dispWait: what the CRM lacks
	crmID string // dispDone: the record's id
}

var (
	goes  = verdict{d: dispSend}
	stays = verdict{d: dispStay}
)

func skipped(why string) verdict { return verdict{d: dispSkip, why: why} }

// waiting holds an entry whose record the CRM does not hold (an account
// that was never there): it is listed with the way out, not queued
// forever without a word.
func waiting(what string) verdict { return verdict{d: dispWait, why: what + " is not in the CRM"} }

// each maps outbox entries onto what an adapter takes.
func each[T any](es []model.OutboxEntry, f func(model.OutboxEntry) T) []T {
	out := make([]T, len(es))
	for i, e := range es {
		out[i] = f(e)
	}
	return out
}

// taskUpdate writes a task as it is in the book.
func taskUpdate(e model.OutboxEntry) TaskUpdate {
	u := TaskUpdate{OpID: e.OpID, CRMID: e.Task.CRMID, Status: e.Task.Status, Due: model.DueToCRM(e.Task),
		Title: e.Task.Title, Priority: e.Task.Priority}
	if e.Task.Status == model.TaskSnoozed {
		// The CRM has no snooze: the task is open and due when the snooze
		// ends, so the manager's view moves with it.
		u.Status = model.TaskOpen
		if !e.Task.SnoozedUntil.IsZero() {
			u.Due = e.Task.SnoozedUntil
		}
	}
	return u
}

// push sends the outbox, kind by kind in pushKinds order, in batches; each
// batch's outcomes are recorded in one transaction before the next batch
// goes. Cancellation stops it between batches.
func (r *run) push(ctx context.Context) error {
	e := r.e
	total, _, err := e.store.OutboxCounts(ctx)
	if err != nil {
		return err
	}
	r.send(ctx, model.SyncProgress{Phase: model.PhasePush, What: "changes", Total: total})
	for _, k := range pushKinds {
		window := e.o.BatchSize
		if k.touches {
			window *= touchWindow
		}
		var after int64
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			entries, err := e.store.PendingOutbox(ctx, k.kind, after, window)
			if err != nil {
				return err
			}
			if len(entries) == 0 {
				break
			}
			after = entries[len(entries)-1].ID
			for _, batch := range r.batches(k, entries) {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := r.pushAndRecord(ctx, k, batch); err != nil {
					return err
				}
				r.send(ctx, model.SyncProgress{Phase: model.PhasePush, What: k.words, Done: r.rep.Pushed, Total: total})
			}
		}
	}
	return nil
}

// touchWindow is how many batches of touches are read at once, so they
// can be grouped by the engagement type the CRM files them under.
const touchWindow = 10

// engagementGroup is the kind of CRM record a touch becomes (see
// CRM.PushTouches): a call, an email, a message, a meeting (held, a visit,
// or booked with its time known) or a note.
func engagementGroup(t model.Touch) string {
	switch {
	case t.Outcome == model.OutcomeMeetingBooked && !t.MeetingAt.IsZero():
		return "meeting"
	case t.Channel == model.ChannelVisit:
		return "meeting"
	}
	return string(t.Channel)
}

// batches splits entries into batches of at most BatchSize. Touches (and
// edits of their notes) are grouped first by the engagement they become
// (engagementGroup), as a CRM takes each type in its own request: 1,000
// mixed touches then cost about ten requests, not fifty. The touches are
// independent records, so the order across groups does not matter; within
// a group it is kept.
func (r *run) batches(k outboxKind, entries []model.OutboxEntry) [][]model.OutboxEntry {
	groups := [][]model.OutboxEntry{entries}
	if k.touches {
		by := map[string][]model.OutboxEntry{}
		var order []string
		for _, e := range entries {
			g := engagementGroup(e.Touch)
			if _, ok := by[g]; !ok {
				order = append(order, g)
			}
			by[g] = append(by[g], e)
		}
		groups = groups[:0]
		for _, g := range order {
			groups = append(groups, by[g])
		}
	}
	var out [][]model.OutboxEntry
	for _, g := range groups {
		for i := 0; i < len(g); i += r.e.o.BatchSize {
			out = append(out, g[i:min(i+r.e.o.BatchSize, len(g))])
		}
	}
	return out
}

// pushAndRecord pushes one batch and records its outcomes in one
// transaction — also when the batch failed part way or ctx is done, since
// what reached the CRM must be kept.
func (r *run) pushAndRecord(ctx context.Context, k outboxKind, batch []model.OutboxEntry) error {
	outcomes, err := r.pushBatch(ctx, k, batch)
	if len(outcomes) > 0 {
		if rerr := r.e.store.RecordPush(context.WithoutCancel(ctx), outcomes); rerr != nil {
			return rerr
		}
		for _, o := range outcomes {
			if !o.Retry && !o.Held && !o.Gone && !o.Skipped && !o.Waiting {
				r.rep.Pushed++
			}
		}
	}
	if err != nil {
		return fmt.Errorf("push %s: %w", k.words, err)
	}
	return nil
}

// pushBatch pushes one batch of a kind and maps the CRM's results to
// outcomes. Entries that cannot go yet (a task update before its task has
// a CRM id) are left queued without an outcome. A transport error returns
// no outcomes for what was sent: it stays queued for the next sync, where
// the CRM's idempotency per operation id makes the retry safe.
func (r *run) pushBatch(ctx context.Context, k outboxKind, entries []model.OutboxEntry) ([]model.PushOutcome, error) {
	var outcomes []model.PushOutcome
	var sent []model.OutboxEntry
	for _, e := range entries {
		switch v := k.check(e); v.d {
		case dispSend:
			sent = append(sent, e)
		case dispSkip:
			outcomes = append(outcomes, model.PushOutcome{EntryID: e.ID, Skipped: true, Error: v.why})
		case dispWait:
			outcomes = append(outcomes, model.PushOutcome{EntryID: e.ID, Waiting: true, Error: v.why})
		case dispDone:
			outcomes = append(outcomes, model.PushOutcome{EntryID: e.ID, CRMID: v.crmID})
		}
	}
	if len(sent) == 0 {
		return outcomes, nil
	}
	// items are what goes; sent[i] takes the result of items[of[i]].
	items, of := sent, make([]int, len(sent))
	op := "push creates"
	if k.create {
		if err := r.markInFlight(ctx, sent); err != nil {
			return outcomes, err
		}
		for i := range of {
			of[i] = i
		}
	} else {
		op = "push updates"
		items = nil
		latest := map[string]int{}
		for i, e := range sent {
			j, ok := latest[k.record(e)]
			if ok {
				items[j] = e
			} else {
				j = len(items)
				latest[k.record(e)] = j
				items = append(items, e)
			}
			of[i] = j
		}
	}
	res, err := k.call(ctx, r.e.crm, r.owner.ID, items)
	if err != nil {
		return outcomes, err
	}
	if len(res) != len(items) {
		return outcomes, &ProtocolError{Op: op, Detail: fmt.Sprintf("%d results for %d records", len(res), len(items))}
	}
	for i, e := range sent {
		res := res[of[i]]
		if k.create && res.OpID != "" && res.OpID != e.OpID {
			return outcomes, &ProtocolError{Op: op, Detail: "results out of order"}
		}
		o := outcome(e, res)
		if k.pushed != nil && !o.Retry && !o.Held && !o.Gone {
			o.Pushed = k.pushed(e)
		}
		if o.Gone && k.gone != "" {
			o.Error = k.gone + o.Error
		}
		outcomes = append(outcomes, o)
	}
	return outcomes, nil
}

// markInFlight records that the creates of entries are about to be sent,
// before they are: a sync killed after the CRM applied them, before their
// results were recorded, leaves the next one knowing they may exist.
func (r *run) markInFlight(ctx context.Context, entries []model.OutboxEntry) error {
	ids := make([]int64, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	return r.e.store.MarkInFlight(ctx, ids, r.e.o.Now())
}

// outcome turns one CRM result into what the store records.
func outcome(e model.OutboxEntry, res Result) model.PushOutcome {
	o := model.PushOutcome{EntryID: e.ID}
	if res.Err == nil {
		if res.CRMID == "" && (e.Kind == model.OutboxTouchCreate || e.Kind == model.OutboxTaskCreate) {
			o.Retry, o.Error = true, "the CRM returned no id"
			return o
		}
		o.CRMID = res.CRMID
		return o
	}
	o.Error = model.Sanitize(res.Err.Error())
	var ie *ItemError
	switch {
	case errors.As(res.Err, &ie) && ie.Gone:
		o.Gone = true
	case errors.As(res.Err, &ie) && !ie.Retry:
		o.Held = true
	default:
		o.Retry = true
	}
	return o
}
