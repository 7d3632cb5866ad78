package salesforcetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// createCustomField serves the Tooling API's CustomField create (POST
// tooling/sobjects/CustomField): {"FullName": "Account.X__c", "Metadata":
// {"type", "label", "length", "externalId", "unique", "defaultValue"}}.
// An Activity field appears on Task and Event. A user who may not customize
// the org (Options.NoCustomize) is refused with INSUFFICIENT_ACCESS, a field
// that exists with DUPLICATE_DEVELOPER_NAME, bad metadata with
// FIELD_INTEGRITY_EXCEPTION, as Salesforce answers. The field is at once
// visible to the rep: the server does not model Field-Level Security.
func (s *Server) createCustomField(body []byte) reply {
	if s.opts.NoCustomize {
		return apiErr(http.StatusBadRequest, "INSUFFICIENT_ACCESS", "insufficient access rights: the user lacks Customize Application")
	}
	var in struct {
		FullName string `json:"FullName"`
		Metadata *struct {
			Type         string `json:"type"`
			Label        string `json:"label"`
			Length       int    `json:"length"`
			ExternalID   bool   `json:"externalId"`
			Unique       bool   `json:"unique"`
			DefaultValue any    `json:"defaultValue"`
		} `json:"Metadata"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return apiErr(http.StatusBadRequest, "JSON_PARSER_ERROR", "the body is not a CustomField")
	}
	objName, name, ok := strings.Cut(in.FullName, ".")
	if !ok || !strings.HasSuffix(name, "__c") || len(name) <= 3 {
		return apiErr(http.StatusBadRequest, "FIELD_INTEGRITY_EXCEPTION", "FullName must be Object.Name__c", "FullName")
	}
	m := in.Metadata
	if m == nil || m.Label == "" {
		return apiErr(http.StatusBadRequest, "REQUIRED_FIELD_MISSING", "Required field is missing: Metadata.label", "Metadata")
	}
	var f *field
	switch m.Type {
	case "Text":
		if m.Length < 1 || m.Length > 255 {
			return apiErr(http.StatusBadRequest, "FIELD_INTEGRITY_EXCEPTION", "Length: a Text field needs a length from 1 to 255", "Metadata")
		}
		f = text(name, m.Length)
		f.ExternalID, f.Unique = m.ExternalID, m.Unique
	case "Checkbox":
		if m.DefaultValue == nil {
			return apiErr(http.StatusBadRequest, "FIELD_INTEGRITY_EXCEPTION", "Default Value: a Checkbox needs a default value", "Metadata")
		}
		f = rw(name, "boolean")
	default:
		return apiErr(http.StatusBadRequest, "FIELD_INTEGRITY_EXCEPTION", fmt.Sprintf("type %q is not one this server creates", m.Type), "Metadata")
	}
	targets := []string{objName}
	if strings.EqualFold(objName, "Activity") {
		targets = []string{"Task", "Event"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// An Activity field an Options.Missing took off one of Task and Event
	// only is added where it lacks.
	var objs []*object
	for _, t := range targets {
		o := s.objects[strings.ToLower(t)]
		if o == nil {
			return apiErr(http.StatusBadRequest, "INVALID_TYPE", "no such object: "+objName, "FullName")
		}
		if o.field(name) == nil {
			objs = append(objs, o)
		}
	}
	if len(objs) == 0 {
		return apiErr(http.StatusBadRequest, "DUPLICATE_DEVELOPER_NAME", "There is already a field named "+strings.TrimSuffix(name, "__c")+" on "+objName, "FullName")
	}
	for _, o := range objs {
		g := *f
		o.fields = append(o.fields, &g)
		o.byName[strings.ToLower(name)] = &g
	}
	s.seq++
	s.toolingWrites++
	return reply{http.StatusCreated, map[string]any{"id": fmt.Sprintf("00N%09d000AAA", s.seq), "success": true, "errors": []any{}, "warnings": []any{}, "infos": []any{}}}
}

// FieldsCreated counts the custom fields created through the Tooling API.
func (s *Server) FieldsCreated() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.toolingWrites
}
