package hubspot

import (
	"context"
	"errors"
	"fmt"

	crmsync "github.com/shortlisthq/shortlist/sync"
)

// UpdateTouches rewrites the text of engagements after their touch's note
// was edited: the text properties TouchEngagement gives the touch's
// engagement type (hs_call_body, hs_email_text and hs_email_html,
// hs_communication_body, hs_meeting_body, hs_note_body), grouped by type,
// 100 per batch update. An engagement HubSpot does not hold under that type
// is looked for under the type Shortlist filed the touch as before each
// channel had its own (a note for an email, say), so an edit of a touch
// pushed then still reaches it. A deleted engagement comes back Gone; one
// HubSpot refuses holds back only itself.
func (c *Client) UpdateTouches(ctx context.Context, in []crmsync.TouchUpdate) ([]crmsync.Result, error) {
	out, err := c.updateTouches(ctx, in)
	return out, c.clean(err)
}

func (c *Client) updateTouches(ctx context.Context, in []crmsync.TouchUpdate) ([]crmsync.Result, error) {
	if len(in) > 100 {
		return nil, fmt.Errorf("update touches: %d at once, at most 100", len(in))
	}
	results := make([]crmsync.Result, len(in))
	now := make([]int, len(in))
	for i := range in {
		now[i] = i
	}
	if err := c.rewriteTouches(ctx, in, now, func(u crmsync.TouchUpdate) Engagement {
		return TouchEngagement(u.Touch, c.meetingLength)
	}, results); err != nil {
		return nil, err
	}
	var again []int
	for i, u := range in {
		var ie *crmsync.ItemError
		if errors.As(results[i].Err, &ie) && ie.Gone && legacyEngagement(u.Touch).Type != TouchEngagement(u.Touch, c.meetingLength).Type {
			again = append(again, i)
		}
	}
	if len(again) == 0 {
		return results, nil
	}
	first := make(map[int]crmsync.Result, len(again))
	for _, i := range again {
		first[i] = results[i]
	}
	if err := c.rewriteTouches(ctx, in, again, func(u crmsync.TouchUpdate) Engagement { return legacyEngagement(u.Touch) }, results); err != nil {
		return nil, err
	}
	for _, i := range again {
		var ie *crmsync.ItemError
		if errors.As(results[i].Err, &ie) && ie.Gone {
			results[i] = first[i] // gone under both types: say so as the current type
		}
	}
	return results, nil
}

// rewriteTouches writes, for the inputs at idx, the text of the engagement
// eng gives each, one batch update per type, into results.
func (c *Client) rewriteTouches(ctx context.Context, in []crmsync.TouchUpdate, idx []int, eng func(crmsync.TouchUpdate) Engagement, results []crmsync.Result) error {
	// updateAll fills results by an item's idx within its own call, so each
	// type's items carry their position in the group and pos maps it back.
	byType := map[string][]creation{}
	pos := map[string][]int{}
	for _, i := range idx {
		e := eng(in[i])
		byType[e.Type] = append(byType[e.Type], creation{idx: len(byType[e.Type]), opID: in[i].OpID, crmID: in[i].CRMID, props: e.Text})
		pos[e.Type] = append(pos[e.Type], i)
	}
	for _, objType := range touchTypes {
		items := byType[objType]
		if len(items) == 0 {
			continue
		}
		got, err := c.updateAll(ctx, objType, items)
		if err != nil {
			return err
		}
		for j, r := range got {
			results[pos[objType][j]] = r
		}
	}
	return nil
}
