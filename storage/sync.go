package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shortlisthq/shortlist/model"
)

// The store side of a CRM sync (package sync's Store). Each pulled page is
// applied in one transaction together with the cursor that covers it, and
// each pushed batch's results in one transaction with the CRM ids they
// give, so a sync killed at any instant resumes where it stopped.

// Departed states of an account (accounts.departed).
const (
	inBook     = 0
	reassigned = 1
	deletedCRM = 2
)

// Held states of an outbox row (outbox.held).
const (
	heldRefused = 1
	heldGone    = 2
)

// SyncCursor reads a sync cursor (zero when never set).
func (db *DB) SyncCursor(ctx context.Context, key string) (time.Time, error) {
	v, err := db.meta(ctx, "sync."+key)
	if err != nil || v == "" {
		return time.Time{}, err
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("read sync cursor %s: %q is not a time", key, v)
	}
	return fromMS(n), nil
}

// pendingFor counts an account's unsynced local work: outbox rows not yet
// pushed (queued or held) for the account, its contacts, touches or tasks.
const pendingFor = `SELECT count(*) FROM outbox o WHERE o.pushed_at IS NULL AND (
	(o.kind IN ('touch.create', 'touch.update') AND o.entity_id IN (SELECT id FROM touches WHERE account_id = ?1)) OR
	(o.kind IN ('task.create', 'task.update') AND o.entity_id IN (SELECT id FROM tasks WHERE account_id = ?1)) OR
	(o.kind = 'account.update' AND o.entity_id = ?1) OR
	(o.kind = 'contact.update' AND o.entity_id IN (SELECT id FROM contacts WHERE account_id = ?1)))`

// ApplyCompanies writes one page of pulled companies and advances the
// cursor key to cursor, in one transaction: CRM values win for
// firmographics and ownership; accounts are scored with the profile and
// their tasks re-ranked; a status changed in the CRM since the last sync
// wins over a pending local change, which is dropped and reported. Changed
// companies are marked for their contacts and tasks to be pulled.
func (db *DB) ApplyCompanies(ctx context.Context, page []model.PulledCompany, cursorKey string, cursor time.Time) (model.SyncApplied, error) {
	var out model.SyncApplied
	err := db.withTx(ctx, "apply pulled companies", func(tx *sql.Tx) error {
		out = model.SyncApplied{}
		now := db.now()
		for _, pc := range page {
			if err := db.applyCompany(ctx, tx, pc, now, &out); err != nil {
				return err
			}
		}
		return setMeta(ctx, tx, "sync."+cursorKey, strconv.FormatInt(ms(cursor), 10))
	})
	return out, err
}

func sanitizeAccount(a *model.Account) {
	for _, s := range []*string{&a.CRMID, &a.Name, &a.Domain, &a.Industry, &a.Country, &a.Region, &a.City,
		&a.TimeZone, &a.Owner, &a.CRMTier, &a.CRMURL} {
		*s = model.Sanitize(*s)
	}
	for i := range a.Technologies {
		a.Technologies[i] = model.Sanitize(a.Technologies[i])
	}
}

func (db *DB) applyCompany(ctx context.Context, tx *sql.Tx, pc model.PulledCompany, now time.Time, out *model.SyncApplied) error {
	a := pc.Account
	sanitizeAccount(&a)
	if a.CRMID == "" {
		return errors.New("a pulled company has no CRM id")
	}
	remote := model.AccountStatus(model.Sanitize(string(a.Status)))
	if remote != "" && !validStatus(remote) {
		remote = "" // a value Shortlist does not know: leave the local one
	}
	var (
		tech               string
		id                 int64
		status, base       string
		modified, departed int64
		oldFit             int
		oldTier, oldName   string
	)
	read := func() error {
		return tx.QueryRowContext(ctx, `SELECT id, status, crm_status, crm_modified, departed, fit, tier, name, technologies
			FROM accounts WHERE crm_id = ?`, a.CRMID).Scan(&id, &status, &base, &modified, &departed, &oldFit, &oldTier, &oldName, &tech)
	}
	err := read()
	if errors.Is(err, sql.ErrNoRows) {
		linked, lerr := linkByDomain(ctx, tx, a)
		if lerr != nil {
			return lerr
		}
		if linked {
			err = read()
			out.Changes = append(out.Changes, model.SyncChange{Kind: model.ChangeLinked, Account: a.Name, CRMID: a.CRMID, AccountID: id})
		}
	}
	// Technologies nil: the CRM does not carry them (HubSpot has no such
	// property), so the book's own (from an import) stay and keep scoring.
	if err == nil && a.Technologies == nil {
		var jerr error
		if a.Technologies, jerr = parseTech(tech); jerr != nil {
			return fmt.Errorf("account %q technologies: %w", a.Name, jerr)
		}
	}
	fit, tier := db.opts.Profile.Rate(a)
	f := model.Fit{Score: fit, Tier: tier} // the number and tier; the words are built when shown
	if errors.Is(err, sql.ErrNoRows) {
		st := remote
		if st == "" {
			st = model.StatusTarget
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO accounts(crm_id, name, domain, industry, employees, annual_revenue,
			country, region, city, time_zone, technologies, owner, status, crm_tier, do_not_contact, crm_url, fit, tier,
			suggest_rank, updated_at, crm_status, crm_modified, pull_pending)
			VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)`,
			a.CRMID, a.Name, a.Domain, a.Industry, nullInt(a.Employees), nullInt(a.AnnualRevenue), a.Country, a.Region,
			a.City, a.TimeZone, techJSON(a.Technologies), a.Owner, string(st), a.CRMTier, b2i(a.DoNotContact), a.CRMURL,
			f.Score, string(f.Tier), db.suggestRank(f.Tier, f.Score), ms(now), string(remote), ms(pc.Modified))
		if err != nil {
			return fmt.Errorf("insert account %q: %w", a.Name, err)
		}
		out.Changed++
		newID, _ := res.LastInsertId()
		out.Changes = append(out.Changes, model.SyncChange{Kind: model.ChangeArrived, Account: a.Name, CRMID: a.CRMID, AccountID: newID})
		return nil
	}
	if err != nil {
		return err
	}
	if modified == ms(pc.Modified) && departed == inBook {
		return nil // pulled again (an overlapping page): nothing changed
	}
	newStatus := model.AccountStatus(status)
	if remote != "" && string(remote) != base && remote != newStatus {
		// The CRM changed the status since the last sync: it wins.
		var pending int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE kind = ? AND entity_id = ? AND pushed_at IS NULL`,
			opAccountUpdate, id).Scan(&pending); err != nil {
			return err
		}
		if pending > 0 {
			out.Conflicts = append(out.Conflicts, model.SyncConflict{Record: "account " + a.Name, Field: "status",
				CRM: string(remote), Local: status})
			if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE kind = ? AND entity_id = ? AND pushed_at IS NULL`,
				opAccountUpdate, id); err != nil {
				return err
			}
		}
		newStatus = remote
	}
	if remote != "" {
		base = string(remote)
	}
	switch {
	case departed != inBook:
		out.Changes = append(out.Changes, model.SyncChange{Kind: model.ChangeArrived, Account: a.Name, CRMID: a.CRMID, AccountID: id})
	case oldName != a.Name && oldName != "" && a.Name != "":
		out.Changes = append(out.Changes, model.SyncChange{Kind: model.ChangeRenamed, Account: a.Name, CRMID: a.CRMID, From: oldName, AccountID: id})
	}
	_, err = tx.ExecContext(ctx, `UPDATE accounts SET name = ?, domain = ?, industry = ?, employees = ?, annual_revenue = ?,
		country = ?, region = ?, city = ?, time_zone = ?, technologies = ?, owner = ?, status = ?, crm_tier = ?,
		do_not_contact = ?, crm_url = ?, fit = ?, tier = ?, suggest_rank = ?, updated_at = ?, crm_status = ?,
		crm_modified = ?, departed = 0, pull_pending = 1 WHERE id = ?`,
		a.Name, a.Domain, a.Industry, nullInt(a.Employees), nullInt(a.AnnualRevenue), a.Country, a.Region, a.City,
		a.TimeZone, techJSON(a.Technologies), a.Owner, string(newStatus), a.CRMTier, b2i(a.DoNotContact), a.CRMURL,
		f.Score, string(f.Tier), db.suggestRank(f.Tier, f.Score), ms(now), base, ms(pc.Modified), id)
	if err != nil {
		return fmt.Errorf("update account %q: %w", a.Name, err)
	}
	if f.Score != oldFit || string(f.Tier) != oldTier {
		if err := db.rerankAccountTasks(ctx, tx, id, f.Tier, f.Score); err != nil {
			return err
		}
	}
	out.Changed++
	return nil
}

// linkByDomain links a pulled company to an account kept here without a
// CRM id (loaded by hand, a demo one) under the same domain, in tx: the CRM
// now holds it, so it is that company, and the changes that waited for it
// go with this sync. It reports whether it linked one.
func linkByDomain(ctx context.Context, tx *sql.Tx, a model.Account) (bool, error) {
	d := strings.TrimSpace(a.Domain)
	if d == "" {
		return false, nil
	}
	var local int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM accounts WHERE crm_id IS NULL AND domain <> '' AND lower(domain) = lower(?)
		ORDER BY id LIMIT 1`, d).Scan(&local)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, "UPDATE accounts SET crm_id = ? WHERE id = ?", a.CRMID, local); err != nil {
		return false, err
	}
	return true, releaseWaiting(ctx, tx, local)
}

func validStatus(s model.AccountStatus) bool {
	for _, v := range model.AccountStatuses {
		if v == s {
			return true
		}
	}
	return false
}

// rerankAccountTasks refreshes the base rank of an account's open tasks
// after its fit or tier changed.
func (db *DB) rerankAccountTasks(ctx context.Context, tx *sql.Tx, accountID int64, tier model.Tier, fit int) error {
	for _, p := range []model.Priority{model.PriorityLow, model.PriorityMedium, model.PriorityHigh} {
		if _, err := tx.ExecContext(ctx, `UPDATE tasks SET base_rank = ? WHERE account_id = ? AND priority = ?
			AND status IN ('open', 'snoozed')`, db.ranker.BaseRank(tier, fit, p), accountID, string(p)); err != nil {
			return err
		}
	}
	return nil
}

// BookCompanyIDs lists the CRM ids of the accounts in the rep's book (not
// departed), in id order.
func (db *DB) BookCompanyIDs(ctx context.Context) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, "SELECT crm_id FROM accounts WHERE crm_id IS NOT NULL AND departed = 0 ORDER BY id")
	if err != nil {
		return nil, db.mapErr("list synced accounts", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, db.mapErr("list synced accounts", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, db.mapErr("list synced accounts", err)
	}
	return ids, nil
}

// ApplyDepartures takes companies that left the rep's book in the CRM out
// of the worklist, in one transaction. One with no unsynced local work is
// removed from the book; one reassigned with unsynced work stays (hidden)
// until that work is pushed (PurgeDeparted); one deleted in the CRM with
// unsynced work is kept and reported.
func (db *DB) ApplyDepartures(ctx context.Context, gone []model.DepartedCompany) (model.SyncApplied, error) {
	var out model.SyncApplied
	err := db.withTx(ctx, "apply departed companies", func(tx *sql.Tx) error {
		out = model.SyncApplied{}
		for _, d := range gone {
			var id int64
			var name string
			err := tx.QueryRowContext(ctx, "SELECT id, name FROM accounts WHERE crm_id = ?", d.CompanyID).Scan(&id, &name)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			var pending int
			if err := tx.QueryRowContext(ctx, pendingFor, id).Scan(&pending); err != nil {
				return err
			}
			out.Changed++
			// A departed account is out of the worklist: it is named, not
			// opened (AccountID 0).
			to := d.OwnerName // the new owner by name, else by id
			if to == "" {
				to = d.Owner
			}
			ch := model.SyncChange{Kind: model.ChangeReassigned, Account: name, CRMID: d.CompanyID, To: model.Sanitize(to)}
			if d.Deleted {
				ch = model.SyncChange{Kind: model.ChangeDeleted, Account: name, CRMID: d.CompanyID}
			}
			out.Changes = append(out.Changes, ch)
			if pending == 0 {
				if _, err := tx.ExecContext(ctx, "DELETE FROM accounts WHERE id = ?", id); err != nil {
					return err
				}
				continue
			}
			state, owner := reassigned, d.Owner
			if d.Deleted {
				state = deletedCRM
				out.Notes = append(out.Notes, fmt.Sprintf("account %s was deleted in the CRM: kept here with %d unsynced change(s)", name, pending))
			}
			if _, err := tx.ExecContext(ctx, "UPDATE accounts SET departed = ?, owner = coalesce(nullif(?, ''), owner), pull_pending = 0 WHERE id = ?",
				state, model.Sanitize(owner), id); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// PurgeDeparted removes departed accounts whose local work has all been
// pushed and that the rep has not touched today (in the rep's zone, at now),
// and returns how many. A touch of today stays in the book until tomorrow's
// sync, so the rep's "done today" never drops because a company was
// reassigned mid-day; the account is already off the worklist.
func (db *DB) PurgeDeparted(ctx context.Context, now time.Time) (int, error) {
	n := 0
	today := ms(startOfDay(now, db.zone))
	err := db.withTx(ctx, "remove departed accounts", func(tx *sql.Tx) error {
		n = 0
		rows, err := tx.QueryContext(ctx, `SELECT id FROM accounts a WHERE departed <> 0
			AND NOT EXISTS (SELECT 1 FROM touches t WHERE t.account_id = a.id AND t.at >= ?)`, today)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, id := range ids {
			var pending int
			if err := tx.QueryRowContext(ctx, pendingFor, id).Scan(&pending); err != nil {
				return err
			}
			if pending > 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM accounts WHERE id = ?", id); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// PullPending lists up to limit CRM ids of companies whose contacts and
// tasks are still to be pulled.
func (db *DB) PullPending(ctx context.Context, limit int) ([]string, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT crm_id FROM accounts WHERE pull_pending = 1 AND departed = 0
		AND crm_id IS NOT NULL ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, db.mapErr("list companies to pull", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, db.mapErr("list companies to pull", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, db.mapErr("list companies to pull", err)
	}
	return ids, nil
}

// PullPendingCount is how many companies' contacts and tasks are still to
// be pulled: the total the progress bar moves towards.
func (db *DB) PullPendingCount(ctx context.Context) (int, error) {
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM accounts WHERE pull_pending = 1 AND departed = 0
		AND crm_id IS NOT NULL`).Scan(&n)
	return n, db.mapErr("count companies to pull", err)
}

// ApplyContactsTasks writes the contacts and tasks pulled for companyIDs
// and clears their pull mark, in one transaction. Contacts are classified
// with the profile; an opt-out or a wrong-number flag on either side holds.
// A task whose operation id is a local task's is that task. CRM-side task
// changes win; a status changed on both sides keeps the CRM's and drops the
// pending local change, reported as a conflict.
func (db *DB) ApplyContactsTasks(ctx context.Context, companyIDs []string, contacts []model.PulledContact, tasks []model.PulledTask) (model.SyncApplied, error) {
	var out model.SyncApplied
	err := db.withTx(ctx, "apply pulled contacts and tasks", func(tx *sql.Tx) error {
		out = model.SyncApplied{}
		now := db.now()
		accountOf := bookAccounts(ctx, tx)
		if err := db.applyContacts(ctx, tx, contacts, accountOf, now, &out); err != nil {
			return err
		}
		for _, pt := range tasks {
			changed, err := db.applyTask(ctx, tx, pt, accountOf, now, &out)
			if err != nil {
				return err
			}
			if changed {
				out.Changed++
			}
		}
		for _, id := range companyIDs {
			if _, err := tx.ExecContext(ctx, "UPDATE accounts SET pull_pending = 0 WHERE crm_id = ?", id); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// ApplyContacts writes a page of contacts the CRM found by their own change
// (an opt-out made to a contact alone) and sets the cursor key to cursor, in
// one transaction, the way ApplyContactsTasks writes contacts: an opt-out on
// either side holds, and a contact none of whose companies is in the book is
// left out. An empty page just moves the cursor.
func (db *DB) ApplyContacts(ctx context.Context, contacts []model.PulledContact, cursorKey string, cursor time.Time) (model.SyncApplied, error) {
	var out model.SyncApplied
	err := db.withTx(ctx, "apply changed contacts", func(tx *sql.Tx) error {
		out = model.SyncApplied{}
		if err := db.applyContacts(ctx, tx, contacts, bookAccounts(ctx, tx), db.now(), &out); err != nil {
			return err
		}
		return setMeta(ctx, tx, "sync."+cursorKey, strconv.FormatInt(ms(cursor), 10))
	})
	return out, err
}

// bookAccounts returns a lookup of the local account id of a CRM company in
// the book (0 when it is not there), memoised for one transaction.
func bookAccounts(ctx context.Context, tx *sql.Tx) func(crmID string) (int64, error) {
	accounts := map[string]int64{}
	return func(crmID string) (int64, error) {
		if crmID == "" {
			return 0, nil
		}
		if id, ok := accounts[crmID]; ok {
			return id, nil
		}
		var id int64
		err := tx.QueryRowContext(ctx, "SELECT id FROM accounts WHERE crm_id = ? AND departed = 0", crmID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
		accounts[crmID] = id
		return id, err
	}
}

// applyContacts writes pulled contacts, each to the first of its companies
// that is in the book; those with none in the book are skipped.
func (db *DB) applyContacts(ctx context.Context, tx *sql.Tx, contacts []model.PulledContact, accountOf func(string) (int64, error), now time.Time, out *model.SyncApplied) error {
	for _, pc := range contacts {
		var acc int64
		for _, cid := range pc.CompanyIDs {
			id, err := accountOf(cid)
			if err != nil {
				return err
			}
			if id != 0 {
				acc = id
				break
			}
		}
		if acc == 0 {
			continue // none of its companies is in the book
		}
		changed, err := db.applyContact(ctx, tx, pc, acc, now)
		if err != nil {
			return err
		}
		if changed {
			out.Changed++
		}
		if _, err := UpsertSignals(ctx, tx, pc.Signals, now, out); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) applyContact(ctx context.Context, tx *sql.Tx, pc model.PulledContact, accountID int64, now time.Time) (bool, error) {
	c := pc.Contact
	for _, s := range []*string{&c.CRMID, &c.FirstName, &c.LastName, &c.Title, &c.Email, &c.Phone, &c.LinkedInURL, &c.TimeZone} {
		*s = model.Sanitize(*s)
	}
	if c.CRMID == "" {
		return false, errors.New("a pulled contact has no CRM id")
	}
	c.AccountID = accountID
	classify(db.opts.Profile, &c)
	level := db.opts.Profile.ContactLevel(c)
	var old model.Contact
	err := scanContact(tx.QueryRowContext(ctx, "SELECT "+contactCols+" FROM contacts c WHERE c.crm_id = ?", c.CRMID), &old)
	if errors.Is(err, sql.ErrNoRows) && strings.TrimSpace(c.Email) != "" {
		// A contact kept here without a CRM id, on the same account, with
		// the same address, is this one: linked, its waiting changes go.
		var local int64
		lerr := tx.QueryRowContext(ctx, `SELECT id FROM contacts WHERE crm_id IS NULL AND account_id = ? AND email <> ''
			AND lower(email) = lower(?) ORDER BY id LIMIT 1`, accountID, strings.TrimSpace(c.Email)).Scan(&local)
		switch {
		case lerr == nil:
			if _, err := tx.ExecContext(ctx, "UPDATE contacts SET crm_id = ? WHERE id = ?", c.CRMID, local); err != nil {
				return false, err
			}
			if err := releaseWaiting(ctx, tx, accountID); err != nil {
				return false, err
			}
			err = scanContact(tx.QueryRowContext(ctx, "SELECT "+contactCols+" FROM contacts c WHERE c.crm_id = ?", c.CRMID), &old)
		case !errors.Is(lerr, sql.ErrNoRows):
			return false, lerr
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		for _, ch := range model.ConsentChannels {
			if k := c.Consent.For(ch); k.OptedOut() && k.Source == "" {
				k.Source = "crm"
				c.Consent.Set(ch, k)
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO contacts(crm_id, account_id, first_name, last_name, title, persona,
			seniority, level, email, phone, phone_bad, linkedin_url, time_zone, consent_call, consent_call_source,
			consent_call_at, consent_email, consent_email_source, consent_email_at, consent_linkedin,
			consent_linkedin_source, consent_linkedin_at, updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			c.CRMID, accountID, c.FirstName, c.LastName, c.Title, string(c.Persona), string(c.Seniority), level, c.Email,
			c.Phone, b2i(c.PhoneBad), c.LinkedInURL, c.TimeZone,
			consentState(c.Consent.Call), c.Consent.Call.Source, ms(c.Consent.Call.At),
			consentState(c.Consent.Email), c.Consent.Email.Source, ms(c.Consent.Email.At),
			consentState(c.Consent.LinkedIn), c.Consent.LinkedIn.Source, ms(c.Consent.LinkedIn.At), ms(now))
		if err != nil {
			return false, fmt.Errorf("insert contact %q: %w", c.Name(), err)
		}
		return true, nil
	}
	if err != nil {
		return false, err
	}
	// An opt-out recorded on either side holds: restraint never reopens a
	// channel on its own.
	merged := old.Consent
	for _, ch := range model.ConsentChannels {
		if k := c.Consent.For(ch); k.OptedOut() && !merged.For(ch).OptedOut() {
			if k.Source == "" {
				k.Source = "crm"
			}
			if k.At.IsZero() {
				k.At = now
			}
			merged.Set(ch, k)
		}
	}
	c.Consent, c.PhoneBad = merged, c.PhoneBad || old.PhoneBad
	if old.AccountID == accountID && old.FirstName == c.FirstName && old.LastName == c.LastName && old.Title == c.Title &&
		old.Persona == c.Persona && old.Seniority == c.Seniority && old.Email == c.Email && old.Phone == c.Phone &&
		old.PhoneBad == c.PhoneBad && old.LinkedInURL == c.LinkedInURL && old.TimeZone == c.TimeZone && old.Consent == c.Consent {
		return false, nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE contacts SET account_id = ?, first_name = ?, last_name = ?, title = ?, persona = ?,
		seniority = ?, level = ?, email = ?, phone = ?, phone_bad = ?, linkedin_url = ?, time_zone = ?,
		consent_call = ?, consent_call_source = ?, consent_call_at = ?,
		consent_email = ?, consent_email_source = ?, consent_email_at = ?,
		consent_linkedin = ?, consent_linkedin_source = ?, consent_linkedin_at = ?, updated_at = ? WHERE id = ?`,
		accountID, c.FirstName, c.LastName, c.Title, string(c.Persona), string(c.Seniority), level, c.Email, c.Phone,
		b2i(c.PhoneBad), c.LinkedInURL, c.TimeZone,
		consentState(c.Consent.Call), c.Consent.Call.Source, ms(c.Consent.Call.At),
		consentState(c.Consent.Email), c.Consent.Email.Source, ms(c.Consent.Email.At),
		consentState(c.Consent.LinkedIn), c.Consent.LinkedIn.Source, ms(c.Consent.LinkedIn.At), ms(now), old.ID)
	if err != nil {
		return false, fmt.Errorf("update contact %q: %w", c.Name(), err)
	}
	if old.AccountID != accountID {
		// The contact moved company: its open tasks move with it.
		if _, err := tx.ExecContext(ctx, "UPDATE tasks SET account_id = ? WHERE contact_id = ?", accountID, old.ID); err != nil {
			return false, err
		}
	}
	c.ID = old.ID
	if err := db.closeRefused(ctx, tx, c, now); err != nil {
		return false, err
	}
	return true, nil
}

// closeRefused closes, as skipped, the contact's open Shortlist tasks that
// the one guard now refuses (an opt-out or a wrong number that arrived with
// a pull), so no follow-up Shortlist made earlier goes on to create
// outreach the buyer refused; tasks filed in the CRM stay, shown held.
func (db *DB) closeRefused(ctx context.Context, tx *sql.Tx, c model.Contact, now time.Time) error {
	rows, err := tx.QueryContext(ctx, "SELECT "+taskCols+` FROM tasks k WHERE k.contact_id = ? AND k.origin = 'local'
		AND k.status IN ('open', 'snoozed')`, c.ID)
	if err != nil {
		return err
	}
	var refused []model.Task
	for rows.Next() {
		var k model.Task
		if err := scanTask(rows, &k); err != nil {
			rows.Close()
			return err
		}
		if r := model.Guard(k.Kind, c, model.Account{}); r != nil && r.Reason != model.RefuseNoAddress {
			refused = append(refused, k)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, k := range refused {
		if err := db.closeTask(ctx, tx, &k, model.TaskSkipped, now, 0); err != nil {
			return err
		}
	}
	return nil
}

// taskState is a task's state as the CRM sees it: closed (done or
// skipped or superseded all write COMPLETED) or open.
func taskState(s model.TaskStatus) string {
	if s.Closed() {
		return "closed"
	}
	return "open"
}

func (db *DB) applyTask(ctx context.Context, tx *sql.Tx, pt model.PulledTask, accountOf func(string) (int64, error), now time.Time, out *model.SyncApplied) (bool, error) {
	k := pt.Task
	k.CRMID, k.Title = model.Sanitize(k.CRMID), model.Sanitize(k.Title)
	if k.CRMID == "" {
		return false, errors.New("a pulled task has no CRM id")
	}
	var contactID, contactAcc int64
	if pt.ContactID != "" {
		err := tx.QueryRowContext(ctx, "SELECT id, account_id FROM contacts WHERE crm_id = ?", pt.ContactID).Scan(&contactID, &contactAcc)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return false, err
		}
	}
	acc, err := accountOf(pt.CompanyID)
	if err != nil {
		return false, err
	}
	if contactAcc != 0 && (acc == 0 || acc != contactAcc) {
		acc = contactAcc // a task on a contact belongs to the contact's account
	}
	if acc == 0 {
		return false, nil // not in the book
	}
	if k.Priority == "" {
		k.Priority = model.PriorityMedium
	}
	if k.Kind == "" {
		k.Kind = model.TaskTodo
	}
	at := k.Due // the CRM's instant
	if k.DueHasTime {
		// The CRM keeps every due as an instant: noon UTC (as Shortlist
		// pushes a date) or midnight in the rep's zone is a date.
		k.Due, k.DueHasTime = model.DueFromCRM(k.Due, db.zone)
	}
	k = civilDue(k)
	remote := taskState(k.Status)

	// Find the local task: by CRM id, else by the operation id Shortlist
	// wrote when it created it (pushed before a crash, result unrecorded).
	var kr taskRow
	var base string
	err = tx.QueryRowContext(ctx, "SELECT "+taskCols+", k.crm_status FROM tasks k WHERE k.crm_id = ?", k.CRMID).
		Scan(append(kr.dest(), &base)...)
	if errors.Is(err, sql.ErrNoRows) && pt.OpID != "" {
		err = tx.QueryRowContext(ctx, `SELECT `+taskCols+`, k.crm_status FROM tasks k
			WHERE k.id = (SELECT entity_id FROM outbox WHERE op_id = ? AND kind = ?)`, pt.OpID, opTaskCreate).
			Scan(append(kr.dest(), &base)...)
		if err == nil {
			base = "open" // Shortlist created it open
			if _, err := tx.ExecContext(ctx, "UPDATE outbox SET pushed_at = ?, last_error = '' WHERE op_id = ? AND pushed_at IS NULL",
				ms(now), pt.OpID); err != nil {
				return false, err
			}
		}
	}
	tier, fit, terr := tierFit(ctx, tx, acc)
	if terr != nil {
		return false, terr
	}
	if errors.Is(err, sql.ErrNoRows) {
		if remote == "closed" {
			return false, nil // a task closed in the CRM that Shortlist never had
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO tasks(crm_id, account_id, contact_id, kind, title, due, due_has_time,
			priority, status, origin, created_at, base_rank, crm_status) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			k.CRMID, acc, nullID(contactID), string(k.Kind), k.Title, ms(k.Due), b2i(k.DueHasTime), string(k.Priority),
			string(model.TaskOpen), string(model.OriginCRM), ms(now), db.ranker.BaseRank(tier, fit, k.Priority), remote)
		if err != nil {
			return false, fmt.Errorf("insert task %q: %w", k.Title, err)
		}
		return true, nil
	}
	if err != nil {
		return false, err
	}
	old := kr.finish()
	if old.Status == model.TaskSnoozed && !old.SnoozedUntil.IsZero() && ms(at) == ms(old.SnoozedUntil) {
		// The push writes a snoozed task as due when the snooze ends: that
		// is the snooze coming back, not a new due date.
		k.Due, k.DueHasTime = old.Due, old.DueHasTime
	}
	if ms(model.DueToCRM(old)) == ms(at) || ms(old.Due) == ms(k.Due) {
		// The CRM stores every due as an instant; the instant Shortlist
		// would push is the same due (a timed one at noon UTC stays timed),
		// and a date-only one stays a date.
		k.Due, k.DueHasTime = old.Due, old.DueHasTime
	}
	status, closed, snoozed := old.Status, old.ClosedAt, old.SnoozedUntil
	if remote != base && remote != taskState(old.Status) {
		// Changed in the CRM since the last sync: the CRM wins.
		var pending int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM outbox WHERE kind = ? AND entity_id = ? AND pushed_at IS NULL",
			opTaskUpdate, old.ID).Scan(&pending); err != nil {
			return false, err
		}
		if pending > 0 {
			out.Conflicts = append(out.Conflicts, model.SyncConflict{Record: "task " + k.Title, Field: "status",
				CRM: remote, Local: string(old.Status)})
			if _, err := tx.ExecContext(ctx, "DELETE FROM outbox WHERE kind = ? AND entity_id = ? AND pushed_at IS NULL",
				opTaskUpdate, old.ID); err != nil {
				return false, err
			}
		}
		if remote == "closed" {
			status, closed, snoozed = model.TaskDone, now, time.Time{}
		} else {
			status, closed, snoozed = model.TaskOpen, time.Time{}, time.Time{}
		}
	}
	if old.CRMID == k.CRMID && base == remote && status == old.Status && old.Title == k.Title && old.Kind == k.Kind &&
		ms(old.Due) == ms(k.Due) && old.DueHasTime == k.DueHasTime && old.Priority == k.Priority &&
		old.AccountID == acc && old.ContactID == contactID {
		return false, nil
	}
	// Name what the CRM did to it, for the sync's summary: closed or
	// reopened there, or (still open) moved to another due.
	change := model.SyncChange{Task: k.Title, CRMID: k.CRMID, AccountID: acc}
	switch {
	case status != old.Status && status == model.TaskDone:
		change.Kind = model.ChangeTaskClosed
	case status != old.Status && status == model.TaskOpen:
		change.Kind = model.ChangeTaskReopened
	case !status.Closed() && (ms(old.Due) != ms(k.Due) || old.DueHasTime != k.DueHasTime):
		change.Kind = model.ChangeTaskMoved
		change.From, change.To = db.dueText(old.Due, old.DueHasTime), db.dueText(k.Due, k.DueHasTime)
	}
	if change.Kind != "" {
		if err := tx.QueryRowContext(ctx, "SELECT name FROM accounts WHERE id = ?", acc).Scan(&change.Account); err != nil {
			return false, err
		}
		out.Changes = append(out.Changes, change)
	}
	_, err = tx.ExecContext(ctx, `UPDATE tasks SET crm_id = ?, account_id = ?, contact_id = ?, kind = ?, title = ?, due = ?,
		due_has_time = ?, priority = ?, status = ?, closed_at = ?, snoozed_until = ?, base_rank = ?, crm_status = ? WHERE id = ?`,
		k.CRMID, acc, nullID(contactID), string(k.Kind), k.Title, ms(k.Due), b2i(k.DueHasTime), string(k.Priority),
		string(status), ms(closed), ms(snoozed), db.ranker.BaseRank(tier, fit, k.Priority), remote, old.ID)
	if err != nil {
		return false, fmt.Errorf("update task %q: %w", k.Title, err)
	}
	return true, nil
}

// dueText is a due as a sync change names it: its date in the book's zone,
// and the time when it has one.
func (db *DB) dueText(due time.Time, hasTime bool) string {
	if hasTime {
		return due.In(db.zone).Format("2006-01-02 15:04")
	}
	return due.In(db.zone).Format("2006-01-02")
}

// PendingOutbox returns up to limit queued (not held) outbox entries of a
// kind after afterID, oldest first, each with the records it concerns read
// as they are now. An entry whose record is gone has zero Touch/Task ID.
func (db *DB) PendingOutbox(ctx context.Context, kind model.OutboxKind, afterID int64, limit int) ([]model.OutboxEntry, error) {
	op := "read outbox"
	rows, err := db.sql.QueryContext(ctx, `SELECT id, op_id, kind, entity_id, attempts FROM outbox
		WHERE pushed_at IS NULL AND held = 0 AND kind = ? AND id > ? ORDER BY id LIMIT ?`, string(kind), afterID, limit)
	if err != nil {
		return nil, db.mapErr(op, err)
	}
	var out []model.OutboxEntry
	for rows.Next() {
		var e model.OutboxEntry
		if err := rows.Scan(&e.ID, &e.OpID, &e.Kind, &e.EntityID, &e.Attempts); err != nil {
			rows.Close()
			return nil, db.mapErr(op, err)
		}
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, db.mapErr(op, err)
	}
	ignoreMissing := func(err error) error {
		if errors.Is(err, model.ErrNotFound) {
			return nil
		}
		return err
	}
	for i := range out {
		e := &out[i]
		switch e.Kind {
		case model.OutboxTouchCreate, model.OutboxTaskCreate:
			if e.SentAt, err = sentAt(ctx, db.sql, e.OpID); err != nil {
				return nil, db.mapErr(op, err)
			}
		case model.OutboxTouchUpdate, model.OutboxTaskUpdate:
			create := opTaskCreate
			if e.Kind == model.OutboxTouchUpdate {
				create = opTouchCreate
			}
			if err := db.sql.QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM outbox WHERE kind = ? AND entity_id = ?
				AND pushed_at IS NULL AND held = 0)`, create, e.EntityID).Scan(&e.CreateQueued); err != nil {
				return nil, db.mapErr(op, err)
			}
		}
		var accountID, contactID int64
		switch e.Kind {
		case model.OutboxTouchCreate, model.OutboxTouchUpdate:
			t, err := db.touch(ctx, db.sql, e.EntityID)
			if err != nil {
				if err = ignoreMissing(err); err != nil {
					return nil, err
				}
				continue
			}
			e.Touch, accountID, contactID = t, t.AccountID, t.ContactID
		case model.OutboxTaskCreate, model.OutboxTaskUpdate:
			k, err := db.task(ctx, db.sql, e.EntityID)
			if err != nil {
				if err = ignoreMissing(err); err != nil {
					return nil, err
				}
				continue
			}
			e.Task, accountID, contactID = k, k.AccountID, k.ContactID
		case model.OutboxAccountUpdate:
			accountID = e.EntityID
		case model.OutboxContactUpdate:
			contactID = e.EntityID
		}
		if contactID != 0 {
			c, err := db.contact(ctx, db.sql, contactID)
			if err = ignoreMissing(err); err != nil {
				return nil, err
			}
			e.Contact = c
			if accountID == 0 {
				accountID = c.AccountID
			}
		}
		if accountID != 0 {
			a, err := db.account(ctx, db.sql, accountID)
			if err = ignoreMissing(err); err != nil {
				return nil, err
			}
			e.Account = a
		}
	}
	return out, nil
}

// RecordPush records what became of pushed outbox entries in one
// transaction: pushed (with the CRM id on the touch or task), queued again
// with the error, held back, gone, or skipped.
func (db *DB) RecordPush(ctx context.Context, results []model.PushOutcome) error {
	return db.withTx(ctx, "record pushed changes", func(tx *sql.Tx) error {
		now := ms(db.now())
		for _, r := range results {
			var kind string
			var entity int64
			err := tx.QueryRowContext(ctx, "SELECT kind, entity_id FROM outbox WHERE id = ?", r.EntryID).Scan(&kind, &entity)
			if errors.Is(err, sql.ErrNoRows) {
				continue // undone or dropped meanwhile
			}
			if err != nil {
				return err
			}
			msg := model.Sanitize(r.Error)
			if !r.Retry {
				// The outcome is known: nothing is in flight any more. (A
				// retry may follow a create that was applied, its link not.)
				if err := clearInFlight(ctx, tx, r.EntryID); err != nil {
					return err
				}
			}
			switch {
			case r.Skipped:
				_, err = tx.ExecContext(ctx, "UPDATE outbox SET pushed_at = ?, last_error = ? WHERE id = ?", now, msg, r.EntryID)
			case r.Gone:
				_, err = tx.ExecContext(ctx, "UPDATE outbox SET held = ?, attempts = attempts + 1, last_error = ? WHERE id = ?", heldGone, msg, r.EntryID)
			case r.Held:
				_, err = tx.ExecContext(ctx, "UPDATE outbox SET held = ?, attempts = attempts + 1, last_error = ? WHERE id = ?", heldRefused, msg, r.EntryID)
			case r.Waiting:
				_, err = tx.ExecContext(ctx, "UPDATE outbox SET held = ?, last_error = ? WHERE id = ?", heldWaiting, msg, r.EntryID)
			case r.Retry:
				_, err = tx.ExecContext(ctx, "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?", msg, r.EntryID)
			default:
				err = recordPushed(ctx, tx, r, kind, entity, now)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// queueNoteEditedInFlight queues a touch's note as an update when the rep
// edited it while its create was being pushed: the edit went into the
// pending create's payload after the sync had read it, so the CRM holds the
// note the create carried (r.Pushed), not the touch's.
func queueNoteEditedInFlight(ctx context.Context, tx *sql.Tx, r model.PushOutcome, touchID, now int64) error {
	var t model.Touch
	err := scanTouch(tx.QueryRowContext(ctx, "SELECT "+touchCols+" FROM touches t WHERE t.id = ?", touchID), &t)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && t.Note == r.Pushed) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read touch %d: %w", touchID, err)
	}
	return enqueue(ctx, tx, "", opTouchUpdate, touchID, t, time.UnixMilli(now), 0)
}

func recordPushed(ctx context.Context, tx *sql.Tx, r model.PushOutcome, kind string, entity, now int64) error {
	if _, err := tx.ExecContext(ctx, "UPDATE outbox SET pushed_at = ?, attempts = attempts + 1, last_error = '' WHERE id = ?", now, r.EntryID); err != nil {
		return err
	}
	crmID := model.Sanitize(r.CRMID)
	var err error
	switch kind {
	case opTouchCreate, opTaskCreate:
		if crmID == "" {
			return fmt.Errorf("outbox entry %d: a create pushed without the CRM's id", r.EntryID)
		}
	}
	switch kind {
	case opTouchCreate, opTaskCreate:
		// An update that waited because its record was not in the CRM
		// (its create held back) can go now.
		update := opTaskUpdate
		if kind == opTouchCreate {
			update = opTouchUpdate
		}
		if _, err := tx.ExecContext(ctx, "UPDATE outbox SET held = 0 WHERE held = ? AND pushed_at IS NULL AND kind = ? AND entity_id = ?",
			heldWaiting, update, entity); err != nil {
			return err
		}
	}
	switch kind {
	case opTouchCreate:
		if _, err = tx.ExecContext(ctx, "UPDATE touches SET crm_id = ?, synced = 1 WHERE id = ?", crmID, entity); err != nil {
			return err
		}
		err = queueNoteEditedInFlight(ctx, tx, r, entity, now)
	case opTaskCreate:
		_, err = tx.ExecContext(ctx, "UPDATE tasks SET crm_id = ?, crm_status = 'open' WHERE id = ?", crmID, entity)
	case opTaskUpdate:
		if r.Pushed != "" {
			_, err = tx.ExecContext(ctx, "UPDATE tasks SET crm_status = ? WHERE id = ?", taskState(model.TaskStatus(r.Pushed)), entity)
		}
	case opAccountUpdate:
		if r.Pushed != "" {
			_, err = tx.ExecContext(ctx, "UPDATE accounts SET crm_status = ? WHERE id = ?", r.Pushed, entity)
		}
	}
	return err
}

// OutboxCounts reports how many outbox entries are queued and how many are
// held back (refused by the CRM, or referring to a record deleted there).
func (db *DB) OutboxCounts(ctx context.Context) (queued, held int, err error) {
	err = db.sql.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE held = 0), count(*) FILTER (WHERE held <> 0)
		FROM outbox WHERE pushed_at IS NULL`).Scan(&queued, &held)
	if err != nil {
		return 0, 0, db.mapErr("count outbox", err)
	}
	return queued, held, nil
}

// MarkBookForPull marks every account in the book for its contacts and
// tasks to be pulled again and sets the cursor key to at, in one
// transaction: the periodic sweep that catches changes the CRM made to a
// contact alone (an opt-out) without touching its company.
func (db *DB) MarkBookForPull(ctx context.Context, cursorKey string, at time.Time) error {
	return db.withTx(ctx, "mark the book for a full pull", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE accounts SET pull_pending = 1 WHERE departed = 0 AND crm_id IS NOT NULL AND pull_pending = 0"); err != nil {
			return err
		}
		return setMeta(ctx, tx, "sync."+cursorKey, strconv.FormatInt(ms(at), 10))
	})
}

// pendingForContact counts a contact's unsynced local work: outbox rows not
// yet pushed (queued or held) for the contact, its touches or its tasks.
const pendingForContact = `SELECT count(*) FROM outbox o WHERE o.pushed_at IS NULL AND (
	(o.kind IN ('touch.create', 'touch.update') AND o.entity_id IN (SELECT id FROM touches WHERE contact_id = ?1)) OR
	(o.kind IN ('task.create', 'task.update') AND o.entity_id IN (SELECT id FROM tasks WHERE contact_id = ?1)) OR
	(o.kind = 'contact.update' AND o.entity_id = ?1))`

// DropDetachedContacts removes from the book the contacts the CRM no longer
// holds under any company of the book: those with a CRM id, on an account
// in the book, that are not in seen (every CRM contact id a full pull of
// the whole book's companies just returned: a contact deleted in the CRM or
// detached from every book company is missing). One with unsynced local
// work is kept and reported; one touched within the touch-budget window
// (or today) is kept until a later sweep, so removing its touches never
// reopens a budget. It works in one transaction and counts removed
// contacts as changed.
func (db *DB) DropDetachedContacts(ctx context.Context, seen []string, now time.Time) (model.SyncApplied, error) {
	in := make(map[string]bool, len(seen))
	for _, id := range seen {
		in[id] = true
	}
	since := startOfDay(now, db.zone)
	if w := now.Add(-db.opts.Settings.Budget.Window); w.Before(since) {
		since = w
	}
	var out model.SyncApplied
	err := db.withTx(ctx, "remove contacts detached in the CRM", func(tx *sql.Tx) error {
		out = model.SyncApplied{}
		rows, err := tx.QueryContext(ctx, `SELECT c.id, c.crm_id, c.first_name, c.last_name, a.name FROM contacts c
			JOIN accounts a ON a.id = c.account_id WHERE c.crm_id IS NOT NULL AND a.departed = 0`)
		if err != nil {
			return err
		}
		type gone struct {
			id                   int64
			first, last, account string
		}
		var missing []gone
		for rows.Next() {
			var g gone
			var crmID string
			if err := rows.Scan(&g.id, &crmID, &g.first, &g.last, &g.account); err != nil {
				rows.Close()
				return err
			}
			if !in[crmID] {
				missing = append(missing, g)
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, g := range missing {
			var pending, recent int
			if err := tx.QueryRowContext(ctx, pendingForContact, g.id).Scan(&pending); err != nil {
				return err
			}
			if pending > 0 {
				name := model.Contact{FirstName: g.first, LastName: g.last}.Name()
				out.Notes = append(out.Notes, fmt.Sprintf("contact %s (%s) was deleted or detached in the CRM: kept here with %d unsynced change(s)", name, g.account, pending))
				continue
			}
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM touches WHERE contact_id = ? AND at >= ?", g.id, ms(since)).Scan(&recent); err != nil {
				return err
			}
			if recent > 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM contacts WHERE id = ?", g.id); err != nil {
				return err
			}
			out.Changed++
		}
		return nil
	})
	return out, err
}
