package model

import "errors"

// Sentinel errors the store maps its failures to.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	// ErrSynced: the change has reached the CRM and can no longer be undone locally.
	ErrSynced = errors.New("already synced")
	// ErrBusy: another Shortlist process held the database for too long.
	ErrBusy = errors.New("database busy")
	// ErrRefused: a guard refused outreach the buyer declined (an opted-out
	// channel, a flagged number, a do-not-contact account).
	ErrRefused = errors.New("refused by consent")
)

// RefusedError is a task refused by Guard, with the kinds the contact does
// accept; errors.Is(err, ErrRefused) holds.
type RefusedError struct {
	Refusal Refusal
	Allowed []TaskKind
}

func (e *RefusedError) Error() string { return e.Refusal.Offer(e.Allowed) }

// Unwrap makes the error match ErrRefused.
func (e *RefusedError) Unwrap() error { return ErrRefused }
