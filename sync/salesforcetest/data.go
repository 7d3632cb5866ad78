package salesforcetest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxCollection is the most records one sObject Collections request takes.
const maxCollection = 200

// Record is a stored record as the inspection methods return it: a copy of
// its fields (JSON values: string, float64, bool or nil), safe to keep.
type Record map[string]any

// Str is a field as text ("" when null or not text).
func (r Record) Str(name string) string {
	s, _ := r[name].(string)
	return s
}

// Bool is a boolean field.
func (r Record) Bool(name string) bool {
	b, _ := r[name].(bool)
	return b
}

// stamp is the next SystemModstamp: the clock, never before the last one.
func (s *Server) stamp() string {
	t := s.opts.Now().UTC().Truncate(time.Millisecond)
	if t.Before(s.lastStamp) {
		t = s.lastStamp
	}
	s.lastStamp = t
	return t.Format(dateTimeLayout)
}

func (s *Server) newID(o *object) string {
	s.seq++
	return fmt.Sprintf("%s%09d%sAAA", o.Prefix, s.seq, "000")
}

// AddUser adds a user and returns their id.
func (s *Server) AddUser(email, name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.putLocked("User", Record{"Email": email, "Name": name, "Username": email})
}

// Put stores a record as an import would (not validated) and returns its
// id. Task's IsClosed and AccountId are derived as on any write.
func (s *Server) Put(obj string, fields Record) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.putLocked(obj, fields)
}

// PutAt stores a record with the given id ("" → a new one) stamped at,
// as a migration would: the demo sandbox seeds the demo book's records
// under their own ids. An id already held is replaced.
func (s *Server) PutAt(obj, id string, fields Record, at time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.putRecord(obj, id, fields, at.UTC().Truncate(time.Millisecond).Format(dateTimeLayout))
}

func (s *Server) putLocked(obj string, fields Record) string {
	return s.putRecord(obj, "", fields, s.stamp())
}

func (s *Server) putRecord(obj, id string, fields Record, st string) string {
	o := s.objects[strings.ToLower(obj)]
	if o == nil {
		panic("salesforcetest: no object " + obj)
	}
	if id == "" {
		id = s.newID(o)
	}
	rec := &record{obj: o, fields: map[string]any{"Id": id, "IsDeleted": false, "CreatedDate": st, "LastModifiedDate": st, "SystemModstamp": st}}
	if o.field("OwnerId") != nil {
		rec.fields["OwnerId"] = s.userID
	}
	if o.Name == "Task" {
		rec.fields["Status"], rec.fields["Priority"] = "Not Started", "Normal"
	}
	for k, v := range fields {
		f := o.field(k)
		if f == nil {
			panic("salesforcetest: no field " + obj + "." + k)
		}
		rec.fields[f.Name] = v
	}
	s.derive(rec)
	if _, held := s.records[id]; !held {
		s.order = append(s.order, id)
	}
	s.records[id] = rec
	return id
}

// Update changes a record's fields as a person in Salesforce would (not
// validated), moving its SystemModstamp.
func (s *Server) Update(id string, fields Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.records[id]
	if rec == nil {
		panic("salesforcetest: no record " + id)
	}
	for k, v := range fields {
		f := rec.obj.field(k)
		if f == nil {
			panic("salesforcetest: no field " + rec.obj.Name + "." + k)
		}
		rec.fields[f.Name] = v
	}
	st := s.stamp()
	rec.fields["LastModifiedDate"], rec.fields["SystemModstamp"] = st, st
	s.derive(rec)
}

// Delete moves a record to the recycle bin: gone from query, IsDeleted in
// queryAll.
func (s *Server) Delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rec := s.records[id]; rec != nil {
		rec.fields["IsDeleted"] = true
		rec.fields["SystemModstamp"] = s.stamp()
	}
}

// Purge removes a record for good (emptied from the recycle bin).
func (s *Server) Purge(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.records, id)
}

// Get returns a record (deleted ones too) and whether it exists.
func (s *Server) Get(id string) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.records[id]
	if rec == nil {
		return nil, false
	}
	return maps.Clone(Record(rec.fields)), true
}

// Records returns the live records of an object in creation order.
func (s *Server) Records(obj string) []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Record
	for _, id := range s.order {
		rec := s.records[id]
		if rec != nil && strings.EqualFold(rec.obj.Name, obj) && rec.fields["IsDeleted"] != true {
			out = append(out, maps.Clone(Record(rec.fields)))
		}
	}
	return out
}

// derive sets the fields Salesforce computes.
func (s *Server) derive(rec *record) {
	switch rec.obj.Name {
	case "Task":
		closed := rec.fields["Status"] == "Completed"
		if closed && rec.fields["IsClosed"] != true {
			rec.fields["CompletedDateTime"] = rec.fields["SystemModstamp"]
		}
		if !closed {
			rec.fields["CompletedDateTime"] = nil
		}
		rec.fields["IsClosed"] = closed
		fallthrough
	case "Event":
		var acct any
		if what, _ := rec.fields["WhatId"].(string); strings.HasPrefix(what, "001") {
			acct = what
		} else if who, _ := rec.fields["WhoId"].(string); who != "" {
			if c := s.records[who]; c != nil {
				acct = c.fields["AccountId"]
			}
		}
		rec.fields["AccountId"] = acct
	}
}

// sameID compares Salesforce ids: the 18-character form is the
// 15-character one plus a case checksum.
func sameID(a, b string) bool {
	if len(a) >= 15 && len(b) >= 15 {
		return a[:15] == b[:15]
	}
	return a == b
}

func (s *Server) lookup(id string) *record {
	if rec := s.records[id]; rec != nil {
		return rec
	}
	if len(id) == 15 {
		for k, rec := range s.records {
			if sameID(k, id) {
				return rec
			}
		}
	}
	return nil
}

// ---- query ----

func (s *Server) query(r *http.Request, all bool) reply {
	src := r.URL.Query().Get("q")
	if src == "" {
		return apiErr(http.StatusBadRequest, "MALFORMED_QUERY", "A query string has to be specified")
	}
	if len(src) > 100_000 {
		return apiErr(http.StatusBadRequest, "QUERY_TOO_COMPLICATED", "Query is too long: at most 100,000 characters")
	}
	q, err := parseSOQL(src)
	if err != nil {
		return apiErr(http.StatusBadRequest, "MALFORMED_QUERY", err.Error())
	}
	o := s.objects[strings.ToLower(q.object)]
	if o == nil {
		return apiErr(http.StatusBadRequest, "INVALID_TYPE", fmt.Sprintf("sObject type '%s' is not supported.", q.object))
	}
	var fields []*field
	for _, name := range q.fields {
		f := o.field(name)
		if f == nil {
			return apiErr(http.StatusBadRequest, "INVALID_FIELD", fmt.Sprintf("No such column '%s' on entity '%s'.", name, o.Name))
		}
		fields = append(fields, f)
	}
	if q.where != nil {
		if rep, bad := checkCond(o, q.where); bad {
			return rep
		}
	}
	var orders []*field
	for _, ob := range q.order {
		f := o.field(ob.field)
		if f == nil {
			return apiErr(http.StatusBadRequest, "INVALID_FIELD", fmt.Sprintf("No such column '%s' on entity '%s'.", ob.field, o.Name))
		}
		orders = append(orders, f)
	}
	batch := 2000
	if opt := r.Header.Get("Sforce-Query-Options"); opt != "" {
		for _, kv := range strings.Split(opt, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
			if strings.EqualFold(k, "batchSize") {
				if n, err := strconv.Atoi(v); err == nil {
					batch = min(max(n, 200), 2000)
				}
			}
		}
	}
	if s.opts.MaxBatch > 0 {
		batch = min(batch, s.opts.MaxBatch)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	var hits []*record
	for _, id := range s.order {
		rec := s.records[id]
		if rec == nil || rec.obj != o || (!all && rec.fields["IsDeleted"] == true) {
			continue
		}
		if q.where == nil || eval(o, q.where, rec) {
			hits = append(hits, rec)
		}
	}
	slices.SortStableFunc(hits, func(a, b *record) int {
		for i, f := range orders {
			c := compareValues(f, a.fields[f.Name], b.fields[f.Name])
			if q.order[i].desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
	if q.limit > 0 && len(hits) > q.limit {
		hits = hits[:q.limit]
	}
	rows := make([]map[string]any, len(hits))
	for i, rec := range hits {
		row := map[string]any{"attributes": map[string]string{"type": o.Name, "url": "/services/data/" + s.opts.APIVersion + "/sobjects/" + o.Name + "/" + rec.fields["Id"].(string)}}
		for _, f := range fields {
			row[f.Name] = rec.fields[f.Name]
		}
		rows[i] = row
	}
	return s.page(rows, batch, 0, "")
}

// page answers one batch of rows, keeping a locator for the rest.
func (s *Server) page(rows []map[string]any, batch, offset int, loc string) reply {
	end := min(offset+batch, len(rows))
	out := map[string]any{"totalSize": len(rows), "done": end >= len(rows), "records": rows[offset:end]}
	if end < len(rows) {
		if loc == "" {
			s.locSeq++
			loc = fmt.Sprintf("01g%012dAAA", s.locSeq)
			s.locators[loc] = rows
		}
		out["nextRecordsUrl"] = fmt.Sprintf("/services/data/%s/query/%s-%d", s.opts.APIVersion, loc, end)
		s.locators[loc+"#batch"] = []map[string]any{{"n": batch}}
	} else if loc != "" {
		delete(s.locators, loc)
		delete(s.locators, loc+"#batch")
	}
	return reply{http.StatusOK, out}
}

func (s *Server) more(locator string) reply {
	loc, off, ok := strings.Cut(locator, "-")
	n, err := strconv.Atoi(off)
	s.mu.Lock()
	defer s.mu.Unlock()
	rows, known := s.locators[loc]
	if !ok || err != nil || !known || n < 0 || n > len(rows) {
		return apiErr(http.StatusBadRequest, "INVALID_QUERY_LOCATOR", "invalid query locator")
	}
	batch := s.locators[loc+"#batch"][0]["n"].(int)
	return s.page(rows, batch, n, loc)
}

// checkCond validates a WHERE clause's fields and literal types.
func checkCond(o *object, c cond) (reply, bool) {
	switch c := c.(type) {
	case andCond:
		for _, p := range c.parts {
			if rep, bad := checkCond(o, p); bad {
				return rep, true
			}
		}
	case orCond:
		for _, p := range c.parts {
			if rep, bad := checkCond(o, p); bad {
				return rep, true
			}
		}
	case notCond:
		return checkCond(o, c.c)
	case cmpCond:
		return checkLiteral(o, c.field, c.op, c.val)
	case inCond:
		for _, v := range c.vals {
			if rep, bad := checkLiteral(o, c.field, "=", v); bad {
				return rep, true
			}
		}
	}
	return reply{}, false
}

func checkLiteral(o *object, name, op string, v literal) (reply, bool) {
	f := o.field(name)
	if f == nil {
		return apiErr(http.StatusBadRequest, "INVALID_FIELD", fmt.Sprintf("No such column '%s' on entity '%s'.", name, o.Name)), true
	}
	if v.kind == "null" {
		if op != "=" && op != "!=" {
			return apiErr(http.StatusBadRequest, "MALFORMED_QUERY", "null can only be compared with = or !="), true
		}
		return reply{}, false
	}
	want := map[string]string{"datetime": "datetime", "date": "date", "boolean": "bool", "int": "number", "double": "number", "currency": "number"}[f.Type]
	if want == "" {
		want = "string"
	}
	if v.kind != want {
		return apiErr(http.StatusBadRequest, "INVALID_FIELD",
			fmt.Sprintf("value of filter criterion for field '%s' must be of type %s", f.Name, f.Type)), true
	}
	if want == "bool" && op != "=" && op != "!=" {
		return apiErr(http.StatusBadRequest, "MALFORMED_QUERY", "a boolean can only be compared with = or !="), true
	}
	return reply{}, false
}

func eval(o *object, c cond, rec *record) bool {
	switch c := c.(type) {
	case andCond:
		for _, p := range c.parts {
			if !eval(o, p, rec) {
				return false
			}
		}
		return true
	case orCond:
		for _, p := range c.parts {
			if eval(o, p, rec) {
				return true
			}
		}
		return false
	case notCond:
		return !eval(o, c.c, rec)
	case cmpCond:
		f := o.field(c.field)
		return compare(f, rec.fields[f.Name], c.op, c.val)
	case inCond:
		f := o.field(c.field)
		in := false
		for _, v := range c.vals {
			if compare(f, rec.fields[f.Name], "=", v) {
				in = true
				break
			}
		}
		return in != c.not
	}
	return false
}

// compare applies op to a stored value and a literal.
func compare(f *field, stored any, op string, v literal) bool {
	if v.kind == "null" {
		isNull := stored == nil || stored == ""
		return isNull == (op == "=")
	}
	if stored == nil {
		return op == "!="
	}
	var c int
	switch f.Type {
	case "datetime":
		t, ok := parseDateTime(fmt.Sprint(stored))
		if !ok {
			return false
		}
		c = t.Compare(v.t)
	case "date":
		t, err := time.Parse("2006-01-02", fmt.Sprint(stored))
		if err != nil {
			return false
		}
		c = t.Compare(v.t)
	case "boolean":
		b, _ := stored.(bool)
		c = 1
		if b == v.b {
			c = 0
		}
	case "int", "double", "currency":
		n, _ := stored.(float64)
		c = cmp.Compare(n, v.n)
	case "id", "reference":
		a := fmt.Sprint(stored)
		if sameID(a, v.s) {
			c = 0
		} else {
			c = strings.Compare(a, v.s)
		}
	default:
		c = strings.Compare(strings.ToLower(fmt.Sprint(stored)), strings.ToLower(v.s))
	}
	switch op {
	case "=":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

// compareValues orders two stored values of a field, nulls first.
func compareValues(f *field, a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch f.Type {
	case "datetime":
		ta, _ := parseDateTime(fmt.Sprint(a))
		tb, _ := parseDateTime(fmt.Sprint(b))
		return ta.Compare(tb)
	case "int", "double", "currency":
		na, _ := a.(float64)
		nb, _ := b.(float64)
		return cmp.Compare(na, nb)
	case "boolean":
		ba, _ := a.(bool)
		bb, _ := b.(bool)
		switch {
		case ba == bb:
			return 0
		case !ba:
			return -1
		}
		return 1
	case "id", "reference":
		return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
	}
	return strings.Compare(strings.ToLower(fmt.Sprint(a)), strings.ToLower(fmt.Sprint(b)))
}

// ---- describe ----

func (s *Server) describe(name string) reply {
	s.mu.Lock() // createCustomField adds fields
	defer s.mu.Unlock()
	o := s.objects[strings.ToLower(name)]
	if o == nil {
		return apiErr(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	}
	var fs []map[string]any
	for _, f := range o.fields {
		var pv []map[string]any
		for i, v := range f.Picklist {
			pv = append(pv, map[string]any{"value": v, "label": v, "active": true, "defaultValue": i == 0 && f.Required})
		}
		if pv == nil {
			pv = []map[string]any{}
		}
		typ := f.Type
		if typ == "int" || typ == "string" && f.Length > 255 {
			typ = map[string]string{"int": "int", "string": "textarea"}[typ]
		}
		fs = append(fs, map[string]any{
			"name": f.Name, "type": typ, "length": f.Length, "createable": f.Create, "updateable": f.Update,
			"nillable": !f.Required && f.Type != "boolean", "externalId": f.ExternalID, "unique": f.Unique,
			"custom": strings.HasSuffix(f.Name, "__c"), "picklistValues": pv, "restrictedPicklist": f.Restricted,
			"referenceTo": prefixNames(f.RefTo),
		})
	}
	return reply{http.StatusOK, map[string]any{"name": o.Name, "keyPrefix": o.Prefix, "createable": true, "updateable": true, "queryable": true, "fields": fs}}
}

func prefixNames(ps []string) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, map[string]string{"001": "Account", "003": "Contact", "005": "User"}[p])
	}
	return out
}

// ---- writes ----

// itemErr is one collection item's error.
type itemErr struct {
	StatusCode string   `json:"statusCode"`
	Message    string   `json:"message"`
	Fields     []string `json:"fields"`
}

func itemFail(code, msg string, fields ...string) map[string]any {
	if fields == nil {
		fields = []string{}
	}
	return map[string]any{"success": false, "errors": []itemErr{{StatusCode: code, Message: msg, Fields: fields}}}
}

type collectionBody struct {
	AllOrNone bool             `json:"allOrNone"`
	Records   []map[string]any `json:"records"`
}

func decodeCollection(body []byte) (collectionBody, reply, bool) {
	var cb collectionBody
	if err := json.Unmarshal(body, &cb); err != nil {
		return cb, apiErr(http.StatusBadRequest, "JSON_PARSER_ERROR", "the request body is not valid JSON: "+err.Error()), false
	}
	if cb.Records == nil {
		return cb, apiErr(http.StatusBadRequest, "INVALID_FIELD", "records is required"), false
	}
	if len(cb.Records) > maxCollection {
		return cb, apiErr(http.StatusBadRequest, "EXCEEDED_ID_LIMIT", fmt.Sprintf("record limit reached. cannot submit more than %d records in a single call", maxCollection)), false
	}
	return cb, reply{}, true
}

// recordType reads a record's attributes.type.
func recordType(r map[string]any) string {
	a, _ := r["attributes"].(map[string]any)
	t, _ := a["type"].(string)
	return t
}

// checkValue validates and normalises a value written to f.
func (s *Server) checkValue(f *field, v any) (any, map[string]any) {
	if v == nil {
		if f.Required {
			return nil, itemFail("REQUIRED_FIELD_MISSING", "Required fields are missing: ["+f.Name+"]", f.Name)
		}
		if f.Type == "boolean" {
			return false, nil
		}
		if f.Restricted {
			return nil, itemFail("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", f.Name+": bad value for restricted picklist field: null", f.Name)
		}
		return nil, nil
	}
	bad := func() (any, map[string]any) {
		return nil, itemFail("INVALID_FIELD_FOR_INSERT_UPDATE", fmt.Sprintf("%s: value not of required type: %v", f.Name, v), f.Name)
	}
	switch f.Type {
	case "boolean":
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return bad()
	case "int", "double", "currency":
		n, ok := v.(float64)
		if !ok || math.IsNaN(n) || (f.Type == "int" && n != math.Trunc(n)) {
			return bad()
		}
		return n, nil
	case "date":
		str, _ := v.(string)
		if _, err := time.Parse("2006-01-02", str); err != nil {
			return bad()
		}
		return str, nil
	case "datetime":
		str, _ := v.(string)
		t, ok := parseDateTime(str)
		if !ok {
			return bad()
		}
		return t.UTC().Format(dateTimeLayout), nil
	case "reference":
		// The referenced record's object decides, not the id's text: a
		// seeded demo org keeps the demo book's ids.
		str, _ := v.(string)
		rec := s.lookup(str)
		if rec == nil {
			return nil, itemFail("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", f.Name)
		}
		if !slices.Contains(f.RefTo, rec.obj.Prefix) {
			return nil, itemFail("FIELD_INTEGRITY_EXCEPTION", fmt.Sprintf("%s: id value of incorrect type: %s", f.Name, str), f.Name)
		}
		if rec.fields["IsDeleted"] == true {
			return nil, itemFail("ENTITY_IS_DELETED", "entity is deleted", f.Name)
		}
		return rec.fields["Id"], nil
	}
	str, ok := v.(string)
	if !ok {
		return bad()
	}
	if f.Length > 0 && len([]rune(str)) > f.Length {
		return nil, itemFail("STRING_TOO_LONG", fmt.Sprintf("%s: data value too large (max length=%d)", f.Name, f.Length), f.Name)
	}
	if f.Type == "picklist" && f.Restricted && !slices.Contains(f.Picklist, str) {
		return nil, itemFail("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", f.Name+": bad value for restricted picklist field: "+str, f.Name)
	}
	return str, nil
}

// apply writes fields onto rec (create: a new record) after checking each.
func (s *Server) apply(o *object, rec *record, in map[string]any, create bool) map[string]any {
	vals := map[string]any{}
	for k, v := range in {
		if k == "attributes" || strings.EqualFold(k, "Id") {
			continue
		}
		f := o.field(k)
		if (create && !f.Create) || (!create && !f.Update) {
			return itemFail("INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: "+f.Name+". Please check the security settings of this field and verify that it is read/write for your profile or permission set.", f.Name)
		}
		nv, fail := s.checkValue(f, v)
		if fail != nil {
			return fail
		}
		vals[f.Name] = nv
	}
	if create {
		if o.field("OwnerId") != nil && vals["OwnerId"] == nil {
			vals["OwnerId"] = s.userID
		}
		if o.Name == "Task" {
			for k, d := range map[string]string{"Status": "Not Started", "Priority": "Normal"} {
				if vals[k] == nil {
					vals[k] = d
				}
			}
		}
		for _, f := range o.fields {
			if f.Required && vals[f.Name] == nil {
				return itemFail("REQUIRED_FIELD_MISSING", "Required fields are missing: ["+f.Name+"]", f.Name)
			}
		}
		if o.Name == "Event" {
			if vals["StartDateTime"] == nil {
				return itemFail("REQUIRED_FIELD_MISSING", "Required fields are missing: [StartDateTime]", "StartDateTime")
			}
			if vals["EndDateTime"] == nil && vals["DurationInMinutes"] == nil {
				return itemFail("REQUIRED_FIELD_MISSING", "Required fields are missing: [DurationInMinutes]", "DurationInMinutes")
			}
		}
	}
	if o.Name == "Event" {
		start, _ := vals["StartDateTime"].(string)
		if start == "" && rec != nil {
			start, _ = rec.fields["StartDateTime"].(string)
		}
		if st, ok := parseDateTime(start); ok {
			if end, _ := vals["EndDateTime"].(string); end == "" {
				if d, ok := vals["DurationInMinutes"].(float64); ok {
					vals["EndDateTime"] = st.Add(time.Duration(d) * time.Minute).UTC().Format(dateTimeLayout)
				}
			}
			if e, ok := parseDateTime(fmt.Sprint(vals["EndDateTime"])); ok {
				if e.Before(st) {
					return itemFail("FIELD_INTEGRITY_EXCEPTION", "End Date/Time: must be after the start", "EndDateTime")
				}
				vals["DurationInMinutes"] = math.Round(e.Sub(st).Minutes())
			}
		}
	}
	st := s.stamp()
	created := false
	if rec == nil {
		created = true
		id := s.newID(o)
		rec = &record{obj: o, fields: map[string]any{"Id": id, "IsDeleted": false, "CreatedDate": st}}
		s.records[id] = rec
		s.order = append(s.order, id)
	}
	maps.Copy(rec.fields, vals)
	rec.fields["LastModifiedDate"], rec.fields["SystemModstamp"] = st, st
	s.derive(rec)
	return map[string]any{"id": rec.fields["Id"], "success": true, "errors": []itemErr{}, "created": created}
}

// unknownField finds a field the object lacks, for the whole-request 400.
func unknownField(o *object, recs []map[string]any) string {
	for _, r := range recs {
		for k := range r {
			if k != "attributes" && o.field(k) == nil {
				return k
			}
		}
	}
	return ""
}

func (s *Server) upsertCollection(objName, extName string, body []byte) reply {
	o := s.objects[strings.ToLower(objName)]
	if o == nil {
		return apiErr(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	}
	ext := o.field(extName)
	if ext == nil || !ext.ExternalID {
		return apiErr(http.StatusNotFound, "NOT_FOUND", "Provided external ID field does not exist or is not accessible: "+extName)
	}
	cb, rep, ok := decodeCollection(body)
	if !ok {
		return rep
	}
	for _, r := range cb.Records {
		if !strings.EqualFold(recordType(r), o.Name) {
			return apiErr(http.StatusBadRequest, "INVALID_TYPE", "every record must be of type "+o.Name+" (attributes.type)")
		}
		for k := range r {
			if strings.EqualFold(k, "Id") {
				return apiErr(http.StatusBadRequest, "INVALID_FIELD", "Id is not allowed: upsert by the external ID in the URL")
			}
		}
	}
	if f := unknownField(o, cb.Records); f != "" {
		return apiErr(http.StatusBadRequest, "INVALID_FIELD", fmt.Sprintf("No such column '%s' on sobject of type %s", f, o.Name), f)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]map[string]any, len(cb.Records))
	for i, r := range cb.Records {
		key, _ := r[ext.Name].(string)
		if key == "" {
			out[i] = itemFail("MISSING_ARGUMENT", ext.Name+" not specified", ext.Name)
			continue
		}
		var match []*record
		for _, id := range s.order {
			rec := s.records[id]
			if rec != nil && rec.obj == o && rec.fields["IsDeleted"] != true && rec.fields[ext.Name] == key {
				match = append(match, rec)
			}
		}
		switch len(match) {
		case 0:
			out[i] = s.apply(o, nil, r, true)
		case 1:
			upd := maps.Clone(r)
			delete(upd, ext.Name) // the key itself is not rewritten
			out[i] = s.apply(o, match[0], upd, false)
		default:
			out[i] = itemFail("DUPLICATE_EXTERNAL_ID", "more than one record found for external id field: "+key, ext.Name)
		}
	}
	return reply{http.StatusOK, out}
}

func (s *Server) updateCollection(body []byte) reply {
	cb, rep, ok := decodeCollection(body)
	if !ok {
		return rep
	}
	for _, r := range cb.Records {
		o := s.objects[strings.ToLower(recordType(r))]
		if o == nil {
			return apiErr(http.StatusBadRequest, "INVALID_TYPE", "attributes.type is required and must be an object's name")
		}
		if f := unknownField(o, []map[string]any{r}); f != "" {
			return apiErr(http.StatusBadRequest, "INVALID_FIELD", fmt.Sprintf("No such column '%s' on sobject of type %s", f, o.Name), f)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]map[string]any, len(cb.Records))
	for i, r := range cb.Records {
		o := s.objects[strings.ToLower(recordType(r))]
		var id string
		for k, v := range r {
			if strings.EqualFold(k, "Id") {
				id, _ = v.(string)
			}
		}
		rec := s.lookup(id)
		switch {
		case id == "":
			out[i] = itemFail("MISSING_ARGUMENT", "Id not specified in an update call", "Id")
		case rec == nil:
			out[i] = itemFail("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", "Id")
		case rec.obj != o:
			out[i] = itemFail("MALFORMED_ID", "malformed id "+id+" for "+o.Name, "Id")
		case rec.fields["IsDeleted"] == true:
			out[i] = itemFail("ENTITY_IS_DELETED", "entity is deleted", "Id")
		default:
			out[i] = s.apply(o, rec, r, false)
		}
	}
	return reply{http.StatusOK, out}
}
