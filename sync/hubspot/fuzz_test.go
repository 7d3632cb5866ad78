package hubspot

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/shortlisthq/shortlist/model"
)

// fuzzToken is the client's token in the fuzz target: no error may carry it.
const fuzzToken = "pat-na1-fuzz-70ken-secret"

// FuzzDecodeReplies feeds HubSpot reply bodies (search and list pages, batch
// results, v4 association reads, error bodies) to the adapter's decoders and
// record mappers: they never panic, never put the token or a raw control
// byte into an error or a record, and a body cut short never decodes to data
// with a nil error.
func FuzzDecodeReplies(f *testing.F) {
	f.Add([]byte(`{"total":2,"results":[{"id":"101","properties":{"name":"Acme","hs_lastmodifieddate":"2026-11-20T10:00:00.000Z","numberofemployees":"250","timezone":"US/Eastern"},"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-11-20T10:00:00Z","archived":false}],"paging":{"next":{"after":"1"}}}`), uint16(40))
	f.Add([]byte(`{"status":"COMPLETE","results":[{"id":"9","properties":{"hs_task_subject":"Call \u001b[2J back","hs_timestamp":"9999-12-31T23:59:59Z","hs_lastmodifieddate":"1900-01-01T00:00:00Z"}}],"numErrors":1,"errors":[{"status":"error","category":"OBJECT_NOT_FOUND","message":"not found","context":{"ids":["7"]}}]}`), uint16(17))
	f.Add([]byte(`{"results":[{"from":{"id":"5"},"to":[{"toObjectId":12345678901,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":279,"label":null}]}],"paging":{"next":{"after":"x"}}}]}`), uint16(60))
	f.Add([]byte(`{"status":"error","message":"bad token pat-na1-fuzz-70ken-secret \u009b2J","category":"INVALID_AUTHENTICATION","policyName":"DAILY","errors":[{"message":"x","context":{"requiredScopes":["crm.objects.contacts.read"]}}]}`), uint16(3))
	f.Add([]byte(`{"results":[{"id":1e3,"properties":{"firstname":"\u202eevil","lastname":"`+strings.Repeat("W", 300)+`","lastmodifieddate":"1700000000000","hs_timezone":"Mars/Olympus_Mons"}}]}`), uint16(100))
	c, err := New(Options{BaseURL: "http://127.0.0.1:1", Token: fuzzToken, PortalID: "1"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, cut uint16) {
		check := func(what string, err error) {
			if err != nil && strings.Contains(err.Error(), fuzzToken) {
				t.Fatalf("%s: error carries the token: %q", what, err)
			}
			if err != nil && model.Sanitize(err.Error()) != err.Error() {
				t.Fatalf("%s: error carries control bytes: %q", what, err)
			}
		}
		rep := reply{status: 200, body: body}
		var page objectPage
		pageErr := c.decode("search", rep, &page)
		check("page", pageErr)
		var br batchReply
		batchErr := c.decode("batch", rep, &br)
		check("batch", batchErr)
		var ar assocReply
		check("assoc", c.decode("assoc", rep, &ar))
		e := c.decodeAPIError(body)
		if strings.Contains(e.Message, fuzzToken) || model.Sanitize(e.Message) != e.Message {
			t.Fatalf("error body message not cleaned: %q", e.Message)
		}
		check("scope", c.scopeError(request{op: "read"}, reply{status: 403, body: body}))
		check("failure", c.failure("write", reply{status: 400, body: body}))
		// Records map to clean model values or are refused.
		objs := append(append([]object{}, page.Results...), br.Results...)
		for _, o := range objs {
			if a, err := c.company(o); err == nil {
				for _, s := range []string{a.Account.Name, a.Account.CRMID, a.Account.Industry, a.Account.TimeZone, a.Account.City, a.Account.Owner} {
					if model.Sanitize(s) != s {
						t.Fatalf("company field not clean: %q", s)
					}
				}
			} else {
				check("company", err)
			}
			if ct, ok := c.contact(o, nil); ok {
				for _, s := range []string{ct.Contact.FirstName, ct.Contact.LastName, ct.Contact.Title, ct.Contact.TimeZone, ct.Contact.CRMID} {
					if model.Sanitize(s) != s {
						t.Fatalf("contact field not clean: %q", s)
					}
				}
			}
			if tk, ok := remoteTask(o); ok && model.Sanitize(tk.Task.Title) != tk.Task.Title {
				t.Fatalf("task title not clean: %q", tk.Task.Title)
			}
		}
		// A cut body never yields data with a nil error.
		trimmed := bytes.TrimSpace(body)
		if pageErr != nil || len(trimmed) < 2 || !json.Valid(trimmed) || trimmed[0] != '{' {
			return
		}
		n := int(cut) % len(trimmed)
		part := trimmed[:n]
		var p2 objectPage
		if err := c.decode("search", reply{status: 200, body: part}, &p2); err == nil {
			t.Fatalf("a body cut at %d of %d decoded with no error: %q", n, len(trimmed), part)
		}
		var b2 batchReply
		if err := c.decode("batch", reply{status: 200, body: part}, &b2); err == nil {
			t.Fatalf("a batch body cut at %d decoded with no error", n)
		}
		var a2 assocReply
		if err := c.decode("assoc", reply{status: 200, body: part}, &a2); err == nil {
			t.Fatalf("an association body cut at %d decoded with no error", n)
		}
	})
}
