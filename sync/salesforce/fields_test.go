package salesforce_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	crmsync "github.com/shortlisthq/shortlist/sync"
	sft "github.com/shortlisthq/shortlist/sync/salesforcetest"
)

// TestAddFieldsThroughTheToolingAPI: the fields Prepare names are created
// with the Tooling API's CustomField create, the operation id once on
// Activity (Task and Event both get it), as Text(64) External ID Unique;
// then Prepare passes and a push is an upsert. A user who may not customize
// the org gets a *ScopeError and nothing is created; a field made meanwhile
// counts as there.
func TestAddFieldsThroughTheToolingAPI(t *testing.T) {
	missing := []string{"Task." + sft.OpIDField, "Event." + sft.OpIDField, "Account." + sft.StatusField, "Contact." + sft.PhoneBadField}
	srv := sft.NewUnstarted(sft.Options{Missing: missing})
	acct, ct := seedPush(srv)
	c := newClient(t, srv, nil)
	_, err := c.Prepare(ctx)
	var fm *crmsync.FieldsMissingError
	if !errors.As(err, &fm) || len(fm.Fields) != 4 {
		t.Fatalf("prepare: %v", err)
	}
	srv.ResetLog()
	added, err := c.AddFields(ctx, fm.Fields)
	want := []string{"Activity." + sft.OpIDField, "Account." + sft.StatusField, "Contact." + sft.PhoneBadField}
	if err != nil || !slices.Equal(added, want) || srv.FieldsCreated() != 3 {
		t.Fatalf("added %v (%d on the server), %v; want %v", added, srv.FieldsCreated(), err, want)
	}
	for _, r := range srv.Requests() {
		if r.Method != http.MethodPost || !strings.HasSuffix(r.Path, "/tooling/sobjects/CustomField") {
			t.Errorf("unexpected request %s %s", r.Method, r.Path)
			continue
		}
		var body struct {
			FullName string
			Metadata map[string]any
		}
		json.Unmarshal(r.Body, &body)
		if body.FullName == "Activity."+sft.OpIDField && (body.Metadata["type"] != "Text" || body.Metadata["length"] != 64.0 ||
			body.Metadata["externalId"] != true || body.Metadata["unique"] != true) {
			t.Errorf("the operation id field is created as %v", body.Metadata)
		}
	}
	if _, err := c.Prepare(ctx); err != nil {
		t.Fatalf("prepare after adding the fields: %v", err)
	}
	if res, err := c.PushTouches(ctx, touches(acct, ct, "")); err != nil || res[0].Err != nil || res[0].CRMID == "" {
		t.Fatalf("push after adding the fields: %+v %v", res, err)
	}
	// Run again (another rep did it first): nothing new, no error.
	again, err := c.AddFields(ctx, fm.Fields)
	if err != nil || len(again) != 0 || srv.FieldsCreated() != 3 {
		t.Fatalf("adding fields that exist: %v %v", again, err)
	}

	for name, o := range map[string]sft.Options{
		"400 INSUFFICIENT_ACCESS": {Missing: missing, NoCustomize: true},
		"403":                     {Missing: missing},
	} {
		t.Run(name, func(t *testing.T) {
			srv := sft.NewUnstarted(o)
			if name == "403" {
				srv.Inject(sft.Fault{Path: "/tooling/", Kind: sft.FaultStatus, Code: 403, Times: -1})
			}
			c := newClient(t, srv, nil)
			added, err := c.AddFields(ctx, fm.Fields)
			if !errors.Is(err, crmsync.ErrScope) || len(added) != 0 || srv.FieldsCreated() != 0 {
				t.Fatalf("a user who may not customize: added %v, %v", added, err)
			}
		})
	}
}
