package model

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// SignalPullWindow is how far back a sync keeps pulled signals: an older
// one no longer asks for an answer (the morning's respond rows span the
// same week).
const SignalPullWindow = 7 * 24 * time.Hour

// SignalQuietSpell is how long a contact must have stayed away from the
// website for a visit to count as coming back (SignalVisited).
const SignalQuietSpell = 30 * 24 * time.Hour

// SignalDetailMax caps a signal's detail, in characters.
const SignalDetailMax = 160

// PulledSignal is a signal as a CRM adapter reports it: Signal.AccountID and
// ContactID are not set (the CRM knows records by its own ids), ContactID and
// CompanyID here are CRM ids, and Signal.Key is already the stable dedupe
// key (source, kind and the CRM's record id, or the contact and the
// property's time). A signal for a contact the book does not hold is left
// out by the store, as is one older than SignalPullWindow.
//
// A SignalVisited signal is a candidate: At is the contact's last visit as
// the CRM holds it now; the store keeps the visit before it and records the
// signal only when the two are at least SignalQuietSpell apart.
type PulledSignal struct {
	Signal    Signal
	ContactID string // CRM id; "" when the record names only a company
	CompanyID string // CRM id; used when ContactID is ""
}

// quoteStart matches the line a mail client puts above a quoted message.
var quoteStart = regexp.MustCompile(`(?i)^(on .{0,200} wrote:|-{2,}\s*original message|from:\s)`)

// FirstWrittenLine is the first line someone wrote in a plain-text reply or
// call note: not blank, not quoted, not the header of a quote (then ""), as
// a signal's detail. Both CRMs' bodies come through it.
func FirstWrittenLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "" || strings.HasPrefix(l, ">"):
			continue
		case quoteStart.MatchString(l):
			return ""
		}
		return SignalDetail(l)
	}
	return ""
}

// SignalDetail makes text from a CRM one line fit to show as a signal's
// detail: sanitised, whitespace runs folded to one space, cut to
// SignalDetailMax characters with an ellipsis.
func SignalDetail(s string) string {
	s = strings.Join(strings.Fields(Sanitize(s)), " ")
	if utf8.RuneCountInString(s) <= SignalDetailMax {
		return s
	}
	n := 0
	for i := range s {
		if n == SignalDetailMax-1 {
			return strings.TrimRight(s[:i], " ") + "…"
		}
		n++
	}
	return s
}

// SignalRecordKey is the key of a signal the CRM holds as a record of its
// own (an email, a call, a meeting): the source, the record's type and id.
func SignalRecordKey(source, recordType, id string) string {
	return source + ":" + recordType + ":" + id
}

// SignalPropertyKey is the key of a signal read from a time on a contact
// (a form's, a reply's, a click's, a visit's): the source, the property,
// the contact and the time, so the same value read again is the same
// signal and a new value is a new one.
func SignalPropertyKey(source, property, contactID string, at time.Time) string {
	return source + ":prop:" + property + ":" + contactID + ":" + strconv.FormatInt(at.UnixMilli(), 10)
}

// SignalFromProperty reports whether a key is a SignalPropertyKey: the
// signal is a time on a contact, not a record that says what was done.
func SignalFromProperty(key string) bool {
	_, rest, ok := strings.Cut(key, ":")
	return ok && strings.HasPrefix(rest, "prop:")
}
