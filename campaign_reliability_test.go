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
func TestReliabilityHubSpotCampaign(t *testing.T) { runCampaign(t, newHubSpotCampaign()) }

// campaignCRM is what the campaign needs of a CRM's test server: seed the
// rep's book, inject and clear random faults, let a manager work tasks, and
// say what the CRM holds, in terms the checks compare with the book.
type campaignCRM interface {
	name() string
	// seed adds eight companies of three contacts, the rep's, with an open
	// CRM task on each of the first two contacts of each company, and
	// returns the binary's environment for this CRM.
	seed(t *testing.T) []string
	injectFaults()
	clearFaults()
	requests() int
	// wroteSince: a write (a create, upsert or update) reached the server
	// among the requests after the first n.
	wroteSince(n int) bool
	faulted() int
	// stall makes the next request wait d, for two syncs at once.
	stall(d time.Duration)
	// manage completes, moves three days on and deletes one open CRM task
	// each among open (the book's open CRM tasks' ids), returning what it
	// did to each ("completed", "moved", "deleted").
	manage(t *testing.T, open map[string]bool) map[string]string
	// created counts the records carrying a Shortlist operation id.
	created() int
	// engagements lists what the touches became, by the touch's op id.
	engagements() map[string][]engagement
	// engagementType is the record type a touch becomes.
	engagementType(ch model.Channel, o model.Outcome, meetingAt int64) string
	// tasks lists the live tasks by CRM id, and how many carry each op id.
	tasks() (map[string]crmTask, map[string]int)
	// taskDeleted: the CRM holds the task deleted.
	taskDeleted(id string) bool
	// contactFlags reads a contact's consent and phone flags; unsubscribed
	// says whether the address is off all email where the CRM keeps that
	// apart (true where it does not).
	contactFlags(crmID, email string) (call, mail, linkedin, phoneBad, unsubscribed bool)
}

// engagement is a touch as the CRM holds it.
type engagement struct {
	ID, Type         string
	Contact, Company string // the CRM ids it is associated with
	Text             string // every text field, joined
	Start            int64  // a scheduled meeting's start, epoch ms (0: not scheduled)
	Scheduled        bool   // the CRM holds it as a meeting yet to happen
}

// crmTask is a task as the CRM holds it.
type crmTask struct {
	Open bool
	// Due is compared with the book's by matches.
	matches func(status string, due int64, hasTime bool, snoozed int64) bool
	Show    string // for a failure's message
}

// runCampaign is issue 13's campaign against one CRM (see
// TestReliabilityHubSpotCampaign), run against the built binary.
func runCampaign(t *testing.T, crm campaignCRM) {
	start := time.Now()
	bin, env, dir := relBin(t)
	book := filepath.Join(dir, "book.db")
	env = append(env, crm.seed(t)...)
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
	crm.injectFaults()

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

	// A manager works the rep's CRM tasks too: completes one, moves one
	// three days on and deletes one, each open in the book.
	managed := map[string]string{} // CRM task id → what the manager did
	managerEdits := func() {
		t.Helper()
		open := map[string]bool{}
		rows, err := db.Query(`SELECT crm_id FROM tasks WHERE status = 'open' AND origin = 'crm' AND crm_id IS NOT NULL`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			rows.Scan(&id)
			if managed[id] == "" {
				open[id] = true
			}
		}
		rows.Close()
		for id, what := range crm.manage(t, open) {
			managed[id] = what
		}
	}

	// A sync killed at a random instant; one not killed in time ends on
	// its own, ok or with one clean line.
	var kills, pushKills, finished, failed int
	var failures []string
	// killableSync runs a sync and kills it: at a random instant within
	// (0: never), or when atWrite, a random 0–150 ms after its first write
	// reaches the server (so half the kills land while it pushes).
	killableSync := func(within time.Duration, atWrite bool) {
		t.Helper()
		cmd := exec.Command(bin, "--db", book, "sync")
		cmd.Env = env
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		seen := crm.requests()
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
				if atWrite && fire == nil && crm.wroteSince(seen) {
					fire = time.After(time.Duration(rng.Int64N(int64(150 * time.Millisecond))))
				}
			}
		}
		var ee *exec.ExitError
		switch {
		case errors.As(werr, &ee) && ee.Sys().(syscall.WaitStatus).Signaled():
			kills++
			if crm.wroteSince(seen) {
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
			concurrentSyncs(t, bin, env, book, crm)
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
	faulted, requests := crm.faulted(), crm.requests()
	crm.clearFaults()
	before := crm.created() // engagements and tasks already in the CRM when the faults stop
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
	byOp := crm.engagements()
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
		want := crm.engagementType(model.Channel(ch), model.Outcome(outcome), meetingAt)
		if model.Outcome(outcome) == model.OutcomeMeetingBooked && meetingAt != 0 {
			scheduled++
			if !o.Scheduled || o.Start != meetingAt {
				t.Errorf("booked meeting %s: scheduled %v at %d, want at %d", op, o.Scheduled, o.Start, meetingAt)
			}
		}
		if o.Type != want || o.ID != crmID {
			t.Errorf("touch %s (%s %s): in the CRM as %s %s, want %s %s", op, ch, outcome, o.Type, o.ID, want, crmID)
		}
		if o.Contact != contactCRM || o.Company != companyCRM {
			t.Errorf("touch %s: associated with contact %s and company %s, want %s and %s", op, o.Contact, o.Company, contactCRM, companyCRM)
		}
		if !strings.Contains(o.Text, note) {
			t.Errorf("touch %s: the CRM's text does not hold the book's note %q: %q", op, note, o.Text)
		}
	}
	rows.Close()
	if len(byOp) != touches {
		t.Errorf("the CRM holds %d engagements from Shortlist, the book %d touches", len(byOp), touches)
	}

	// Each task's state and due date as in the book; each local task once.
	crmTasks, taskOps := crm.tasks()
	for id, what := range managed {
		var status string
		db.QueryRow(`SELECT status FROM tasks WHERE crm_id = ?`, id).Scan(&status)
		if want := map[string]string{"completed": "done", "deleted": "skipped"}[what]; want != "" && status != want {
			t.Errorf("the task the manager %s in %s is %s in the book, want %s", what, crm.name(), status, want)
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
			if crm.taskDeleted(crmID) && status == "skipped" {
				continue // deleted in the CRM: off the list here, kept
			}
			t.Errorf("task %d (%s): %s is not in the CRM", id, status, crmID)
			continue
		}
		if !o.matches(status, due, hasTime, snoozed) {
			t.Errorf("task %d (%s, due %d, snoozed %d): the CRM has %s", id, status, due, snoozed, o.Show)
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
		dnc, optEmail, optLI, phoneBad, unsubscribed := crm.contactFlags(crmID, addr)
		for _, c := range []struct {
			set, held bool
			what      string
		}{{call == "opted-out", dnc, "do not call"}, {mail == "opted-out", optEmail, "email opt-out"},
			{li == "opted-out", optLI, "LinkedIn opt-out"}, {bad, phoneBad, "wrong number"}} {
			if !c.set {
				continue
			}
			optOuts++
			if !c.held {
				t.Errorf("contact %s: the book has %s set, the CRM does not", crmID, c.what)
			}
		}
		if mail == "opted-out" && !unsubscribed {
			t.Errorf("contact %s: %s is not unsubscribed from all email", crmID, addr)
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
		"%d tasks the manager completed, moved or deleted in %s; %d syncs SIGKILLed (within 0–%s; %d after writing began), %d finished, %d failed under faults (%d distinct lines); %d of %d requests faulted; 1 concurrent sync refused; %d records created in the CRM before the faults stopped",
		len(plan), counts["logs"], counts["booked with a time"], counts["done"], counts["skip"], counts["snooze"], counts["note edits"],
		counts["tasks worked"], counts["opt-outs"], len(phoneBad), len(managed), crm.name(), kills, window.Round(time.Millisecond), pushKills, finished, failed, len(distinct(failures)), faulted, requests, before)
	t.Logf("checked: %d touches (%d scheduled meetings) each checked once as its engagement with contact and company, %d tasks' state and due, %d opt-outs and flags; duplicates %d touches, %d tasks; %d outbox items left; %s",
		touches, scheduled, tasks, optOuts, dups, taskDups, len(ob.Items), elapsed.Round(100*time.Millisecond))
	for _, f := range distinct(failures) {
		t.Logf("failed sync said: %s", f)
	}
}

// concurrentSyncs starts a sync that holds the book's sync lock (its first
// request stalls), then a second: the second says a sync is running, exits
// 1 and sends nothing while it runs.
func concurrentSyncs(t *testing.T, bin string, env []string, book string, crm campaignCRM) {
	t.Helper()
	before := crm.requests()
	crm.stall(2 * time.Second)
	first := exec.Command(bin, "--db", book, "sync")
	first.Env = env
	var out bytes.Buffer
	first.Stdout, first.Stderr = &out, &out
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); crm.requests() == before; {
		if time.Now().After(deadline) {
			t.Fatal("the first sync sent nothing in 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	during := crm.requests()
	r := runBin(t, bin, env, "--db", book, "sync")
	sent := crm.requests() - during
	if r.code != 1 || !strings.Contains(r.errOut, "a sync is already running (pid ") || sent != 0 {
		t.Errorf("a second sync while one runs: exit %d, %d requests\n%s%s", r.code, sent, r.out, r.errOut)
	}
	if err := first.Wait(); err != nil {
		t.Logf("the first of two syncs: %v: %s", err, out.String())
	}
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

// hubspotCampaign is the campaign's HubSpot: hubspottest over HTTP. The
// portal accepts the unique op-id property on engagements (the upsert
// path), so a sync after a kill does not wait out HubSpot's 10 s search lag
// for what was in flight and 30 kills fit in CI; the search-before-create
// path after a kill is TestKillRightAfterCreate's (sync package, fake clock).
type hubspotCampaign struct{ srv *hubspottest.Server }

func newHubSpotCampaign() *hubspotCampaign { return &hubspotCampaign{} }

func (h *hubspotCampaign) name() string { return "HubSpot" }

func (h *hubspotCampaign) seed(t *testing.T) []string {
	h.srv = hubspottest.NewServer(hubspottest.Options{RateLimit: -1, SearchPerSecond: -1, UniqueOnEngagements: true})
	t.Cleanup(h.srv.Close)
	srv := h.srv
	const email = "rita.rep@campaign.example"
	owner := srv.AddOwner(email, "Rita", "Rep")
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
	return []string{"SHORTLIST_HUBSPOT_TOKEN=" + srv.Token(), "SHORTLIST_HUBSPOT_BASE_URL=" + srv.URL(), "SHORTLIST_HUBSPOT_OWNER_EMAIL=" + email}
}

func (h *hubspotCampaign) injectFaults() {
	for _, f := range []hubspottest.Fault{
		{Kind: hubspottest.FaultReset, Times: -1, Chance: 0.02, Seed: 1},
		{Kind: hubspottest.FaultResetAfterApply, Method: "POST", Times: -1, Chance: 0.03, Seed: 2},
		{Kind: hubspottest.FaultResetAfterApply, Method: "PATCH", Times: -1, Chance: 0.03, Seed: 3},
		{Kind: hubspottest.FaultTruncated, Times: -1, Chance: 0.02, Seed: 4},
		{Kind: hubspottest.FaultRateLimit, Policy: "SECONDLY", Times: -1, Chance: 0.015, Seed: 5},
		{Kind: hubspottest.FaultStatus, Code: 503, Times: -1, Chance: 0.02, Seed: 6},
		{Kind: hubspottest.FaultStatus, Code: 500, Method: "POST", Times: -1, Chance: 0.02, Seed: 7},
		{Kind: hubspottest.FaultStatus, Code: 502, Times: -1, Chance: 0.01, Seed: 8},
	} {
		h.srv.Inject(f)
	}
}

func (h *hubspotCampaign) clearFaults()  { h.srv.ClearFaults() }
func (h *hubspotCampaign) requests() int { return len(h.srv.Requests()) }

func (h *hubspotCampaign) wroteSince(n int) bool {
	return slices.ContainsFunc(h.srv.Requests()[n:], func(r hubspottest.Request) bool {
		return r.Method == "POST" && (strings.HasSuffix(r.Path, "/batch/upsert") || strings.HasSuffix(r.Path, "/batch/update") ||
			strings.HasSuffix(r.Path, "/batch/create") || strings.Contains(r.Path, "/communication-preferences/"))
	})
}

func (h *hubspotCampaign) faulted() int {
	n := 0
	for _, r := range h.srv.Requests() {
		if r.Faulted {
			n++
		}
	}
	return n
}

func (h *hubspotCampaign) stall(d time.Duration) {
	h.srv.Inject(hubspottest.Fault{Kind: hubspottest.FaultSlow, Delay: d})
}

func (h *hubspotCampaign) manage(t *testing.T, open map[string]bool) map[string]string {
	t.Helper()
	var picked []hubspottest.Object
	for _, o := range h.srv.List("tasks") {
		if open[o.ID] && o.Properties["hs_task_status"] == "NOT_STARTED" && len(picked) < 3 {
			picked = append(picked, o)
		}
	}
	if len(picked) < 3 {
		t.Fatalf("only %d open CRM tasks for the manager", len(picked))
	}
	moved := time.UnixMilli(msOf(picked[1].Properties["hs_timestamp"])).Add(72 * time.Hour)
	if h.srv.Update("tasks", picked[0].ID, map[string]string{"hs_task_status": "COMPLETED"}) != nil ||
		h.srv.Update("tasks", picked[1].ID, map[string]string{"hs_timestamp": moved.UTC().Format(time.RFC3339)}) != nil ||
		h.srv.Archive("tasks", picked[2].ID) != nil {
		t.Fatal("the manager's edits failed")
	}
	return map[string]string{picked[0].ID: "completed", picked[1].ID: "moved", picked[2].ID: "deleted"}
}

var hubspotEngagements = []string{"calls", "emails", "communications", "meetings", "notes"}

func (h *hubspotCampaign) created() int {
	n := 0
	for _, typ := range append(slices.Clone(hubspotEngagements), "tasks") {
		for _, o := range h.srv.List(typ) {
			if o.Properties["shortlist_op_id"] != "" {
				n++
			}
		}
	}
	return n
}

func (h *hubspotCampaign) engagements() map[string][]engagement {
	out := map[string][]engagement{}
	for _, typ := range hubspotEngagements {
		for _, o := range h.srv.List(typ) {
			op := o.Properties["shortlist_op_id"]
			if op == "" || o.Archived {
				continue
			}
			e := engagement{ID: o.ID, Type: typ}
			if ids := h.srv.AssociatedIDs(typ, o.ID, "contacts"); len(ids) == 1 {
				e.Contact = ids[0]
			} else {
				e.Contact = fmt.Sprint(ids)
			}
			if ids := h.srv.AssociatedIDs(typ, o.ID, "companies"); len(ids) == 1 {
				e.Company = ids[0]
			} else {
				e.Company = fmt.Sprint(ids)
			}
			for _, p := range []string{"hs_call_body", "hs_email_text", "hs_communication_body", "hs_meeting_body", "hs_note_body"} {
				e.Text += o.Properties[p] + "\n"
			}
			if typ == "meetings" && o.Properties["hs_meeting_outcome"] == "SCHEDULED" {
				e.Scheduled, e.Start = true, msOf(o.Properties["hs_meeting_start_time"])
			}
			out[op] = append(out[op], e)
		}
	}
	return out
}

func (h *hubspotCampaign) engagementType(ch model.Channel, o model.Outcome, meetingAt int64) string {
	if o == model.OutcomeMeetingBooked && meetingAt != 0 {
		return "meetings"
	}
	return map[model.Channel]string{model.ChannelCall: "calls", model.ChannelEmail: "emails", model.ChannelLinkedIn: "communications",
		model.ChannelMeeting: "meetings", model.ChannelVisit: "meetings", model.ChannelNote: "notes"}[ch]
}

func (h *hubspotCampaign) tasks() (map[string]crmTask, map[string]int) {
	live, ops := map[string]crmTask{}, map[string]int{}
	for _, o := range h.srv.List("tasks") {
		if o.Archived {
			continue
		}
		if op := o.Properties["shortlist_op_id"]; op != "" {
			ops[op]++
		}
		st, at := o.Properties["hs_task_status"], msOf(o.Properties["hs_timestamp"])
		live[o.ID] = crmTask{Open: st == "NOT_STARTED", Show: st + " due " + o.Properties["hs_timestamp"],
			matches: func(status string, due int64, hasTime bool, snoozed int64) bool {
				switch status {
				case "open":
					// A date-only due is a civil date, which the CRM holds
					// as noon UTC of that day (model.DueToCRM).
					return st == "NOT_STARTED" && at == model.DueToCRM(model.Task{Due: time.UnixMilli(due).UTC(), DueHasTime: hasTime}).UnixMilli()
				case "snoozed":
					return st == "NOT_STARTED" && at == snoozed
				}
				return st == "COMPLETED"
			}}
	}
	return live, ops
}

func (h *hubspotCampaign) taskDeleted(id string) bool {
	o, held := h.srv.Get("tasks", id)
	return held && o.Archived
}

func (h *hubspotCampaign) contactFlags(crmID, email string) (call, mail, linkedin, phoneBad, unsubscribed bool) {
	o, _ := h.srv.Get("contacts", crmID)
	p := o.Properties
	return p["shortlist_do_not_call"] == "true", p["hs_email_optout"] == "true", p["shortlist_linkedin_optout"] == "true",
		p["shortlist_phone_bad"] == "true", h.srv.UnsubscribedFromAll(email)
}
