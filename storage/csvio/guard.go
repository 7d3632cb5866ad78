package csvio

// Spreadsheets (Excel, Google Sheets, LibreOffice) run a CSV cell that
// starts with =, +, -, @, TAB or CR as a formula (OWASP "CSV injection"),
// and CRM text is anyone's to write. So a text cell Shortlist exports is
// guarded with a leading apostrophe, which spreadsheets read as "this is
// text" and do not show, and the importer takes it off again.
//
// The rule is exact both ways. Export: a text value that starts with zero
// or more apostrophes followed by one of those characters gets one more
// apostrophe in front. Import: a cell that starts with one or more
// apostrophes followed by one of those characters loses its first
// apostrophe. Every other value passes unchanged, so Unguard(Guard(s)) == s
// for every s, and a hand-made file whose phone column reads '+1 415… (typed
// that way to stop a spreadsheet eating the plus) imports as +1 415….

// formulaStart reports whether a spreadsheet reads a cell starting with c
// as a formula.
func formulaStart(c byte) bool {
	switch c {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

// afterQuotes is the index of the first byte of s past its leading
// apostrophes.
func afterQuotes(s string) int {
	i := 0
	for i < len(s) && s[i] == '\'' {
		i++
	}
	return i
}

// Guard returns a text value as a CSV cell no spreadsheet runs as a
// formula: with one more leading apostrophe when it starts with zero or more
// apostrophes and then =, +, -, @, TAB or CR; unchanged otherwise. Numbers,
// dates and ids are not text and are not passed through it.
func Guard(s string) string {
	if i := afterQuotes(s); i < len(s) && formulaStart(s[i]) {
		return "'" + s
	}
	return s
}

// Unguard undoes Guard on a cell read from a CSV file: a cell that starts
// with one or more apostrophes and then =, +, -, @, TAB or CR loses its
// first apostrophe; any other cell is returned as is.
func Unguard(s string) string {
	if len(s) < 2 || s[0] != '\'' {
		return s
	}
	if i := afterQuotes(s); i < len(s) && formulaStart(s[i]) {
		return s[1:]
	}
	return s
}
