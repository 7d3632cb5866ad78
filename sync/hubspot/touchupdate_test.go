package hubspot

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// pushedEngagements pushes a touch of every kind of engagement through
// the adapter (a call, a meeting held, an email, a LinkedIn message, a
// visit, a note and a booked meeting) and returns the touches and results.
func pushedEngagements(t *testing.T, s *hubspottest.Server, c *Client) ([]crmsync.OutTouch, []crmsync.Result) {
	t.Helper()
	ctx := context.Background()
	owner := s.AddOwner("rep@acme.io", "Ann", "Rep")
	co := s.Put("companies", map[string]string{"name": "A", "hubspot_owner_id": owner})
	ct := s.Put("contacts", map[string]string{"firstname": "E", "email": "e@a.io"})
	if _, err := c.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC)
	var in []crmsync.OutTouch
	for _, tc := range []model.Touch{
		{Channel: model.ChannelCall, Outcome: model.OutcomeConnected, Note: "call note", Duration: 3 * time.Minute},
		{Channel: model.ChannelMeeting, Outcome: model.OutcomeConnected, Note: "meeting note", Duration: 30 * time.Minute},
		{Channel: model.ChannelEmail, Outcome: model.OutcomeSent, Note: "email note"},
		{Channel: model.ChannelLinkedIn, Outcome: model.OutcomeSent, Note: "linkedin note"},
		{Channel: model.ChannelVisit, Outcome: model.OutcomeConnected, Note: "visit note"},
		{Channel: model.ChannelNote, Outcome: model.OutcomeConnected, Note: "note note"},
		{Channel: model.ChannelCall, Outcome: model.OutcomeMeetingBooked, Note: "booked note", MeetingAt: at.AddDate(0, 0, 3)},
	} {
		tc.Direction, tc.At = model.Outbound, at
		in = append(in, crmsync.OutTouch{OpID: "op-" + string(tc.Channel) + "-" + string(tc.Outcome), ContactID: ct, CompanyID: co, OwnerID: owner, Touch: tc})
	}
	res, err := c.PushTouches(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil || r.CRMID == "" {
			t.Fatalf("push: %+v", res)
		}
	}
	return in, res
}

// The engagement and text property each pushed touch of pushedEngagements
// is held under, in order, and its created text.
var pushedAs = []struct{ typ, prop, created string }{
	{"calls", "hs_call_body", "call note"},
	{"meetings", "hs_meeting_body", "meeting note"},
	{"emails", "hs_email_html", "email note"},
	{"communications", "hs_communication_body", "LinkedIn outbound: sent<br><br>linkedin note"},
	{"meetings", "hs_meeting_body", "visit note"},
	{"notes", "hs_note_body", "Note outbound: connected<br><br>note note"},
	{"meetings", "hs_meeting_body", "Booked by call (outbound) on 2026-11-02 15:00 UTC.<br><br>booked note"},
}

// edits are the updates for the pushed touches with new notes.
func edits(in []crmsync.OutTouch, res []crmsync.Result, note string) []crmsync.TouchUpdate {
	out := make([]crmsync.TouchUpdate, len(in))
	for i, ot := range in {
		tc := ot.Touch
		tc.Note = note + " " + string(tc.Channel)
		out[i] = crmsync.TouchUpdate{OpID: "edit-" + string(tc.Channel) + "-" + string(tc.Outcome), CRMID: res[i].CRMID, Touch: tc}
	}
	return out
}

func TestUpdateTouchesWritesEachChannelsProperty(t *testing.T) {
	s, c := hsClient(t, hubspottest.Options{RateLimit: 1 << 20, SearchPerSecond: -1}, Options{SearchPerSecond: -1})
	ctx := context.Background()
	in, pushed := pushedEngagements(t, s, c)
	for i, want := range pushedAs {
		if o, ok := s.Get(want.typ, pushed[i].CRMID); !ok || o.Properties[want.prop] != want.created {
			t.Errorf("created %s %s: %s = %q, want %q", want.typ, pushed[i].CRMID, want.prop, o.Properties[want.prop], want.created)
		}
	}

	up := edits(in, pushed, "edited <b>&")
	res, err := c.UpdateTouches(ctx, up)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Err != nil || r.OpID != up[i].OpID || r.CRMID != up[i].CRMID {
			t.Fatalf("result %d: %+v", i, r)
		}
	}
	// Create and update agree: only the note part of the text moved, escaped.
	for i, want := range pushedAs {
		o, _ := s.Get(want.typ, pushed[i].CRMID)
		note := "edited &lt;b&gt;&amp; " + string(in[i].Touch.Channel)
		prefix := strings.TrimSuffix(want.created, in[i].Touch.Note) // the summary line, where there is one
		if got := o.Properties[want.prop]; got != prefix+note {
			t.Errorf("%s %s: %s = %q after the edit", want.typ, pushed[i].CRMID, want.prop, got)
		}
	}
	if o, _ := s.Get("emails", pushed[2].CRMID); o.Properties["hs_email_text"] != "edited <b>& email" {
		t.Errorf("email plain text %q, want the note as typed", o.Properties["hs_email_text"])
	}
	// One batch update per engagement type, nothing else.
	var paths []string
	for _, r := range s.Requests() {
		if strings.HasSuffix(r.Path, "/batch/update") {
			paths = append(paths, strings.TrimSuffix(strings.TrimPrefix(r.Path, "/crm/v3/objects/"), "/batch/update"))
		}
	}
	if strings.Join(paths, " ") != "calls emails communications meetings notes" {
		t.Errorf("update requests %v", paths)
	}
}

// A touch pushed before each channel had its engagement type (an email
// filed as a note) is still updated when its note is edited: HubSpot holds
// no email with its id, so the update finds it as the note it was.
func TestUpdateTouchesReachesAnEngagementFiledTheOldWay(t *testing.T) {
	s, c := hsClient(t, hubspottest.Options{RateLimit: 1 << 20, SearchPerSecond: -1}, Options{SearchPerSecond: -1})
	at := "2026-11-02T15:00:00Z"
	old := s.Put("notes", map[string]string{"hs_timestamp": at, "hs_note_body": "Email outbound: sent\n\nold"})
	call := s.Put("calls", map[string]string{"hs_timestamp": at, "hs_call_body": "booked on a call"})
	gone := "99999999"
	tc := model.Touch{Channel: model.ChannelEmail, Direction: model.Outbound, Outcome: model.OutcomeSent, Note: "new", At: time.Now()}
	booked := model.Touch{Channel: model.ChannelCall, Direction: model.Outbound, Outcome: model.OutcomeMeetingBooked, Note: "when?", At: time.Now()}
	res, err := c.UpdateTouches(context.Background(), []crmsync.TouchUpdate{
		{OpID: "e1", CRMID: old, Touch: tc}, {OpID: "e2", CRMID: gone, Touch: tc}, {OpID: "e3", CRMID: call, Touch: booked}})
	if err != nil {
		t.Fatal(err)
	}
	var ie *crmsync.ItemError
	if res[0].Err != nil || res[0].CRMID != old || res[2].Err != nil || !errors.As(res[1].Err, &ie) || !ie.Gone {
		t.Fatalf("results %+v", res)
	}
	if o, _ := s.Get("notes", old); o.Properties["hs_note_body"] != "Email outbound: sent<br><br>new" {
		t.Errorf("the old note reads %q", o.Properties["hs_note_body"])
	}
	// A booked meeting whose time is not known stays the call it was.
	if o, _ := s.Get("calls", call); o.Properties["hs_call_body"] != "when?" {
		t.Errorf("the booked-meeting call reads %q", o.Properties["hs_call_body"])
	}
}

func TestUpdateTouchesMixedReplyAndRetry(t *testing.T) {
	s, c := hsClient(t, hubspottest.Options{RateLimit: 1 << 20, SearchPerSecond: -1}, Options{SearchPerSecond: -1})
	ctx := context.Background()
	in, pushed := pushedEngagements(t, s, c)
	if err := s.Archive("meetings", pushed[1].CRMID); err != nil { // deleted in HubSpot
		t.Fatal(err)
	}
	up := edits(in, pushed, "again")
	// A second call the CRM never had, in the same batch as a live one: 207.
	ghost := up[0]
	ghost.OpID, ghost.CRMID = "edit-ghost", "987654321"
	up = append(up, ghost)
	// A 429 on the calls update is waited out and retried.
	s.Inject(hubspottest.Fault{Method: http.MethodPost, Path: "/crm/v3/objects/calls/batch/update", Kind: hubspottest.FaultRateLimit, Policy: "TEN_SECONDLY_ROLLING"})

	res, err := c.UpdateTouches(ctx, up)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(up) {
		t.Fatalf("%d results for %d updates", len(res), len(up))
	}
	var ie *crmsync.ItemError
	for i := range pushedAs {
		if i != 1 && res[i].Err != nil {
			t.Errorf("live engagement %d: %+v", i, res[i])
		}
	}
	for _, i := range []int{1, len(up) - 1} {
		if !errors.As(res[i].Err, &ie) || !ie.Gone || res[i].OpID != up[i].OpID {
			t.Errorf("result %d: %+v, want gone", i, res[i])
		}
	}
	if o, _ := s.Get("calls", pushed[0].CRMID); o.Properties["hs_call_body"] != "again call" {
		t.Errorf("call body %q after the 429 retry", o.Properties["hs_call_body"])
	}
	var statuses []int
	for _, r := range s.Requests() {
		if r.Path == "/crm/v3/objects/calls/batch/update" {
			statuses = append(statuses, r.Status)
		}
	}
	if len(statuses) != 2 || statuses[0] != http.StatusTooManyRequests || statuses[1] != http.StatusMultiStatus {
		t.Errorf("calls update replies %v, want 429 then 207", statuses)
	}

	// Every id gone: the whole reply is errors, still one result each.
	res, err = c.UpdateTouches(ctx, []crmsync.TouchUpdate{up[1]})
	if err != nil || !errors.As(res[0].Err, &ie) || !ie.Gone {
		t.Errorf("all gone: %+v, %v", res, err)
	}
	// A portal that answers 404 for a batch of unknown ids, not 207: the
	// batch is split down to the item, which is gone; the others still go.
	s.Inject(hubspottest.Fault{Path: "/crm/v3/objects/notes/batch/update", Kind: hubspottest.FaultStatus, Code: http.StatusNotFound, Times: 2})
	note := up[5]
	note2 := note
	note2.OpID, note2.Touch.Note = "edit-note-2", "second"
	other := s.Put("notes", map[string]string{"hs_timestamp": "2026-11-02T15:00:00Z", "hs_note_body": "x"})
	note2.CRMID = other
	res, err = c.UpdateTouches(ctx, []crmsync.TouchUpdate{note, note2})
	if err != nil || !errors.As(res[0].Err, &ie) || !ie.Gone || res[1].Err != nil {
		t.Errorf("404 batch: %+v, %v", res, err)
	}
	if o, _ := s.Get("notes", other); o.Properties["hs_note_body"] != "Note outbound: connected<br><br>second" {
		t.Errorf("the other note after a 404 batch: %q", o.Properties["hs_note_body"])
	}
}

func TestUpdateTouchesOutageKeepsTheTokenOut(t *testing.T) {
	s, c := hsClient(t, hubspottest.Options{RateLimit: 1 << 20, SearchPerSecond: -1}, Options{SearchPerSecond: -1, MaxRetries: 2})
	in, pushed := pushedEngagements(t, s, c)
	s.Inject(hubspottest.Fault{Path: "/crm/v3/objects/emails/batch/update", Kind: hubspottest.FaultStatus, Code: 503, Times: -1})
	_, err := c.UpdateTouches(context.Background(), edits(in, pushed, "x"))
	if !errors.Is(err, model.ErrOffline) {
		t.Fatalf("error %v, want offline", err)
	}
	if strings.Contains(err.Error(), s.Token()) {
		t.Errorf("token in error: %v", err)
	}
	if _, err := c.UpdateTouches(context.Background(), make([]crmsync.TouchUpdate, 101)); err == nil {
		t.Errorf("101 updates accepted")
	}
}

func TestUpdateTasksWritesDueSubjectAndPriority(t *testing.T) {
	s, c := hsClient(t, hubspottest.Options{RateLimit: 1 << 20, SearchPerSecond: -1}, Options{SearchPerSecond: -1})
	id := s.Put("tasks", map[string]string{"hs_timestamp": "2026-11-02T15:00:00Z", "hs_task_subject": "Old", "hs_task_priority": "LOW", "hs_task_status": "NOT_STARTED"})
	due := time.Date(2026, 11, 9, 9, 30, 0, 0, time.UTC)
	res, err := c.UpdateTasks(context.Background(), []crmsync.TaskUpdate{{OpID: "u1", CRMID: id, Status: model.TaskOpen, Due: due,
		Title: "New subject", Priority: model.PriorityHigh}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("%+v, %v", res, err)
	}
	o, _ := s.Get("tasks", id)
	if o.Properties["hs_timestamp"] != isoMS(due) || o.Properties["hs_task_subject"] != "New subject" || o.Properties["hs_task_priority"] != "HIGH" {
		t.Errorf("task now %v", o.Properties)
	}
}
