package hubspot

import (
	"context"
	"fmt"

	crmsync "github.com/shortlisthq/shortlist/sync"
)

// UpdateTouches rewrites the text of engagements after their touch's note
// was edited: hs_call_body, hs_meeting_body or hs_note_body (see
// TouchText), grouped by engagement type, 100 per batch update. A deleted
// engagement comes back Gone; an engagement HubSpot refuses holds back only
// itself.
func (c *Client) UpdateTouches(ctx context.Context, in []crmsync.TouchUpdate) ([]crmsync.Result, error) {
	out, err := c.updateTouches(ctx, in)
	return out, c.clean(err)
}

func (c *Client) updateTouches(ctx context.Context, in []crmsync.TouchUpdate) ([]crmsync.Result, error) {
	if len(in) > 100 {
		return nil, fmt.Errorf("update touches: %d at once, at most 100", len(in))
	}
	results := make([]crmsync.Result, len(in))
	// updateAll fills results by an item's idx within its own call, so each
	// type's items carry their position in the group and pos maps it back.
	byType := map[string][]creation{}
	pos := map[string][]int{}
	for i, u := range in {
		objType, prop, text := TouchText(u.Touch)
		byType[objType] = append(byType[objType], creation{idx: len(byType[objType]), opID: u.OpID, crmID: u.CRMID,
			props: map[string]string{prop: text}})
		pos[objType] = append(pos[objType], i)
	}
	for _, objType := range []string{"calls", "meetings", "notes"} {
		items := byType[objType]
		if len(items) == 0 {
			continue
		}
		got, err := c.updateAll(ctx, objType, items)
		if err != nil {
			return nil, err
		}
		for j, r := range got {
			results[pos[objType][j]] = r
		}
	}
	return results, nil
}
