package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
)

// TestExplainCRMWordsEachKindOnce: every kind of refusal an adapter
// returns, however deep it is wrapped, is worded for the rep with the way
// out for that CRM, and still matches its kind.
func TestExplainCRMWordsEachKindOnce(t *testing.T) {
	rep := model.SyncReport{Pending: 7}
	wrap := func(err error) error { return fmt.Errorf("connect to CRM: %w", fmt.Errorf("find owner: %w", err)) }
	for _, tc := range []struct {
		name  string
		w     crmWords
		err   error
		kind  error
		wants []string
	}{
		{"hubspot token", hubspotWords, fmt.Errorf("x: %w (HTTP 401)", crmsync.ErrUnauthorized), crmsync.ErrUnauthorized,
			[]string{"HubSpot refused the token: run shortlist auth hubspot"}},
		{"salesforce session", salesforceWords, fmt.Errorf("x: %w (INVALID_SESSION_ID)", crmsync.ErrUnauthorized), crmsync.ErrUnauthorized,
			[]string{"Salesforce refused the session: run shortlist auth salesforce, or set a fresh SHORTLIST_SALESFORCE_ACCESS_TOKEN"}},
		{"hubspot scope named", hubspotWords, &crmsync.ScopeError{Op: "find owner", CRM: "HubSpot", Scopes: []string{"crm.objects.owners.read"}}, crmsync.ErrScope,
			[]string{"the private app lacks a scope Shortlist needs (crm.objects.owners.read): add it in HubSpot"}},
		{"salesforce permission", salesforceWords, &crmsync.ScopeError{Op: "query", CRM: "Salesforce", Detail: "INSUFFICIENT_ACCESS: no"}, crmsync.ErrScope,
			[]string{"Salesforce refused the call (INSUFFICIENT_ACCESS: no)", "API Enabled"}},
		{"hubspot daily", hubspotWords, &crmsync.LimitError{CRM: "HubSpot"}, crmsync.ErrDailyLimit,
			[]string{"HubSpot's daily API limit is reached: 7 changes stay queued; sync again tomorrow"}},
		{"salesforce share", salesforceWords, &crmsync.LimitError{CRM: "Salesforce", Share: true, Spent: 5, Max: 5, Used: 9, Limit: 100}, crmsync.ErrDailyLimit,
			[]string{"(5 of 5 allowed", "7 changes stay queued", "raise [crm] daily_share"}},
		{"salesforce org limit", salesforceWords, &crmsync.LimitError{CRM: "Salesforce", Used: 100, Limit: 100}, crmsync.ErrDailyLimit,
			[]string{"Salesforce's daily API request limit is reached (100 of 100", "sync again tomorrow"}},
		{"fields", salesforceWords, &crmsync.FieldsMissingError{CRM: "Salesforce", Fields: []crmsync.MissingField{{Object: "Task", Field: "Shortlist_Op_Id__c", Kind: "Text(64), External ID, Unique"}}}, crmsync.ErrFieldMissing,
			[]string{"Salesforce lacks the fields Shortlist writes: Task.Shortlist_Op_Id__c (Text(64), External ID, Unique)", "shortlist doctor --fix", "7 changes stay queued"}},
		{"unknown owner", hubspotWords, &crmsync.UnknownOwnerError{CRM: "HubSpot", Email: "a@b.test"}, crmsync.ErrUnknownOwner,
			[]string{`no HubSpot user has the email "a@b.test": check [crm] owner_email`}},
		{"someone else's login", salesforceWords, &crmsync.UnknownOwnerError{CRM: "Salesforce", Email: "a@b.test", Login: "c@d.test"}, crmsync.ErrUnknownOwner,
			[]string{"the token is c@d.test's, not a@b.test's: log in as the rep (shortlist auth salesforce)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := explainCRM(tc.w, rep, wrap(tc.err))
			if !errors.Is(got, tc.kind) {
				t.Fatalf("%v lost its kind %v", got, tc.kind)
			}
			for _, w := range tc.wants {
				if !strings.Contains(got.Error(), w) {
					t.Errorf("%q lacks %q", got, w)
				}
			}
		})
	}
	off := &crmsync.OfflineError{Op: "find owner", Reason: "cannot resolve x", Tries: 2}
	if got := explainCRM(hubspotWords, rep, wrap(off)); got.Error() != wrap(off).Error() || !errors.Is(got, model.ErrOffline) {
		t.Errorf("offline is the front ends' to word: %v", got)
	}
}
