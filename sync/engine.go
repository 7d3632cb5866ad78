package sync

import (
	"context"
	"errors"
	"fmt"
	"slices"
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

// explain says what a stopping error leaves queued, keeping the error
// for errors.Is and errors.As. How to get past a refusal (a new token, a
// scope, a field) is the edge's to word, per CRM.
func (r *run) explain(err error) error {
	name := r.e.crm.Name()
	var off *OfflineError
	switch {
	case errors.Is(err, context.Canceled):
		return &explained{fmt.Sprintf("sync cancelled: %d change(s) queued for the next sync", r.rep.Pending), err}
	case errors.As(err, &off):
		return &explained{fmt.Sprintf("%s: %d change(s) queued; sync again when %s is reachable (%s: %s)", model.ErrOffline, r.rep.Pending, name, off.Op, off.Reason), err}
	case errors.Is(err, model.ErrOffline):
		return &explained{fmt.Sprintf("%s: %d change(s) queued; sync again when %s is reachable (%v)", model.ErrOffline, r.rep.Pending, name, err), err}
	case errors.Is(err, ErrDailyLimit):
		return &explained{fmt.Sprintf("%s's daily API limit is reached: %d change(s) queued; sync again tomorrow", name, r.rep.Pending), err}
	}
	return err
}

// explained is an error worded for the rep that still unwraps to its cause.
type explained struct {
	msg string
	err error
}

func (e *explained) Error() string { return e.msg }
func (e *explained) Unwrap() error { return e.err }

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
	if err := r.pullChangedMeetings(ctx); err != nil {
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
	err = e.crm.Companies(ctx, r.owner.ID, since, func(page []model.PulledCompany) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		cursor := since
		for i := range page {
			pc := &page[i]
			pc.Account.Owner = r.ownerName(pc.OwnerID)
			r.seen[pc.Account.CRMID] = true
			if pc.Modified.After(cursor) {
				cursor = pc.Modified
			}
		}
		applied, err := e.store.ApplyCompanies(ctx, page, key, cursor)
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
		applied, err := e.store.ApplyDepartures(ctx, gone)
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
	var book map[string]bool
	return pullSince(ctx, r, changedSince[model.PulledContact]{
		key: r.contactsKey(), what: "changed contacts", walk: r.e.crm.ContactsModifiedSince,
		modified: func(pc model.PulledContact) time.Time { return pc.Modified },
		apply: func(ctx context.Context, page []model.PulledContact, cursor time.Time) (model.SyncApplied, int, error) {
			if book == nil && len(page) > 0 {
				ids, err := r.e.store.BookCompanyIDs(ctx)
				if err != nil {
					return model.SyncApplied{}, 0, err
				}
				book = make(map[string]bool, len(ids))
				for _, id := range ids {
					book[id] = true
				}
			}
			var mine []model.PulledContact
			for _, pc := range page {
				if slices.ContainsFunc(pc.CompanyIDs, func(id string) bool { return book[id] }) {
					mine = append(mine, pc)
				}
			}
			applied, err := r.e.store.ApplyContacts(ctx, mine, r.contactsKey(), cursor)
			return applied, len(mine), err
		},
	})
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
	return pullSince(ctx, r, changedSince[model.PulledTask]{
		key: r.tasksKey(), what: "changed tasks", walk: r.e.crm.TasksModifiedSince,
		modified: func(pt model.PulledTask) time.Time { return pt.Modified },
		apply: func(ctx context.Context, page []model.PulledTask, cursor time.Time) (model.SyncApplied, int, error) {
			applied, err := r.e.store.ApplyTasks(ctx, page, r.tasksKey(), cursor)
			return applied, len(page), err
		},
	})
}

// pullChangedMeetings pulls the booked meetings changed in the CRM since
// their own cursor, when the CRM keeps meetings a person there can move or
// delete (MeetingPuller): the touch that booked one takes its new time, or
// is marked cancelled. Each page is applied with its cursor in one
// transaction. A first sync only sets the cursor, to the companies
// cursor, as pullChangedTasks does: nothing it pushed yet can have moved.
func (r *run) pullChangedMeetings(ctx context.Context) error {
	mp, ok := r.e.crm.(MeetingPuller)
	if !ok {
		return nil
	}
	key := "meetings." + r.owner.ID
	return pullSince(ctx, r, changedSince[model.PulledMeeting]{
		key: key, what: "changed meetings", walk: mp.MeetingsModifiedSince,
		modified: func(pm model.PulledMeeting) time.Time { return pm.Modified },
		apply: func(ctx context.Context, page []model.PulledMeeting, cursor time.Time) (model.SyncApplied, int, error) {
			applied, err := r.e.store.ApplyMeetings(ctx, page, key, cursor)
			return applied, len(page), err
		},
	})
}

// changedSince is one kind of record a CRM reports changed since a cursor
// of its own (contacts, tasks, meetings): what pullSince needs of it.
type changedSince[T any] struct {
	key  string // the cursor's key
	what string // progress words, e.g. "changed tasks"
	// walk pages through what changed at or after since (CRM's order).
	walk     func(ctx context.Context, since time.Time, fn func([]T) error) error
	modified func(T) time.Time
	// apply writes a page (what of it is the book's) and sets the cursor,
	// in one transaction, returning how many records it took. A nil page
	// only sets the cursor.
	apply func(ctx context.Context, page []T, cursor time.Time) (model.SyncApplied, int, error)
}

// pullSince pulls one kind of record changed in the CRM since its cursor,
// each page applied with the page's latest modified time as the cursor in
// one transaction. A first sync pulls the whole book through its
// companies, so it only sets the cursor, to the companies cursor: a CRM
// time no later than that pull (the local clock may not agree with the
// CRM's); an empty book decides next time.
func pullSince[T any](ctx context.Context, r *run, c changedSince[T]) error {
	since, err := r.e.store.SyncCursor(ctx, c.key)
	if err != nil {
		return err
	}
	if since.IsZero() {
		start, err := r.e.store.SyncCursor(ctx, r.cursorKey())
		if err != nil || start.IsZero() {
			return err
		}
		_, _, err = c.apply(ctx, nil, start)
		return err
	}
	done := 0
	r.send(ctx, model.SyncProgress{Phase: model.PhasePull, What: c.what})
	err = c.walk(ctx, since, func(page []T) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		cursor := since
		for _, x := range page {
			if m := c.modified(x); m.After(cursor) {
				cursor = m
			}
		}
		applied, n, err := c.apply(ctx, page, cursor)
		if err != nil {
			return err
		}
		since = cursor
		r.absorb(applied)
		done += n
		r.send(ctx, model.SyncProgress{Phase: model.PhasePull, What: c.what, Done: done})
		return nil
	})
	if err != nil {
		return fmt.Errorf("pull %s: %w", c.what, err)
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
		contacts, tasks, err := e.crm.ContactsTasks(ctx, ids)
		if err != nil {
			return fmt.Errorf("pull contacts and tasks: %w", err)
		}
		if r.swept {
			for _, pc := range contacts {
				r.contacts[model.Sanitize(pc.Contact.CRMID)] = true
			}
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
