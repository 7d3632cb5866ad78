package csvio

import (
	"fmt"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// Present is the set of fields a row gives a value for: an import changes
// only those on a record it matches.
type Present struct {
	set   uint64
	index map[string]int
}

// Has reports whether the row gave field a value.
func (p Present) Has(field string) bool {
	i, ok := p.index[field]
	return ok && p.set&(1<<i) != 0
}

func (p *Present) add(field string) {
	if i, ok := p.index[field]; ok {
		p.set |= 1 << i
	}
}

// AccountRecord is one account row, read.
type AccountRecord struct {
	Line    int
	Account model.Account
	Present Present
}

// ContactRecord is one contact row, read, with the company it names.
type ContactRecord struct {
	Line    int
	Contact model.Contact
	Present Present
	// The contact's company, as the row names it: matched to an account by
	// CRM id, then domain, then name.
	Account, AccountCRMID, AccountDomain string
}

// Options say where rows come from, for what they record.
type Options struct {
	Source string    // the file: opt-outs are recorded as from "import <Source>"
	Now    time.Time // when: opt-outs are recorded at this time
}

// rowReader walks one row's cells by field, collecting its errors.
type rowReader struct {
	m     *Mapping
	row   Row
	errs  []model.ImportError
	zones zones
}

// each calls fn with every non-empty cell and its field, in column order.
func (r *rowReader) each(fn func(field, cell string) error) {
	for col, cell := range r.row.Cells {
		if col >= len(r.m.Fields) {
			break
		}
		f := r.m.Fields[col]
		if f == "" || text(cell) == "" {
			continue
		}
		if err := fn(f, cell); err != nil {
			r.errs = append(r.errs, model.ImportError{Line: r.row.Line, Field: f, Message: err.Error()})
		}
	}
	if extra := r.row.Cells[min(len(r.m.Fields), len(r.row.Cells)):]; !blank(extra) {
		r.errs = append(r.errs, model.ImportError{Line: r.row.Line, Message: fmt.Sprintf(
			"%d values but the header has %d columns: quote values that hold the delimiter %q",
			len(r.row.Cells), len(r.m.Fields), r.m.delim)})
	}
}

// Accounts reads account rows. A row with any bad value is left out, and
// each bad value is an error naming the line and the field.
func Accounts(t *Table, m Mapping) ([]AccountRecord, []model.ImportError) {
	rs := NewRecords(m, t.Delimiter, Options{})
	out := make([]AccountRecord, 0, len(t.Rows))
	var errs []model.ImportError
	for _, row := range t.Rows {
		rec, rerrs := rs.Account(row)
		if len(rerrs) > 0 {
			errs = append(errs, rerrs...)
			continue
		}
		out = append(out, rec)
	}
	return out, errs
}

// Records turns rows into records one at a time, as Accounts and Contacts
// do for a whole table, so a file can be read as a stream.
type Records struct {
	m      Mapping
	zones  zones
	optOut model.Consent
}

// NewRecords reads rows of a file with mapping m and delimiter delim; o
// says what opt-outs in contact rows are recorded as.
func NewRecords(m Mapping, delim rune, o Options) *Records {
	m.delim = delim
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	return &Records{m: m, zones: zones{},
		optOut: model.Consent{State: model.ConsentOptedOut, Source: "import " + o.Source, At: o.Now.UTC()}}
}

// Account reads one account row; errs, when not empty, names each bad
// value, and the row is to be left out.
func (rs *Records) Account(row Row) (rec AccountRecord, errs []model.ImportError) {
	m := &rs.m
	rec = AccountRecord{Line: row.Line, Present: Present{index: m.index}}
	a := &rec.Account
	r := rowReader{m: m, row: row, zones: rs.zones}
	r.each(func(f, cell string) error {
		if placeholder(cell) && f != "name" && f != "crm_id" {
			return nil
		}
		switch f {
		case "crm_id":
			a.CRMID = text(cell)
		case "name":
			a.Name = text(cell)
		case "domain":
			d, err := domain(cell)
			if err != nil {
				return err
			}
			a.Domain = d
		case "industry":
			a.Industry = text(cell)
		case "employees":
			n, err := employees(cell, m.delim == ';')
			if err != nil {
				return err
			}
			a.Employees = &n
		case "annual_revenue":
			n, err := amount(cell, false, m.delim == ';')
			if err != nil {
				return fmt.Errorf("%w: write an amount like 1200000, $1,200,000 or 1.2M", err)
			}
			a.AnnualRevenue = &n
		case "country":
			a.Country = text(cell)
		case "region":
			a.Region = text(cell)
		case "city":
			a.City = text(cell)
		case "time_zone":
			v, err := r.zones.zone(cell)
			if err != nil {
				return err
			}
			a.TimeZone = v
		case "technologies":
			a.Technologies = technologies(cell)
			if len(a.Technologies) == 0 {
				return nil
			}
		case "owner":
			a.Owner = text(cell)
		case "status":
			st, err := model.ParseAccountStatus(cell)
			if err != nil {
				return fmt.Errorf("%s is not a status: use %s", quote(cell), names(model.AccountStatuses))
			}
			a.Status = st
		case "crm_tier":
			a.CRMTier = text(cell)
		case "do_not_contact":
			v, err := yes(cell)
			if err != nil || !v {
				return err
			}
			a.DoNotContact = true
		case "crm_url":
			a.CRMURL = text(cell)
		}
		rec.Present.add(f)
		return nil
	})
	return rec, r.errs
}

// Contacts reads contact rows. A full name fills first and last name when
// the row gives neither; a mobile number fills the phone when the row has
// none; a yes in an opt-out column opts the contact out of that channel,
// recorded as from "import <file>" (a no never opts anyone back in).
func Contacts(t *Table, m Mapping, o Options) ([]ContactRecord, []model.ImportError) {
	rs := NewRecords(m, t.Delimiter, o)
	out := make([]ContactRecord, 0, len(t.Rows))
	var errs []model.ImportError
	for _, row := range t.Rows {
		rec, rerrs := rs.Contact(row)
		if len(rerrs) > 0 {
			errs = append(errs, rerrs...)
			continue
		}
		out = append(out, rec)
	}
	return out, errs
}

// Contact reads one contact row; errs, when not empty, names each bad
// value, and the row is to be left out.
func (rs *Records) Contact(row Row) (rec ContactRecord, errs []model.ImportError) {
	m, optOut := &rs.m, rs.optOut
	rec = ContactRecord{Line: row.Line, Present: Present{index: m.index}}
	c := &rec.Contact
	var full, mobile string
	r := rowReader{m: m, row: row, zones: rs.zones}
	r.each(func(f, cell string) error {
		if placeholder(cell) && f != "name" && f != "first_name" && f != "last_name" && f != "crm_id" && f != "account" {
			return nil
		}
		switch f {
		case "crm_id":
			c.CRMID = text(cell)
		case "first_name":
			c.FirstName = text(cell)
		case "last_name":
			c.LastName = text(cell)
		case "name":
			full = cell
			return nil
		case "title":
			c.Title = text(cell)
		case "persona":
			p, err := persona(cell)
			if err != nil {
				return err
			}
			c.Persona = p
		case "seniority":
			s, err := seniority(cell)
			if err != nil {
				return err
			}
			c.Seniority = s
		case "email":
			e, err := email(cell)
			if err != nil {
				return err
			}
			c.Email = e
		case "phone":
			c.Phone = text(cell)
		case "mobile":
			mobile = text(cell)
			return nil
		case "phone_bad":
			v, err := yes(cell)
			if err != nil || !v {
				return err
			}
			c.PhoneBad = true
		case "linkedin_url":
			c.LinkedInURL = text(cell)
		case "time_zone":
			v, err := r.zones.zone(cell)
			if err != nil {
				return err
			}
			c.TimeZone = v
		case "account":
			rec.Account = text(cell)
		case "account_crm_id":
			rec.AccountCRMID = text(cell)
		case "account_domain":
			d, err := domain(cell)
			if err != nil {
				return err
			}
			rec.AccountDomain = d
		case "email_opt_out", "do_not_call", "linkedin_opt_out":
			v, err := yes(cell)
			if err != nil || !v {
				return err
			}
			ch := map[string]model.Channel{"email_opt_out": model.ChannelEmail, "do_not_call": model.ChannelCall, "linkedin_opt_out": model.ChannelLinkedIn}[f]
			c.Consent.Set(ch, optOut)
		}
		rec.Present.add(f)
		return nil
	})
	if full != "" && c.FirstName == "" && c.LastName == "" {
		c.FirstName, c.LastName = splitName(full)
		if c.FirstName != "" {
			rec.Present.add("first_name")
		}
		if c.LastName != "" {
			rec.Present.add("last_name")
		}
	}
	if mobile != "" && c.Phone == "" {
		c.Phone = mobile
		rec.Present.add("phone")
	}
	return rec, r.errs
}
