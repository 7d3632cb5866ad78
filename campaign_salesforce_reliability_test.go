//go:build reliability

package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	sft "github.com/shortlisthq/shortlist/sync/salesforcetest"
)

// TestReliabilitySalesforceCampaign is the HubSpot campaign (runCampaign)
// against a salesforcetest org over HTTP: the same morning of 100 actions,
// a manager completing, moving and deleting Salesforce Tasks, random faults
// (resets, resets after a collection write was applied, truncated replies,
// 5xx), 30 SIGKILLs and a concurrent sync; then every touch once as its
// Task or Event with its WhoId and WhatId, tasks' status and ActivityDate
// as in the book, the Contact's opt-outs and flags, nothing queued without
// a reason; the manager also reschedules booked meetings (Events), which
// the book must follow. Every write is a collections upsert on Shortlist_Op_Id__c or an
// update by id, so a kill at any instant is resolved by resending.
func TestReliabilitySalesforceCampaign(t *testing.T) { runCampaign(t, &salesforceCampaign{}) }

// touchOp is the prefix the Salesforce adapter puts before a touch's
// operation id in Shortlist_Op_Id__c (Task ids and touch ids share it).
const touchOp = "touch-"

type salesforceCampaign struct {
	srv           *sft.Server
	movedMeetings map[string]bool // booked Events the manager rescheduled
}

func (s *salesforceCampaign) name() string { return "Salesforce" }

func (s *salesforceCampaign) seed(t *testing.T) []string {
	s.srv = sft.New(sft.Options{})
	t.Cleanup(s.srv.Close)
	srv := s.srv
	due := time.Now().Add(24 * time.Hour).UTC().Format("2006-01-02")
	for i := range 8 {
		a := srv.Put("Account", sft.Record{"Name": fmt.Sprintf("Campaign Co %d", i), "Website": fmt.Sprintf("https://co%d.example", i),
			"Industry": "Software", "NumberOfEmployees": 400.0, "BillingCountry": "US", "BillingState": "NY"})
		for j := range 3 {
			c := srv.Put("Contact", sft.Record{"AccountId": a, "FirstName": fmt.Sprintf("Ann%d", j), "LastName": fmt.Sprintf("Lee%d", i),
				"Title": "VP Sales", "Email": fmt.Sprintf("c%d.%d@co%d.example", i, j, i), "Phone": fmt.Sprintf("+1 212 555 %02d%02d", i, j)})
			if j < 2 {
				srv.Put("Task", sft.Record{"Subject": fmt.Sprintf("Call Ann%d Lee%d", j, i), "Status": "Not Started", "Priority": "Normal",
					"TaskSubtype": "Call", "ActivityDate": due, "WhoId": c, "WhatId": a})
			}
		}
	}
	return []string{"SHORTLIST_HUBSPOT_TOKEN=", "SHORTLIST_SALESFORCE_INSTANCE_URL=" + srv.URL(), "SHORTLIST_SALESFORCE_ACCESS_TOKEN=" + srv.AccessToken()}
}

func (s *salesforceCampaign) injectFaults() {
	for _, f := range []sft.Fault{
		{Kind: sft.FaultReset, Times: -1, Chance: 0.02, Seed: 1},
		{Kind: sft.FaultResetAfterApply, Method: "PATCH", Times: -1, Chance: 0.05, Seed: 2},
		{Kind: sft.FaultTruncated, Times: -1, Chance: 0.02, Seed: 4},
		{Kind: sft.FaultStatus, Code: 503, Times: -1, Chance: 0.02, Seed: 6},
		{Kind: sft.FaultStatus, Code: 500, Method: "PATCH", Times: -1, Chance: 0.02, Seed: 7},
		{Kind: sft.FaultStatus, Code: 502, Times: -1, Chance: 0.01, Seed: 8},
	} {
		s.srv.Inject(f)
	}
}

func (s *salesforceCampaign) clearFaults()  { s.srv.ClearFaults() }
func (s *salesforceCampaign) requests() int { return len(s.srv.Requests()) }

func (s *salesforceCampaign) wroteSince(n int) bool {
	return slices.ContainsFunc(s.srv.Requests()[n:], func(r sft.Request) bool {
		return r.Method == "PATCH" && strings.Contains(r.Path, "/composite/sobjects")
	})
}

func (s *salesforceCampaign) faulted() int {
	n := 0
	for _, r := range s.srv.Requests() {
		if r.Faulted {
			n++
		}
	}
	return n
}

func (s *salesforceCampaign) stall(d time.Duration) {
	s.srv.Inject(sft.Fault{Kind: sft.FaultSlow, Delay: d})
}

func (s *salesforceCampaign) manage(t *testing.T, open map[string]bool) map[string]string {
	t.Helper()
	var picked []sft.Record
	for _, r := range s.srv.Records("Task") {
		if open[r.Str("Id")] && r.Str("Status") == "Not Started" && len(picked) < 3 {
			picked = append(picked, r)
		}
	}
	if len(picked) < 3 {
		t.Fatalf("only %d open Salesforce tasks for the manager", len(picked))
	}
	due, err := time.Parse("2006-01-02", picked[1].Str("ActivityDate"))
	if err != nil {
		t.Fatalf("task %s: ActivityDate %q", picked[1].Str("Id"), picked[1].Str("ActivityDate"))
	}
	s.srv.Update(picked[0].Str("Id"), sft.Record{"Status": "Completed"})
	s.srv.Update(picked[1].Str("Id"), sft.Record{"ActivityDate": due.AddDate(0, 0, 3).Format("2006-01-02")})
	s.srv.Delete(picked[2].Str("Id"))
	// And reschedules a meeting the rep booked, a day later: the book
	// must follow (the touch checks compare its time with the Event's).
	for _, e := range s.srv.Records("Event") {
		if e.Str("Subject") != "Meeting (booked)" || s.movedMeetings[e.Str("Id")] {
			continue
		}
		start, err1 := time.Parse("2006-01-02T15:04:05.000-0700", e.Str("StartDateTime"))
		end, err2 := time.Parse("2006-01-02T15:04:05.000-0700", e.Str("EndDateTime"))
		if err1 != nil || err2 != nil {
			t.Fatalf("event %s: start %q end %q", e.Str("Id"), e.Str("StartDateTime"), e.Str("EndDateTime"))
		}
		const layout = "2006-01-02T15:04:05.000-0700"
		s.srv.Update(e.Str("Id"), sft.Record{"StartDateTime": start.Add(24 * time.Hour).UTC().Format(layout),
			"EndDateTime": end.Add(24 * time.Hour).UTC().Format(layout)})
		if s.movedMeetings == nil {
			s.movedMeetings = map[string]bool{}
		}
		s.movedMeetings[e.Str("Id")] = true
		t.Logf("the manager moved the booked meeting %s a day on (%d moved so far)", e.Str("Id"), len(s.movedMeetings))
		break
	}
	return map[string]string{picked[0].Str("Id"): "completed", picked[1].Str("Id"): "moved", picked[2].Str("Id"): "deleted"}
}

func (s *salesforceCampaign) created() int {
	n := 0
	for _, obj := range []string{"Task", "Event"} {
		for _, r := range s.srv.Records(obj) {
			if r.Str(sft.OpIDField) != "" {
				n++
			}
		}
	}
	return n
}

func (s *salesforceCampaign) engagements() map[string][]engagement {
	out := map[string][]engagement{}
	for _, obj := range []string{"Task", "Event"} {
		for _, r := range s.srv.Records(obj) {
			op, ok := strings.CutPrefix(r.Str(sft.OpIDField), touchOp)
			if !ok {
				continue
			}
			e := engagement{ID: r.Str("Id"), Type: obj, Contact: r.Str("WhoId"), Company: r.Str("WhatId"), Text: r.Str("Description")}
			if obj == "Event" && r.Str("Subject") == "Meeting (booked)" {
				// Salesforce writes datetimes as 2006-01-02T15:04:05.000+0000.
				at, err := time.Parse("2006-01-02T15:04:05.000-0700", r.Str("StartDateTime"))
				if err != nil {
					at, err = time.Parse(time.RFC3339, r.Str("StartDateTime"))
				}
				if err == nil {
					e.Scheduled, e.Start = true, at.UnixMilli()
				}
			}
			out[op] = append(out[op], e)
		}
	}
	return out
}

func (s *salesforceCampaign) engagementType(ch model.Channel, _ model.Outcome, meetingAt int64) string {
	if meetingAt != 0 || ch == model.ChannelMeeting || ch == model.ChannelVisit {
		return "Event"
	}
	return "Task"
}

func (s *salesforceCampaign) tasks() (map[string]crmTask, map[string]int) {
	live, ops := map[string]crmTask{}, map[string]int{}
	for _, r := range s.srv.Records("Task") {
		op := r.Str(sft.OpIDField)
		if strings.HasPrefix(op, touchOp) {
			continue
		}
		if op != "" {
			ops[op]++
		}
		st, day := r.Str("Status"), r.Str("ActivityDate")
		live[r.Str("Id")] = crmTask{Open: st != "Completed", Show: st + " on " + day,
			matches: func(status string, due int64, hasTime bool, snoozed int64) bool {
				switch status {
				case "open":
					// ActivityDate is a date: the book's civil due date
					// (model.DueToCRM).
					return st == "Not Started" && day == model.DueToCRM(model.Task{Due: time.UnixMilli(due).UTC(), DueHasTime: hasTime}).Format("2006-01-02")
				case "snoozed":
					return st == "Not Started" && day == time.UnixMilli(snoozed).Format("2006-01-02")
				}
				return st == "Completed"
			}}
	}
	return live, ops
}

func (s *salesforceCampaign) taskDeleted(id string) bool {
	r, held := s.srv.Get(id)
	return held && r.Bool("IsDeleted")
}

func (s *salesforceCampaign) contactFlags(crmID, _ string) (call, mail, linkedin, phoneBad, unsubscribed bool) {
	r, _ := s.srv.Get(crmID)
	// Salesforce keeps email consent on the Contact alone.
	return r.Bool("DoNotCall"), r.Bool("HasOptedOutOfEmail"), r.Bool(sft.NoLinkedIn), r.Bool(sft.PhoneBadField), true
}
