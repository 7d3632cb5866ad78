package hubspot

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/shortlisthq/shortlist/model"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// Each touch reaches HubSpot as the engagement it was, with the properties
// HubSpot's engagement APIs define for it, linked to its contact and
// company — on a portal with unique operation ids (upsert, then v4 default
// associations) and on one without (create with inline associations).
func TestPushTouchesFilesEachChannelAsItsEngagement(t *testing.T) {
	for _, unique := range []bool{true, false} {
		t.Run(map[bool]string{true: "upsert", false: "create"}[unique], func(t *testing.T) {
			s, c := hsClient(t, hubspottest.Options{RateLimit: 1 << 20, SearchPerSecond: -1, UniqueOnEngagements: unique},
				Options{SearchPerSecond: -1, MeetingLength: 45 * time.Minute})
			in, res := pushedEngagements(t, s, c)
			at := in[0].Touch.At
			want := []map[string]string{
				{"hs_call_title": "Call: connected", "hs_call_direction": "OUTBOUND", "hs_call_duration": "180000",
					"hs_call_disposition": "f240bbac-87c9-4f6e-bf70-924b57d47db7", "hs_timestamp": isoMS(at)},
				{"hs_meeting_title": "Meeting: connected", "hs_meeting_outcome": "COMPLETED",
					"hs_meeting_start_time": isoMS(at), "hs_meeting_end_time": isoMS(at.Add(30 * time.Minute))},
				{"hs_email_subject": "Email: sent", "hs_email_direction": "EMAIL", "hs_email_text": "email note", "hs_timestamp": isoMS(at)},
				{"hs_communication_channel_type": "LINKEDIN_MESSAGE", "hs_communication_logged_from": "CRM"},
				{"hs_meeting_title": "Visit: connected", "hs_meeting_outcome": "COMPLETED"},
				{"hs_timestamp": isoMS(at)},
				{"hs_meeting_title": "Meeting booked (call)", "hs_meeting_outcome": "SCHEDULED", "hs_timestamp": isoMS(at.AddDate(0, 0, 3)),
					"hs_meeting_start_time": isoMS(at.AddDate(0, 0, 3)), "hs_meeting_end_time": isoMS(at.AddDate(0, 0, 3).Add(45 * time.Minute))},
			}
			for i, as := range pushedAs {
				o, ok := s.Get(as.typ, res[i].CRMID)
				if !ok {
					t.Fatalf("touch %d (%s): no %s %s", i, in[i].Touch.Channel, as.typ, res[i].CRMID)
				}
				for k, v := range want[i] {
					if got := o.Properties[k]; !sameValue(got, v) {
						t.Errorf("%s %s: %s = %q, want %q", as.typ, o.ID, k, got, v)
					}
				}
				if o.Properties[propOpID] != in[i].OpID || o.Properties["hubspot_owner_id"] != in[i].OwnerID {
					t.Errorf("%s %s: op id %q owner %q", as.typ, o.ID, o.Properties[propOpID], o.Properties["hubspot_owner_id"])
				}
				for to, id := range map[string]string{"contacts": in[i].ContactID, "companies": in[i].CompanyID} {
					if got := s.AssociatedIDs(as.typ, o.ID, to); len(got) != 1 || got[0] != id {
						t.Errorf("%s %s linked to %s %v, want %s", as.typ, o.ID, to, got, id)
					}
				}
			}
			// An inbound email is a reply from the buyer.
			tc := in[2].Touch
			tc.Direction = model.Inbound
			if e := TouchEngagement(tc, 0); e.Props["hs_email_direction"] != "INCOMING_EMAIL" {
				t.Errorf("inbound email direction %q", e.Props["hs_email_direction"])
			}
		})
	}
}

// sameValue compares datetimes by instant (HubSpot writes them back in
// its own form) and other values as text.
func sameValue(got, want string) bool {
	if got == want {
		return true
	}
	g, ok1 := parseTime(got)
	w, ok2 := parseTime(want)
	return ok1 && ok2 && g.Equal(w)
}

// A note HubSpot would render as markup reaches it escaped, and one longer
// than HubSpot's 65,536-character property limit is cut with a visible mark
// instead of the whole touch being refused; the book keeps the note whole.
func TestPushTouchesEscapesAndCapsBodies(t *testing.T) {
	s, c := hsClient(t, hubspottest.Options{RateLimit: 1 << 20, SearchPerSecond: -1}, Options{SearchPerSecond: -1})
	ctx := context.Background()
	owner := s.AddOwner("rep@acme.io", "Ann", "Rep")
	co := s.Put("companies", map[string]string{"name": "A", "hubspot_owner_id": owner})
	long := strings.Repeat("é<", 40_000) // 80,000 characters, 200,000 once escaped
	at := time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC)
	var in []crmsync.OutTouch
	for i, ch := range []model.Channel{model.ChannelNote, model.ChannelEmail, model.ChannelLinkedIn, model.ChannelCall} {
		note := `<script>alert("x")</script> & co`
		if i%2 == 1 {
			note = long
		}
		in = append(in, crmsync.OutTouch{OpID: "op-" + string(ch), CompanyID: co, OwnerID: owner,
			Touch: model.Touch{Channel: ch, Direction: model.Outbound, Outcome: model.OutcomeSent, Note: note, At: at}})
	}
	res, err := c.PushTouches(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Err != nil {
			t.Fatalf("touch %d refused: %v", i, r.Err)
		}
	}
	note, _ := s.Get("notes", res[0].CRMID)
	if got := note.Properties["hs_note_body"]; got != "Note outbound: sent<br><br>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co" {
		t.Errorf("note body %q", got)
	}
	email, _ := s.Get("emails", res[1].CRMID)
	for _, prop := range []string{"hs_email_text", "hs_email_html"} {
		v := email.Properties[prop]
		if n := utf8.RuneCountInString(v); n > maxValueLen || n < maxValueLen-10 || !strings.HasSuffix(v, truncatedMark) {
			t.Errorf("email %s: %d characters, ends %q", prop, n, v[max(0, len(v)-60):])
		}
	}
	text, html := email.Properties["hs_email_text"], email.Properties["hs_email_html"]
	if !strings.HasPrefix(text, "é<é<") || !strings.HasPrefix(html, "é&lt;é&lt;") || strings.Contains(html, "<") ||
		!strings.HasSuffix(strings.TrimSuffix(html, truncatedMark), "&lt;") && !strings.HasSuffix(strings.TrimSuffix(html, truncatedMark), "é") {
		t.Errorf("the plain part is as typed, the HTML part escaped and never cut inside an entity: %q… %q…", text[:10], html[:20])
	}
}

// A portal whose communications have no "communicationinformation" group
// (the name Shortlist guesses for the types it learnt last) still gets the
// operation-id property, in a group it lists, and the push goes on.
func TestPreparePicksAPropertyGroupThePortalHas(t *testing.T) {
	s, c := hsClient(t, hubspottest.Options{RateLimit: 1 << 20, SearchPerSecond: -1,
		PropertyGroups: map[string][]string{"communications": {"other", "communication_details"}, "emails": {"email_info"}}},
		Options{SearchPerSecond: -1})
	if _, err := c.Prepare(context.Background()); err != nil {
		t.Fatalf("prepare: %v", err)
	}
	for typ, group := range map[string]string{"communications": "communication_details", "emails": "email_info"} {
		r := getJSON(t, s, "/crm/v3/properties/"+typ+"/"+propOpID)
		if r["groupName"] != group {
			t.Errorf("%s op id property in group %v, want %s", typ, r["groupName"], group)
		}
	}
}

// getJSON reads a JSON object from the server with its token.
func getJSON(t *testing.T, s *hubspottest.Server, path string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL()+path, nil)
	req.Header.Set("Authorization", "Bearer "+s.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return out
}
