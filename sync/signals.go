package sync

import (
	"context"
	"fmt"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// SignalCRM is a CRM that also reports the buyer signals it logs as records
// of their own (a reply email, a call in, a meeting the contact booked).
// Signals read from a contact's own properties come with the contact
// (RemoteContact.Signals) and need no more. A CRM adapter without it simply
// brings no such signals.
type SignalCRM interface {
	// SignalStreams names the kinds of record read for signals (e.g.
	// "emails", "calls", "meetings"), each pulled by its own cursor.
	SignalStreams() []string
	// SignalsModifiedSince calls fn with each page of the stream's records
	// modified at or after since, oldest first, restarting past the CRM's
	// result cap as Companies does: the signals the page holds (none, when
	// it held only the rep's own records) and the latest modified time it
	// covered, the cursor to resume from. Records Shortlist pushed itself
	// are never signals. When fn returns an error it stops and returns it.
	SignalsModifiedSince(ctx context.Context, stream string, since time.Time, fn func(signals []model.PulledSignal, covered time.Time) error) error
}

// SignalStore is a Store that records pulled signals; *storage.DB is one.
type SignalStore interface {
	// ApplySignals writes a page of pulled signals and sets the cursor key
	// to cursor, in one transaction; a signal already recorded (by key), too
	// old, or for a contact not in the book is left out.
	ApplySignals(ctx context.Context, signals []model.PulledSignal, cursorKey string, cursor time.Time) (model.SyncApplied, error)
}

// signalOverlap is how far before its cursor a signal stream is read again:
// a record the CRM's search had not indexed yet when the cursor moved past
// its time is found by the next sync. Reading a record twice costs nothing;
// the store keeps each signal once by its key.
const signalOverlap = 10 * time.Minute

// signalsKey scopes a signal stream's cursor to the owner.
func (r *run) signalsKey(stream string) string { return "signals." + stream + "." + r.owner.ID }

// pullSignals reads each signal stream of the CRM from its cursor (a first
// sync from model.SignalPullWindow ago: older signals no longer ask for an
// answer), each page applied with its cursor in one transaction.
func (r *run) pullSignals(ctx context.Context) error {
	crm, ok := r.e.crm.(SignalCRM)
	if !ok {
		return nil
	}
	store, ok := r.e.store.(SignalStore)
	if !ok {
		return nil
	}
	for _, stream := range crm.SignalStreams() {
		key := r.signalsKey(stream)
		cursor, err := r.e.store.SyncCursor(ctx, key)
		if err != nil {
			return err
		}
		since := cursor.Add(-signalOverlap)
		if cursor.IsZero() {
			since = r.e.o.Now().Add(-model.SignalPullWindow)
		}
		r.send(ctx, model.SyncProgress{Phase: model.PhasePull, What: "signals (" + stream + ")"})
		err = crm.SignalsModifiedSince(ctx, stream, since, func(page []model.PulledSignal, covered time.Time) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			if covered.Before(cursor) {
				covered = cursor // the overlap read again: the cursor stays
			}
			applied, err := store.ApplySignals(ctx, page, key, covered)
			if err != nil {
				return err
			}
			cursor = covered
			r.absorb(applied)
			return nil
		})
		if err != nil {
			return fmt.Errorf("pull signals (%s): %w", stream, err)
		}
	}
	return nil
}
