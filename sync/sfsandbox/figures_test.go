package sfsandbox_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/salesforce"
	sft "github.com/shortlisthq/shortlist/sync/salesforcetest"
)

// requestsByKind sums the server's log: "GET query", "PATCH composite/…".
func requestsByKind(srv *sft.Server) (map[string]int, int) {
	out := map[string]int{}
	data := 0
	for _, r := range srv.Requests() {
		k := r.Method + " " + r.Path
		if i := strings.Index(r.Path, "/v60.0/"); i >= 0 {
			rest := r.Path[i+len("/v60.0/"):]
			switch {
			case strings.HasPrefix(rest, "query/"):
				rest = "query (next page)"
			case strings.HasPrefix(rest, "sobjects/"):
				rest = "sobjects/*/describe"
			}
			k = r.Method + " " + rest
			data++
		}
		out[k]++
	}
	return out, data
}

func logFigures(t *testing.T, what string, srv *sft.Server) int {
	t.Helper()
	by, data := requestsByKind(srv)
	var keys []string
	for k := range by {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %-40s %d", k, by[k])
	}
	t.Logf("%s: %d API requests (counted against the org's daily limit)%s", what, data, b.String())
	return data
}

// TestRequestFigures measures the README's figures: a first pull of 2,000
// accounts with 10,000 contacts, then a push of 1,000 touches, through the
// engine and the adapter, counted at the server.
func TestRequestFigures(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 12,000 records")
	}
	ctx := context.Background()
	srv := sft.NewUnstarted(sft.Options{DailyLimit: 1 << 30})
	for i := range 2000 {
		a := srv.Put("Account", sft.Record{"Name": fmt.Sprintf("Account %04d", i), "Website": fmt.Sprintf("a%d.example", i),
			"Industry": "Software", "NumberOfEmployees": 300.0, "BillingCountry": "US"})
		for j := range 5 {
			srv.Put("Contact", sft.Record{"AccountId": a, "FirstName": "Pat", "LastName": fmt.Sprintf("N%d", j),
				"Title": "VP Sales", "Phone": "+1 415 555 0100", "Email": fmt.Sprintf("p%d@a%d.example", j, i)})
		}
	}
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "book.db"), storage.Options{Settings: model.DefaultSettings(), Profile: model.DefaultProfile()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	crm, err := salesforce.New(salesforce.Options{InstanceURL: "http://127.0.0.1", AccessToken: srv.AccessToken(), DailyShare: 1,
		HTTPClient: &http.Client{Transport: srv.Transport()}})
	if err != nil {
		t.Fatal(err)
	}
	eng := crmsync.New(db, crm, crmsync.Options{OwnerEmail: "rep@example.com"})
	start := time.Now()
	rep := mustSync(t, eng)
	pull := logFigures(t, fmt.Sprintf("first pull (%d records in %s)", rep.Pulled, time.Since(start).Round(time.Millisecond)), srv)

	contacts, err := db.Accounts(ctx, model.AccountFilter{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range contacts {
		d, err := db.AccountDetail(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range d.Contacts[:1] {
			if _, err := db.LogTouch(ctx, model.LogRequest{ContactID: c.ID, Channel: model.ChannelCall, Outcome: model.OutcomeNoAnswer,
				At: time.Now()}); err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n == 1000 {
			break
		}
	}
	srv.ResetLog()
	start = time.Now()
	rep = mustSync(t, eng)
	push := logFigures(t, fmt.Sprintf("push of %d touches (%d pushed in all, in %s)", n, rep.Pushed, time.Since(start).Round(time.Millisecond)), srv)
	if pull == 0 || push == 0 {
		t.Fatal("no requests counted")
	}
}
