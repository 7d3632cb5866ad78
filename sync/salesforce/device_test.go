package salesforce_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	crmsync "github.com/shortlisthq/shortlist/sync"
	"github.com/shortlisthq/shortlist/sync/salesforce"
	sft "github.com/shortlisthq/shortlist/sync/salesforcetest"
)

func TestDeviceFlow(t *testing.T) {
	for _, tc := range []struct {
		name string
		rfc  bool
		deny bool
	}{{"salesforce grant", false, false}, {"rfc 8628 grant only", true, false}, {"denied", false, true}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := sft.NewUnstarted(sft.Options{DeviceRFCOnly: tc.rfc})
			var waits []time.Duration
			var dc salesforce.DeviceCode
			o := salesforce.DeviceOptions{LoginURL: srv.URL(), ClientID: "app", HTTPClient: &http.Client{Transport: srv.Transport()},
				Sleep: func(_ context.Context, d time.Duration) error {
					waits = append(waits, d)
					if len(waits) == 3 { // the rep approves while the third wait runs
						if tc.deny {
							srv.DenyDevice(dc.UserCode)
						} else {
							srv.ApproveDevice(dc.UserCode)
						}
					}
					return nil
				}}
			var err error
			dc, err = salesforce.StartDevice(ctx, o)
			if err != nil || dc.UserCode == "" || !strings.HasSuffix(dc.VerificationURI, "/setup/connect") || dc.Interval != 5*time.Second {
				t.Fatalf("start: %+v %v", dc, err)
			}
			tok, err := salesforce.PollDevice(ctx, o, dc)
			if tc.deny {
				if !errors.Is(err, crmsync.ErrUnauthorized) {
					t.Fatalf("denied: %v", err)
				}
				return
			}
			if err != nil || tok.RefreshToken != srv.RefreshToken() || tok.InstanceURL != srv.URL() {
				t.Fatalf("poll: %+v %v", tok, err)
			}
			for _, w := range waits {
				if w != 5*time.Second {
					t.Fatalf("waited %v, not the interval Salesforce gave", waits)
				}
			}
		})
	}
	if _, err := salesforce.StartDevice(ctx, salesforce.DeviceOptions{}); err == nil || !strings.Contains(err.Error(), "client_id") {
		t.Fatalf("no client id: %v", err)
	}
}
