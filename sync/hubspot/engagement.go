package hubspot

import (
	"fmt"
	"html"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shortlisthq/shortlist/model"
)

// maxValueLen is HubSpot's cap on one property value, in characters.
const maxValueLen = 65_536

// truncatedMark ends a text cut to maxValueLen; the touch's note stays
// whole in the book.
const truncatedMark = "… [truncated by Shortlist; full note kept locally]"

// DefaultMeetingLength is how long a booked meeting is written as when the
// config does not say.
const DefaultMeetingLength = 30 * time.Minute

// Engagement is how a touch is filed in HubSpot: the object type, the
// properties that carry its text (what a note edit rewrites) and the other
// properties its create writes besides hs_timestamp, the owner and the
// operation id (the call disposition, which needs the portal's list, is
// added by the push).
type Engagement struct {
	Type  string            // calls, emails, communications, meetings or notes
	At    time.Time         // hs_timestamp: when it happened (a booked meeting: when it starts)
	Text  map[string]string // the text properties, HTML-escaped where HubSpot renders HTML
	Props map[string]string // the rest of what a create writes
}

// TouchEngagement maps a touch onto the engagement that records it, as the
// push creates it and a note edit rewrites it (so the two always agree; the
// demo sandbox seeds pushed touches with it too):
//   - a call is a call;
//   - an email is an email (EMAIL sent by the rep, INCOMING_EMAIL a reply);
//   - a LinkedIn message is a communication on LINKEDIN_MESSAGE, logged
//     from the CRM;
//   - a meeting held or a visit is a meeting with outcome COMPLETED;
//   - a note is a note;
//   - a booked meeting whose time the rep gave (MeetingAt) is a meeting
//     with outcome SCHEDULED from that time for meetingLength (0: 30
//     minutes). One whose time is not known stays the engagement of its
//     channel with the outcome in its title: a meeting at an invented time
//     would sit on the rep's HubSpot calendar where no meeting is, and a
//     touch pushed before Shortlist kept the time stays the call it was
//     filed as, so an edit of its note finds it.
//
// Bodies are HTML-escaped (HubSpot renders them as HTML, line breaks as
// <br>) and cut to HubSpot's 65,536 characters with a visible mark.
// Engagements that have no field for what happened (notes,
// communications) start their body with a summary line.
func TouchEngagement(tc model.Touch, meetingLength time.Duration) Engagement {
	if meetingLength <= 0 {
		meetingLength = DefaultMeetingLength
	}
	e := Engagement{At: tc.At, Text: map[string]string{}, Props: map[string]string{}}
	label := tc.Outcome.Label()
	switch {
	case tc.Outcome == model.OutcomeMeetingBooked && !tc.MeetingAt.IsZero():
		e.Type, e.At = "meetings", tc.MeetingAt
		e.Props["hs_meeting_title"] = "Meeting booked (" + channelName(tc.Channel) + ")"
		e.Props["hs_meeting_start_time"] = isoMS(tc.MeetingAt)
		e.Props["hs_meeting_end_time"] = isoMS(tc.MeetingAt.Add(meetingLength))
		e.Props["hs_meeting_outcome"] = "SCHEDULED"
		body := fmt.Sprintf("Booked by %s (%s) on %s.", channelName(tc.Channel), tc.Direction, tc.At.UTC().Format("2006-01-02 15:04 UTC"))
		if tc.Note != "" {
			body += "\n\n" + tc.Note
		}
		e.Text["hs_meeting_body"] = htmlText(body)
	case tc.Channel == model.ChannelCall:
		e.Type = "calls"
		e.Props["hs_call_title"] = "Call: " + label
		e.Text["hs_call_body"] = htmlText(tc.Note)
	case tc.Channel == model.ChannelEmail:
		e.Type = "emails"
		e.Props["hs_email_subject"] = "Email: " + label
		e.Props["hs_email_direction"] = "EMAIL"
		if tc.Direction == model.Inbound {
			e.Props["hs_email_direction"] = "INCOMING_EMAIL"
		}
		// The plain part as typed (no markup to escape), the HTML part
		// HubSpot shows escaped.
		e.Text["hs_email_text"] = capText(tc.Note)
		e.Text["hs_email_html"] = htmlText(tc.Note)
	case tc.Channel == model.ChannelLinkedIn:
		e.Type = "communications"
		e.Props["hs_communication_channel_type"] = "LINKEDIN_MESSAGE"
		e.Props["hs_communication_logged_from"] = "CRM"
		e.Text["hs_communication_body"] = htmlText(summary(tc))
	case tc.Channel == model.ChannelMeeting || tc.Channel == model.ChannelVisit:
		e.Type = "meetings"
		title := "Meeting: "
		if tc.Channel == model.ChannelVisit {
			title = "Visit: "
		}
		e.Props["hs_meeting_title"] = title + label
		e.Props["hs_meeting_start_time"] = isoMS(tc.At)
		e.Props["hs_meeting_end_time"] = isoMS(tc.At.Add(max(tc.Duration, 0)))
		e.Props["hs_meeting_outcome"] = "COMPLETED"
		e.Text["hs_meeting_body"] = htmlText(tc.Note)
	default:
		e.Type = "notes"
		e.Text["hs_note_body"] = htmlText(summary(tc))
	}
	return e
}

// legacyEngagement is how Shortlist filed a touch before each channel had
// its engagement type (a call, a meeting, else a note), so a note edit of
// a touch pushed then still reaches its record.
func legacyEngagement(tc model.Touch) Engagement {
	e := Engagement{At: tc.At, Text: map[string]string{}, Props: map[string]string{}}
	switch tc.Channel {
	case model.ChannelCall:
		e.Type, e.Text["hs_call_body"] = "calls", htmlText(tc.Note)
	case model.ChannelMeeting:
		e.Type, e.Text["hs_meeting_body"] = "meetings", htmlText(tc.Note)
	default:
		e.Type, e.Text["hs_note_body"] = "notes", htmlText(summary(tc))
	}
	return e
}

// summary is a line saying what happened (channel, direction, outcome),
// then the note.
func summary(tc model.Touch) string {
	ch := channelName(tc.Channel)
	s := fmt.Sprintf("%s %s: %s", strings.ToUpper(ch[:min(1, len(ch))])+ch[min(1, len(ch)):], tc.Direction, tc.Outcome.Label())
	if tc.Note != "" {
		s += "\n\n" + tc.Note
	}
	return s
}

// channelName is a channel as a sentence names it.
func channelName(ch model.Channel) string {
	if ch == model.ChannelLinkedIn {
		return "LinkedIn"
	}
	return string(ch)
}

// htmlText is plain text as an HTML property value: escaped, line breaks
// as <br>, cut to maxValueLen characters with truncatedMark.
func htmlText(s string) string {
	out := strings.ReplaceAll(html.EscapeString(s), "\n", "<br>")
	if utf8.RuneCountInString(out) <= maxValueLen {
		return out
	}
	// Cut the text, not its escaped form, so no entity or tag is split.
	var b strings.Builder
	room := maxValueLen - utf8.RuneCountInString(truncatedMark)
	for _, r := range s {
		piece := string(r)
		switch r {
		case '\n':
			piece = "<br>"
		case '<', '>', '&', '\'', '"':
			piece = html.EscapeString(piece)
		}
		if room -= utf8.RuneCountInString(piece); room < 0 {
			break
		}
		b.WriteString(piece)
	}
	return b.String() + truncatedMark
}

// capText is plain text cut to maxValueLen characters with truncatedMark.
func capText(s string) string {
	if utf8.RuneCountInString(s) <= maxValueLen {
		return s
	}
	room := maxValueLen - utf8.RuneCountInString(truncatedMark)
	n := 0
	for i := range s {
		if n == room {
			return s[:i] + truncatedMark
		}
		n++
	}
	return s
}
