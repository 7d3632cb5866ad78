package salesforcetest

import (
	"slices"
	"strings"
)

// field is one field of an object as the server describes and checks it.
type field struct {
	Name       string
	Type       string // id, string, textarea, url, email, phone, boolean, int, double, currency, date, datetime, picklist, reference
	Create     bool   // createable
	Update     bool   // updateable
	Required   bool   // on create (not nillable, no default)
	Picklist   []string
	Restricted bool
	ExternalID bool
	Unique     bool
	RefTo      []string // key prefixes a reference accepts
	Length     int      // text fields: the maximum length
}

// object is an sObject type.
type object struct {
	Name   string
	Prefix string
	fields []*field
	byName map[string]*field // lower-case name → field
}

func (o *object) field(name string) *field { return o.byName[strings.ToLower(name)] }

func newObject(name, prefix string, fs ...*field) *object {
	o := &object{Name: name, Prefix: prefix, byName: map[string]*field{}}
	std := []*field{
		{Name: "Id", Type: "id"},
		{Name: "IsDeleted", Type: "boolean"},
		{Name: "CreatedDate", Type: "datetime"},
		{Name: "LastModifiedDate", Type: "datetime"},
		{Name: "SystemModstamp", Type: "datetime"},
	}
	for _, f := range append(std, fs...) {
		o.fields = append(o.fields, f)
		o.byName[strings.ToLower(f.Name)] = f
	}
	return o
}

func rw(name, typ string) *field {
	return &field{Name: name, Type: typ, Create: true, Update: true, Length: 255}
}

func text(name string, n int) *field {
	f := rw(name, "string")
	f.Length = n
	return f
}

func ref(name string, prefixes ...string) *field {
	f := rw(name, "reference")
	f.RefTo = prefixes
	return f
}

func pick(name string, restricted bool, values ...string) *field {
	f := rw(name, "picklist")
	f.Picklist, f.Restricted = values, restricted
	return f
}

func readOnly(f *field) *field {
	f.Create, f.Update = false, false
	return f
}

func required(f *field) *field {
	f.Required = true
	return f
}

// The custom fields Shortlist's admin guide asks for.
const (
	OpIDField     = "Shortlist_Op_Id__c"
	StatusField   = "Shortlist_Status__c"
	NoLinkedIn    = "Shortlist_No_LinkedIn__c"
	PhoneBadField = "Shortlist_Phone_Bad__c"
)

// TaskStatuses are the org's Task Status picklist (Salesforce's defaults);
// "Completed" is the one that closes a task (IsClosed).
var TaskStatuses = []string{"Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred"}

// schema builds the objects; missing lists "Object.Field" custom fields the
// org has not added.
func schema(missing map[string]bool) map[string]*object {
	opID := func() *field {
		f := text(OpIDField, 64)
		f.ExternalID, f.Unique = true, true
		return f
	}
	objs := []*object{
		newObject("User", "005",
			readOnly(text("Name", 121)), readOnly(rw("Email", "email")), readOnly(text("Username", 80)),
		),
		newObject("Account", "001",
			required(text("Name", 255)), rw("Website", "url"),
			pick("Industry", false, "Agriculture", "Banking", "Technology", "Manufacturing", "Healthcare", "Retail", "Software", "Other"),
			rw("NumberOfEmployees", "int"), rw("AnnualRevenue", "currency"),
			text("BillingCountry", 80), text("BillingState", 80), text("BillingCity", 40),
			ref("OwnerId", "005"), pick("Type", false, "Prospect", "Customer - Direct", "Customer - Channel", "Partner", "Other"),
			text(StatusField, 40),
		),
		newObject("Contact", "003",
			ref("AccountId", "001"), text("FirstName", 40), required(text("LastName", 80)), text("Title", 128),
			rw("Email", "email"), rw("Phone", "phone"), rw("MobilePhone", "phone"),
			rw("HasOptedOutOfEmail", "boolean"), rw("DoNotCall", "boolean"), ref("OwnerId", "005"),
			rw(NoLinkedIn, "boolean"), rw(PhoneBadField, "boolean"),
		),
		newObject("Task", "00T",
			text("Subject", 255), required(pick("Status", true, TaskStatuses...)), required(pick("Priority", true, "High", "Normal", "Low")),
			rw("ActivityDate", "date"), ref("WhoId", "003"), ref("WhatId", "001"), readOnly(ref("AccountId", "001")),
			ref("OwnerId", "005"), text("Description", 32000),
			func() *field {
				f := pick("TaskSubtype", true, "Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn")
				f.Update = false // set on create only
				return f
			}(),
			pick("Type", false, "Call", "Email", "Meeting", "Other"), pick("CallType", true, "Internal", "Inbound", "Outbound"),
			text("CallDisposition", 255), rw("CallDurationInSeconds", "int"),
			readOnly(rw("IsClosed", "boolean")), readOnly(rw("CompletedDateTime", "datetime")),
			opID(),
		),
		newObject("Event", "00U",
			text("Subject", 255), rw("StartDateTime", "datetime"), rw("EndDateTime", "datetime"), rw("DurationInMinutes", "int"),
			ref("WhoId", "003"), ref("WhatId", "001"), readOnly(ref("AccountId", "001")), ref("OwnerId", "005"),
			text("Description", 32000), opID(),
		),
		// An email as Enhanced Email keeps it; Incoming is a reply from
		// outside. Its sender is the relation of type FromAddress.
		newObject("EmailMessage", "02s",
			text("Subject", 3000), text("TextBody", 32000), rw("Incoming", "boolean"), rw("MessageDate", "datetime"),
			rw("FromAddress", "email"), ref("RelatedToId", "001"), pick("Status", false, "0", "1", "2", "3", "4", "5"),
		),
		newObject("EmailMessageRelation", "0EA",
			ref("EmailMessageId", "02s"), ref("RelationId", "003", "005", "00Q"),
			pick("RelationType", true, "FromAddress", "ToAddress", "CcAddress", "BccAddress"),
		),
	}
	// An org without an object (Enhanced Email off) names it in missing.
	objs = slices.DeleteFunc(objs, func(o *object) bool { return missing[o.Name] })
	out := map[string]*object{}
	for _, o := range objs {
		for name := range missing {
			obj, fld, ok := strings.Cut(name, ".")
			if !ok || !strings.EqualFold(obj, o.Name) {
				continue
			}
			if f := o.field(fld); f != nil {
				delete(o.byName, strings.ToLower(fld))
				for i, g := range o.fields {
					if g == f {
						o.fields = append(o.fields[:i], o.fields[i+1:]...)
						break
					}
				}
			}
		}
		out[strings.ToLower(o.Name)] = o
	}
	return out
}
