package hubspot

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// TestTasksModifiedSince walks tasks by their own modified date against
// hubspottest, open and closed, past a search cap of 50 with 70 tasks
// sharing one time, each with its company and contact read in v4 batches;
// DeletedTasks names the ones HubSpot no longer holds.
func TestTasksModifiedSince(t *testing.T) {
	s, c := hsClient(t, hubspottest.Options{RateLimit: 1 << 20, SearchPerSecond: -1, SearchCap: 50}, Options{SearchPerSecond: -1})
	ctx := context.Background()
	co := s.Put("companies", map[string]string{"name": "Co"})
	ct := s.Put("contacts", map[string]string{"firstname": "C", "email": "c@x.io"})
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 120 {
		at := base // 70 share one time, past the cap of 50
		if i >= 70 {
			at = base.Add(time.Duration(i) * time.Minute)
		}
		status := "NOT_STARTED"
		if i%4 == 0 {
			status = "COMPLETED"
		}
		id := s.PutAt("tasks", map[string]string{"hs_task_subject": "T" + strconv.Itoa(i), "hs_task_status": status,
			"hs_timestamp": "2026-03-09T09:00:00Z"}, at)
		to, toID := "companies", co
		if i%2 == 1 {
			to, toID = "contacts", ct
		}
		if err := s.Associate("tasks", id, to, toID); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	got := map[string]model.PulledTask{}
	err := c.TasksModifiedSince(ctx, base.Add(-time.Hour), func(p []model.PulledTask) error {
		for _, rt := range p {
			got[rt.Task.CRMID] = rt
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 120 {
		t.Fatalf("walked %d tasks, want 120", len(got))
	}
	for i, id := range ids {
		rt := got[id]
		wantDone := i%4 == 0
		if (rt.Task.Status == model.TaskDone) != wantDone {
			t.Errorf("task %s status %s", id, rt.Task.Status)
		}
		if i%2 == 0 && (rt.CompanyID != co || rt.ContactID != "") || i%2 == 1 && (rt.ContactID != ct || rt.CompanyID != "") {
			t.Errorf("task %s on company %q contact %q", id, rt.CompanyID, rt.ContactID)
		}
	}
	// Later than every change: nothing.
	n := 0
	if err := c.TasksModifiedSince(ctx, base.Add(3*time.Hour), func(p []model.PulledTask) error { n += len(p); return nil }); err != nil || n != 0 {
		t.Errorf("since after every change: %d tasks, %v", n, err)
	}

	for _, id := range ids[:3] {
		if err := s.Archive("tasks", id); err != nil {
			t.Fatal(err)
		}
	}
	check := append(append([]string{}, ids...), "99999999")
	gone, err := c.DeletedTasks(ctx, check)
	if err != nil {
		t.Fatal(err)
	}
	if len(gone) != 4 || gone[0] != ids[0] || gone[3] != "99999999" {
		t.Errorf("deleted %v, want the 3 archived and the unknown id", gone)
	}
}
