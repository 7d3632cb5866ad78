package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage/config"
	crmsync "github.com/shortlisthq/shortlist/sync"
)

// crmWords is how the edge names one CRM's ways out of a refusal. The
// adapters say what happened, as typed errors (sync/errors.go); this is
// the one place that says what the rep does about it, for the CLI, the
// TUI, doctor and auth alike.
type crmWords struct {
	name     string // "HubSpot"
	token    string // what the CRM refused: "token", "session"
	auth     string // how to give it a new one
	holder   string // what holds the scopes: "the private app"
	scopeFix string // how to grant a missing scope or permission
	fieldFix string // how to add missing fields
}

var hubspotWords = crmWords{
	name: "HubSpot", token: "token", auth: "run shortlist auth hubspot to store a new one",
	holder:   "the private app",
	scopeFix: "add it in HubSpot → Settings → Integrations → Private apps, then run shortlist auth hubspot again",
	fieldFix: "Shortlist creates its properties when the token has the crm.schemas scopes: add them to the private app, then sync again",
}

var salesforceWords = crmWords{
	name: "Salesforce", token: "session", auth: "run shortlist auth salesforce, or set a fresh " + config.EnvSalesforceAccessToken,
	holder:   "the rep's Salesforce user",
	scopeFix: "the rep's profile needs API Enabled and access to the object (an admin grants them in Setup)",
	fieldFix: "run shortlist doctor --fix as a user who may customize the org, or ask an admin to add them in Setup → Object Manager (Task and Event fields are added once, on Activity); then sync again; nothing local is lost",
}

// syncError keeps the cause for errors.Is while saying what to do.
type syncError struct {
	msg string
	err error
}

func (e *syncError) Error() string { return e.msg }
func (e *syncError) Unwrap() error { return e.err }

// explainCRM words a CRM's refusal once: what happened and what to do
// next. Offline and cancellation pass through: the CLI and the TUI word
// them with the count still queued.
func explainCRM(w crmWords, rep model.SyncReport, err error) error {
	var (
		worded *syncError
		limit  *crmsync.LimitError
		fields *crmsync.FieldsMissingError
		scope  *crmsync.ScopeError
		owner  *crmsync.UnknownOwnerError
	)
	queued := fmt.Sprintf("%d changes stay queued", rep.Pending)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &worded):
		return err
	case errors.Is(err, crmsync.ErrUnauthorized):
		return &syncError{fmt.Sprintf("%s refused the %s: %s", w.name, w.token, w.auth), err}
	case errors.As(err, &limit) && limit.Share:
		return &syncError{fmt.Sprintf("%s: %s; sync again tomorrow, or raise [crm] daily_share", limit.Error(), queued), err}
	case errors.As(err, &limit):
		return &syncError{fmt.Sprintf("%s: %s; sync again tomorrow", limit.Error(), queued), err}
	case errors.Is(err, crmsync.ErrDailyLimit):
		return &syncError{fmt.Sprintf("%s's daily API limit is reached: %s; sync again tomorrow", w.name, queued), err}
	case errors.As(err, &fields):
		return &syncError{fmt.Sprintf("%s: %s (%s)", fields.Error(), w.fieldFix, queued), err}
	case errors.As(err, &scope) && len(scope.Scopes) > 0:
		return &syncError{fmt.Sprintf("%s lacks a scope Shortlist needs (%s): %s", w.holder, strings.Join(scope.Scopes, ", "), w.scopeFix), err}
	case errors.As(err, &scope):
		return &syncError{fmt.Sprintf("%s refused the call (%s): %s", w.name, model.Sanitize(scope.Detail), w.scopeFix), err}
	case errors.As(err, &owner) && owner.Login != "":
		return &syncError{fmt.Sprintf("%s: log in as the rep (shortlist auth %s) or fix [crm] owner_email", owner.Error(), strings.ToLower(w.name)), err}
	case errors.As(err, &owner):
		return &syncError{fmt.Sprintf("%s: check [crm] owner_email (it must be the rep's %s login)", owner.Error(), w.name), err}
	}
	return err
}
