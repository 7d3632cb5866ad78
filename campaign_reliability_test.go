//go:build reliability

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shortlisthq/shortlist/model"
	"github.com/shortlisthq/shortlist/storage"
	"github.com/shortlisthq/shortlist/sync/hubspottest"
)

// TestReliabilityHubSpotCampaign is issue 13's campaign, run against the
// built binary and a HubSpot test server: a morning of 100 mixed actions
// (a log of every outcome on every channel, done, skip, snooze, note
// edits, meetings booked with a time, opt-outs on each channel, wrong
// numbers) with `shortlist sync` run between them under random faults
// (resets, resets after the write was applied, truncated replies, 429s,
// 5xx) and SIGKILLed at random instants 30 times, plus a second sync
// started while one runs (refused, exit 1, nothing sent). Afterwards, once
// the faults stop and a sync has gone clean: each touch is in the CRM
// exactly once, as its engagement type, with its contact and company; each
// task's state and due date in the CRM match the book; every opt-out and
// wrong number is set on the CRM contact; and nothing is left queued
// without a reason (`shortlist outbox --json`).
//
// The portal accepts the unique op-id property on engagements (the upsert
// path), so a sync after a kill does not wait out HubSpot's 10 s search lag
// for what was in flight and 30 kills fit in CI; the search-before-create
// path after a kill is TestKillRightAfterCreate's (sync package, fake clock).
func TestReliabilityHubSpotCampaign(t *testing.T) {
	start := time.Now()
	bin, env, dir := relBin(t)
	book := filepath.Join(dir, "book.db")
	srv := hubspottest.NewServer(hubspottest.Options{RateLimit: -1, SearchPerSecond: -1, UniqueOnEngagements: true})
	defer srv.Close()
	const email = "rita.rep@campaign.example"
	owner := srv.AddOwner(email, "Rita", "Rep")
	// Eight companies of three contacts; an open CRM task on each of the
	// first two contacts of each company (16 tasks the rep can work).
	due := time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
	for i := range 8 {
		co := srv.Put("companies", map[string]string{"name": fmt.Sprintf("Campaign Co %d", i), "domain": fmt.Sprintf("co%d.example", i),
			"industry": "Software", "numberofemployees": "400", "country": "US", "timezone": "America/New_York", "hubspot_owner_id": owner})
		for j := range 3 {
			ct := srv.Put("contacts", map[string]string{"firstname": fmt.Sprintf("Ann%d", j), "lastname": fmt.Sprintf("Lee%d", i),
				"jobtitle": "VP Sales", "email": fmt.Sprintf("c%d.%d@co%d.example", i, j, i), "phone": fmt.Sprintf("+1 212 555 %02d%02d", i, j),
				"hs_linkedin_url": fmt.Sprintf("https://www.linkedin.com/in/ann-%d-%d", i, j), "hubspot_owner_id": owner})
			if err := srv.Associate("contacts", ct, "companies", co); err != nil {
				t.Fatal(err)
			}
			if j < 2 {
				tk := srv.Put("tasks", map[string]string{"hs_task_subject": fmt.Sprintf("Call Ann%d Lee%d", j, i), "hs_task_status": "NOT_STARTED",
					"hs_task_type": "CALL", "hs_task_priority": "MEDIUM", "hs_timestamp": due, "hubspot_owner_id": owner})
				srv.Associate("tasks", tk, "contacts", ct)
				srv.Associate("tasks", tk, "companies", co)
			}
		}
	}
	env = append(env, "SHORTLIST_HUBSPOT_TOKEN="+srv.Token(), "SHORTLIST_HUBSPOT_BASE_URL="+srv.URL(),
		"SHORTLIST_HUBSPOT_OWNER_EMAIL="+email)
	cli := func(args ...string) result {
		t.Helper()
		return runBin(t, bin, env, append([]string{"--db", book}, args...)...)
	}
	if r := cli("sync"); r.code != 0 {
		t.Fatalf("first sync: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	db := rawDB(t, book)
	contacts := ids(t, db, `SELECT id FROM contacts ORDER BY id`)
	if len(contacts) != 24 || scalar(t, db, `SELECT count(*) FROM tasks WHERE status = 'open' AND crm_id IS NOT NULL`) != 16 {
		t.Fatalf("the first sync brought %d contacts and %d open CRM tasks", len(contacts),
			scalar(t, db, `SELECT count(*) FROM tasks WHERE status = 'open' AND crm_id IS NOT NULL`))
	}

	// Random faults from here on, each a rate over the requests it matches;
	// the adapter's own retries and backoff meet them.
	faults := []hubspottest.Fault{
		{Kind: hubspottest.FaultReset, Times: -1, Chance: 0.02, Seed: 1},
		{Kind: hubspottest.FaultResetAfterApply, Method: "POST", Times: -1, Chance: 0.03, Seed: 2},
		{Kind: hubspottest.FaultResetAfterApply, Method: "PATCH", Times: -1, Chance: 0.03, Seed: 3},
		{Kind: hubspottest.FaultTruncated, Times: -1, Chance: 0.02, Seed: 4},
		{Kind: hubspottest.FaultRateLimit, Policy: "SECONDLY", Times: -1, Chance: 0.015, Seed: 5},
		{Kind: hubspottest.FaultStatus, Code: 503, Times: -1, Chance: 0.02, Seed: 6},
		{Kind: hubspottest.FaultStatus, Code: 500, Method: "POST", Times: -1, Chance: 0.02, Seed: 7},
		{Kind: hubspottest.FaultStatus, Code: 502, Times: -1, Chance: 0.01, Seed: 8},
	}
	for _, f := range faults {
		srv.Inject(f)
	}

	rng := rand.New(rand.NewPCG(13, 13))
	// The morning: every outcome on every channel once (66 logs), shuffled
	// among done, skip, snooze, note edits and logs that work a task.
	type action struct {
		kind    string // log, work, done, skip, snooze, edit
		channel model.Channel
		outcome model.Outcome
	}
	var plan []action
	for _, ch := range model.Channels {
		for _, o := range model.Outcomes {
			plan = append(plan, action{kind: "log", channel: ch, outcome: o})
		}
	}
	for kind, n := range map[string]int{"done": 8, "skip": 6, "snooze": 6, "edit": 8, "work": 6} {
		for range n {
			plan = append(plan, action{kind: kind})
		}
	}
	rng.Shuffle(len(plan), func(i, j int) { plan[i], plan[j] = plan[j], plan[i] })
	if len(plan) != 100 {
		t.Fatalf("the morning has %d actions, want 100", len(plan))
	}

	// Opt-outs and wrong numbers fall on contacts the log no longer calls,
	// emails or messages on that channel afterwards (a rep would not), so
	// each channel's log goes to a contact who accepts it.
	optedOut := map[int64]map[model.Channel]bool{}
	phoneBad := map[int64]bool{}
	accepts := func(c int64, ch model.Channel) bool {
		if optedOut[c][ch] {
			return false
		}
		return ch != model.ChannelCall || !phoneBad[c]
	}
	next := 0
	pickContact := func(ch model.Channel) int64 {
		for range len(contacts) {
			c := contacts[next%len(contacts)]
			next++
			if accepts(c, ch) {
				return c
			}
		}
		t.Fatalf("no contact accepts a %s", ch)
		return 0
	}
	openTask := func() (int64, bool) {
		open := ids(t, db, `SELECT id FROM tasks WHERE status = 'open' ORDER BY id`)
		if len(open) == 0 {
			return 0, false
		}
		return open[rng.IntN(len(open))], true
	}
	var logged []int64 // touch ids the binary printed
	counts := map[string]int{}
	logTouch := func(a action, c, task int64) {
		t.Helper()
		note := fmt.Sprintf("campaign %s %s on %d, #%d.", a.outcome, a.channel, c, counts["logs"])
		args := []string{"log", "--contact", strconv.FormatInt(c, 10), "--channel", string(a.channel),
			"--outcome", string(a.outcome), "--note", note, "--json"}
		if task != 0 {
			args = append(args, "--task", strconv.FormatInt(task, 10))
		}
		if a.outcome == model.OutcomeMeetingBooked { // the CLI asks when it is
			args = append(args, "--meeting", fmt.Sprintf("tomorrow %d:30", 9+counts["booked with a time"]%7))
			counts["booked with a time"]++
		}
		r := cli(args...)
		if r.code != 0 {
			t.Fatalf("log %v: exit %d\n%s%s", args, r.code, r.out, r.errOut)
		}
		var res struct {
			Touch struct {
				ID int64 `json:"id"`
			} `json:"touch"`
		}
		if err := json.Unmarshal([]byte(r.out), &res); err != nil || res.Touch.ID == 0 {
			t.Fatalf("log --json: %v\n%s", err, r.out)
		}
		logged = append(logged, res.Touch.ID)
		if a.outcome == model.OutcomeOptedOut && slices.Contains(model.ConsentChannels, a.channel) {
			if optedOut[c] == nil {
				optedOut[c] = map[model.Channel]bool{}
			}
			optedOut[c][a.channel] = true
			counts["opt-outs"]++
		}
		if a.outcome == model.OutcomeWrongNumber {
			phoneBad[c] = true
		}
		counts["logs"]++
	}
	doAction := func(a action) {
		t.Helper()
		switch a.kind {
		case "log":
			logTouch(a, pickContact(a.channel), 0)
		case "work":
			// Work an open call task of a contact who can still be called.
			open := ids(t, db, `SELECT id FROM tasks WHERE status = 'open' AND contact_id IS NOT NULL ORDER BY id`)
			for _, k := range open {
				var c int64
				db.QueryRow(`SELECT contact_id FROM tasks WHERE id = ?`, k).Scan(&c)
				if accepts(c, model.ChannelCall) {
					logTouch(action{channel: model.ChannelCall, outcome: model.OutcomeConnected}, c, k)
					counts["tasks worked"]++
					return
				}
			}
			logTouch(action{channel: model.ChannelNote, outcome: model.OutcomeConnected}, pickContact(model.ChannelNote), 0)
		case "done", "skip", "snooze":
			k, ok := openTask()
			if !ok {
				logTouch(action{channel: model.ChannelNote, outcome: model.OutcomeSent}, pickContact(model.ChannelNote), 0)
				return
			}
			args := []string{a.kind, strconv.FormatInt(k, 10)}
			if a.kind == "snooze" {
				args = append(args, "--until", []string{"tomorrow", "+2", "+3"}[rng.IntN(3)])
			}
			if r := cli(args...); r.code != 0 {
				t.Fatalf("%v: exit %d\n%s%s", args, r.code, r.out, r.errOut)
			}
			counts[a.kind]++
		case "edit":
			if len(logged) == 0 {
				logTouch(action{channel: model.ChannelEmail, outcome: model.OutcomeSent}, pickContact(model.ChannelEmail), 0)
				return
			}
			// The TUI's note edit, through the store it calls.
			id := logged[rng.IntN(len(logged))]
			s, err := storage.Open(context.Background(), book, storage.Options{})
			if err != nil {
				t.Fatal(err)
			}
			err = s.EditTouchNote(context.Background(), id, fmt.Sprintf("campaign edit %d of touch %d.", counts["note edits"], id))
			s.Close()
			if err != nil {
				t.Fatalf("edit the note of touch %d: %v", id, err)
			}
			counts["note edits"]++
		}
	}

	// A manager works the rep's HubSpot tasks too: completes one, moves
	// one three days on and deletes one, each open in the book.
	managed := map[string]string{} // CRM task id → what the manager did
	managerEdits := func() {
		t.Helper()
		open := map[string]bool{}
		for _, id := range ids(t, db, `SELECT CAST(crm_id AS INTEGER) FROM tasks WHERE status = 'open' AND origin = 'crm'`) {
			open[strconv.FormatInt(id, 10)] = true
		}
		var picked []hubspottest.Object
		for _, o := range srv.List("tasks") {
			if open[o.ID] && managed[o.ID] == "" && o.Properties["hs_task_status"] == "NOT_STARTED" && len(picked) < 3 {
				picked = append(picked, o)
			}
		}
		if len(picked) < 3 {
			t.Fatalf("only %d open CRM tasks for the manager", len(picked))
		}
		moved := time.UnixMilli(msOf(picked[1].Properties["hs_timestamp"])).Add(72 * time.Hour)
		if srv.Update("tasks", picked[0].ID, map[string]string{"hs_task_status": "COMPLETED"}) != nil ||
			srv.Update("tasks", picked[1].ID, map[string]string{"hs_timestamp": moved.UTC().Format(time.RFC3339)}) != nil ||
			srv.Archive("tasks", picked[2].ID) != nil {
			t.Fatal("the manager's edits failed")
		}
		managed[picked[0].ID], managed[picked[1].ID], managed[picked[2].ID] = "completed", "moved", "deleted"
	}

	// A sync killed at a random instant; one not killed in time ends on
	// its own, ok or with one clean line.
	var kills, pushKills, finished, failed int
	var failures []string
	isWrite := func(r hubspottest.Request) bool {
		return r.Method == "POST" && (strings.HasSuffix(r.Path, "/batch/upsert") || strings.HasSuffix(r.Path, "/batch/update") ||
			strings.HasSuffix(r.Path, "/batch/create") || strings.Contains(r.Path, "/communication-preferences/"))
	}
	// killableSync runs a sync and kills it: at a random instant within
	// (0: never), or when atWrite, a random 0–150 ms after its first write
	// reaches the server (so half the kills land while it pushes).
	killableSync := func(within time.Duration, atWrite bool) {
		t.Helper()
		cmd := exec.Command(bin, "--db", book, "sync")
		cmd.Env = env
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		seen := len(srv.Requests())
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var fire <-chan time.Time
		if within > 0 {
			fire = time.After(time.Duration(rng.Int64N(int64(within))))
		}
		poll := time.NewTicker(2 * time.Millisecond)
		defer poll.Stop()
		var werr error
	wait:
		for {
			select {
			case werr = <-done:
				break wait
			case <-fire:
				cmd.Process.Signal(syscall.SIGKILL)
				werr = <-done
				break wait
			case <-poll.C:
				if atWrite && fire == nil && slices.ContainsFunc(srv.Requests()[seen:], isWrite) {
					fire = time.After(time.Duration(rng.Int64N(int64(150 * time.Millisecond))))
				}
			}
		}
		var ee *exec.ExitError
		switch {
		case errors.As(werr, &ee) && ee.Sys().(syscall.WaitStatus).Signaled():
			kills++
			if slices.ContainsFunc(srv.Requests()[seen:], isWrite) {
				pushKills++ // killed once it had begun to write
			}
		case werr == nil:
			finished++
		default:
			failed++
			line := strings.TrimSpace(errOut.String())
			if strings.Count(line, "\n") > 0 || line == "" {
				t.Errorf("a failed sync said %q: want one line", line)
			}
			failures = append(failures, line)
		}
	}

	// How long a sync with work to push takes here, to spread the kills
	// over the whole of one.
	for _, a := range plan[:3] {
		doAction(a)
	}
	t0 := time.Now()
	cli("sync")
	window := max(time.Since(t0)*2/3, 300*time.Millisecond)
	concurrent := false
	slot := 0
	syncSlot := func() {
		// One sync in twelve runs to its end (ok, or failed under a fault
		// with one line); the rest are killed, two in three somewhere in a
		// sync's span, one in three just after it begins to write.
		// (Each process checks its properties and association labels
		// anew, ~35 requests for a sync that pushes, and the binary keeps
		// to 90 requests per 10 s: the run's time is its requests.)
		slot++
		switch {
		case slot%12 == 0:
			killableSync(0, false)
		case slot%3 == 0:
			killableSync(0, true)
		default:
			killableSync(window, false)
		}
	}
	for i, a := range plan[3:] {
		doAction(a)
		if i%3 == 2 && kills < 30 {
			syncSlot()
		}
		if i == 50 {
			concurrentSyncs(t, bin, env, book, srv)
			concurrent = true
		}
		if i == 30 || i == 70 {
			managerEdits()
		}
	}
	for kills < 30 {
		syncSlot()
	}
	if !concurrent {
		t.Fatal("the concurrent syncs never ran")
	}

	// The faults stop; syncs until one goes clean and has nothing left.
	faulted := 0
	for _, r := range srv.Requests() {
		if r.Faulted {
			faulted++
		}
	}
	srv.ClearFaults()
	before := 0 // engagements and tasks already in the CRM when the faults stop
	for _, typ := range []string{"calls", "emails", "communications", "meetings", "notes", "tasks"} {
		for _, o := range srv.List(typ) {
			if o.Properties["shortlist_op_id"] != "" {
				before++
			}
		}
	}
	clean := false
	for range 3 {
		r := cli("sync", "--json")
		var rep struct {
			Pushed  int `json:"pushed"`
			Pending int `json:"pending"`
		}
		if r.code == 0 && json.Unmarshal([]byte(r.out), &rep) == nil && rep.Pending == 0 {
			clean = true
			break
		}
		t.Logf("a sync after the faults: exit %d %s%s", r.code, r.out, r.errOut)
	}
	if !clean {
		t.Fatal("no clean sync after the faults stopped")
	}
	bookCheck(t, book)

	// Each touch exactly once, as its engagement, with both associations.
	engagements := []string{"calls", "emails", "communications", "meetings", "notes"}
	byOp := map[string][]hubspottest.Object{}
	typeOf := map[string]string{}
	for _, typ := range engagements {
		for _, o := range srv.List(typ) {
			if op := o.Properties["shortlist_op_id"]; op != "" && !o.Archived {
				byOp[op] = append(byOp[op], o)
				typeOf[o.ID] = typ
			}
		}
	}
	rows, err := db.Query(`SELECT t.op_id, coalesce(t.crm_id, ''), t.channel, t.outcome, t.note, t.meeting_at,
		coalesce(c.crm_id, ''), coalesce(a.crm_id, '') FROM touches t JOIN contacts c ON c.id = t.contact_id
		JOIN accounts a ON a.id = t.account_id WHERE t.origin = 'local' ORDER BY t.id`)
	if err != nil {
		t.Fatal(err)
	}
	touches, dups, scheduled := 0, 0, 0
	for rows.Next() {
		var op, crmID, ch, outcome, note, contactCRM, companyCRM string
		var meetingAt int64
		if err := rows.Scan(&op, &crmID, &ch, &outcome, &note, &meetingAt, &contactCRM, &companyCRM); err != nil {
			t.Fatal(err)
		}
		touches++
		found := byOp[op]
		if len(found) != 1 {
			if len(found) > 1 {
				dups += len(found) - 1
			}
			t.Errorf("touch %s (%s %s) is in the CRM %d times", op, ch, outcome, len(found))
			continue
		}
		o := found[0]
		want := map[string]string{"call": "calls", "email": "emails", "linkedin": "communications", "meeting": "meetings",
			"visit": "meetings", "note": "notes"}[ch]
		if model.Outcome(outcome) == model.OutcomeMeetingBooked && meetingAt != 0 {
			want = "meetings"
			scheduled++
			if o.Properties["hs_meeting_outcome"] != "SCHEDULED" || msOf(o.Properties["hs_meeting_start_time"]) != meetingAt {
				t.Errorf("booked meeting %s: outcome %q start %q, want SCHEDULED at %d", op, o.Properties["hs_meeting_outcome"],
					o.Properties["hs_meeting_start_time"], meetingAt)
			}
		}
		if typeOf[o.ID] != want || o.ID != crmID {
			t.Errorf("touch %s (%s %s): in the CRM as %s %s, want %s %s", op, ch, outcome, typeOf[o.ID], o.ID, want, crmID)
		}
		if !slices.Equal(srv.AssociatedIDs(want, o.ID, "contacts"), []string{contactCRM}) ||
			!slices.Equal(srv.AssociatedIDs(want, o.ID, "companies"), []string{companyCRM}) {
			t.Errorf("touch %s: associated with contacts %v and companies %v, want %s and %s", op,
				srv.AssociatedIDs(want, o.ID, "contacts"), srv.AssociatedIDs(want, o.ID, "companies"), contactCRM, companyCRM)
		}
		if !engagementHolds(o, note) {
			t.Errorf("touch %s: the CRM's text does not hold the book's note %q: %v", op, note, o.Properties)
		}
	}
	rows.Close()
	if len(byOp) != touches {
		t.Errorf("the CRM holds %d engagements from Shortlist, the book %d touches", len(byOp), touches)
	}

	// Each task's state and due date as in the book; each local task once.
	crmTasks := map[string]hubspottest.Object{}
	taskOps := map[string]int{}
	for _, o := range srv.List("tasks") {
		if !o.Archived {
			crmTasks[o.ID] = o
			if op := o.Properties["shortlist_op_id"]; op != "" {
				taskOps[op]++
			}
		}
	}
	for id, what := range managed {
		var status string
		db.QueryRow(`SELECT status FROM tasks WHERE crm_id = ?`, id).Scan(&status)
		if want := map[string]string{"completed": "done", "deleted": "skipped"}[what]; want != "" && status != want {
			t.Errorf("the task the manager %s in HubSpot is %s in the book, want %s", what, status, want)
		}
	}
	rows, err = db.Query(`SELECT k.id, coalesce(k.crm_id, ''), k.status, k.due, k.due_has_time, k.snoozed_until,
		coalesce((SELECT op_id FROM outbox o WHERE o.kind = 'task.create' AND o.entity_id = k.id), '') FROM tasks k ORDER BY k.id`)
	if err != nil {
		t.Fatal(err)
	}
	tasks, taskDups := 0, 0
	for rows.Next() {
		var id, due, snoozed int64
		var crmID, status, op string
		var hasTime bool
		if err := rows.Scan(&id, &crmID, &status, &due, &hasTime, &snoozed, &op); err != nil {
			t.Fatal(err)
		}
		tasks++
		if op != "" && taskOps[op] > 1 {
			taskDups += taskOps[op] - 1
			t.Errorf("task %d is in the CRM %d times", id, taskOps[op])
		}
		if crmID == "" {
			if op != "" && taskOps[op] > 0 {
				t.Errorf("task %d is in the CRM but the book does not know it", id)
			}
			if status == "open" || status == "snoozed" {
				t.Errorf("task %d is %s and not in the CRM", id, status)
			}
			continue
		}
		o, ok := crmTasks[crmID]
		if !ok {
			if gone, held := srv.Get("tasks", crmID); held && gone.Archived && status == "skipped" {
				continue // deleted in the CRM: off the list here, kept
			}
			t.Errorf("task %d (%s): %s is not in the CRM", id, status, crmID)
			continue
		}
		wantStatus, wantDue := "COMPLETED", int64(0)
		switch status {
		case "open":
			// A date-only due is a civil date, which the CRM holds as noon
			// UTC of that day (model.DueToCRM).
			wantStatus, wantDue = "NOT_STARTED", model.DueToCRM(model.Task{Due: time.UnixMilli(due).UTC(), DueHasTime: hasTime}).UnixMilli()
		case "snoozed":
			wantStatus, wantDue = "NOT_STARTED", snoozed
		}
		if o.Properties["hs_task_status"] != wantStatus || (wantDue != 0 && msOf(o.Properties["hs_timestamp"]) != wantDue) {
			t.Errorf("task %d (%s, due %d): the CRM has %s due %s", id, status, wantDue, o.Properties["hs_task_status"], o.Properties["hs_timestamp"])
		}
	}
	rows.Close()

	// Every opt-out and wrong number on the CRM contact.
	rows, err = db.Query(`SELECT coalesce(crm_id, ''), email, consent_call, consent_email, consent_linkedin, phone_bad FROM contacts`)
	if err != nil {
		t.Fatal(err)
	}
	optOuts := 0
	for rows.Next() {
		var crmID, addr, call, mail, li string
		var bad bool
		if err := rows.Scan(&crmID, &addr, &call, &mail, &li, &bad); err != nil {
			t.Fatal(err)
		}
		o, _ := srv.Get("contacts", crmID)
		for _, c := range []struct {
			set  bool
			prop string
		}{{call == "opted-out", "shortlist_do_not_call"}, {mail == "opted-out", "hs_email_optout"},
			{li == "opted-out", "shortlist_linkedin_optout"}, {bad, "shortlist_phone_bad"}} {
			if !c.set {
				continue
			}
			optOuts++
			if o.Properties[c.prop] != "true" {
				t.Errorf("contact %s: %s is %q in the CRM, the book has it set", crmID, c.prop, o.Properties[c.prop])
			}
		}
		if mail == "opted-out" && !srv.UnsubscribedFromAll(addr) {
			t.Errorf("contact %s: %s is not unsubscribed from all email (v4)", crmID, addr)
		}
	}
	rows.Close()
	if want := counts["opt-outs"] + len(phoneBad); optOuts != want {
		t.Errorf("the book holds %d opt-outs and wrong numbers, the campaign logged %d", optOuts, want)
	}

	// Nothing queued without a reason.
	r := cli("outbox", "--json")
	var ob struct {
		Items []model.OutboxItem `json:"items"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.out), &ob) != nil {
		t.Fatalf("outbox --json: exit %d\n%s%s", r.code, r.out, r.errOut)
	}
	for _, it := range ob.Items {
		if it.Reason == "" {
			t.Errorf("queued without a reason after a clean sync: %+v", it)
		}
	}

	elapsed := time.Since(start)
	t.Logf("campaign: %d actions (%d logs incl. %d booked with a time, %d done, %d skip, %d snooze, %d note edits, %d tasks worked, %d opt-outs, %d wrong numbers); "+
		"%d tasks the manager completed, moved or deleted in HubSpot; %d syncs SIGKILLed (within 0–%s; %d after writing began), %d finished, %d failed under faults (%d distinct lines); %d of %d requests faulted; 1 concurrent sync refused; %d records created in the CRM before the faults stopped",
		len(plan), counts["logs"], counts["booked with a time"], counts["done"], counts["skip"], counts["snooze"], counts["note edits"],
		counts["tasks worked"], counts["opt-outs"], len(phoneBad), len(managed), kills, window.Round(time.Millisecond), pushKills, finished, failed, len(distinct(failures)), faulted, len(srv.Requests()), before)
	t.Logf("checked: %d touches (%d scheduled meetings) each checked once as its engagement with contact and company, %d tasks' state and due, %d opt-outs and flags; duplicates %d touches, %d tasks; %d outbox items left; %s",
		touches, scheduled, tasks, optOuts, dups, taskDups, len(ob.Items), elapsed.Round(100*time.Millisecond))
	for _, f := range distinct(failures) {
		t.Logf("failed sync said: %s", f)
	}
}

// concurrentSyncs starts a sync that holds the book's sync lock (its first
// request stalls), then a second: the second says a sync is running, exits
// 1 and sends nothing while it runs.
func concurrentSyncs(t *testing.T, bin string, env []string, book string, srv *hubspottest.Server) {
	t.Helper()
	before := len(srv.Requests())
	srv.Inject(hubspottest.Fault{Kind: hubspottest.FaultSlow, Delay: 2 * time.Second})
	first := exec.Command(bin, "--db", book, "sync")
	first.Env = env
	var out bytes.Buffer
	first.Stdout, first.Stderr = &out, &out
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); len(srv.Requests()) == before; {
		if time.Now().After(deadline) {
			t.Fatal("the first sync sent nothing in 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	during := len(srv.Requests())
	r := runBin(t, bin, env, "--db", book, "sync")
	sent := len(srv.Requests()) - during
	if r.code != 1 || !strings.Contains(r.errOut, "a sync is already running (pid ") || sent != 0 {
		t.Errorf("a second sync while one runs: exit %d, %d requests\n%s%s", r.code, sent, r.out, r.errOut)
	}
	if err := first.Wait(); err != nil {
		t.Logf("the first of two syncs: %v: %s", err, out.String())
	}
}

// engagementHolds reports whether an engagement's text holds the note (its
// HTML-escaped form, which is the same for the campaign's notes).
func engagementHolds(o hubspottest.Object, note string) bool {
	for _, p := range []string{"hs_call_body", "hs_email_text", "hs_communication_body", "hs_meeting_body", "hs_note_body"} {
		if strings.Contains(o.Properties[p], note) {
			return true
		}
	}
	return false
}

// msOf reads a HubSpot datetime (ISO 8601 or epoch milliseconds) as epoch
// milliseconds; 0 when it is neither.
func msOf(v string) int64 {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n
	}
	if tm, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return tm.UnixMilli()
	}
	return 0
}

func distinct(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return slices.Compact(out)
}
