package sfsandbox_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	sft "github.com/shortlisthq/shortlist/sync/salesforcetest"
)

// TestSalesforceCallInIsASignal: a call in logged in Salesforce reaches the
// book as a signal on its contact with the next sync, once; an inbound call
// the rep logs and Shortlist pushes does not come back as one.
func TestSalesforceCallInIsASignal(t *testing.T) {
	ctx := context.Background()
	db := openDemo(t, 20)
	sb, eng := sandboxEngine(t, db)
	mustSync(t, eng)
	r, err := sql.Open("sqlite", "file:"+db.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := r.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	base := count("SELECT count(*) FROM signals")
	var contactID int64
	var contactCRM, accountCRM string
	if err := r.QueryRow(`SELECT c.id, c.crm_id, a.crm_id FROM contacts c JOIN accounts a ON a.id = c.account_id
		WHERE c.crm_id IS NOT NULL AND a.departed = 0 AND c.consent_call <> 'opted-out' ORDER BY c.id LIMIT 1`).Scan(&contactID, &contactCRM, &accountCRM); err != nil {
		t.Fatal(err)
	}
	id := sb.Server().Put("Task", sft.Record{"Subject": "Call", "Status": "Completed", "TaskSubtype": "Call", "CallType": "Inbound",
		"WhoId": contactCRM, "WhatId": accountCRM, "Description": "Wants to move the pilot to January"})
	if _, err := db.LogTouch(ctx, model.LogRequest{ContactID: contactID, Channel: model.ChannelCall, Direction: model.Inbound,
		Outcome: model.OutcomeConnected, Note: "They called back", At: time.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	mustSync(t, eng)
	mustSync(t, eng)
	if n := count("SELECT count(*) FROM signals WHERE key = ? AND source = 'salesforce' AND kind = 'called' AND contact_id = ? AND detail = ?",
		model.SignalRecordKey(model.SignalSourceSF, "calls", id), contactID, "called in: 'Wants to move the pilot to January'"); n != 1 {
		t.Errorf("the call in is not one signal on its contact (%d)", n)
	}
	if n := count("SELECT count(*) FROM signals") - base; n != 1 {
		t.Errorf("%d new signals, want the one call in (the pushed inbound call is the rep's)", n)
	}
}
