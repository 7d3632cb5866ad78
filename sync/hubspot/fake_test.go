package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fake is a small HubSpot stand-in speaking the shapes the adapter uses,
// with a search cap and per-path faults. (sync/hubspottest is the full one.)
type fake struct {
	t     *testing.T
	srv   *httptest.Server
	token string
	cap   int

	mu      sync.Mutex
	objects map[string]map[string]props // type → id → properties
	assoc   map[string][]string         // "companies/1/contacts" → ids
	nextID  int
	faults  map[string][]func(w http.ResponseWriter, r *http.Request) bool // path → queued faults
	unique  bool
}

const testToken = "pat-na1-SECRET-0123456789"

func newFake(t *testing.T) *fake {
	f := &fake{t: t, token: testToken, cap: 10000, objects: map[string]map[string]props{}, assoc: map[string][]string{},
		nextID: 1000, faults: map[string][]func(http.ResponseWriter, *http.Request) bool{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) client(t *testing.T, o Options) *Client {
	o.BaseURL, o.Token = f.srv.URL, f.token
	if o.Sleep == nil {
		o.Sleep = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fake) put(typ string, p props) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	id := strconv.Itoa(f.nextID)
	if f.objects[typ] == nil {
		f.objects[typ] = map[string]props{}
	}
	q := props{"hs_object_id": id}
	for k, v := range p {
		q[k] = v
	}
	f.objects[typ][id] = q
	return id
}

func (f *fake) link(from, fromID, to, toID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := from + "/" + fromID + "/" + to
	f.assoc[k] = append(f.assoc[k], toID)
	k = to + "/" + toID + "/" + from
	f.assoc[k] = append(f.assoc[k], fromID)
}

// fault queues a one-shot fault for requests whose path ends with suffix; the
// func returns false to let the request through after acting.
func (f *fake) fault(suffix string, fn func(w http.ResponseWriter, r *http.Request) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[suffix] = append(f.faults[suffix], fn)
}

func write(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		write(w, 401, map[string]any{"status": "error", "category": "INVALID_AUTHENTICATION", "message": "bad token"})
		return
	}
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	var hit func(http.ResponseWriter, *http.Request) bool
	for suffix, q := range f.faults {
		if strings.HasSuffix(r.URL.Path, suffix) && len(q) > 0 {
			hit, f.faults[suffix] = q[0], q[1:]
			break
		}
	}
	f.mu.Unlock()
	r.Body = io.NopCloser(bytes.NewReader(body)) // a fault may serve the request itself
	if hit != nil && hit(w, r) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.URL.Path == "/crm/v3/owners":
		var res []map[string]any
		for id, p := range f.objects["owners"] {
			if strings.EqualFold(p["email"], r.URL.Query().Get("email")) {
				res = append(res, map[string]any{"id": id, "email": p["email"], "firstName": p["firstName"], "lastName": "Rep", "type": "PERSON"})
			}
		}
		write(w, 200, map[string]any{"results": res})
	case len(parts) == 4 && parts[0] == "crm" && parts[1] == "v3" && parts[2] == "properties" && r.Method == "POST":
		var in map[string]any
		_ = json.Unmarshal(body, &in)
		typ := parts[3]
		if in["hasUniqueValue"] == true && !f.unique && typ != "contacts" && typ != "companies" {
			write(w, 400, map[string]any{"message": "unique values are not supported on " + typ})
			return
		}
		f.objects["prop:"+typ+":"+in["name"].(string)] = map[string]props{"": {"unique": strconv.FormatBool(in["hasUniqueValue"] == true)}}
		write(w, 201, in)
	case len(parts) == 5 && parts[2] == "properties":
		p, ok := f.objects["prop:"+parts[3]+":"+parts[4]]
		if !ok {
			write(w, 404, map[string]any{"message": "no property"})
			return
		}
		write(w, 200, map[string]any{"name": parts[4], "hasUniqueValue": p[""]["unique"] == "true"})
	case strings.HasSuffix(r.URL.Path, "/search"):
		f.search(w, parts[3], body)
	case r.URL.Path == "/communication-preferences/v4/statuses/batch/unsubscribe-all":
		var in struct{ Inputs []string }
		_ = json.Unmarshal(body, &in)
		var res []map[string]any
		for _, a := range in.Inputs {
			for _, p := range f.objects["contacts"] {
				if p["email"] == a {
					p["hs_email_optout"] = "true"
				}
			}
			res = append(res, map[string]any{"subscriberIdString": a, "statuses": []any{}})
		}
		write(w, 200, map[string]any{"status": "COMPLETE", "results": res})
	case strings.HasSuffix(r.URL.Path, "/batch/associate/default"):
		var in struct {
			Inputs []struct{ From, To idInput }
		}
		_ = json.Unmarshal(body, &in)
		for _, x := range in.Inputs {
			k := parts[3] + "/" + x.From.ID + "/" + parts[4]
			if !slices.Contains(f.assoc[k], x.To.ID) {
				f.assoc[k] = append(f.assoc[k], x.To.ID)
			}
		}
		write(w, 200, map[string]any{"status": "COMPLETE"})
	case strings.HasSuffix(r.URL.Path, "/batch/read") && parts[1] == "v4":
		var in struct{ Inputs []idInput }
		_ = json.Unmarshal(body, &in)
		var res []map[string]any
		for _, x := range in.Inputs {
			var to []map[string]any
			for _, id := range f.assoc[parts[3]+"/"+x.ID+"/"+parts[4]] {
				n, _ := strconv.Atoi(id)
				to = append(to, map[string]any{"toObjectId": n, "associationTypes": []map[string]any{{"category": "HUBSPOT_DEFINED", "typeId": 1}}})
			}
			if to != nil {
				res = append(res, map[string]any{"from": map[string]any{"id": x.ID}, "to": to})
			}
		}
		write(w, 200, map[string]any{"status": "COMPLETE", "results": res})
	case strings.HasSuffix(r.URL.Path, "/batch/read"):
		var in struct{ Inputs []idInput }
		_ = json.Unmarshal(body, &in)
		var res []map[string]any
		for _, x := range in.Inputs {
			if p, ok := f.objects[parts[3]][x.ID]; ok {
				res = append(res, map[string]any{"id": x.ID, "properties": p})
			}
		}
		write(w, 200, map[string]any{"status": "COMPLETE", "results": res})
	case strings.HasSuffix(r.URL.Path, "/batch/create"), strings.HasSuffix(r.URL.Path, "/batch/upsert"):
		var in struct {
			Inputs []struct {
				ID           string `json:"id"`
				Properties   props  `json:"properties"`
				Associations []struct {
					To idInput `json:"to"`
				} `json:"associations"`
			}
		}
		_ = json.Unmarshal(body, &in)
		typ := parts[3]
		var res []map[string]any
		for _, x := range in.Inputs {
			id := ""
			if strings.HasSuffix(r.URL.Path, "upsert") {
				for oid, p := range f.objects[typ] {
					if p[propOpID] == x.ID {
						id = oid
					}
				}
			}
			if id == "" {
				f.nextID++
				id = strconv.Itoa(f.nextID)
				if f.objects[typ] == nil {
					f.objects[typ] = map[string]props{}
				}
				f.objects[typ][id] = props{}
			}
			for k, v := range x.Properties {
				f.objects[typ][id][k] = v
			}
			res = append(res, map[string]any{"id": id, "properties": f.objects[typ][id]})
		}
		write(w, 201, map[string]any{"status": "COMPLETE", "results": res})
	case strings.HasSuffix(r.URL.Path, "/batch/update"):
		var in struct {
			Inputs []struct {
				ID         string `json:"id"`
				Properties props  `json:"properties"`
			}
		}
		_ = json.Unmarshal(body, &in)
		var res []map[string]any
		var errs []map[string]any
		for _, x := range in.Inputs {
			p, ok := f.objects[parts[3]][x.ID]
			if !ok {
				errs = append(errs, map[string]any{"status": "error", "category": "OBJECT_NOT_FOUND", "message": "Object not found", "context": map[string]any{"ids": []string{x.ID}}})
				continue
			}
			for k, v := range x.Properties {
				p[k] = v
			}
			res = append(res, map[string]any{"id": x.ID, "properties": p})
		}
		code := 200
		if errs != nil {
			code = 207
		}
		write(w, code, map[string]any{"status": "COMPLETE", "results": res, "errors": errs, "numErrors": len(errs)})
	default:
		write(w, 404, map[string]any{"message": "unknown path"})
	}
}

// search supports what the adapter sends: EQ, GT, GTE, IN on one group, one
// sort, limit and after, with the cap.
func (f *fake) search(w http.ResponseWriter, typ string, body []byte) {
	var in searchBody
	_ = json.Unmarshal(body, &in)
	num := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
	var ids []string
	for id, p := range f.objects[typ] {
		ok := true
		for _, fl := range in.FilterGroups[0].Filters {
			v := p[fl.PropertyName]
			switch fl.Operator {
			case "EQ":
				ok = ok && v == fl.Value
				if fl.PropertyName == "hs_lastmodifieddate" {
					ok = num(v) == num(fl.Value)
				}
			case "GT":
				ok = ok && num(v) > num(fl.Value)
			case "GTE":
				ok = ok && num(v) >= num(fl.Value)
			case "IN":
				ok = ok && slices.Contains(fl.Values, v)
			}
		}
		if ok {
			ids = append(ids, id)
		}
	}
	key := "hs_object_id"
	if len(in.Sorts) > 0 {
		key = in.Sorts[0].PropertyName
	}
	slices.SortFunc(ids, cmpID)
	slices.SortStableFunc(ids, func(a, b string) int {
		pa, pb := f.objects[typ][a], f.objects[typ][b]
		if d := num(pa[key]) - num(pb[key]); d != 0 {
			if d < 0 {
				return -1
			}
			return 1
		}
		return 0
	})
	after, _ := strconv.Atoi(in.After)
	if after >= f.cap {
		write(w, 400, map[string]any{"status": "error", "category": "VALIDATION_ERROR", "message": "paging past 10000 results"})
		return
	}
	end := min(after+in.Limit, len(ids))
	res := []map[string]any{}
	for _, id := range ids[min(after, len(ids)):end] {
		res = append(res, map[string]any{"id": id, "properties": f.objects[typ][id]})
	}
	out := map[string]any{"total": len(ids), "results": res}
	if end < len(ids) {
		out["paging"] = map[string]any{"next": map[string]any{"after": strconv.Itoa(end)}}
	}
	write(w, 200, out)
}
