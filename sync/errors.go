package sync

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shortlisthq/shortlist/model"
)

// The kinds of failure a CRM adapter reports, defined once for every
// adapter. The engine and the edge (main.go) match them with errors.Is and
// errors.As and word them there; nothing matches an adapter's text. A
// network failure is model.ErrOffline (an *OfflineError), since the book
// and the front ends know it too.
var (
	// ErrUnauthorized: the CRM refused the token or session.
	ErrUnauthorized = errors.New("the CRM refused the token")
	// ErrScope: the token lacks a scope, or the user a permission (a
	// *ScopeError says which).
	ErrScope = errors.New("the CRM token lacks a scope")
	// ErrDailyLimit: the CRM's daily request cap, or Shortlist's share of
	// it, is spent (a *LimitError says how much).
	ErrDailyLimit = errors.New("the CRM's daily API limit is reached")
	// ErrUnknownOwner: no CRM user is the rep (an *UnknownOwnerError says
	// whom the adapter looked for).
	ErrUnknownOwner = errors.New("no CRM user is the rep")
	// ErrFieldMissing: the CRM lacks a field the push writes (a
	// *FieldsMissingError names each one).
	ErrFieldMissing = errors.New("the CRM lacks a field Shortlist writes")
)

// OfflineError is a CRM that could not be reached after the adapter's
// retries: no route, DNS, a reset, a timeout, cut-off replies, 5xx. Local
// work goes on and the outbox waits. errors.Is(err, model.ErrOffline) holds.
type OfflineError struct {
	Op     string // e.g. "find owner"
	Reason string // what failed, scrubbed of tokens: "cannot resolve api.hubapi.com"
	Tries  int    // how many times it was tried (0: Reason says)
}

func (e *OfflineError) Error() string {
	if e.Tries > 0 {
		return fmt.Sprintf("%s: %s: %s (after %d tries; local work is kept for the next sync)", e.Op, model.ErrOffline, e.Reason, e.Tries)
	}
	return fmt.Sprintf("%s: %s: %s; local work is kept for the next sync", e.Op, model.ErrOffline, e.Reason)
}

// Is makes errors.Is(err, model.ErrOffline) hold.
func (e *OfflineError) Is(target error) bool { return target == model.ErrOffline }

// ScopeError is a call the CRM refused for a missing scope (HubSpot names
// it) or permission (Salesforce says what it refused).
type ScopeError struct {
	Op     string
	CRM    string   // "HubSpot", "Salesforce"
	Scopes []string // the scopes the CRM named; none when it named none
	Detail string   // the CRM's own reason, scrubbed ("" when Scopes say it)
}

func (e *ScopeError) Error() string {
	if len(e.Scopes) > 0 {
		return fmt.Sprintf("%s: %s %s", e.Op, ErrScope, strings.Join(e.Scopes, ", "))
	}
	return fmt.Sprintf("%s: %s: %s refused the call (%s)", e.Op, ErrScope, e.CRM, e.Detail)
}

// Is makes errors.Is(err, ErrScope) hold.
func (e *ScopeError) Is(target error) bool { return target == ErrScope }

// UnknownOwnerError is a rep the CRM does not know by the configured email,
// or a login that is someone else's (Login set).
type UnknownOwnerError struct {
	CRM   string
	Email string // the configured owner email
	Login string // whose the token is, when it is another user's
}

func (e *UnknownOwnerError) Error() string {
	if e.Login != "" {
		return fmt.Sprintf("find owner: the token is %s's, not %s's", model.Sanitize(e.Login), model.Sanitize(e.Email))
	}
	return fmt.Sprintf("find owner: no %s user has the email %q", e.CRM, model.Sanitize(e.Email))
}

// Is makes errors.Is(err, ErrUnknownOwner) hold.
func (e *UnknownOwnerError) Is(target error) bool { return target == ErrUnknownOwner }

// LimitError is the CRM's daily request limit, or Shortlist's share of it
// (Share), spent. Counts are zero when the CRM did not tell them.
type LimitError struct {
	CRM         string
	Share       bool // Shortlist's own share, not the CRM's limit
	Spent, Max  int  // Shortlist's requests today and its share
	Used, Limit int  // the org's requests in the last 24 hours and its limit
}

func (e *LimitError) Error() string {
	switch {
	case e.Share:
		return fmt.Sprintf("Shortlist's share of the org's daily API requests is spent (%d of %d allowed, the org has used %d of %d today)",
			e.Spent, e.Max, e.Used, e.Limit)
	case e.Limit > 0:
		return fmt.Sprintf("%s's daily API request limit is reached (%d of %d used in the last 24 hours)", e.CRM, e.Used, e.Limit)
	}
	return fmt.Sprintf("%s's daily API limit is reached", e.CRM)
}

// Is makes errors.Is(err, ErrDailyLimit) hold.
func (e *LimitError) Is(target error) bool { return target == ErrDailyLimit }

// MissingField is one custom field Shortlist needs that the CRM lacks.
type MissingField struct {
	Object string // "Task", "Account"…
	Field  string // "Shortlist_Op_Id__c"
	Kind   string // what to create, e.g. "Text(64), External ID, Unique"
}

// FieldsMissingError says which custom fields to add before Shortlist can
// push: an adapter never falls back to a create that could duplicate.
type FieldsMissingError struct {
	CRM    string
	Fields []MissingField
}

func (e *FieldsMissingError) Error() string {
	var parts []string
	for _, f := range e.Fields {
		parts = append(parts, fmt.Sprintf("%s.%s (%s)", f.Object, f.Field, f.Kind))
	}
	return e.CRM + " lacks the fields Shortlist writes: " + strings.Join(parts, ", ")
}

// Is makes errors.Is(err, ErrFieldMissing) hold.
func (e *FieldsMissingError) Is(target error) bool { return target == ErrFieldMissing }
