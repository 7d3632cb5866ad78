package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// Options configure an Engine.
type Options struct {
	OwnerEmail string           // the rep, as the CRM knows them
	Now        func() time.Time // nil → time.Now
	BatchSize  int              // 0 → 100
}

// Engine runs syncs between the local book and a CRM: pull, then push the
// outbox. It holds no state between syncs beyond what the Store keeps, so a
// sync killed at any instant is resumed by the next.
type Engine struct {
	store Store
	crm   CRM
	o     Options
}

var _ model.Syncer = (*Engine)(nil)

// New returns an engine over a store and a CRM.
func New(store Store, crm CRM, o Options) *Engine {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.BatchSize <= 0 || o.BatchSize > 100 {
		o.BatchSize = 100
	}
	return &Engine{store: store, crm: crm, o: o}
}

// pushOrder is the order the outbox is pushed in: creates first, so the
// updates after them find the CRM ids the creates gave; within a kind, the
// order the changes were made in.
var pushOrder = []model.OutboxKind{
	model.OutboxTouchCreate, model.OutboxTaskCreate, model.OutboxTaskUpdate,
	model.OutboxAccountUpdate, model.OutboxContactUpdate, model.OutboxTouchUpdate,
}

// heldShown caps the held-back entries listed in a report.
const heldShown = 20

// run is one sync's working state.
type run struct {
	e        *Engine
	progress chan<- model.SyncProgress
	rep      *model.SyncReport
	owner    Owner
	// seen holds the companies this sync's pull returned: the CRM just
	// said they are the rep's, so they need no ownership check.
	seen map[string]bool
	// swept: this sync marked the whole book for a contact pull; contacts
	// then holds every CRM contact id that pull returned, so a contact of
	// the book it did not return is gone from the CRM or from the book.
	swept    bool
	contacts map[string]bool
	// firstPull: the companies cursor was unset, so the whole book arrives
	// now; the report counts it rather than naming every account.
	firstPull bool
}

// Sync runs one sync: take the book's sync lock (another sync running is
// a *model.SyncRunningError, and nothing else happens), connect, pull
// companies since the stored cursor (each page applied with its cursor in
// one transaction), pull the contacts and the tasks changed in the CRM
// since their own cursors (a change to a contact or a task alone does not
// change its company), take tasks deleted in the CRM off the list, pull the
// contacts and tasks of changed companies; once a day (the sweep) also take
// departed companies out of the worklist and pull the contacts and tasks of
// the whole book; then prepare the CRM and push the outbox in batches when
// there is anything to push; then pull the CRM's signal records (a
// SignalCRM's: replies, calls in, bookings; signals.go), and record the
// outcome. A sync with nothing
// new costs a handful of requests whatever the size of the book.
// It reports progress on the channel (never blocking past ctx) and returns
// the report with an error when the sync stopped early: wrapping
// model.ErrOffline when the CRM could not be reached, ErrDailyLimit when
// the CRM's daily cap was hit, ctx's error when cancelled. The report's
// Pending counts what waits for the next sync.
func (e *Engine) Sync(ctx context.Context, progress chan<- model.SyncProgress) (model.SyncReport, error) {
	// One sync per book at a time: two at once would each push what the
	// other is pushing. A second one stops here, touching nothing.
	release, err := e.store.LockSync(ctx)
	if err != nil {
		return model.SyncReport{Errors: []string{err.Error()}, Conflicts: []model.SyncConflict{}}, err
	}
	defer release()
	rep := model.SyncReport{Started: e.o.Now(), Errors: []string{}, Conflicts: []model.SyncConflict{},
		Held: []model.OutboxItem{}, Changes: []model.SyncChange{}}
	r := &run{e: e, progress: progress, rep: &rep, seen: map[string]bool{}}
	err = r.sync(ctx)
	rep.Finished = e.o.Now()

	// The closing bookkeeping runs even when ctx was cancelled: it is what
	// tells the rep what is left.
	bg := context.WithoutCancel(ctx)
	queued, held, cerr := e.store.OutboxCounts(bg)
	if cerr == nil {
		rep.Pending, rep.HeldBack = queued, held
		if held > 0 {
			items, herr := e.store.OutboxItems(bg, true, heldShown)
			if herr == nil {
				rep.Held = items
			} else if err == nil {
				err = herr
			}
		}
	} else if err == nil {
		err = cerr
	}
	if err != nil {
		err = r.explain(err)
		rep.Errors = append(rep.Errors, err.Error())
	}
	lastErr := ""
	if err != nil {
		lastErr = err.Error()
	}
	if serr := e.store.SetSyncState(bg, rep.Finished, lastErr); serr != nil && err == nil {
		err = fmt.Errorf("record sync: %w", serr)
	}
	r.send(ctx, model.SyncProgress{Phase: model.PhaseDone, What: "sync", Done: rep.Pushed, Total: rep.Pushed + rep.Pending})
	return rep, err
}

// explain words a stopping error for the rep: what happened and what to do.
func (r *run) explain(err error) error {
	name := r.e.crm.Name()
	switch {
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("sync cancelled: %d change(s) queued for the next sync: %w", r.rep.Pending, err)
	case errors.Is(err, model.ErrOffline):
		return fmt.Errorf("%w: %d change(s) queued; sync again when %s is reachable (%v)", model.ErrOffline, r.rep.Pending, name, stripOffline(err))
	case errors.Is(err, ErrDailyLimit):
		return fmt.Errorf("%s's daily API limit is reached: %d change(s) queued; sync again tomorrow: %w", name, r.rep.Pending, ErrDailyLimit)
	case errors.Is(err, ErrUnauthorized):
		return fmt.Errorf("%s refused the token: run shortlist auth hubspot again: %w", name, err)
	}
	return err
}

// stripOffline drops the leading "offline: " an adapter's error may carry,
// since the explained error starts with it already.
func stripOffline(err error) string {
	s := err.Error()
	return strings.TrimPrefix(s, model.ErrOffline.Error()+": ")
}

// send reports progress without blocking past ctx; a nil channel is fine.
func (r *run) send(ctx context.Context, p model.SyncProgress) {
	if r.progress == nil {
		return
	}
	select {
	case r.progress <- p:
	case <-ctx.Done():
	}
}

func (r *run) sync(ctx context.Context) error {
	e := r.e
	r.send(ctx, model.SyncProgress{Phase: model.PhaseConnect, What: e.crm.Name()})
	owner, err := e.crm.Connect(ctx, e.o.OwnerEmail)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", e.crm.Name(), err)
	}
	r.owner = owner
	if err := r.pullCompanies(ctx); err != nil {
		return err
	}
	sweep, err := r.sweepDue(ctx)
	if err != nil {
		return err
	}
	if sweep {
		// A company reassigned away leaves the rep's owner-filtered search
		// without a trace: only reading every one finds it, so once a day.
		if err := r.departed(ctx); err != nil {
			return err
		}
	}
	if err := r.pullChangedContacts(ctx); err != nil {
		return err
	}
	if err := r.pullChangedTasks(ctx); err != nil {
		return err
	}
	if err := r.deletedTasks(ctx); err != nil {
		return err
	}
	if sweep {
		if err := r.sweep(ctx); err != nil {
			return err
		}
	}
	if err := r.pullContactsTasks(ctx); err != nil {
		return err
	}
	queued, _, err := e.store.OutboxCounts(ctx)
	if err != nil {
		return err
	}
	if queued > 0 {
		// Only a push needs Shortlist's custom properties: a sync with
		// nothing to push does not spend a request per property on them.
		if _, err := e.crm.Prepare(ctx); err != nil {
			return fmt.Errorf("prepare %s: %w", e.crm.Name(), err)
		}
	}
	if err := r.push(ctx); err != nil {
		return err
	}
	// Signals after the push: the rep's own work never waits on them.
	if err := r.pullSignals(ctx); err != nil {
		return err
	}
	if _, err := e.store.PurgeDeparted(ctx, e.o.Now()); err != nil {
		return err
	}
	return nil
}

// ownerName is what the book shows as an account's owner: the rep's name
// (else email) for the rep's own accounts, the CRM's owner id otherwise.
func (r *run) ownerName(id string) string {
	switch {
	case id != r.owner.ID:
		return id
	case r.owner.Name != "":
		return r.owner.Name
	case r.owner.Email != "":
		return r.owner.Email
	}
	return id
}

// cursorKey scopes the companies cursor to the owner: a book synced for
// another rep starts from the beginning.
func (r *run) cursorKey() string { return "companies." + r.owner.ID }

// changesShown caps the named changes a report carries; the rest are
// counted in ChangesMore.
const changesShown = 50

func (r *run) absorb(a model.SyncApplied) {
	r.rep.Pulled += a.Changed
	r.rep.Conflicts = append(r.rep.Conflicts, a.Conflicts...)
	r.rep.Errors = append(r.rep.Errors, a.Notes...)
	for _, c := range a.Changes {
		if r.firstPull && c.Kind == model.ChangeArrived {
			continue
		}
		if len(r.rep.Changes) < changesShown {
			r.rep.Changes = append(r.rep.Changes, c)
		} else {
			r.rep.ChangesMore++
		}
	}
}

func (r *run) pullCompanies(ctx context.Context) error {
	e := r.e
	key := r.cursorKey()
	since, err := e.store.SyncCursor(ctx, key)
	if err != nil {
		return err
	}
	r.firstPull = since.IsZero()
	done := 0
	r.send(ctx, model.SyncProgress{Phase: model.PhasePull, What: "companies"})
	err = e.crm.Companies(ctx, r.owner.ID, since, func(page []RemoteCompany) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		pulled := make([]model.PulledCompany, len(page))
		cursor := since
		for i, rc := range page {
			a := rc.Account
			a.Owner = r.ownerName(rc.OwnerID)
			pulled[i] = model.PulledCompany{Account: a, Modified: rc.Modified}
			r.seen[a.CRMID] = true
			if rc.Modified.After(cursor) {
				cursor = rc.Modified
			}
		}
		applied, err := e.store.ApplyCompanies(ctx, pulled, key, cursor)
		if err != nil {
			return err
		}
		since = cursor
		r.absorb(applied)
		done += len(page)
		r.send(ctx, model.SyncProgress{Phase: model.PhasePull, What: "companies", Done: done})
		return nil
	})
	if err != nil {
		return fmt.Errorf("pull companies: %w", err)
	}
	return nil
}

// departed asks the CRM which companies in the book, other than those
// this pull returned, are no longer the rep's, in batches.
func (r *run) departed(ctx context.Context) error {
	e := r.e
	book, err := e.store.BookCompanyIDs(ctx)
	if err != nil {
		return err
	}
	var ids []string
	for _, id := range book {
		if !r.seen[id] {
			ids = append(ids, id)
		}
	}
	for i := 0; i < len(ids); i += e.o.BatchSize {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch := ids[i:min(i+e.o.BatchSize, len(ids))]
		gone, err := e.crm.Departed(ctx, r.owner.ID, batch)
		if err != nil {
			return fmt.Errorf("check departed companies: %w", err)
		}
		r.send(ctx, model.SyncProgress{Phase: model.PhasePull, What: "ownership", Done: i + len(batch), Total: len(ids)})
		if len(gone) == 0 {
			continue
		}
		out := make([]model.DepartedCompany, len(gone))
		for j, d := range gone {
			out[j] = model.DepartedCompany{CompanyID: d.CompanyID, Owner: d.Owner, OwnerName: d.OwnerName, Deleted: d.Deleted}
		}
		applied, err := e.store.ApplyDepartures(ctx, out)
		if err != nil {
			return err
		}
		r.absorb(applied)
	}
	return nil
}

// pullChangedContacts pulls the contacts changed in the CRM since its own
// cursor, wherever their companies stand, so a change made to a contact
// alone (an opt-out recorded this morning), which does not change its
// company, reaches the book on the next sync. Only contacts of companies in
// the book are kept: a contact of a company the rep does not own is not
// theirs. Each page is applied with its cursor in one transaction.
//
// A first sync pulls every contact of the book through its companies, so
// it only sets the cursor: to the companies cursor, a CRM time no later
// than that pull (the local clock may not agree with the CRM's).
func (r *run) pullChangedContacts(ctx context.Context) error {
	e := r.e
	key := r.contactsKey()
	since, err := e.store.SyncCursor(ctx, key)
	if err != nil {
		return err
	}
	if since.IsZero() {
		start, err := e.store.SyncCursor(ctx, r.cursorKey())
		if err != nil || start.IsZero() {
			return err // an empty book has no contacts to miss: decide next time
		}
		_, err = e.store.ApplyContacts(ctx, nil, key, start)
		return err
	}
	ids, err := e.store.BookCompanyIDs(ctx)
	if err != nil {
		return err
	}
	book := make(map[string]bool, len(ids))
	for _, id := range ids {
		book[id] = true
	}
	done := 0
	r.send(ctx, model.SyncProgress{Phase: model.PhasePull, What: "changed contacts"})
	err = e.crm.ContactsModifiedSince(ctx, since, func(page []RemoteContact) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		cursor := since
		var mine []model.PulledContact
		for _, rc := range page {
			if rc.Modified.After(cursor) {
				cursor = rc.Modified
			}
			if slices.ContainsFunc(rc.CompanyIDs, func(id string) bool { return book[id] }) {
				mine = append(mine, model.PulledContact{Contact: rc.Contact, CompanyIDs: rc.CompanyIDs, Modified: rc.Modified, Signals: rc.Signals})
			}
		}
		applied, err := e.store.ApplyContacts(ctx, mine, key, cursor)
		if err != nil {
			return err
		}
		since = cursor
		r.absorb(applied)
		done += len(mine)
		r.send(ctx, model.SyncProgress{Phase: model.PhasePull, What: "changed contacts", Done: done})
		return nil
	})
	if err != nil {
		return fmt.Errorf("pull changed contacts: %w", err)
	}
	return nil
}

// contactsKey scopes the changed-contacts cursor to the owner, as
// cursorKey does the companies cursor.
func (r *run) contactsKey() string { return "contacts." + r.owner.ID }

// tasksKey scopes the changed-tasks cursor to the owner.
func (r *run) tasksKey() string { return "tasks." + r.owner.ID }

// pullChangedTasks pulls the tasks changed in the CRM since their own
// cursor, open or closed, so a task a manager completed, reopened,
// rescheduled or renamed in the CRM is closed, moved or renamed in the book
// on the next sync (a change to a task does not change its company, so the
// company pull never sees it). Tasks on neither a company nor a contact of
// the book are left out by the store. Each page is applied with its cursor
// in one transaction.
//
// A first sync pulls the book's open tasks through its companies, so it
// only sets the cursor, to the companies cursor, as pullChangedContacts does.
func (r *run) pullChangedTasks(ctx context.Context) error {
	e := r.e
	key := r.tasksKey()
	since, err := e.store.SyncCursor(ctx, key)
	if err != nil {
		return err
	}
	if since.IsZero() {
		start, err := e.store.SyncCursor(ctx, r.cursorKey())
		if err != nil || start.IsZero() {
			return err
		}
		_, err = e.store.ApplyTasks(ctx, nil, key, start)
		return err
	}
	done := 0
	r.send(ctx, model.SyncProgress{Phase: model.PhasePull, What: "changed tasks"})
	err = e.crm.TasksModifiedSince(ctx, since, func(page []RemoteTask) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		cursor := since
		tasks := make([]model.PulledTask, len(page))
		for i, rt := range page {
			if rt.Modified.After(cursor) {
				cursor = rt.Modified
			}
			tasks[i] = model.PulledTask{Task: rt.Task, CompanyID: rt.CompanyID, ContactID: rt.ContactID, OpID: rt.OpID, Modified: rt.Modified}
		}
		applied, err := e.store.ApplyTasks(ctx, tasks, key, cursor)
		if err != nil {
			return err
		}
		since = cursor
		r.absorb(applied)
		done += len(page)
		r.send(ctx, model.SyncProgress{Phase: model.PhasePull, What: "changed tasks", Done: done})
		return nil
	})
	if err != nil {
		return fmt.Errorf("pull changed tasks: %w", err)
	}
	return nil
}

// deletedTasks asks the CRM which of the book's open tasks it no longer
// holds (a search never returns a deleted record) and takes them off the
// list, keeping any local change to them and saying so.
func (r *run) deletedTasks(ctx context.Context) error {
	ids, err := r.e.store.OpenTaskCRMIDs(ctx)
	if err != nil || len(ids) == 0 {
		return err
	}
	gone, err := r.e.crm.DeletedTasks(ctx, ids)
	if err != nil {
		return fmt.Errorf("check deleted tasks: %w", err)
	}
	if len(gone) == 0 {
		return nil
	}
	applied, err := r.e.store.ApplyDeletedTasks(ctx, gone)
	if err != nil {
		return err
	}
	r.absorb(applied)
	return nil
}

// sweepEvery is how often every contact and task of the book is pulled
// again and every company's owner read. Changed contacts and tasks are
// found by their own modified date on every sync (pullChangedContacts,
// pullChangedTasks); the sweep is the backstop for what those searches
// cannot see: a company reassigned away from the rep or deleted, a contact
// detached from its company in the CRM, or a record the search index had
// not caught up with when the cursor moved past it. It costs one full pull
// of the book a day.
const sweepEvery = 24 * time.Hour

// sweepKey is the sweep's cursor: when the last one started.
func (r *run) sweepKey() string { return "sweep." + r.owner.ID }

// sweepDue reports whether the last sweep is older than sweepEvery (or
// there was none: a first sync pulls everything anyway).
func (r *run) sweepDue(ctx context.Context) (bool, error) {
	last, err := r.e.store.SyncCursor(ctx, r.sweepKey())
	if err != nil {
		return false, err
	}
	return last.IsZero() || r.e.o.Now().Sub(last) >= sweepEvery, nil
}

// sweep marks the whole book for a contact and task pull, and records the
// sweep's time, in one transaction.
func (r *run) sweep(ctx context.Context) error {
	if err := r.e.store.MarkBookForPull(ctx, r.sweepKey(), r.e.o.Now()); err != nil {
		return err
	}
	r.swept, r.contacts = true, map[string]bool{}
	return nil
}

// pullContactsTasks pulls every contact and open task of the companies
// marked as changed, a batch of companies at a time, each batch applied in
// one transaction that also clears their mark.
func (r *run) pullContactsTasks(ctx context.Context) error {
	e := r.e
	done := 0
	total, err := e.store.PullPendingCount(ctx)
	if err != nil {
		return err
	}
	if total > 0 {
		r.send(ctx, model.SyncProgress{Phase: model.PhasePull, What: "contacts", Total: total})
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		ids, err := e.store.PullPending(ctx, e.o.BatchSize)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return r.dropDetached(ctx)
		}
		rcs, rts, err := e.crm.ContactsTasks(ctx, ids)
		if err != nil {
			return fmt.Errorf("pull contacts and tasks: %w", err)
		}
		contacts := make([]model.PulledContact, len(rcs))
		for i, rc := range rcs {
			contacts[i] = model.PulledContact{Contact: rc.Contact, CompanyIDs: rc.CompanyIDs, Modified: rc.Modified, Signals: rc.Signals}
			if r.swept {
				r.contacts[model.Sanitize(rc.Contact.CRMID)] = true
			}
		}
		tasks := make([]model.PulledTask, len(rts))
		for i, rt := range rts {
			tasks[i] = model.PulledTask{Task: rt.Task, CompanyID: rt.CompanyID, ContactID: rt.ContactID, OpID: rt.OpID, Modified: rt.Modified}
		}
		applied, err := e.store.ApplyContactsTasks(ctx, ids, contacts, tasks)
		if err != nil {
			return err
		}
		r.absorb(applied)
		done += len(ids)
		r.send(ctx, model.SyncProgress{Phase: model.PhasePull, What: "contacts", Done: done, Total: max(total, done)})
	}
}

// dropDetached, after a sweep pulled every company of the book in this
// sync, takes out of the book the contacts that pull did not return:
// deleted in the CRM or detached from every book company. A sweep cut
// short (offline, cancelled) never gets here: a later sync finishes its
// pull without dropping anything, and tomorrow's sweep looks again, so a
// contact is never dropped on a partial view.
func (r *run) dropDetached(ctx context.Context) error {
	if !r.swept {
		return nil
	}
	seen := make([]string, 0, len(r.contacts))
	for id := range r.contacts {
		seen = append(seen, id)
	}
	applied, err := r.e.store.DropDetachedContacts(ctx, seen, r.e.o.Now())
	if err != nil {
		return err
	}
	r.absorb(applied)
	return nil
}

// push sends the outbox, kind by kind in pushOrder, in batches; each
// batch's outcomes are recorded in one transaction before the next batch
// goes. Cancellation stops it between batches.
func (r *run) push(ctx context.Context) error {
	e := r.e
	queued, _, err := e.store.OutboxCounts(ctx)
	if err != nil {
		return err
	}
	total := queued
	r.send(ctx, model.SyncProgress{Phase: model.PhasePush, What: "changes", Total: total})
	for _, kind := range pushOrder {
		var after int64
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			window := e.o.BatchSize
			if kind == model.OutboxTouchCreate || kind == model.OutboxTouchUpdate {
				window *= touchWindow
			}
			entries, err := e.store.PendingOutbox(ctx, kind, after, window)
			if err != nil {
				return err
			}
			if len(entries) == 0 {
				break
			}
			after = entries[len(entries)-1].ID
			for _, batch := range r.batches(kind, entries) {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := r.pushAndRecord(ctx, kind, batch); err != nil {
					return err
				}
				r.send(ctx, model.SyncProgress{Phase: model.PhasePush, What: kindWords(kind), Done: r.rep.Pushed, Total: total})
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
func (r *run) batches(kind model.OutboxKind, entries []model.OutboxEntry) [][]model.OutboxEntry {
	groups := [][]model.OutboxEntry{entries}
	if kind == model.OutboxTouchCreate || kind == model.OutboxTouchUpdate {
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
func (r *run) pushAndRecord(ctx context.Context, kind model.OutboxKind, batch []model.OutboxEntry) error {
	outcomes, err := r.pushBatch(ctx, kind, batch)
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
		return fmt.Errorf("push %s: %w", kindWords(kind), err)
	}
	return nil
}

func kindWords(k model.OutboxKind) string {
	switch k {
	case model.OutboxTouchCreate:
		return "touches"
	case model.OutboxTaskCreate:
		return "new tasks"
	case model.OutboxTaskUpdate:
		return "task updates"
	case model.OutboxAccountUpdate:
		return "account updates"
	case model.OutboxContactUpdate:
		return "contact updates"
	case model.OutboxTouchUpdate:
		return "note edits"
	}
	return string(k)
}

// pushBatch pushes one batch of a kind and maps the CRM's results to
// outcomes. Entries that cannot go yet (a task update before its task has
// a CRM id) are left queued without an outcome. A transport error returns
// no outcomes: the whole batch stays queued for the next sync, where the
// CRM's idempotency per operation id makes the retry safe.
func (r *run) pushBatch(ctx context.Context, kind model.OutboxKind, entries []model.OutboxEntry) ([]model.PushOutcome, error) {
	owner := r.owner.ID
	var outcomes []model.PushOutcome
	skip := func(e model.OutboxEntry, why string) {
		outcomes = append(outcomes, model.PushOutcome{EntryID: e.ID, Skipped: true, Error: why})
	}
	// wait holds an entry whose record the CRM does not hold (an account
	// that was never there): it is listed with the way out, not queued
	// forever without a word.
	wait := func(e model.OutboxEntry, what string) {
		outcomes = append(outcomes, model.PushOutcome{EntryID: e.ID, Waiting: true, Error: what + " is not in the CRM"})
	}
	switch kind {
	case model.OutboxTouchCreate:
		var in []OutTouch
		var sent []model.OutboxEntry
		var notes []string
		for _, e := range entries {
			if e.Touch.ID == 0 {
				skip(e, "the touch no longer exists")
				continue
			}
			if e.Contact.CRMID == "" && e.Account.CRMID == "" {
				wait(e, "the account "+e.Account.Name) // an engagement linked to nothing helps no one
				continue
			}
			in = append(in, OutTouch{OpID: e.OpID, Touch: e.Touch, ContactID: e.Contact.CRMID, CompanyID: e.Account.CRMID, OwnerID: owner, SentAt: e.SentAt})
			sent = append(sent, e)
			notes = append(notes, e.Touch.Note)
		}
		if len(in) == 0 {
			return outcomes, nil
		}
		if err := r.markInFlight(ctx, sent); err != nil {
			return outcomes, err
		}
		res, err := r.e.crm.PushTouches(ctx, in)
		// The note each create carried: one edited while the push was
		// under way is then queued as an update (storage RecordPush).
		return r.results(outcomes, sent, res, notes, err)
	case model.OutboxTaskCreate:
		var in []OutTask
		var sent []model.OutboxEntry
		for _, e := range entries {
			if e.Task.ID == 0 {
				skip(e, "the task no longer exists")
				continue
			}
			if e.Task.CRMID != "" {
				// A pull already matched it by its operation id.
				outcomes = append(outcomes, model.PushOutcome{EntryID: e.ID, CRMID: e.Task.CRMID})
				continue
			}
			if e.Contact.CRMID == "" && e.Account.CRMID == "" {
				wait(e, "the account "+e.Account.Name)
				continue
			}
			in = append(in, OutTask{OpID: e.OpID, Task: e.Task, ContactID: e.Contact.CRMID, CompanyID: e.Account.CRMID, OwnerID: owner, SentAt: e.SentAt})
			sent = append(sent, e)
		}
		if len(in) == 0 {
			return outcomes, nil
		}
		if err := r.markInFlight(ctx, sent); err != nil {
			return outcomes, err
		}
		res, err := r.e.crm.PushTasks(ctx, in)
		return r.results(outcomes, sent, res, nil, err)
	case model.OutboxTaskUpdate:
		// The latest change of each task is what the CRM must hold; earlier
		// ones in the batch ride along with its result.
		latest := map[string]int{}
		var in []TaskUpdate
		var sent []model.OutboxEntry
		var pushed []string
		for _, e := range entries {
			switch {
			case e.Task.ID == 0:
				skip(e, "the task no longer exists")
				continue
			case e.Task.CRMID == "" && e.CreateQueued:
				continue // its create has not reached the CRM yet: stays queued
			case e.Task.CRMID == "":
				wait(e, "the task") // never pushed (or its create is held): nothing to update
				continue
			}
			u := TaskUpdate{OpID: e.OpID, CRMID: e.Task.CRMID, Status: e.Task.Status, Due: model.DueToCRM(e.Task),
				Title: e.Task.Title, Priority: e.Task.Priority}
			if e.Task.Status == model.TaskSnoozed {
				// The CRM has no snooze: the task is open and due when
				// the snooze ends, so the manager's view moves with it.
				u.Status = model.TaskOpen
				if !e.Task.SnoozedUntil.IsZero() {
					u.Due = e.Task.SnoozedUntil
				}
			}
			if j, ok := latest[e.Task.CRMID]; ok {
				in[j] = u
			} else {
				latest[e.Task.CRMID] = len(in)
				in = append(in, u)
			}
			sent = append(sent, e)
			pushed = append(pushed, string(e.Task.Status))
		}
		return r.coalesced(ctx, outcomes, sent, pushed, latest, func(e model.OutboxEntry) string { return e.Task.CRMID },
			func() ([]Result, error) { return r.e.crm.UpdateTasks(ctx, in) })
	case model.OutboxAccountUpdate:
		latest := map[string]int{}
		var in []CompanyUpdate
		var sent []model.OutboxEntry
		var pushed []string
		for _, e := range entries {
			if e.Account.ID == 0 {
				skip(e, "the account no longer exists")
				continue
			}
			if e.Account.CRMID == "" {
				wait(e, "the account "+e.Account.Name)
				continue
			}
			u := CompanyUpdate{OpID: e.OpID, CRMID: e.Account.CRMID, Status: e.Account.Status}
			if j, ok := latest[u.CRMID]; ok {
				in[j] = u
			} else {
				latest[u.CRMID] = len(in)
				in = append(in, u)
			}
			sent = append(sent, e)
			pushed = append(pushed, string(e.Account.Status))
		}
		return r.coalesced(ctx, outcomes, sent, pushed, latest, func(e model.OutboxEntry) string { return e.Account.CRMID },
			func() ([]Result, error) { return r.e.crm.UpdateCompanies(ctx, in) })
	case model.OutboxContactUpdate:
		latest := map[string]int{}
		var in []ContactUpdate
		var sent []model.OutboxEntry
		for _, e := range entries {
			if e.Contact.ID == 0 {
				skip(e, "the contact no longer exists")
				continue
			}
			if e.Contact.CRMID == "" {
				wait(e, "the contact "+e.Contact.Name())
				continue
			}
			u := ContactUpdate{OpID: e.OpID, CRMID: e.Contact.CRMID, Consent: e.Contact.Consent, PhoneBad: e.Contact.PhoneBad}
			if j, ok := latest[u.CRMID]; ok {
				in[j] = u
			} else {
				latest[u.CRMID] = len(in)
				in = append(in, u)
			}
			sent = append(sent, e)
		}
		return r.coalesced(ctx, outcomes, sent, nil, latest, func(e model.OutboxEntry) string { return e.Contact.CRMID },
			func() ([]Result, error) { return r.e.crm.UpdateContacts(ctx, in) })
	case model.OutboxTouchUpdate:
		// A note edited after its touch reached the CRM. Every entry reads
		// the touch as it is now, so one update per engagement carries the
		// latest note and the earlier edits ride along with its result.
		latest := map[string]int{}
		var in []TouchUpdate
		var sent []model.OutboxEntry
		for _, e := range entries {
			switch {
			case e.Touch.ID == 0:
				skip(e, "the touch no longer exists")
				continue
			case e.Touch.CRMID == "" && e.Touch.Origin == model.OriginLocal && e.CreateQueued:
				continue // its create has not reached the CRM yet: stays queued
			case e.Touch.CRMID == "" && e.Touch.Origin == model.OriginLocal:
				wait(e, "the touch")
				continue
			case e.Touch.CRMID == "":
				skip(e, "the touch is not in the CRM: the note is kept here")
				continue
			}
			u := TouchUpdate{OpID: e.OpID, CRMID: e.Touch.CRMID, Touch: e.Touch}
			if j, ok := latest[u.CRMID]; ok {
				in[j] = u
			} else {
				latest[u.CRMID] = len(in)
				in = append(in, u)
			}
			sent = append(sent, e)
		}
		n := len(outcomes)
		var err error
		outcomes, err = r.coalesced(ctx, outcomes, sent, nil, latest, func(e model.OutboxEntry) string { return e.Touch.CRMID },
			func() ([]Result, error) { return r.e.crm.UpdateTouches(ctx, in) })
		for i := n; i < len(outcomes); i++ {
			if outcomes[i].Gone {
				outcomes[i].Error = "the engagement was deleted in the CRM; the edited note is kept here: " + outcomes[i].Error
			}
		}
		return outcomes, err
	}
	for _, e := range entries {
		skip(e, "unknown change kind "+string(e.Kind))
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

// coalesced pushes one update per record (the latest) and gives every
// entry for that record the record's result.
func (r *run) coalesced(ctx context.Context, outcomes []model.PushOutcome, sent []model.OutboxEntry, pushed []string,
	latest map[string]int, crmID func(model.OutboxEntry) string, call func() ([]Result, error)) ([]model.PushOutcome, error) {
	if len(sent) == 0 {
		return outcomes, nil
	}
	res, err := call()
	if err != nil {
		return outcomes, err
	}
	if len(res) != len(latest) {
		return outcomes, &ProtocolError{Op: "push updates", Detail: fmt.Sprintf("%d results for %d updates", len(res), len(latest))}
	}
	for i, e := range sent {
		o := outcome(e, res[latest[crmID(e)]])
		if pushed != nil && !o.Retry && !o.Held && !o.Gone {
			o.Pushed = pushed[i]
		}
		outcomes = append(outcomes, o)
	}
	return outcomes, nil
}

// results maps a create call's results (one per input, in order) onto
// outcomes.
func (r *run) results(outcomes []model.PushOutcome, sent []model.OutboxEntry, res []Result, pushed []string, err error) ([]model.PushOutcome, error) {
	if err != nil {
		return outcomes, err
	}
	if len(res) != len(sent) {
		return outcomes, &ProtocolError{Op: "push creates", Detail: fmt.Sprintf("%d results for %d records", len(res), len(sent))}
	}
	for i, e := range sent {
		if res[i].OpID != "" && res[i].OpID != e.OpID {
			return outcomes, &ProtocolError{Op: "push creates", Detail: "results out of order"}
		}
		o := outcome(e, res[i])
		if pushed != nil && !o.Retry && !o.Held && !o.Gone {
			o.Pushed = pushed[i]
		}
		outcomes = append(outcomes, o)
	}
	return outcomes, nil
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
