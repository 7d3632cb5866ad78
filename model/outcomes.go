package model

import "time"

// ProposeNext returns the next action a rule proposes for an outcome logged
// at now, or nil. meeting is the booked meeting's time for meeting-booked.
// It is ProposeNextOn without the touch's channel, so a rule that follows up
// on the same channel uses its Next kind.
func (s Settings) ProposeNext(o Outcome, c Contact, a Account, now, meeting time.Time) *Task {
	return s.ProposeNextOn(o, "", c, a, now, meeting)
}

// ProposeNextOn is ProposeNext for a touch logged on channel ch: a rule with
// SameChannel follows up the same way (a LinkedIn message sent → a LinkedIn
// follow-up). The proposal never uses a channel the contact opted out of or
// has no address for: a call falls back to email, LinkedIn, then a todo; an
// email to LinkedIn, then a todo. Date-only dues are midnight in now's
// location and land on a business day.
func (s Settings) ProposeNextOn(o Outcome, ch Channel, c Contact, a Account, now, meeting time.Time) *Task {
	if s.Rule(o).FlagPhone {
		c.PhoneBad = true // the store flags it in the same transaction
	}
	t := s.proposeRaw(o, ch, c, a, now, meeting)
	if t == nil {
		return nil
	}
	t, _ = guardNext(t, c, a, true)
	return t
}

// proposeRaw is the rule's next action before the guards.
func (s Settings) proposeRaw(o Outcome, ch Channel, c Contact, a Account, now, meeting time.Time) *Task {
	rule := s.Rule(o)
	if rule.Next == "" || rule.OptOut {
		return nil
	}
	kind := rule.Next
	if rule.SameChannel {
		switch ch {
		case ChannelCall:
			kind = TaskCall
		case ChannelEmail:
			kind = TaskEmail
		case ChannelLinkedIn:
			kind = TaskLinkedIn
		}
	}
	t := &Task{
		AccountID: a.ID, ContactID: c.ID, Kind: kind, Title: rule.NextTitle,
		Priority: rule.Priority, Status: TaskOpen, Origin: OriginLocal, CreatedAt: now,
	}
	if t.Priority == "" {
		t.Priority = PriorityMedium
	}
	if t.Title == "" {
		t.Title = defaultTitle(kind)
	}
	if rule.AccountTask || c.ID == 0 {
		t.ContactID = 0
	}
	t.Due, t.DueHasTime = s.due(rule, now, meeting)
	return t
}

// reachable returns the kind to use for a contact, falling back from what the
// rule wants, and why it fell back.
func reachable(want TaskKind, c Contact) (TaskKind, string) {
	phone := c.Phone != "" && !c.PhoneBad && !c.Consent.Call.OptedOut()
	email := c.Email != "" && !c.Consent.Email.OptedOut()
	linkedIn := c.LinkedInURL != "" && !c.Consent.LinkedIn.OptedOut()
	var why []string
	if want == TaskCall {
		if phone {
			return TaskCall, ""
		}
		why = append(why, channelGaps(c)[0])
	}
	if want == TaskCall || want == TaskEmail {
		if email {
			return TaskEmail, joinWhy(why)
		}
		why = append(why, gapFor(c, ChannelEmail))
	}
	if linkedIn {
		return TaskLinkedIn, joinWhy(why)
	}
	why = append(why, gapFor(c, ChannelLinkedIn))
	return TaskTodo, joinWhy(why)
}

func gapFor(c Contact, ch Channel) string {
	for _, g := range channelGaps(c) {
		switch {
		case ch == ChannelEmail && (g == "no email" || g == "email opted out"),
			ch == ChannelLinkedIn && (g == "no LinkedIn" || g == "LinkedIn opted out"):
			return g
		}
	}
	return ""
}

func joinWhy(why []string) string {
	out := ""
	for _, w := range why {
		if w == "" {
			continue
		}
		if out != "" {
			out += ", "
		}
		out += w
	}
	return out
}

func defaultTitle(k TaskKind) string {
	switch k {
	case TaskCall:
		return "Call"
	case TaskEmail:
		return "Email"
	case TaskLinkedIn:
		return "LinkedIn message"
	}
	return "To do"
}

// due works out when a rule's next action is due: hours from now (with a
// time), else whole business and calendar days from today (a date).
func (s Settings) due(rule OutcomeRule, now, meeting time.Time) (time.Time, bool) {
	loc := now.Location()
	today := midnight(now, loc)
	if rule.BeforeMeeting > 0 {
		if meeting.IsZero() {
			return AddBusinessDays(today, 1), false
		}
		d := AddBusinessDays(nextBusinessDay(midnight(meeting, loc)), -rule.BeforeMeeting)
		if d.Before(today) {
			d = today // the meeting is too close: prepare today
		}
		return d, false
	}
	w := rule.After
	if w.BusinessDays == 0 && w.Days == 0 {
		return now.Add(w.Hours), true
	}
	d := AddBusinessDays(today, w.BusinessDays)
	if w.Days > 0 {
		d = nextBusinessDay(d.AddDate(0, 0, w.Days))
	}
	if w.Hours > 0 {
		return d.Add(w.Hours), true
	}
	return d, false
}
