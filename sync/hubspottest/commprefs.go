package hubspottest

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The communication-preferences v4 API, as HubSpot's published spec
// (Communication Preferences, Subscriptions, v4) describes the calls
// Shortlist makes: an address is unsubscribed from all email with
// POST /communication-preferences/v4/statuses/batch/unsubscribe-all
// ?channel=EMAIL, body {"inputs": [address, …]} (strings), or one at a time
// with POST …/statuses/{address}/unsubscribe-all?channel=EMAIL, and read back
// with GET …/statuses/{address}/unsubscribe-all?channel=EMAIL (results empty
// while the address is not opted out). The channel query parameter is
// required and must be EMAIL. A batch reply is {status, results
// [{subscriberIdString, statuses[…]}], errors[], numErrors, startedAt,
// completedAt}; an input refused (an address that is not one) is an error
// naming it in context.subscriberIdString, in a 207. The contacts with an
// unsubscribed address read hs_email_optout "true".

// defaultSubscription is the one email subscription type the server's
// portal has, as an unsubscribe-all reply lists it.
const (
	defaultSubscriptionID   = 1
	defaultSubscriptionName = "Marketing Information"
)

// publicStatus is one subscription status in a v4 reply.
type publicStatus struct {
	Channel                string `json:"channel"`
	Status                 string `json:"status"`
	SubscriberIDString     string `json:"subscriberIdString"`
	SubscriptionID         int64  `json:"subscriptionId"`
	SubscriptionName       string `json:"subscriptionName"`
	Source                 string `json:"source"`
	Timestamp              string `json:"timestamp"`
	SetStatusSuccessReason string `json:"setStatusSuccessReason,omitempty"`
}

// wideStatus is a portal-wide status in a v4 reply.
type wideStatus struct {
	Channel            string `json:"channel"`
	Status             string `json:"status"`
	SubscriberIDString string `json:"subscriberIdString"`
	WideStatusType     string `json:"wideStatusType"`
	Timestamp          string `json:"timestamp"`
}

// channelEmail checks the required channel query parameter.
func channelEmail(q url.Values) *reply {
	switch ch := q.Get("channel"); {
	case ch == "":
		r := errReply(http.StatusBadRequest, "VALIDATION_ERROR", "channel is required: the only channel supported is EMAIL",
			errDetail{Message: "channel is required", In: "channel", Code: "REQUIRED_FIELD"})
		return &r
	case ch != "EMAIL":
		r := errReply(http.StatusBadRequest, "VALIDATION_ERROR", "channel "+ch+" is not supported: the only channel supported is EMAIL",
			errDetail{Message: "channel must be EMAIL", In: "channel", Code: "INVALID_ENUM"})
		return &r
	}
	return nil
}

// validAddress is a loose check that s is an email address, as HubSpot
// refuses one that is not.
func validAddress(s string) bool {
	at := strings.LastIndex(s, "@")
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t\r\n,;<>") && strings.Contains(s[at:], ".")
}

// unsubscribeAllLocked unsubscribes one valid address from all email: the
// portal remembers it, and its contacts read hs_email_optout "true". It
// reports whether the status changed.
func (s *Server) unsubscribeAllLocked(address string, now time.Time) bool {
	key := strings.ToLower(strings.TrimSpace(address))
	if s.optedOut == nil {
		s.optedOut = map[string]time.Time{}
	}
	_, already := s.optedOut[key]
	if !already {
		s.optedOut[key] = now
	}
	ct := mustType("contacts")
	for _, rec := range s.objs["contacts"] {
		if !rec.archived && strings.EqualFold(strings.TrimSpace(rec.props["email"]), key) && rec.props["hs_email_optout"] != "true" {
			s.writeLocked(ct, rec, map[string]string{"hs_email_optout": "true"}, now)
			already = false
		}
	}
	return !already
}

// statusesOf is what an unsubscribe-all reply lists for an address.
func statusesOf(address string, changed bool, at time.Time) []publicStatus {
	reason := "NO_STATUS_CHANGE"
	if changed {
		reason = "UNSUBSCRIBE_FROM_ALL_OCCURRED"
	}
	return []publicStatus{{Channel: "EMAIL", Status: "UNSUBSCRIBED", SubscriberIDString: address, SubscriptionID: defaultSubscriptionID,
		SubscriptionName: defaultSubscriptionName, Source: "Public API", Timestamp: isoMillis(at), SetStatusSuccessReason: reason}}
}

// batchUnsubscribeAllLocked serves POST
// /communication-preferences/v4/statuses/batch/unsubscribe-all.
func (s *Server) batchUnsubscribeAllLocked(q url.Values, body []byte) reply {
	started := s.now()
	if r := channelEmail(q); r != nil {
		return *r
	}
	var in struct {
		Inputs *[]string `json:"inputs"`
	}
	if r := decode(body, &in); r != nil {
		return *r
	}
	switch {
	case in.Inputs == nil:
		return errReply(http.StatusBadRequest, "VALIDATION_ERROR", "inputs is required: a list of email addresses",
			errDetail{Message: "inputs is required", In: "inputs", Code: "REQUIRED_FIELD"})
	case len(*in.Inputs) > maxBatch:
		return badRequest("Batch input limit exceeded: %d inputs given, at most %d are allowed", len(*in.Inputs), maxBatch)
	}
	type result struct {
		SubscriberIDString string         `json:"subscriberIdString"`
		Statuses           []publicStatus `json:"statuses"`
	}
	results := []result{}
	var errs []batchErr
	now := s.now()
	for _, a := range *in.Inputs {
		if !validAddress(a) {
			errs = append(errs, batchErr{Status: "error", Category: "VALIDATION_ERROR",
				Message: a + " is not a valid email address", Context: map[string][]string{"subscriberIdString": {a}}})
			continue
		}
		changed := s.unsubscribeAllLocked(a, now)
		results = append(results, result{SubscriberIDString: a, Statuses: statusesOf(a, changed, now)})
	}
	return s.batchReply(http.StatusOK, started, results, errs)
}

// unsubscribeAllOneLocked serves POST (unsubscribe) and GET (read back)
// /communication-preferences/v4/statuses/{address}/unsubscribe-all.
func (s *Server) unsubscribeAllOneLocked(method, address string, q url.Values) reply {
	started := s.now()
	if r := channelEmail(q); r != nil {
		return *r
	}
	if !validAddress(address) {
		return badRequest("%s is not a valid email address", address)
	}
	envelope := func(results any) reply {
		return jsonReply(http.StatusOK, map[string]any{"status": "COMPLETE", "results": results,
			"startedAt": isoMillis(started), "completedAt": isoMillis(s.now())})
	}
	if method == http.MethodPost {
		now := s.now()
		changed := s.unsubscribeAllLocked(address, now)
		return envelope(statusesOf(address, changed, now))
	}
	results := []wideStatus{}
	if at, ok := s.optedOut[strings.ToLower(address)]; ok {
		results = append(results, wideStatus{Channel: "EMAIL", Status: "UNSUBSCRIBED", SubscriberIDString: address,
			WideStatusType: "PORTAL_WIDE", Timestamp: isoMillis(at)})
	}
	return envelope(results)
}

// UnsubscribedFromAll reports whether an address is unsubscribed from all
// email through the v4 API.
func (s *Server) UnsubscribedFromAll(address string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.optedOut[strings.ToLower(strings.TrimSpace(address))]
	return ok
}
