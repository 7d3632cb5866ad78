package model

import (
	"context"
	"errors"
	"time"
)

// ErrOffline: the CRM could not be reached; local work goes on and the
// outbox waits for the next sync.
var ErrOffline = errors.New("offline")

// SyncPhase names a stage of a sync.
type SyncPhase string

// Sync phases, in order.
const (
	PhaseConnect SyncPhase = "connect"
	PhasePull    SyncPhase = "pull"
	PhasePush    SyncPhase = "push"
	PhaseDone    SyncPhase = "done"
)

// SyncProgress is one progress report from a running sync.
type SyncProgress struct {
	Phase SyncPhase `json:"phase"`
	What  string    `json:"what"` // e.g. "companies", "touches"
	Done  int       `json:"done"`
	Total int       `json:"total"` // 0: not known yet
}

// SyncConflict is a field changed on both sides since the last sync: the
// CRM's value was kept and the local one is reported.
type SyncConflict struct {
	Record string `json:"record"`
	Field  string `json:"field"`
	CRM    string `json:"crm_value"`
	Local  string `json:"local_value"`
}

// SyncReport summarises a finished (or stopped) sync.
type SyncReport struct {
	Started   time.Time      `json:"started"`
	Finished  time.Time      `json:"finished"`
	Pulled    int            `json:"pulled"`
	Pushed    int            `json:"pushed"`
	HeldBack  int            `json:"held_back"`
	Errors    []string       `json:"errors"`
	Conflicts []SyncConflict `json:"conflicts"`
	Pending   int            `json:"pending"` // outbox entries still queued
}

// Syncer runs one sync, reporting progress on the channel (which it does not
// close). Cancelling ctx stops it with the outbox consistent.
type Syncer interface {
	Sync(ctx context.Context, progress chan<- SyncProgress) (SyncReport, error)
}
