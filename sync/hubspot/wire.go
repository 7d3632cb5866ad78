package hubspot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// props is an object's properties. HubSpot sends every value as a string or
// null; a number or a bool is accepted too, so one odd value never fails a
// whole page.
type props map[string]string

func (p *props) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	m := make(props, len(raw))
	for k, v := range raw {
		v = bytes.TrimSpace(v)
		switch {
		case len(v) == 0 || string(v) == "null":
		case v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("property %s: %w", k, err)
			}
			m[k] = s
		case v[0] == '{' || v[0] == '[':
			// not a property value HubSpot sends; ignored rather than fatal
		default:
			m[k] = string(v)
		}
	}
	*p = m
	return nil
}

// flexID is an id sent as a JSON string or a JSON number (v4 associations
// send numbers although the spec says strings).
type flexID string

func (f *flexID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("id %s is neither a string nor a number", b)
	}
	s := n.String()
	if _, err := strconv.ParseUint(s, 10, 64); err != nil {
		if f, err2 := strconv.ParseFloat(s, 64); err2 == nil && f >= 0 && f == float64(uint64(f)) {
			s = strconv.FormatUint(uint64(f), 10)
		} else {
			return fmt.Errorf("id %s is not a whole number", s)
		}
	}
	*f = flexID(s)
	return nil
}

// object is a CRM record as the v3 object endpoints return it.
type object struct {
	ID         flexID `json:"id"`
	Properties props  `json:"properties"`
	CreatedAt  string `json:"createdAt"`
	UpdatedAt  string `json:"updatedAt"`
	Archived   bool   `json:"archived"`
}

type paging struct {
	Next *struct {
		After string `json:"after"`
	} `json:"next"`
}

// objectPage is a list or search reply.
type objectPage struct {
	Total   *int     `json:"total"`
	Results []object `json:"results"`
	Paging  *paging  `json:"paging"`
}

// batchReply is a batch read/create/update/upsert reply (200, 201 or 207).
type batchReply struct {
	Status    string     `json:"status"`
	Results   []object   `json:"results"`
	NumErrors int        `json:"numErrors"`
	Errors    []batchErr `json:"errors"`
}

// batchErr is one failed input of a batch.
type batchErr struct {
	Status   string `json:"status"`
	Category string `json:"category"`
	Message  string `json:"message"`
	Context  struct {
		IDs                []string `json:"ids"`
		ID                 []string `json:"id"`
		ObjectWriteTraceID []string `json:"objectWriteTraceId"`
	} `json:"context"`
}

// gone reports whether the error says a record does not exist.
func (e batchErr) gone() bool {
	c := strings.ToUpper(e.Category)
	return c == "OBJECT_NOT_FOUND" || c == "NOT_FOUND" || strings.Contains(strings.ToLower(e.Message), "not found") || strings.Contains(strings.ToLower(e.Message), "does not exist")
}

func (e batchErr) ids() []string {
	out := append([]string{}, e.Context.IDs...)
	out = append(out, e.Context.ID...)
	return out
}

// assocReply is a v4 batch association read.
type assocReply struct {
	Results []struct {
		From struct {
			ID flexID `json:"id"`
		} `json:"from"`
		To []struct {
			ToObjectID       flexID `json:"toObjectId"`
			AssociationTypes []struct {
				Category string `json:"category"`
				TypeID   int    `json:"typeId"`
				Label    string `json:"label"`
			} `json:"associationTypes"`
		} `json:"to"`
		Paging *paging `json:"paging"`
	} `json:"results"`
}

type filter struct {
	PropertyName string   `json:"propertyName"`
	Operator     string   `json:"operator"`
	Value        string   `json:"value,omitempty"`
	Values       []string `json:"values,omitempty"`
}

type filterGroup struct {
	Filters []filter `json:"filters"`
}

type sortSpec struct {
	PropertyName string `json:"propertyName"`
	Direction    string `json:"direction"`
}

type searchBody struct {
	FilterGroups []filterGroup `json:"filterGroups"`
	Sorts        []sortSpec    `json:"sorts"`
	Properties   []string      `json:"properties"`
	Limit        int           `json:"limit"`
	After        string        `json:"after,omitempty"`
}

// MarshalJSON sends the lists HubSpot's spec requires (filterGroups, sorts,
// properties) as [] when a search leaves them empty: null is not a list.
func (b searchBody) MarshalJSON() ([]byte, error) {
	type plain searchBody
	if b.FilterGroups == nil {
		b.FilterGroups = []filterGroup{}
	}
	if b.Sorts == nil {
		b.Sorts = []sortSpec{}
	}
	if b.Properties == nil {
		b.Properties = []string{}
	}
	return json.Marshal(plain(b))
}

type idInput struct {
	ID string `json:"id"`
}

// parseTime reads a HubSpot date: ISO-8601 (with or without fraction) or
// epoch milliseconds. ok is false for anything else.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		if ms <= 0 || ms > 1e14 {
			return time.Time{}, false
		}
		return time.UnixMilli(ms).UTC(), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999Z0700", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// ms formats t as HubSpot's epoch-millisecond filter value.
func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// isoMS formats t as an ISO-8601 UTC timestamp with milliseconds.
func isoMS(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// errNoProgress guards the company pull against a server whose paging never
// moves on.
var errNoProgress = errors.New("the search made no progress past HubSpot's result cap")
