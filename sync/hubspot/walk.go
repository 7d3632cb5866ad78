package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// modifiedSearch is a search walked oldest change first, the way an
// incremental pull reads a type: by its modified-date property, ascending,
// from a time on.
type modifiedSearch struct {
	op      string   // e.g. "search companies", for errors
	objType string   // "companies", "contacts"
	scope   string   // the read scope a 403 names
	modProp string   // "hs_lastmodifieddate", or "lastmodifieddate" on contacts
	filters []filter // what else every query must match (the owner, say)
	props   []string // properties to read
}

// walkModified pages through the records s matches that were modified at
// or after since, calling fn with each page mapped by conv and sorted by
// modified time (ties by id). HubSpot lets one query page through only
// searchCap results (a server with a smaller cap answers 400 past it), so
// past the cap the walk restarts at the last modified time seen; when more
// than a cap of records share one time, it pages that time by id. A page may
// repeat records already seen. Every query goes through the search limiter.
// stamp gives a mapped record's modified time and id, which the walk orders
// and restarts by.
func walkModified[T any](ctx context.Context, c *Client, s modifiedSearch, since time.Time,
	conv func(context.Context, []object) ([]T, error), stamp func(T) (time.Time, string), fn func([]T) error) error {
	// Date mode: modified (GTE|GT) from, sorted by modified. Tie mode:
	// modified EQ from and id GT tieAfter, sorted by id.
	from, fromOp := since, "GTE"
	if since.IsZero() {
		from = time.UnixMilli(0)
	}
	tie, tieAfter := false, "0"
	for {
		var body searchBody
		if !tie {
			body.FilterGroups = []filterGroup{{Filters: append(slices.Clone(s.filters), filter{PropertyName: s.modProp, Operator: fromOp, Value: ms(from)})}}
			body.Sorts = []sortSpec{{PropertyName: s.modProp, Direction: "ASCENDING"}}
		} else {
			body.FilterGroups = []filterGroup{{Filters: append(slices.Clone(s.filters),
				filter{PropertyName: s.modProp, Operator: "EQ", Value: ms(from)},
				filter{PropertyName: "hs_object_id", Operator: "GT", Value: tieAfter})}}
			body.Sorts = []sortSpec{{PropertyName: "hs_object_id", Direction: "ASCENDING"}}
		}
		body.Properties = s.props
		body.Limit = pageSize
		seen := 0
		var last time.Time
		lastID := ""
		capped := false
		for {
			rep, err := c.do(ctx, request{op: s.op, method: http.MethodPost, path: "/crm/v3/objects/" + s.objType + "/search", body: body, search: true, scope: s.scope})
			if err != nil {
				return err
			}
			if rep.status == http.StatusBadRequest && body.After != "" {
				capped = true // paging past the server's cap
				break
			}
			if rep.status != http.StatusOK {
				return c.failure(s.op, rep)
			}
			var page objectPage
			if err := c.decode(s.op, rep, &page); err != nil {
				return err
			}
			if page.Results == nil {
				return protocol(s.op, rep.status, "the reply has no results")
			}
			out, err := conv(ctx, page.Results)
			if err != nil {
				return err
			}
			slices.SortStableFunc(out, func(a, b T) int {
				am, aid := stamp(a)
				bm, bid := stamp(b)
				if d := am.Compare(bm); d != 0 {
					return d
				}
				return cmpID(aid, bid)
			})
			for _, r := range out {
				m, id := stamp(r)
				if m.After(last) {
					last = m
				}
				if cmpID(id, lastID) > 0 {
					lastID = id
				}
			}
			seen += len(out)
			if len(out) > 0 {
				if err := fn(out); err != nil {
					return err
				}
			}
			next := ""
			if page.Paging != nil && page.Paging.Next != nil {
				next = page.Paging.Next.After
			}
			if next == "" || len(page.Results) == 0 {
				break
			}
			if n, err := strconv.Atoi(next); err == nil && n >= searchCap {
				capped = true
				break
			}
			if next == body.After {
				return protocol(s.op, rep.status, "paging does not move on")
			}
			body.After = next
		}
		if !capped {
			if !tie {
				return nil
			}
			// every record at this time is seen: go on after it
			tie, fromOp = false, "GT"
			continue
		}
		if seen == 0 {
			return fmt.Errorf("%s: %w", s.op, errNoProgress)
		}
		switch {
		case tie:
			if cmpID(lastID, tieAfter) <= 0 {
				return fmt.Errorf("%s: %w", s.op, errNoProgress)
			}
			tieAfter = lastID
		case last.After(from):
			from, fromOp = last, "GTE"
		default:
			// a whole cap of records share one modified time
			tie, tieAfter = true, "0"
		}
	}
}

// ContactsModifiedSince pages through every contact modified at or after
// since, oldest first, each with the ids of its companies (the primary
// first), restarting past the search cap as Companies does. Contacts have
// no owner that says whose book they are in: the caller keeps those whose
// companies are its own.
func (c *Client) ContactsModifiedSince(ctx context.Context, since time.Time, fn func([]model.PulledContact) error) error {
	return c.clean(c.contactsModifiedSince(ctx, since, fn))
}

func (c *Client) contactsModifiedSince(ctx context.Context, since time.Time, fn func([]model.PulledContact) error) error {
	s := modifiedSearch{
		op: "search contacts", objType: "contacts", scope: "crm.objects.contacts.read", modProp: "lastmodifieddate",
		props: contactProps,
	}
	conv := func(ctx context.Context, objs []object) ([]model.PulledContact, error) {
		ids := make([]string, 0, len(objs))
		for _, o := range objs {
			if o.ID == "" {
				return nil, protocol(s.op, http.StatusOK, "a contact without an id")
			}
			ids = append(ids, string(o.ID))
		}
		links, err := c.associations(ctx, "contacts", "companies", ids)
		if err != nil {
			return nil, err
		}
		out := make([]model.PulledContact, 0, len(objs))
		for _, o := range objs {
			var primary, others []string
			for _, a := range links[string(o.ID)] {
				id := text(a.id)
				switch {
				case id == "" || slices.Contains(primary, id) || slices.Contains(others, id):
				case a.primary:
					primary = append(primary, id)
				default:
					others = append(others, id)
				}
			}
			rc, ok := c.contact(o, append(primary, others...))
			if !ok {
				continue // no modified date: the company pull or the sweep reads it
			}
			out = append(out, rc)
		}
		return out, nil
	}
	stamp := func(rc model.PulledContact) (time.Time, string) { return rc.Modified, rc.Contact.CRMID }
	return walkModified(ctx, c, s, since, conv, stamp, fn)
}

// TasksModifiedSince pages through every task modified at or after since,
// open or closed, oldest first, each with its company and contact (v4
// association reads per page), restarting past the search cap as Companies
// does. Tasks have an owner, but a manager's task on the rep's company is in
// the rep's book: the caller keeps those on its own companies and contacts.
func (c *Client) TasksModifiedSince(ctx context.Context, since time.Time, fn func([]model.PulledTask) error) error {
	return c.clean(c.tasksModifiedSince(ctx, since, fn))
}

func (c *Client) tasksModifiedSince(ctx context.Context, since time.Time, fn func([]model.PulledTask) error) error {
	s := modifiedSearch{
		op: "search tasks", objType: "tasks", scope: "crm.objects.contacts.read", modProp: "hs_lastmodifieddate",
		props: taskProps,
	}
	conv := func(ctx context.Context, objs []object) ([]model.PulledTask, error) {
		ids := make([]string, 0, len(objs))
		for _, o := range objs {
			if o.ID == "" {
				return nil, protocol(s.op, http.StatusOK, "a task without an id")
			}
			ids = append(ids, string(o.ID))
		}
		companies, err := c.associations(ctx, "tasks", "companies", ids)
		if err != nil {
			return nil, err
		}
		contacts, err := c.associations(ctx, "tasks", "contacts", ids)
		if err != nil {
			return nil, err
		}
		out := make([]model.PulledTask, 0, len(objs))
		for _, o := range objs {
			rt, ok := remoteTask(o)
			if !ok {
				continue // no modified date: the sweep reads it
			}
			if l := companies[string(o.ID)]; len(l) > 0 {
				rt.CompanyID = text(l[0].id)
			}
			if l := contacts[string(o.ID)]; len(l) > 0 {
				rt.ContactID = text(l[0].id)
			}
			out = append(out, rt)
		}
		return out, nil
	}
	stamp := func(rt model.PulledTask) (time.Time, string) { return rt.Modified, rt.Task.CRMID }
	return walkModified(ctx, c, s, since, conv, stamp, fn)
}

// DeletedTasks reads the given tasks, 100 at a time, and returns those
// HubSpot no longer holds.
func (c *Client) DeletedTasks(ctx context.Context, taskIDs []string) ([]string, error) {
	var gone []string
	for chunk := range slices.Chunk(taskIDs, 100) {
		got, err := c.batchRead(ctx, "tasks", chunk, []string{"hs_object_id"})
		if err != nil {
			return nil, c.clean(err)
		}
		for _, id := range chunk {
			if o, ok := got[id]; !ok || o.Archived {
				gone = append(gone, id)
			}
		}
	}
	return gone, nil
}
