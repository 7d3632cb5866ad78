package hubspottest

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxBatch is how many inputs a v3 batch call takes.
const maxBatch = 100

// validateLocked checks properties for a write as HubSpot does: they must
// exist, be writable and hold a value of their type (one of the options
// for an enumeration); engagements need hs_timestamp when created. It
// returns a 400 reply, or nil.
func (s *Server) validateLocked(t typeInfo, props map[string]string, creating bool) *reply {
	var bad []errDetail
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := props[k]
		d := s.propDefLocked(t.Name, k)
		fail := func(code, msg string) {
			bad = append(bad, errDetail{Message: msg, Code: code, Context: map[string][]string{"propertyName": {k}}})
		}
		switch {
		case d == nil:
			fail("PROPERTY_DOESNT_EXIST", fmt.Sprintf("Property %q does not exist", k))
		case d.ReadOnly:
			fail("READ_ONLY_VALUE", fmt.Sprintf("%q is a read only property; its value cannot be set", k))
		case v == "":
		case utf8.RuneCountInString(v) > maxValueLen:
			fail("VALUE_TOO_LONG", fmt.Sprintf("the value of %q is %d characters long; at most %d are allowed", k, utf8.RuneCountInString(v), maxValueLen))
		case d.Type == "number":
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				fail("INVALID_INTEGER", fmt.Sprintf("%q was not a valid number for %q", v, k))
			}
		case d.Type == "date" || d.Type == "datetime":
			if _, ok := parseTime(v); !ok {
				fail("INVALID_DATE", fmt.Sprintf("%q was not a valid date for %q: use epoch milliseconds or ISO 8601", v, k))
			}
		case d.Type == "bool":
			if v != "true" && v != "false" {
				fail("INVALID_BOOLEAN", fmt.Sprintf("%q was not a valid boolean for %q: use true or false", v, k))
			}
		case d.Type == "enumeration" && d.Options != nil:
			for _, one := range strings.Split(v, ";") {
				if !contains(d.Options, one) {
					fail("INVALID_OPTION", fmt.Sprintf("%q was not one of the allowed options for %q: %s", one, k, strings.Join(d.Options, ", ")))
					break
				}
			}
		}
	}
	if creating && t.Engagement {
		for _, k := range append([]string{"hs_timestamp"}, requiredOnCreate[t.Name]...) {
			if props[k] == "" {
				bad = append(bad, errDetail{Message: k + " is required", Code: "REQUIRED_PROPERTY", Context: map[string][]string{"propertyName": {k}}})
			}
		}
	}
	if len(bad) == 0 {
		return nil
	}
	msgs := make([]string, len(bad))
	for i, b := range bad {
		msgs[i] = b.Message
	}
	r := errReply(http.StatusBadRequest, "VALIDATION_ERROR", "Property values were not valid: "+strings.Join(msgs, "; "), bad...)
	return &r
}

// contains reports whether list holds v.
func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// conflictLocked returns a 409 when a write would give a unique property a
// value another live record (or an earlier input of the same batch, in
// taken) already has; self is the record written (0 when creating).
func (s *Server) conflictLocked(t typeInfo, props map[string]string, self int64, taken map[string]bool) *reply {
	for k, v := range props {
		d := s.propDefLocked(t.Name, k)
		if d == nil || !d.Unique || v == "" {
			continue
		}
		key := k + "\x00" + uniqueKey(k, v)
		if taken != nil {
			if taken[key] {
				r := errReply(http.StatusConflict, "CONFLICT", fmt.Sprintf("Two inputs of this batch give %s the same value %q", k, v))
				return &r
			}
			taken[key] = true
		}
		if other := s.lookupUniqueLocked(t.Name, k, v); other != nil && other.id != self {
			r := errReply(http.StatusConflict, "CONFLICT", fmt.Sprintf("A %s with %s %q already exists. Existing ID: %d", strings.ToLower(t.Singular), k, v, other.id))
			return &r
		}
	}
	return nil
}

// inlineAssoc is an association given with a create.
type inlineAssoc struct {
	To struct {
		ID flexString `json:"id"`
	} `json:"to"`
	Types []struct {
		Category string `json:"associationCategory"`
		TypeID   int    `json:"associationTypeId"`
	} `json:"types"`
}

// resolveAssocLocked finds the records inline associations point at. The
// target type follows from the association type id.
func (s *Server) resolveAssocLocked(t typeInfo, as []inlineAssoc) ([]*record, *reply) {
	var out []*record
	for _, a := range as {
		if len(a.Types) == 0 {
			r := badRequest("an association needs at least one type")
			return nil, &r
		}
		for _, ty := range a.Types {
			var to string
			for _, other := range types {
				if assocTypeID(t.Name, other.Name) == ty.TypeID || (ty.TypeID != 0 && primaryTypeID(t.Name, other.Name) == ty.TypeID) {
					to = other.Name
				}
			}
			if to == "" || ty.Category != "HUBSPOT_DEFINED" {
				r := badRequest("association type %s %d is not valid from %s", ty.Category, ty.TypeID, t.Name)
				return nil, &r
			}
			rec := s.liveLocked(to, string(a.To.ID))
			if rec == nil {
				r := errCtx(http.StatusBadRequest, "VALIDATION_ERROR",
					fmt.Sprintf("One or more associations are not valid: %s %s does not exist", to, a.To.ID), map[string][]string{"ids": {string(a.To.ID)}})
				return nil, &r
			}
			out = append(out, rec)
		}
	}
	return out, nil
}

// The members HubSpot's OpenAPI specs (CRM objects v3) require of each
// request body or batch input: a create names its associations, if only as
// [] (SimplePublicObjectInputForCreate); an update or upsert its id and
// properties; a batch read the properties and propertiesWithHistory lists
// (BatchReadInputSimplePublicObjectId).
var (
	createFields = []field{{"properties", 'o'}, {"associations", 'a'}}
	updateFields = []field{{"id", 's'}, {"properties", 'o'}}
	readFields   = []field{{"inputs", 'a'}, {"properties", 'a'}, {"propertiesWithHistory", 'a'}}
	batchFields  = []field{{"inputs", 'a'}}
)

// createInput is one record to create.
type createInput struct {
	Properties         flexProps     `json:"properties"`
	Associations       []inlineAssoc `json:"associations"`
	ObjectWriteTraceID string        `json:"objectWriteTraceId"`
}

// createOneLocked serves POST /crm/v3/objects/{type}.
func (s *Server) createOneLocked(t typeInfo, body []byte) reply {
	var in createInput
	if r := decode(body, &in); r != nil {
		return *r
	}
	if r := requireFields(body, "the body", createFields...); r != nil {
		return *r
	}
	recs, rep := s.createLocked(t, []createInput{in})
	if rep != nil {
		return *rep
	}
	return jsonReply(http.StatusCreated, s.objectJSONLocked(t, recs[0], recs[0].props, false, nil))
}

// createLocked validates every input, then creates them all, or none.
func (s *Server) createLocked(t typeInfo, ins []createInput) ([]*record, *reply) {
	taken := map[string]bool{}
	links := make([][]*record, len(ins))
	for i, in := range ins {
		p := in.Properties.plain()
		if r := s.validateLocked(t, p, true); r != nil {
			return nil, withTrace(r, in.ObjectWriteTraceID)
		}
		if r := s.conflictLocked(t, p, 0, taken); r != nil {
			return nil, withTrace(r, in.ObjectWriteTraceID)
		}
		l, r := s.resolveAssocLocked(t, in.Associations)
		if r != nil {
			return nil, withTrace(r, in.ObjectWriteTraceID)
		}
		links[i] = l
	}
	now := s.now()
	out := make([]*record, len(ins))
	for i, in := range ins {
		p := in.Properties.plain()
		delete(p, "hs_object_id") // never the caller's choice over HTTP
		out[i] = s.writeLocked(t, nil, p, now)
		for _, to := range links[i] {
			s.associateLocked(out[i], to, now)
		}
	}
	return out, nil
}

// byIDLocked finds a live record by id, or by a unique property when
// idProperty is set.
func (s *Server) byIDLocked(t typeInfo, id, idProperty string) (*record, *reply) {
	if idProperty == "" || idProperty == "hs_object_id" {
		return s.liveLocked(t.Name, id), nil
	}
	d := s.propDefLocked(t.Name, idProperty)
	if d == nil || !d.Unique {
		r := badRequest("idProperty %q is not a unique property of %s", idProperty, t.Name)
		return nil, &r
	}
	return s.lookupUniqueLocked(t.Name, idProperty, id), nil
}

// getOneLocked serves GET /crm/v3/objects/{type}/{id}.
func (s *Server) getOneLocked(t typeInfo, id string, q url.Values) reply {
	var rec *record
	if q.Get("archived") == "true" {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			if r := s.objs[t.Name][n]; r != nil && r.archived {
				rec = r
			}
		}
	} else {
		r, rep := s.byIDLocked(t, id, q.Get("idProperty"))
		if rep != nil {
			return *rep
		}
		rec = r
	}
	if rec == nil {
		return notFound("Object not found.  objectId are usually numeric.")
	}
	o := s.objectJSONLocked(t, rec, rec.props, rec.archived, splitList(q["properties"]))
	o.Associations = s.v3AssocLocked(t, rec, splitList(q["associations"]))
	return jsonReply(http.StatusOK, o)
}

// v3AssocLocked renders the associations block for the types asked for.
func (s *Server) v3AssocLocked(t typeInfo, rec *record, want []string) map[string]assocListing {
	if len(want) == 0 {
		return nil
	}
	out := map[string]assocListing{}
	for _, w := range want {
		to, ok := lookupType(w)
		if !ok {
			continue
		}
		ids := s.assocIDsLocked(t.Name, rec.id, to.Name)
		if len(ids) == 0 {
			continue
		}
		l := assocListing{Results: []assocRef{}}
		label := strings.ToLower(t.Singular) + "_to_" + strings.ToLower(to.Singular)
		for _, id := range ids {
			l.Results = append(l.Results, assocRef{ID: strconv.FormatInt(id, 10), Type: label})
		}
		out[to.Name] = l
	}
	return out
}

// patchOneLocked serves PATCH /crm/v3/objects/{type}/{id}.
func (s *Server) patchOneLocked(t typeInfo, id string, q url.Values, body []byte) reply {
	var in struct {
		Properties flexProps `json:"properties"`
	}
	if r := decode(body, &in); r != nil {
		return *r
	}
	rec, rep := s.byIDLocked(t, id, q.Get("idProperty"))
	if rep != nil {
		return *rep
	}
	if rec == nil {
		return notFound("Object not found.  objectId are usually numeric.")
	}
	p := in.Properties.plain()
	if r := s.validateLocked(t, p, false); r != nil {
		return *r
	}
	if r := s.conflictLocked(t, p, rec.id, nil); r != nil {
		return *r
	}
	s.writeLocked(t, rec, p, s.now())
	return jsonReply(http.StatusOK, s.objectJSONLocked(t, rec, rec.props, false, nil))
}

// deleteOneLocked serves DELETE /crm/v3/objects/{type}/{id}: it archives.
func (s *Server) deleteOneLocked(t typeInfo, id string) reply {
	rec := s.liveLocked(t.Name, id)
	if rec == nil {
		return notFound("Object not found.  objectId are usually numeric.")
	}
	s.archiveLocked(rec, s.now())
	return reply{status: http.StatusNoContent}
}

// listObjectsLocked serves GET /crm/v3/objects/{type}: id order, paged by
// the next id.
func (s *Server) listObjectsLocked(t typeInfo, q url.Values) reply {
	limit, rep := intParam(q, "limit", 10, 100)
	if rep != nil {
		return *rep
	}
	after := int64(0)
	if a := q.Get("after"); a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			return badRequest("after %q is not a paging cursor this endpoint gave", a)
		}
		after = n
	}
	archived := q.Get("archived") == "true"
	want := splitList(q["properties"])
	assocs := splitList(q["associations"])
	recs := s.pageLocked(t.Name, archived, after, limit+1)
	results := []objJSON{}
	for _, r := range recs[:min(limit, len(recs))] {
		o := s.objectJSONLocked(t, r, r.props, archived, want)
		o.Associations = s.v3AssocLocked(t, r, assocs)
		results = append(results, o)
	}
	out := map[string]any{"results": results}
	if len(recs) > limit {
		out["paging"] = pagingNext(strconv.FormatInt(recs[limit].id, 10), "/crm/v3/objects/"+t.Name, q)
	}
	return jsonReply(http.StatusOK, out)
}

// pagingNext is HubSpot's paging block pointing at the next page.
func pagingNext(after, path string, q url.Values) map[string]any {
	nq := url.Values{}
	for k, v := range q {
		nq[k] = v
	}
	nq.Set("after", after)
	return map[string]any{"next": map[string]string{"after": after, "link": "?" + nq.Encode()}}
}

// intParam reads an integer query parameter in [1, max].
func intParam(q url.Values, name string, def, maxV int) (int, *reply) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxV {
		r := badRequest("%s must be a whole number from 1 to %d, got %q", name, maxV, v)
		return 0, &r
	}
	return n, nil
}

// batchLocked serves POST /crm/v3/objects/{type}/batch/{op}.
func (s *Server) batchLocked(t typeInfo, op string, q url.Values, body []byte) reply {
	var in struct {
		Inputs     []jsonRaw `json:"inputs"`
		Properties []string  `json:"properties"`
		IDProperty string    `json:"idProperty"`
	}
	if r := decode(body, &in); r != nil {
		return *r
	}
	if len(in.Inputs) > maxBatch {
		return badRequest("Batch input limit exceeded: %d inputs given, at most %d are allowed", len(in.Inputs), maxBatch)
	}
	required := batchFields
	if op == "read" {
		required = readFields
	}
	if r := requireFields(body, "the body", required...); r != nil {
		return *r
	}
	var each *reply
	switch op {
	case "create":
		each = requireEach(in.Inputs, createFields...)
	case "update", "upsert":
		each = requireEach(in.Inputs, updateFields...)
	case "read", "archive":
		each = requireEach(in.Inputs, field{"id", 's'})
	}
	if each != nil {
		return *each
	}
	switch op {
	case "read":
		return s.batchReadLocked(t, in.Inputs, in.Properties, in.IDProperty, q.Get("archived") == "true")
	case "create":
		return s.batchCreateLocked(t, in.Inputs)
	case "update":
		return s.batchUpdateLocked(t, in.Inputs)
	case "upsert":
		return s.batchUpsertLocked(t, in.Inputs)
	case "archive":
		return s.batchArchiveLocked(t, in.Inputs)
	}
	return notFound("no such batch operation: %s", op)
}

// idInput is a batch input naming a record.
type idInput struct {
	ID         flexString `json:"id"`
	IDProperty string     `json:"idProperty"`
	Properties flexProps  `json:"properties"`
}

// decodeInputs decodes each batch input.
func decodeInputs[T any](raw []jsonRaw) ([]T, *reply) {
	out := make([]T, len(raw))
	for i, r := range raw {
		if rep := decode(r, &out[i]); rep != nil {
			return nil, rep
		}
	}
	return out, nil
}

// batchReadLocked reads records by id (or a unique property); missing ones
// come back as errors in a 207.
func (s *Server) batchReadLocked(t typeInfo, raw []jsonRaw, props []string, idProperty string, archived bool) reply {
	started := s.now()
	ins, rep := decodeInputs[idInput](raw)
	if rep != nil {
		return *rep
	}
	results := []objJSON{}
	var missing []string
	for _, in := range ins {
		var rec *record
		if archived {
			if n, err := strconv.ParseInt(string(in.ID), 10, 64); err == nil {
				if r := s.objs[t.Name][n]; r != nil && r.archived {
					rec = r
				}
			}
		} else {
			r, rep := s.byIDLocked(t, string(in.ID), idProperty)
			if rep != nil {
				return *rep
			}
			rec = r
		}
		if rec == nil {
			missing = append(missing, string(in.ID))
			continue
		}
		results = append(results, s.objectJSONLocked(t, rec, rec.props, archived, props))
	}
	return s.batchReply(http.StatusOK, started, results, missingErrs(t, "get", missing))
}

// missingErrs is the batch error HubSpot gives for the ids it could not
// find when it could not verb ("get", "update") some objects; none when
// every id was found.
func missingErrs(t typeInfo, verb string, missing []string) []batchErr {
	if len(missing) == 0 {
		return nil
	}
	return []batchErr{{Status: "error", Category: "OBJECT_NOT_FOUND",
		Message: fmt.Sprintf("Could not %s some %s objects, they may be deleted or not exist. Check that ids are valid.", verb, t.Singular),
		Context: map[string][]string{"ids": missing}}}
}

// batchCreateLocked creates every input or, when one is refused, none.
func (s *Server) batchCreateLocked(t typeInfo, raw []jsonRaw) reply {
	started := s.now()
	ins, rep := decodeInputs[createInput](raw)
	if rep != nil {
		return *rep
	}
	recs, rep := s.createLocked(t, ins)
	if rep != nil {
		return *rep
	}
	results := make([]objJSON, len(recs))
	for i, r := range recs {
		results[i] = s.objectJSONLocked(t, r, r.props, false, nil)
	}
	return s.batchReply(http.StatusCreated, started, results, nil)
}

// checkDuplicates refuses a batch naming the same record twice.
func checkDuplicates(ins []idInput) *reply {
	seen := map[string]bool{}
	for _, in := range ins {
		if seen[string(in.ID)] {
			r := badRequest("Duplicate IDs found in batch input: [%s]. IDs must be unique", in.ID)
			return &r
		}
		seen[string(in.ID)] = true
	}
	return nil
}

// batchUpdateLocked applies what it can; missing records come back as
// errors in a 207. Invalid properties or a unique conflict refuse it all.
func (s *Server) batchUpdateLocked(t typeInfo, raw []jsonRaw) reply {
	started := s.now()
	ins, rep := decodeInputs[idInput](raw)
	if rep != nil {
		return *rep
	}
	if r := checkDuplicates(ins); r != nil {
		return *r
	}
	recs := make([]*record, len(ins))
	var missing []string
	taken := map[string]bool{}
	for i, in := range ins {
		p := in.Properties.plain()
		if r := s.validateLocked(t, p, false); r != nil {
			return *r
		}
		rec, rep := s.byIDLocked(t, string(in.ID), in.IDProperty)
		if rep != nil {
			return *rep
		}
		if rec == nil {
			missing = append(missing, string(in.ID))
			continue
		}
		if r := s.conflictLocked(t, p, rec.id, taken); r != nil {
			return *r
		}
		recs[i] = rec
	}
	now := s.now()
	results := []objJSON{}
	for i, in := range ins {
		if recs[i] == nil {
			continue
		}
		s.writeLocked(t, recs[i], in.Properties.plain(), now)
		results = append(results, s.objectJSONLocked(t, recs[i], recs[i].props, false, nil))
	}
	return s.batchReply(http.StatusOK, started, results, missingErrs(t, "update", missing))
}

// batchUpsertLocked creates or updates by a unique property: the same id
// twice gives one record.
func (s *Server) batchUpsertLocked(t typeInfo, raw []jsonRaw) reply {
	started := s.now()
	ins, rep := decodeInputs[idInput](raw)
	if rep != nil {
		return *rep
	}
	if r := checkDuplicates(ins); r != nil {
		return *r
	}
	existing := make([]*record, len(ins))
	props := make([]map[string]string, len(ins))
	taken := map[string]bool{}
	for i, in := range ins {
		if in.IDProperty == "" || in.IDProperty == "hs_object_id" {
			return badRequest("upsert needs idProperty: the name of a property with unique values (hasUniqueValue)")
		}
		d := s.propDefLocked(t.Name, in.IDProperty)
		if d == nil || !d.Unique {
			return badRequest("idProperty %q is not a property of %s with unique values (hasUniqueValue)", in.IDProperty, t.Name)
		}
		if in.ID == "" {
			return badRequest("each upsert input needs an id: the value of %s", in.IDProperty)
		}
		p := in.Properties.plain()
		p[in.IDProperty] = string(in.ID)
		existing[i] = s.lookupUniqueLocked(t.Name, in.IDProperty, string(in.ID))
		if r := s.validateLocked(t, p, existing[i] == nil); r != nil {
			return *r
		}
		self := int64(0)
		if existing[i] != nil {
			self = existing[i].id
		}
		if r := s.conflictLocked(t, p, self, taken); r != nil {
			return *r
		}
		props[i] = p
	}
	now := s.now()
	results := make([]objJSON, len(ins))
	for i := range ins {
		rec := s.writeLocked(t, existing[i], props[i], now)
		o := s.objectJSONLocked(t, rec, rec.props, false, nil)
		isNew := existing[i] == nil
		o.New = &isNew
		results[i] = o
	}
	return s.batchReply(http.StatusOK, started, results, nil)
}

// batchArchiveLocked archives what exists; ids that do not are passed over,
// as HubSpot does.
func (s *Server) batchArchiveLocked(t typeInfo, raw []jsonRaw) reply {
	ins, rep := decodeInputs[idInput](raw)
	if rep != nil {
		return *rep
	}
	now := s.now()
	for _, in := range ins {
		if rec := s.liveLocked(t.Name, string(in.ID)); rec != nil {
			s.archiveLocked(rec, now)
		}
	}
	return reply{status: http.StatusNoContent}
}
