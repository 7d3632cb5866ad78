// Package sync will hold Shortlist's CRM sync engine and its HubSpot adapter
// (issue 4). What it builds on already exists: every local change is written
// with an outbox row (storage, table outbox: op_id, kind, payload, pushed_at)
// in the same transaction, and the TUI and CLI speak to a sync through
// model.Syncer, model.SyncProgress and model.SyncReport. Until the engine
// lands, `shortlist sync` says it is not available and the TUI's sync key
// says sync is not configured; nothing is pushed anywhere.
//
// Callers import it under an alias (crmsync) because of the standard
// library's package of the same name.
package sync
