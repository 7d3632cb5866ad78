package sync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// CRM is what the engine needs from a CRM. The HubSpot adapter
// (sync/hubspot) implements it over HTTP; tests may implement it in memory.
// Every method takes ctx first and returns when ctx is cancelled.
//
// Errors: a network failure (no route, DNS, connection refused or reset,
// timeout after the adapter's retries) wraps model.ErrOffline; a refused
// token wraps ErrUnauthorized; a missing scope wraps ErrScope with the
// scope's name in the message; the daily API cap wraps ErrDailyLimit; a
// reply that does not decode is a *ProtocolError. The adapter retries 429s
// below the daily cap, 5xx, resets and timeouts itself (with backoff and
// jitter, honouring Retry-After and the 429 policy), so an error the engine
// sees is final for this sync.
type CRM interface {
	// Name is the CRM's name for messages, e.g. "HubSpot".
	Name() string

	// Connect checks the token and finds the rep: the CRM owner whose email
	// is ownerEmail. No such owner is an error that names the email.
	Connect(ctx context.Context, ownerEmail string) (Owner, error)

	// Prepare makes sure what the push relies on exists in the CRM (custom
	// properties: the operation-id property on every object type the push
	// creates, do-not-call and Shortlist's account status), creating what is
	// missing. It reports which object types take a unique operation-id
	// property, so creates there are upserts.
	Prepare(ctx context.Context) (Capabilities, error)

	// Companies calls fn with each page of companies owned by ownerID and
	// modified at or after since, in ascending order of Modified (ties by
	// ID), restarting its search past the CRM's result cap. A page may
	// repeat records already seen; the engine applies them idempotently.
	// When fn returns an error, Companies stops and returns it.
	Companies(ctx context.Context, ownerID string, since time.Time, fn func([]RemoteCompany) error) error

	// Departed returns, of the given company ids, those the CRM no longer
	// holds for ownerID: reassigned to another owner (Owner set) or deleted
	// (Deleted true). Ids still the rep's are not returned.
	Departed(ctx context.Context, ownerID string, companyIDs []string) ([]Departure, error)

	// Contacts returns the contacts associated with the given companies
	// (at most 100 ids per call; the adapter batches below that), each with
	// the ids of its companies, modified at or after since (zero: all).
	Contacts(ctx context.Context, companyIDs []string, since time.Time) ([]RemoteContact, error)

	// ContactsModifiedSince calls fn with each page of contacts modified at
	// or after since, anywhere in the CRM, each with the ids of its
	// companies (primary first), in ascending order of Modified (ties by
	// ID), restarting its search past the CRM's result cap as Companies
	// does. It finds a change made to a contact alone (an opt-out), which
	// does not change its company. A contact has no owner that says whose
	// book it is in: the engine keeps those whose companies are in the book.
	// A page may repeat records already seen. When fn returns an error,
	// ContactsModifiedSince stops and returns it.
	ContactsModifiedSince(ctx context.Context, since time.Time, fn func([]RemoteContact) error) error

	// Tasks returns the open and recently changed tasks associated with the
	// given companies or their contacts (at most 100 company ids per call),
	// modified at or after since (zero: all open tasks).
	Tasks(ctx context.Context, companyIDs []string, since time.Time) ([]RemoteTask, error)

	// ContactsTasks is Contacts and Tasks of the same companies (since
	// zero) in one go, reading what the two share (the companies' contacts)
	// once.
	ContactsTasks(ctx context.Context, companyIDs []string) ([]RemoteContact, []RemoteTask, error)

	// TasksModifiedSince calls fn with each page of tasks modified at or
	// after since, anywhere in the CRM, open or closed, each with its
	// company and contact ids, in ascending order of Modified (ties by ID),
	// restarting past the CRM's result cap as Companies does: a task a
	// manager completed or rescheduled. The engine keeps those of the book.
	// A page may repeat records already seen. When fn returns an error,
	// TasksModifiedSince stops and returns it.
	TasksModifiedSince(ctx context.Context, since time.Time, fn func([]RemoteTask) error) error

	// DeletedTasks returns, of the given task ids (any number), those the
	// CRM no longer holds.
	DeletedTasks(ctx context.Context, taskIDs []string) ([]string, error)

	// PushTouches creates one engagement per touch, the kind of record it
	// was: a call, an email, a LinkedIn message, a meeting held (or a
	// visit), a meeting booked (when its time is known: scheduled at that
	// time), a note; associated with its contact and company. It is idempotent per OpID: called again with
	// the same OpID, after any failure or a crash at any instant, it never
	// creates a second record and returns the first one's id. Results come
	// back in input order, one per input; an item the CRM refused carries
	// an *ItemError and does not stop the others. len(in) ≤ 100.
	PushTouches(ctx context.Context, in []OutTouch) ([]Result, error)

	// PushTasks creates tasks, idempotent per OpID like PushTouches.
	PushTasks(ctx context.Context, in []OutTask) ([]Result, error)

	// UpdateTasks sets the status (and due, priority) of tasks that exist in
	// the CRM. Naturally idempotent.
	UpdateTasks(ctx context.Context, in []TaskUpdate) ([]Result, error)

	// UpdateCompanies writes Shortlist's account status on companies.
	UpdateCompanies(ctx context.Context, in []CompanyUpdate) ([]Result, error)

	// UpdateContacts writes consent changes (opt-outs per channel,
	// do-not-call) and the wrong-number flag on contacts.
	UpdateContacts(ctx context.Context, in []ContactUpdate) ([]Result, error)

	// UpdateTouches rewrites the text of engagements PushTouches created,
	// after the rep edited a touch's note: the same property, written the
	// same way, as the create wrote. Naturally idempotent. Results come back
	// in input order, one per input; an engagement deleted in the CRM is an
	// *ItemError with Gone set. len(in) ≤ 100.
	UpdateTouches(ctx context.Context, in []TouchUpdate) ([]Result, error)
}

// Owner is the rep as the CRM knows them.
type Owner struct {
	ID    string
	Email string
	Name  string
}

// Capabilities is what Prepare found the CRM accepts.
type Capabilities struct {
	// UniqueOpID lists the object types ("calls", "emails", "meetings",
	// "tasks") whose operation-id property is unique, so a create there is a
	// batch upsert on it. Elsewhere the adapter searches for the operation id
	// before creating again after an ambiguous failure.
	UniqueOpID map[string]bool
}

// RemoteCompany is a company as pulled, mapped onto an Account (ID, Fit,
// Tier, LastTouched are the store's; CRMID is set).
type RemoteCompany struct {
	Account  model.Account
	OwnerID  string
	Modified time.Time
}

// RemoteContact is a contact as pulled. Contact.AccountID is not set (the
// CRM knows companies by CRM id); CompanyIDs lists them, primary first.
type RemoteContact struct {
	Contact    model.Contact
	CompanyIDs []string
	Modified   time.Time
	// Signals are what the contact's properties say the buyer did (see
	// model.PulledSignal); the store writes them with the contact.
	Signals []model.PulledSignal
}

// RemoteTask is a task as pulled. Task.AccountID and ContactID are not set;
// CompanyID and ContactID are CRM ids ("" when not associated). OpID is the
// operation-id property when Shortlist created the task ("" otherwise), so a
// task pushed before a crash is recognised, not duplicated.
type RemoteTask struct {
	Task      model.Task
	CompanyID string
	ContactID string
	OpID      string
	Modified  time.Time
}

// Departure says a company left the rep's book in the CRM.
type Departure struct {
	CompanyID string
	Owner     string // the new owner's id when reassigned
	OwnerName string // the new owner's name, when the CRM tells it
	Deleted   bool
}

// OutTouch is one touch to push: the local touch and the CRM ids it is
// associated with, and the rep's owner id.
type OutTouch struct {
	OpID      string
	Touch     model.Touch
	ContactID string // CRM id; "" when the contact has none
	CompanyID string // CRM id; "" when the account has none
	OwnerID   string
	// SentAt is when an earlier sync sent this create without learning the
	// outcome (zero: never sent): the record may exist, created then. Where
	// creates are not upserts, the adapter looks for it in a way that does
	// not trust a search younger than the CRM's indexing lag.
	SentAt time.Time
}

// OutTask is one new task to push.
type OutTask struct {
	OpID      string
	Task      model.Task
	ContactID string
	CompanyID string
	OwnerID   string
	SentAt    time.Time // as OutTouch.SentAt
}

// TaskUpdate changes a task that exists in the CRM: it writes the task as
// it is in the book.
type TaskUpdate struct {
	OpID     string
	CRMID    string
	Status   model.TaskStatus // done and skipped write COMPLETED; open (and snoozed) NOT_STARTED
	Due      time.Time        // when it is due, a snoozed task's snoozed-until; zero: unchanged
	Title    string           // "": unchanged
	Priority model.Priority   // "": unchanged
}

// CompanyUpdate changes a company's Shortlist status.
type CompanyUpdate struct {
	OpID   string
	CRMID  string
	Status model.AccountStatus
}

// ContactUpdate changes a contact's consent and phone flag.
type ContactUpdate struct {
	OpID     string
	CRMID    string
	Consent  model.Consents
	PhoneBad bool
}

// TouchUpdate rewrites the engagement a touch became after its note was
// edited. Touch is the touch as it is now: its channel picks the engagement
// type (as in PushTouches), its Note is the new text, and the rest is what a
// note engagement's summary line is made of.
type TouchUpdate struct {
	OpID  string
	CRMID string // the engagement's id
	Touch model.Touch
}

// Result is what the CRM did with one pushed item.
type Result struct {
	OpID  string
	CRMID string // the record's id in the CRM; "" on error
	Err   error  // nil, or an *ItemError
}

// Sentinel errors a CRM adapter wraps.
var (
	ErrUnauthorized = errors.New("the CRM refused the token")
	ErrScope        = errors.New("the CRM token lacks a scope")
	ErrDailyLimit   = errors.New("the CRM's daily API limit is reached")
)

// ItemError is one pushed item the CRM refused while the rest went on.
type ItemError struct {
	// Gone: a record it refers to was deleted in the CRM.
	Gone bool
	// Retry: the failure may pass (the item stays queued); otherwise it is
	// held back until the rep changes it.
	Retry   bool
	Message string
}

func (e *ItemError) Error() string { return e.Message }

// ProtocolError is a reply that does not decode or lacks what the API
// promises: never partial data.
type ProtocolError struct {
	Op     string // e.g. "search companies"
	Status int
	Detail string
}

func (e *ProtocolError) Error() string {
	return fmt.Sprintf("%s: unexpected reply from the CRM (HTTP %d): %s", e.Op, e.Status, e.Detail)
}
