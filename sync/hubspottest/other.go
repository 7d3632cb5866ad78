package hubspottest

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// ownerJSON is an owner as the owners API returns it.
type ownerJSON struct {
	ID                      string   `json:"id"`
	Email                   string   `json:"email"`
	Type                    string   `json:"type"`
	FirstName               string   `json:"firstName"`
	LastName                string   `json:"lastName"`
	UserID                  int64    `json:"userId"`
	UserIDIncludingInactive int64    `json:"userIdIncludingInactive"`
	CreatedAt               string   `json:"createdAt"`
	UpdatedAt               string   `json:"updatedAt"`
	Archived                bool     `json:"archived"`
	Teams                   []string `json:"teams"`
}

// ownerOf renders an owner.
func ownerOf(o owner) ownerJSON {
	return ownerJSON{ID: strconv.FormatInt(o.id, 10), Email: o.email, Type: "PERSON", FirstName: o.first, LastName: o.last,
		UserID: o.userID, UserIDIncludingInactive: o.userID, CreatedAt: isoMillis(o.created), UpdatedAt: isoMillis(o.created), Teams: []string{}}
}

// listOwnersLocked serves GET /crm/v3/owners (email filter, paging by
// position).
func (s *Server) listOwnersLocked(q url.Values) reply {
	limit, rep := intParam(q, "limit", 100, 500)
	if rep != nil {
		return *rep
	}
	start := 0
	if a := q.Get("after"); a != "" {
		n, err := strconv.Atoi(a)
		if err != nil || n < 0 {
			return badRequest("after %q is not a paging cursor this endpoint gave", a)
		}
		start = n
	}
	email := strings.TrimSpace(q.Get("email"))
	var match []owner
	for _, o := range s.owners {
		if email == "" || strings.EqualFold(o.email, email) {
			match = append(match, o)
		}
	}
	results := []ownerJSON{}
	i := start
	for ; i < len(match) && len(results) < limit; i++ {
		results = append(results, ownerOf(match[i]))
	}
	out := map[string]any{"results": results}
	if i < len(match) {
		out["paging"] = pagingNext(strconv.Itoa(i), "/crm/v3/owners", q)
	}
	return jsonReply(http.StatusOK, out)
}

// getOwnerLocked serves GET /crm/v3/owners/{id}.
func (s *Server) getOwnerLocked(id string) reply {
	for _, o := range s.owners {
		if strconv.FormatInt(o.id, 10) == id {
			return jsonReply(http.StatusOK, ownerOf(o))
		}
	}
	return notFound("no owner with id %s", id)
}

// propJSON is a property definition as the properties API returns it.
type propJSON struct {
	Name                 string       `json:"name"`
	Label                string       `json:"label"`
	Type                 string       `json:"type"`
	FieldType            string       `json:"fieldType"`
	Description          string       `json:"description"`
	GroupName            string       `json:"groupName"`
	Options              []optionJSON `json:"options"`
	DisplayOrder         int          `json:"displayOrder"`
	Calculated           bool         `json:"calculated"`
	ExternalOptions      bool         `json:"externalOptions"`
	HasUniqueValue       bool         `json:"hasUniqueValue"`
	Hidden               bool         `json:"hidden"`
	HubspotDefined       bool         `json:"hubspotDefined,omitempty"`
	FormField            bool         `json:"formField"`
	Archived             bool         `json:"archived"`
	ModificationMetadata struct {
		Archivable         bool `json:"archivable"`
		ReadOnlyDefinition bool `json:"readOnlyDefinition"`
		ReadOnlyValue      bool `json:"readOnlyValue"`
	} `json:"modificationMetadata"`
}

// optionJSON is one option of an enumeration property.
type optionJSON struct {
	Label        string `json:"label"`
	Value        string `json:"value"`
	DisplayOrder int    `json:"displayOrder"`
	Hidden       bool   `json:"hidden"`
}

// propOf renders a property definition.
func propOf(d *propDef) propJSON {
	p := propJSON{Name: d.Name, Label: d.Label, Type: d.Type, FieldType: d.FieldType, Description: d.Description,
		GroupName: d.GroupName, Options: []optionJSON{}, DisplayOrder: -1, HasUniqueValue: d.Unique,
		HubspotDefined: !d.Custom, FormField: d.Custom}
	for i, o := range d.Options {
		p.Options = append(p.Options, optionJSON{Label: o, Value: o, DisplayOrder: i})
	}
	p.ModificationMetadata.Archivable = d.Custom
	p.ModificationMetadata.ReadOnlyDefinition = !d.Custom
	p.ModificationMetadata.ReadOnlyValue = d.ReadOnly
	return p
}

// getPropLocked serves GET /crm/v3/properties/{type}/{name}.
func (s *Server) getPropLocked(t typeInfo, name string) reply {
	d := s.propDefLocked(t.Name, name)
	if d == nil {
		return notFound("Unable to find property %s on %s", name, t.Name)
	}
	return jsonReply(http.StatusOK, propOf(d))
}

// listPropsLocked serves GET /crm/v3/properties/{type}.
func (s *Server) listPropsLocked(t typeInfo) reply {
	var names []string
	for n := range s.props[t.Name] {
		names = append(names, n)
	}
	sortStrings(names)
	results := make([]propJSON, len(names))
	for i, n := range names {
		results[i] = propOf(s.props[t.Name][n])
	}
	return jsonReply(http.StatusOK, map[string]any{"results": results})
}

// groupsLocked lists an object type's property groups.
func (s *Server) groupsLocked(t typeInfo) []string {
	if g, ok := s.opts.PropertyGroups[t.Name]; ok {
		return g
	}
	return []string{strings.ToLower(t.Singular) + "information"}
}

// listGroupsLocked serves GET /crm/v3/properties/{type}/groups.
func (s *Server) listGroupsLocked(t typeInfo) reply {
	results := []map[string]any{}
	for i, g := range s.groupsLocked(t) {
		results = append(results, map[string]any{"name": g, "label": g, "displayOrder": i, "archived": false})
	}
	return jsonReply(http.StatusOK, map[string]any{"results": results})
}

// propName is what HubSpot accepts as an internal property name.
var propName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// createPropLocked serves POST /crm/v3/properties/{type}.
func (s *Server) createPropLocked(t typeInfo, body []byte) reply {
	var in struct {
		Name           string `json:"name"`
		Label          string `json:"label"`
		Type           string `json:"type"`
		FieldType      string `json:"fieldType"`
		GroupName      string `json:"groupName"`
		Description    string `json:"description"`
		HasUniqueValue bool   `json:"hasUniqueValue"`
		Options        []struct {
			Label  *string `json:"label"`
			Value  *string `json:"value"`
			Hidden *bool   `json:"hidden"`
		} `json:"options"`
	}
	if r := decode(body, &in); r != nil {
		return *r
	}
	// The published spec (OptionInput) requires label, value and hidden on
	// every option.
	for i, o := range in.Options {
		var miss []string
		if o.Label == nil {
			miss = append(miss, "label")
		}
		if o.Value == nil {
			miss = append(miss, "value")
		}
		if o.Hidden == nil {
			miss = append(miss, "hidden")
		}
		if len(miss) > 0 {
			return errReply(http.StatusBadRequest, "VALIDATION_ERROR",
				fmt.Sprintf("Invalid input JSON: options[%d] is missing required field(s) %s", i, strings.Join(miss, ", ")),
				errDetail{Message: "missing required field(s) " + strings.Join(miss, ", "), In: fmt.Sprintf("options[%d]", i), Code: "REQUIRED_FIELD"})
		}
	}
	var missing []string
	for _, f := range []struct{ name, v string }{{"name", in.Name}, {"label", in.Label}, {"type", in.Type}, {"fieldType", in.FieldType}, {"groupName", in.GroupName}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	switch {
	case len(missing) > 0:
		return badRequest("a property needs %s", strings.Join(missing, ", "))
	case !propName.MatchString(in.Name):
		return badRequest("property name %q must start with a lowercase letter and hold only lowercase letters, digits and underscores", in.Name)
	case !contains([]string{"string", "number", "date", "datetime", "enumeration", "bool"}, in.Type):
		return badRequest("property type %q is not one of string, number, date, datetime, enumeration, bool", in.Type)
	case !contains([]string{"text", "textarea", "number", "date", "select", "radio", "checkbox", "booleancheckbox", "phonenumber", "html", "file", "calculation_equation"}, in.FieldType):
		return badRequest("fieldType %q is not valid", in.FieldType)
	case !contains(s.groupsLocked(t), in.GroupName):
		return errCtx(http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("Property group %s does not exist on %s", in.GroupName, t.Name),
			map[string][]string{"groupName": {in.GroupName}})
	case s.propDefLocked(t.Name, in.Name) != nil:
		return errReply(http.StatusConflict, "OBJECT_ALREADY_EXISTS", fmt.Sprintf("A property named '%s' already exists on %s", in.Name, t.Name))
	case in.HasUniqueValue && t.Engagement && !s.opts.UniqueOnEngagements:
		return badRequest("unique value properties are not supported on %s: hasUniqueValue is only allowed on contacts, companies, deals, tickets and custom objects", t.Name)
	}
	d := &propDef{Name: in.Name, Label: in.Label, Type: in.Type, FieldType: in.FieldType, GroupName: in.GroupName,
		Description: in.Description, Unique: in.HasUniqueValue, Custom: true}
	for _, o := range in.Options {
		d.Options = append(d.Options, *o.Value)
	}
	if in.Type == "bool" {
		d.Options = []string{"true", "false"} // a bool holds these whatever its options' labels
	}
	s.props[t.Name][in.Name] = d
	return jsonReply(http.StatusCreated, propOf(d))
}

// assocType is one association type as v4 renders it.
type assocType struct {
	Category string  `json:"category"`
	TypeID   int     `json:"typeId"`
	Label    *string `json:"label"`
}

// typesLocked lists the association types of a link.
func (s *Server) typesLocked(from string, fromID int64, to string, toID int64) []assocType {
	out := []assocType{}
	if s.isPrimaryLocked(from, fromID, to, toID) {
		l := "Primary"
		out = append(out, assocType{"HUBSPOT_DEFINED", primaryTypeID(from, to), &l})
	}
	return append(out, assocType{"HUBSPOT_DEFINED", assocTypeID(from, to), nil})
}

// assocLabelsLocked serves GET /crm/v4/associations/{from}/{to}/labels.
func (s *Server) assocLabelsLocked(from, to typeInfo) reply {
	id := assocTypeID(from.Name, to.Name)
	if id == 0 {
		return badRequest("no associations between %s and %s", from.Name, to.Name)
	}
	results := []assocType{{"HUBSPOT_DEFINED", id, nil}}
	if p := primaryTypeID(from.Name, to.Name); p != 0 {
		l := "Primary"
		results = append(results, assocType{"HUBSPOT_DEFINED", p, &l})
	}
	return jsonReply(http.StatusOK, map[string]any{"results": results})
}

// linkResult is one created link, as v4 writes report it.
type linkResult struct {
	From struct {
		ID string `json:"id"`
	} `json:"from"`
	To struct {
		ID string `json:"id"`
	} `json:"to"`
	AssociationSpec struct {
		Category string `json:"associationCategory"`
		TypeID   int    `json:"associationTypeId"`
	} `json:"associationSpec"`
}

// linkOf renders a created link.
func linkOf(a, b *record) linkResult {
	var l linkResult
	l.From.ID = strconv.FormatInt(a.id, 10)
	l.To.ID = strconv.FormatInt(b.id, 10)
	l.AssociationSpec.Category = "HUBSPOT_DEFINED"
	l.AssociationSpec.TypeID = assocTypeID(a.typ, b.typ)
	return l
}

// putDefaultAssocLocked serves PUT
// /crm/v4/objects/{from}/{id}/associations/default/{to}/{toId}.
func (s *Server) putDefaultAssocLocked(from typeInfo, fromID string, to typeInfo, toID string) reply {
	started := s.now()
	if assocTypeID(from.Name, to.Name) == 0 {
		return badRequest("no default association between %s and %s", from.Name, to.Name)
	}
	a, b := s.liveLocked(from.Name, fromID), s.liveLocked(to.Name, toID)
	if a == nil || b == nil {
		return notFound("cannot associate %s %s with %s %s: a record does not exist", from.Name, fromID, to.Name, toID)
	}
	s.associateLocked(a, b, s.now())
	return s.batchReply(http.StatusOK, started, []linkResult{linkOf(a, b), linkOf(b, a)}, nil)
}

// toJSON is one associated record in a v4 reply; toObjectId is a number,
// as the real API sends it.
type toJSON struct {
	ToObjectID       int64       `json:"toObjectId"`
	AssociationTypes []assocType `json:"associationTypes"`
}

// listAssocLocked serves GET /crm/v4/objects/{from}/{id}/associations/{to}.
func (s *Server) listAssocLocked(from typeInfo, fromID string, to typeInfo, q url.Values) reply {
	limit, rep := intParam(q, "limit", maxAssocPage, maxAssocPage)
	if rep != nil {
		return *rep
	}
	a := s.liveLocked(from.Name, fromID)
	if a == nil {
		return notFound("no %s with id %s", from.Name, fromID)
	}
	ids := s.assocIDsLocked(from.Name, a.id, to.Name)
	start := 0
	if v := q.Get("after"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return badRequest("after %q is not a paging cursor this endpoint gave", v)
		}
		start = min(n, len(ids))
	}
	end := min(start+limit, len(ids))
	results := []toJSON{}
	for _, id := range ids[start:end] {
		results = append(results, toJSON{id, s.typesLocked(from.Name, a.id, to.Name, id)})
	}
	out := map[string]any{"results": results}
	if end < len(ids) {
		out["paging"] = pagingNext(strconv.Itoa(end), "", q)
	}
	return jsonReply(http.StatusOK, out)
}

// maxAssocBatch is how many inputs a v4 association batch call takes.
const maxAssocBatch = 1000

// maxAssocPage is how many links of one record a v4 read returns at once.
const maxAssocPage = 500

// batchReadAssocLocked serves POST /crm/v4/associations/{from}/{to}/batch/read.
// An input with no associations (or no record) comes back as an error in a
// 207, as HubSpot does.
func (s *Server) batchReadAssocLocked(from, to typeInfo, body []byte) reply {
	started := s.now()
	var in struct {
		Inputs []struct {
			ID flexString `json:"id"`
		} `json:"inputs"`
	}
	if r := decode(body, &in); r != nil {
		return *r
	}
	if len(in.Inputs) > maxAssocBatch {
		return badRequest("Batch input limit exceeded: %d inputs given, at most %d are allowed", len(in.Inputs), maxAssocBatch)
	}
	type result struct {
		From struct {
			ID string `json:"id"`
		} `json:"from"`
		To     []toJSON       `json:"to"`
		Paging map[string]any `json:"paging,omitempty"`
	}
	results := []result{}
	var errs []batchErr
	for _, x := range in.Inputs {
		a := s.liveLocked(from.Name, string(x.ID))
		var ids []int64
		if a != nil {
			ids = s.assocIDsLocked(from.Name, a.id, to.Name)
		}
		if len(ids) == 0 {
			errs = append(errs, batchErr{Status: "error", Category: "OBJECT_NOT_FOUND", SubCategory: "crm.associations.NO_ASSOCIATIONS_FOUND",
				Message: fmt.Sprintf("No %s is associated with %s %s.", strings.ToLower(to.Singular), strings.ToLower(from.Singular), x.ID),
				Context: map[string][]string{"fromObjectId": {string(x.ID)}}})
			continue
		}
		var r result
		r.From.ID = string(x.ID)
		// Like HubSpot, at most maxAssocPage links per record; the rest
		// through GET /crm/v4/objects/{from}/{id}/associations/{to}.
		if len(ids) > maxAssocPage {
			r.Paging = pagingNext(strconv.Itoa(maxAssocPage), "", url.Values{})
			ids = ids[:maxAssocPage]
		}
		for _, id := range ids {
			r.To = append(r.To, toJSON{id, s.typesLocked(from.Name, a.id, to.Name, id)})
		}
		results = append(results, r)
	}
	return s.batchReply(http.StatusOK, started, results, errs)
}

// batchAssociateLocked serves batch/associate/default and batch/create
// (whose types must be the default one or Primary).
func (s *Server) batchAssociateLocked(from, to typeInfo, typed bool, body []byte) reply {
	started := s.now()
	var in struct {
		Inputs []struct {
			From struct {
				ID flexString `json:"id"`
			} `json:"from"`
			To struct {
				ID flexString `json:"id"`
			} `json:"to"`
			Types []struct {
				Category string `json:"associationCategory"`
				TypeID   int    `json:"associationTypeId"`
			} `json:"types"`
		} `json:"inputs"`
	}
	if r := decode(body, &in); r != nil {
		return *r
	}
	if len(in.Inputs) > maxAssocBatch {
		return badRequest("Batch input limit exceeded: %d inputs given, at most %d are allowed", len(in.Inputs), maxAssocBatch)
	}
	if assocTypeID(from.Name, to.Name) == 0 {
		return badRequest("no default association between %s and %s", from.Name, to.Name)
	}
	for _, x := range in.Inputs {
		if !typed {
			continue
		}
		if len(x.Types) == 0 {
			return badRequest("each input needs types")
		}
		for _, ty := range x.Types {
			if ty.TypeID != assocTypeID(from.Name, to.Name) && ty.TypeID != primaryTypeID(from.Name, to.Name) || ty.TypeID == 0 {
				return badRequest("association type %s %d is not valid from %s to %s", ty.Category, ty.TypeID, from.Name, to.Name)
			}
		}
	}
	now := s.now()
	results := []linkResult{}
	var errs []batchErr
	for _, x := range in.Inputs {
		a, b := s.liveLocked(from.Name, string(x.From.ID)), s.liveLocked(to.Name, string(x.To.ID))
		if a == nil || b == nil {
			errs = append(errs, batchErr{Status: "error", Category: "OBJECT_NOT_FOUND",
				Message: fmt.Sprintf("cannot associate %s %s with %s %s: a record does not exist", from.Name, x.From.ID, to.Name, x.To.ID),
				Context: map[string][]string{"fromObjectId": {string(x.From.ID)}, "toObjectId": {string(x.To.ID)}}})
			continue
		}
		s.associateLocked(a, b, now)
		results = append(results, linkOf(a, b))
	}
	return s.batchReply(http.StatusOK, started, results, errs)
}

// batchArchiveAssocLocked serves batch/archive: it removes links both ways.
func (s *Server) batchArchiveAssocLocked(from, to typeInfo, body []byte) reply {
	var in struct {
		Inputs []struct {
			From struct {
				ID flexString `json:"id"`
			} `json:"from"`
			To []struct {
				ID flexString `json:"id"`
			} `json:"to"`
		} `json:"inputs"`
	}
	if r := decode(body, &in); r != nil {
		return *r
	}
	if len(in.Inputs) > maxAssocBatch {
		return badRequest("Batch input limit exceeded: %d inputs given, at most %d are allowed", len(in.Inputs), maxAssocBatch)
	}
	for _, x := range in.Inputs {
		a, err := strconv.ParseInt(string(x.From.ID), 10, 64)
		if err != nil {
			continue
		}
		for _, y := range x.To {
			b, err := strconv.ParseInt(string(y.ID), 10, 64)
			if err != nil {
				continue
			}
			delete(s.assoc[assocKey{from.Name, a, to.Name}], b)
			delete(s.assoc[assocKey{to.Name, b, from.Name}], a)
			if from.Name == "contacts" && to.Name == "companies" && s.primary[a] == b {
				delete(s.primary, a)
			}
			if from.Name == "companies" && to.Name == "contacts" && s.primary[b] == a {
				delete(s.primary, b)
			}
		}
	}
	return reply{status: http.StatusNoContent}
}

// PortalID is the portal (hub) id the server reports through
// GET /account-info/v3/details, as in app.hubspot.com/contacts/{portal}/….
const PortalID = 20260101

// accountInfoLocked serves GET /account-info/v3/details.
func (s *Server) accountInfoLocked() reply {
	return jsonReply(http.StatusOK, map[string]any{
		"portalId": PortalID, "accountType": "STANDARD", "timeZone": "Etc/UTC", "companyCurrency": "USD",
		"additionalCurrencies": []string{}, "utcOffset": "+00:00", "utcOffsetMilliseconds": 0,
		"uiDomain": "app.hubspot.com", "dataHostingLocation": "na1",
	})
}

// dispositionsLocked serves GET /calling/v1/dispositions: a bare array.
func (s *Server) dispositionsLocked() reply {
	type disp struct {
		ID      string `json:"id"`
		Label   string `json:"label"`
		Deleted bool   `json:"deleted"`
	}
	out := make([]disp, len(dispositions))
	for i, d := range dispositions {
		out[i] = disp{ID: d.ID, Label: d.Label}
	}
	return jsonReply(http.StatusOK, out)
}

// unsubscribeLocked serves POST /communication-preferences/v3/unsubscribe:
// the contacts with that email get hs_email_optout "true".
func (s *Server) unsubscribeLocked(body []byte) reply {
	var in struct {
		EmailAddress          string     `json:"emailAddress"`
		SubscriptionID        flexString `json:"subscriptionId"`
		LegalBasis            string     `json:"legalBasis"`
		LegalBasisExplanation string     `json:"legalBasisExplanation"`
	}
	if r := decode(body, &in); r != nil {
		return *r
	}
	email := strings.TrimSpace(in.EmailAddress)
	switch {
	case !strings.Contains(email, "@"):
		return badRequest("emailAddress %q is not a valid email address", in.EmailAddress)
	case in.SubscriptionID == "":
		// v3 unsubscribes from one subscription type; a portal-wide
		// opt-out is v4's unsubscribe-all.
		return errReply(http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON on line 1: missing required field: subscriptionId",
			errDetail{Message: "subscriptionId is required", In: "subscriptionId", Code: "REQUIRED_FIELD"})
	case in.LegalBasis != "" && !contains([]string{"LEGITIMATE_INTEREST_PQL", "LEGITIMATE_INTEREST_CLIENT", "PERFORMANCE_OF_CONTRACT", "CONSENT_WITH_NOTICE", "NON_GDPR", "PROCESS_AND_STORE", "LEGITIMATE_INTEREST_OTHER"}, in.LegalBasis):
		return badRequest("legalBasis %q is not valid", in.LegalBasis)
	}
	now := s.now()
	ct := mustType("contacts")
	for _, rec := range s.objs["contacts"] {
		if !rec.archived && strings.EqualFold(rec.props["email"], email) && rec.props["hs_email_optout"] != "true" {
			s.writeLocked(ct, rec, map[string]string{"hs_email_optout": "true"}, now)
		}
	}
	return jsonReply(http.StatusOK, map[string]any{
		"recipient": email, "subscriptionId": string(in.SubscriptionID), "name": "Marketing Information",
		"description": "Marketing offers and updates.", "status": "NOT_SUBSCRIBED", "sourceOfStatus": "SUBSCRIPTION_STATUS",
		"legalBasis": nilIfEmpty(in.LegalBasis), "legalBasisExplanation": nilIfEmpty(in.LegalBasisExplanation),
	})
}

// nilIfEmpty is nil for "", so JSON shows null.
func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
