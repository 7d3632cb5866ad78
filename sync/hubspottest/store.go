package hubspottest

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// record is one stored CRM object. Guarded by Server.mu.
type record struct {
	id       int64
	typ      string
	props    map[string]string
	created  time.Time
	updated  time.Time
	archived bool
	archAt   time.Time
	// versions are what search sees, oldest first, each from its at on;
	// kept only when Options.SearchLag > 0.
	versions []version
}

// version is a record's state as the search index holds it.
type version struct {
	at       time.Time
	props    map[string]string
	archived bool
}

// assocKey names the links from one record to records of another type.
type assocKey struct {
	from   string
	fromID int64
	to     string
}

// owner is a CRM user records can be owned by.
type owner struct {
	id                 int64
	email, first, last string
	userID             int64
	created            time.Time
}

// isoMillis formats a time as HubSpot does: UTC, millisecond precision.
func isoMillis(t time.Time) string {
	return t.UTC().Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z")
}

// parseTime reads a date or datetime value as HubSpot accepts them: epoch
// milliseconds, RFC 3339 / ISO-8601, or a plain date (midnight UTC).
func parseTime(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z0700", "2006-01-02T15:04:05Z0700", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// uniqueKey is how a unique property's value is indexed: emails ignore case.
func uniqueKey(prop, v string) string {
	if prop == "email" {
		return strings.ToLower(strings.TrimSpace(v))
	}
	return v
}

// propDefLocked returns a type's property definition, built-in or custom.
func (s *Server) propDefLocked(typ, name string) *propDef {
	return s.props[typ][name]
}

// lookupUniqueLocked returns the live record whose unique property has value v.
func (s *Server) lookupUniqueLocked(typ, prop, v string) *record {
	id, ok := s.uniq[typ][prop][uniqueKey(prop, v)]
	if !ok {
		return nil
	}
	r := s.objs[typ][id]
	if r == nil || r.archived {
		return nil
	}
	return r
}

// writeLocked creates (rec nil) or changes a record with already validated
// properties and returns it. An empty value clears a property. Datetime
// values are stored as HubSpot returns them (ISO, milliseconds). The
// modified date is bumped to at.
func (s *Server) writeLocked(t typeInfo, rec *record, props map[string]string, at time.Time) *record {
	at = at.UTC().Truncate(time.Millisecond)
	if rec == nil {
		id := int64(0)
		if v, err := strconv.ParseInt(props["hs_object_id"], 10, 64); err == nil && v > 0 {
			id = v
			if old := s.objs[t.Name][id]; old != nil {
				rec = old
			}
		}
		if rec == nil {
			if id == 0 {
				s.nextID++
				id = s.nextID
			} else if id > s.nextID {
				s.nextID = id
			}
			created := at
			if c, ok := parseTime(props["createdate"]); ok {
				created = c
			}
			rec = &record{id: id, typ: t.Name, props: map[string]string{}, created: created}
			s.objs[t.Name][id] = rec
			ids := s.order[t.Name]
			i := sort.Search(len(ids), func(i int) bool { return ids[i] >= id })
			s.order[t.Name] = slices.Insert(ids, i, id)
			rec.props["createdate"] = isoMillis(created)
			if t.Engagement {
				rec.props["hs_createdate"] = isoMillis(created)
			}
		}
	}
	for k, v := range props {
		if k == "hs_object_id" || k == t.Modified {
			continue
		}
		if d := s.propDefLocked(t.Name, k); d != nil && (d.Type == "datetime") {
			if tm, ok := parseTime(v); ok {
				v = isoMillis(tm)
			}
		}
		old, had := rec.props[k]
		if d := s.propDefLocked(t.Name, k); d != nil && d.Unique {
			if had && old != "" {
				key := uniqueKey(k, old)
				if s.uniq[t.Name][k][key] == rec.id {
					delete(s.uniq[t.Name][k], key)
				}
			}
			if v != "" {
				if s.uniq[t.Name][k] == nil {
					s.uniq[t.Name][k] = map[string]int64{}
				}
				s.uniq[t.Name][k][uniqueKey(k, v)] = rec.id
			}
		}
		if v == "" {
			delete(rec.props, k)
		} else {
			rec.props[k] = v
		}
	}
	rec.props["hs_object_id"] = strconv.FormatInt(rec.id, 10)
	rec.updated = at
	rec.props[t.Modified] = isoMillis(at)
	s.indexLocked(rec)
	return rec
}

// archiveLocked archives a record: it frees its unique values and leaves
// search after the lag.
func (s *Server) archiveLocked(rec *record, at time.Time) {
	if rec.archived {
		return
	}
	for k, v := range rec.props {
		if d := s.propDefLocked(rec.typ, k); d != nil && d.Unique {
			key := uniqueKey(k, v)
			if s.uniq[rec.typ][k][key] == rec.id {
				delete(s.uniq[rec.typ][k], key)
			}
		}
	}
	rec.archived = true
	rec.archAt = at.UTC().Truncate(time.Millisecond)
	s.indexLocked(rec)
}

// indexLocked queues a record's current state for search, visible after
// Options.SearchLag.
func (s *Server) indexLocked(rec *record) {
	if s.opts.SearchLag <= 0 {
		return
	}
	p := make(map[string]string, len(rec.props))
	for k, v := range rec.props {
		p[k] = v
	}
	rec.versions = append(rec.versions, version{at: s.now().Add(s.opts.SearchLag), props: p, archived: rec.archived})
}

// searchViewLocked returns a record as the search index sees it at now.
func (s *Server) searchViewLocked(rec *record, now time.Time) (map[string]string, bool) {
	if s.opts.SearchLag <= 0 {
		return rec.props, !rec.archived
	}
	i := -1
	for j, v := range rec.versions {
		if !v.at.After(now) {
			i = j
		}
	}
	if i < 0 {
		return nil, false
	}
	rec.versions = rec.versions[i:]
	v := rec.versions[0]
	return v.props, !v.archived
}

// objectOf copies a record for the inspection methods.
func objectOf(r *record) Object {
	p := make(map[string]string, len(r.props))
	for k, v := range r.props {
		p[k] = v
	}
	return Object{ID: strconv.FormatInt(r.id, 10), Properties: p, CreatedAt: r.created, UpdatedAt: r.updated, Archived: r.archived}
}

// liveLocked returns a record that is not archived, or nil.
func (s *Server) liveLocked(typ, id string) *record {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil
	}
	r := s.objs[typ][n]
	if r == nil || r.archived {
		return nil
	}
	return r
}

// associateLocked links two live records both ways; a contact's first
// company becomes its primary one (and its associatedcompanyid).
func (s *Server) associateLocked(a, b *record, at time.Time) {
	link := func(x, y *record) {
		k := assocKey{x.typ, x.id, y.typ}
		if s.assoc[k] == nil {
			s.assoc[k] = map[int64]bool{}
		}
		s.assoc[k][y.id] = true
	}
	link(a, b)
	link(b, a)
	contact, company := a, b
	if a.typ == "companies" {
		contact, company = b, a
	}
	if contact.typ == "contacts" && company.typ == "companies" {
		if p, ok := s.primary[contact.id]; !ok || s.objs["companies"][p] == nil || s.objs["companies"][p].archived {
			s.primary[contact.id] = company.id
			s.writeLocked(mustType("contacts"), contact, map[string]string{"associatedcompanyid": strconv.FormatInt(company.id, 10)}, at)
		}
	}
}

// assocIDsLocked returns the live records of type to linked from a record,
// in id order, the primary company first for a contact.
func (s *Server) assocIDsLocked(from string, fromID int64, to string) []int64 {
	var ids []int64
	for id := range s.assoc[assocKey{from, fromID, to}] {
		if r := s.objs[to][id]; r != nil && !r.archived {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	if from == "contacts" && to == "companies" {
		if p, ok := s.primary[fromID]; ok {
			for i, id := range ids {
				if id == p {
					copy(ids[1:i+1], ids[:i])
					ids[0] = p
					break
				}
			}
		}
	}
	return ids
}

// isPrimaryLocked reports whether the link between a contact and a company
// (either direction) carries the Primary label.
func (s *Server) isPrimaryLocked(from string, fromID int64, to string, toID int64) bool {
	switch {
	case from == "contacts" && to == "companies":
		p, ok := s.primary[fromID]
		return ok && p == toID
	case from == "companies" && to == "contacts":
		p, ok := s.primary[toID]
		return ok && p == fromID
	}
	return false
}

// AddOwner adds a CRM user (a PERSON owner) and returns its owner id.
func (s *Server) AddOwner(email, firstName, lastName string) (id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextOwner++
	o := owner{id: s.nextOwner, email: email, first: firstName, last: lastName, userID: 7000000 + s.nextOwner, created: s.now()}
	s.owners = append(s.owners, o)
	return strconv.FormatInt(o.id, 10)
}

// Put creates a record of objectType ("companies", "contacts", "calls",
// "tasks", "notes", "meetings") and returns its id. It sets hs_object_id,
// createdate and the type's modified-date property (hs_lastmodifieddate, or
// lastmodifieddate on contacts). A numeric hs_object_id in props is kept as
// the id (seeding with known CRM ids); later ids continue above the largest.
// Seeding is not validated: any property may be set, as an import could.
func (s *Server) Put(objectType string, props map[string]string) (id string) {
	return s.PutAt(objectType, props, time.Time{})
}

// PutAt is Put with a given modified time (zero: now), for seeding history;
// a record created by it was also created then unless props has createdate.
func (s *Server) PutAt(objectType string, props map[string]string, modified time.Time) (id string) {
	t := mustType(objectType)
	s.mu.Lock()
	defer s.mu.Unlock()
	if modified.IsZero() {
		modified = s.now()
	}
	p := props
	if _, ok := props["createdate"]; !ok {
		p = make(map[string]string, len(props)+1)
		for k, v := range props {
			p[k] = v
		}
		p["createdate"] = isoMillis(modified)
	}
	r := s.writeLocked(t, nil, p, modified)
	return strconv.FormatInt(r.id, 10)
}

// Update sets properties on a record (an empty value clears one) and bumps
// its modified date, as a change in HubSpot's own UI would.
func (s *Server) Update(objectType, id string, props map[string]string) error {
	t := mustType(objectType)
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.liveLocked(t.Name, id)
	if r == nil {
		return fmt.Errorf("update %s %s: no such record", t.Name, id)
	}
	s.writeLocked(t, r, props, s.now())
	return nil
}

// Archive archives (deletes) a record, as HubSpot's DELETE does.
func (s *Server) Archive(objectType, id string) error {
	t := mustType(objectType)
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.liveLocked(t.Name, id)
	if r == nil {
		return fmt.Errorf("archive %s %s: no such record", t.Name, id)
	}
	s.archiveLocked(r, s.now())
	return nil
}

// Associate links two records with the default association, both ways.
func (s *Server) Associate(fromType, fromID, toType, toID string) error {
	ft, tt := mustType(fromType), mustType(toType)
	s.mu.Lock()
	defer s.mu.Unlock()
	a, b := s.liveLocked(ft.Name, fromID), s.liveLocked(tt.Name, toID)
	if a == nil || b == nil {
		return fmt.Errorf("associate %s %s with %s %s: no such record", ft.Name, fromID, tt.Name, toID)
	}
	if assocTypeID(ft.Name, tt.Name) == 0 {
		return fmt.Errorf("associate %s with %s: no default association between these types", ft.Name, tt.Name)
	}
	s.associateLocked(a, b, s.now())
	return nil
}

// Get returns a copy of a record, archived or not.
func (s *Server) Get(objectType, id string) (Object, bool) {
	t := mustType(objectType)
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return Object{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.objs[t.Name][n]
	if r == nil {
		return Object{}, false
	}
	return objectOf(r), true
}

// List returns copies of the records of objectType that are not archived,
// in id order.
func (s *Server) List(objectType string) []Object {
	t := mustType(objectType)
	s.mu.Lock()
	defer s.mu.Unlock()
	recs := s.sortedLocked(t.Name, false)
	out := make([]Object, len(recs))
	for i, r := range recs {
		out[i] = objectOf(r)
	}
	return out
}

// sortedLocked returns a type's records in id order, live or archived ones.
func (s *Server) sortedLocked(typ string, archived bool) []*record {
	return s.pageLocked(typ, archived, 0, -1)
}

// pageLocked returns up to limit (<0: all) live or archived records of a
// type with ids from after on, in id order.
func (s *Server) pageLocked(typ string, archived bool, after int64, limit int) []*record {
	ids := s.order[typ]
	var recs []*record
	for i := sort.Search(len(ids), func(i int) bool { return ids[i] >= after }); i < len(ids) && len(recs) != limit; i++ {
		if r := s.objs[typ][ids[i]]; r.archived == archived {
			recs = append(recs, r)
		}
	}
	return recs
}

// AssociatedIDs returns the ids of the live toType records linked to a
// record, in id order (a contact's primary company first).
func (s *Server) AssociatedIDs(fromType, fromID, toType string) []string {
	ft, tt := mustType(fromType), mustType(toType)
	n, err := strconv.ParseInt(fromID, 10, 64)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := s.assocIDsLocked(ft.Name, n, tt.Name)
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.FormatInt(id, 10)
	}
	return out
}
