// Package sync is Shortlist's CRM sync engine. Every local change is written
// with an outbox row (storage, table outbox: op_id, kind, payload, pushed_at)
// in the same transaction; a sync (Engine.Sync, a model.Syncer) pulls the
// rep's companies, contacts and tasks from the CRM incrementally, each page
// committed with its cursor, then what buyers did (signals: those a contact's
// properties tell come with the contact; a CRM that is a SignalCRM also has
// its reply, call-in and booking records read, signals.go), and then pushes
// the outbox in order, recording
// each result with the local CRM id in one transaction. Creates carry the
// operation id, so a sync killed at any instant and run again duplicates
// nothing.
//
// The engine speaks to a CRM through the CRM interface (crm.go) and to the
// book through Store (store.go); sync/hubspot implements CRM over HubSpot's
// API, sync/hubspottest is an in-memory HubSpot for tests, and sync/sandbox
// is the in-process CRM that `shortlist --demo` syncs with.
//
// Callers import it under an alias (crmsync) because of the standard
// library's package of the same name.
package sync
