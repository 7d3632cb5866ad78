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

// pushedEngagements pushes a call, a meeting and an email (filed as a note)
// through the adapter and returns the touches and their results.
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
	} {
		tc.Direction, tc.At = model.Outbound, at
		in = append(in, crmsync.OutTouch{OpID: "op-" + string(tc.Channel), ContactID: ct, CompanyID: co, OwnerID: owner, Touch: tc})
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

// edits are the updates for the pushed touches with new notes.
func edits(in []crmsync.OutTouch, res []crmsync.Result, note string) []crmsync.TouchUpdate {
	out := make([]crmsync.TouchUpdate, len(in))
	for i, ot := range in {
		tc := ot.Touch
		tc.Note = note + " " + string(tc.Channel)
		out[i] = crmsync.TouchUpdate{OpID: "edit-" + string(tc.Channel), CRMID: res[i].CRMID, Touch: tc}
	}
	return out
}

func TestUpdateTouchesWritesEachChannelsProperty(t *testing.T) {
	s, c := hsClient(t, hubspottest.Options{RateLimit: 1 << 20, SearchPerSecond: -1}, Options{SearchPerSecond: -1})
	ctx := context.Background()
	in, pushed := pushedEngagements(t, s, c)
	before, _ := s.Get("notes", pushed[2].CRMID)

	up := edits(in, pushed, "edited")
	res, err := c.UpdateTouches(ctx, up)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Err != nil || r.OpID != up[i].OpID || r.CRMID != up[i].CRMID {
			t.Fatalf("result %d: %+v", i, r)
		}
	}
	for i, want := range []struct{ typ, prop, text string }{
		{"calls", "hs_call_body", "edited call"},
		{"meetings", "hs_meeting_body", "edited meeting"},
		{"notes", "hs_note_body", "Email outbound: sent\n\nedited email"},
	} {
		o, ok := s.Get(want.typ, pushed[i].CRMID)
		if !ok || o.Properties[want.prop] != want.text {
			t.Errorf("%s %s: %s = %q, want %q", want.typ, pushed[i].CRMID, want.prop, o.Properties[want.prop], want.text)
		}
	}
	// Create and update agree: only the note part of the note's text moved.
	if b := before.Properties["hs_note_body"]; b != "Email outbound: sent\n\nemail note" {
		t.Errorf("created note body %q", b)
	}
	// One batch update per engagement type, nothing else.
	var paths []string
	for _, r := range s.Requests() {
		if strings.HasSuffix(r.Path, "/batch/update") {
			paths = append(paths, r.Path)
		}
	}
	if strings.Join(paths, " ") != "/crm/v3/objects/calls/batch/update /crm/v3/objects/meetings/batch/update /crm/v3/objects/notes/batch/update" {
		t.Errorf("update requests %v", paths)
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
	if res[0].Err != nil || res[0].CRMID != pushed[0].CRMID || res[2].Err != nil {
		t.Errorf("live engagements: %+v, %+v", res[0], res[2])
	}
	for _, i := range []int{1, 3} {
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
	note := up[2]
	note2 := note
	note2.OpID, note2.Touch.Note = "edit-note-2", "second"
	other := s.Put("notes", map[string]string{"hs_timestamp": "2026-11-02T15:00:00Z", "hs_note_body": "x"})
	note2.CRMID = other
	res, err = c.UpdateTouches(ctx, []crmsync.TouchUpdate{note, note2})
	if err != nil || !errors.As(res[0].Err, &ie) || !ie.Gone || res[1].Err != nil {
		t.Errorf("404 batch: %+v, %v", res, err)
	}
	if o, _ := s.Get("notes", other); o.Properties["hs_note_body"] != "Email outbound: sent\n\nsecond" {
		t.Errorf("the other note after a 404 batch: %q", o.Properties["hs_note_body"])
	}
}

func TestUpdateTouchesOutageKeepsTheTokenOut(t *testing.T) {
	s, c := hsClient(t, hubspottest.Options{RateLimit: 1 << 20, SearchPerSecond: -1}, Options{SearchPerSecond: -1, MaxRetries: 2})
	in, pushed := pushedEngagements(t, s, c)
	s.Inject(hubspottest.Fault{Path: "/crm/v3/objects/notes/batch/update", Kind: hubspottest.FaultStatus, Code: 503, Times: -1})
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
