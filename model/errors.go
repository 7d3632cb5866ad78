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
)
