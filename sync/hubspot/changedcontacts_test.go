package hubspot

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// TestContactsModifiedSince walks contacts by their own modified date
// against hubspottest: past a search cap of 50 (80 contacts sharing one
// time), with their companies read in v4 batches, the primary first.
func TestContactsModifiedSince(t *testing.T) {
	var mu sync.Mutex
	clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	set := func(at time.Time) { mu.Lock(); clock = at; mu.Unlock() }
	s, c := hsClient(t, hubspottest.Options{RateLimit: 1 << 20, SearchPerSecond: -1, SearchCap: 50, Now: now}, Options{SearchPerSecond: -1})
	ctx := context.Background()
	owner := s.AddOwner("rep@acme.io", "Ann", "Rep")
	colleague := s.AddOwner("kim@acme.io", "Kim", "Lee")
	mine := s.Put("companies", map[string]string{"name": "Mine", "hubspot_owner_id": owner})
	theirs := s.Put("companies", map[string]string{"name": "Theirs", "hubspot_owner_id": colleague})
	base := clock.Add(time.Hour)
	var ids []string
	for i := range 180 {
		at := base // 80 share one time, past the cap of 50
		if i >= 80 {
			at = base.Add(time.Duration(i) * time.Minute)
		}
		set(at) // associating writes associatedcompanyid, at the server's now
		ct := s.PutAt("contacts", map[string]string{"firstname": "C", "lastname": strconv.Itoa(i), "email": "c" + strconv.Itoa(i) + "@x.io"}, at)
		first, second := mine, theirs
		if i%2 == 1 {
			first, second = theirs, mine
		}
		if err := s.Associate("contacts", ct, "companies", first); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if err := s.Associate("contacts", ct, "companies", second); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, ct)
	}
	set(base.Add(10 * time.Hour))

	got := map[string]model.PulledContact{}
	var prev time.Time
	pages := 0
	walk := func(since time.Time) error {
		return c.ContactsModifiedSince(ctx, since, func(p []model.PulledContact) error {
			pages++
			for j, rc := range p {
				if j > 0 && rc.Modified.Before(p[j-1].Modified) {
					t.Errorf("page out of order at %d: %v before %v", j, rc.Modified, p[j-1].Modified)
				}
				if rc.Modified.Before(since) {
					t.Errorf("contact %s modified %v, before %v", rc.Contact.CRMID, rc.Modified, since)
				}
				got[rc.Contact.CRMID] = rc
			}
			if p[0].Modified.Before(prev) && !p[0].Modified.Equal(base) {
				t.Errorf("a page went back in time: %v after %v", p[0].Modified, prev)
			}
			prev = p[len(p)-1].Modified
			return nil
		})
	}
	if err := walk(time.Time{}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 180 {
		t.Fatalf("walked %d of 180 contacts in %d pages", len(got), pages)
	}
	searches, assocReads := 0, 0
	for _, r := range s.Requests() {
		switch {
		case r.Path == "/crm/v3/objects/contacts/search":
			searches++
			if !strings.Contains(string(r.Body), `"lastmodifieddate"`) || !strings.Contains(string(r.Body), `"ASCENDING"`) {
				t.Errorf("search body %s", r.Body)
			}
		case r.Path == "/crm/v4/associations/contacts/companies/batch/read":
			assocReads++
		case strings.HasPrefix(r.Path, "/crm/v4/objects/contacts/"):
			t.Errorf("associations read one contact at a time: %s", r.Path)
		}
	}
	if searches < 4 || assocReads < 2 {
		t.Errorf("%d searches, %d association batch reads for 180 contacts past a cap of 50", searches, assocReads)
	}
	t.Logf("180 contacts past a cap of 50 (80 sharing one time): %d searches, %d association reads, %d pages", searches, assocReads, pages)
	for i, id := range ids {
		rc := got[id]
		want := []string{mine}
		if i%2 == 1 {
			want = []string{theirs}
		}
		if i%3 == 0 {
			want = []string{mine, theirs}
			if i%2 == 1 {
				want = []string{theirs, mine}
			}
		}
		if strings.Join(rc.CompanyIDs, ",") != strings.Join(want, ",") {
			t.Errorf("contact %d companies %v, want %v (primary first)", i, rc.CompanyIDs, want)
		}
	}

	// An unsubscribe recorded in HubSpot later is found from the last time
	// seen, alone.
	last := prev
	set(base.Add(11 * time.Hour))
	if err := s.Update("contacts", ids[7], map[string]string{"hs_email_optout": "true"}); err != nil {
		t.Fatal(err)
	}
	clear(got)
	if err := walk(last.Add(time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	rc, ok := got[ids[7]]
	if len(got) != 1 || !ok {
		t.Fatalf("since the last walk: %d contacts (%v)", len(got), ok)
	}
	if !rc.Contact.Consent.Email.OptedOut() || !rc.Modified.Equal(base.Add(11*time.Hour)) {
		t.Errorf("contact %+v modified %v, want opted out of email at the update", rc.Contact.Consent, rc.Modified)
	}
	if rc.Contact.Consent.Call.State != model.ConsentAllowed {
		t.Errorf("call consent %+v", rc.Contact.Consent.Call)
	}
}
