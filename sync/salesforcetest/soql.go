package salesforcetest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The SOQL subset the server parses:
//
//	SELECT field [, field…] FROM Object
//	  [WHERE cond] [ORDER BY field [ASC|DESC] [, …]] [LIMIT n]
//	cond  := and { OR and } | and { AND and }   (mixing AND and OR needs parentheses, as in SOQL)
//	term  := NOT term | ( cond ) | field op value | field [NOT] IN ( value [, value…] )
//	op    := = | != | <> | < | <= | > | >=
//	value := 'text' | number | true | false | null | 2026-12-03T16:12:41Z | 2026-12-03
//
// Anything else is a MALFORMED_QUERY, as Salesforce answers.

// query is a parsed SOQL statement.
type query struct {
	fields []string
	object string
	where  cond // nil: every record
	order  []orderBy
	limit  int // 0: none
}

type orderBy struct {
	field string
	desc  bool
}

// cond is a WHERE clause node.
type cond interface{ isCond() }

type andCond struct{ parts []cond }
type orCond struct{ parts []cond }
type notCond struct{ c cond }
type cmpCond struct {
	field string
	op    string // = != < <= > >=
	val   literal
}
type inCond struct {
	field string
	not   bool
	vals  []literal
}

func (andCond) isCond() {}
func (orCond) isCond()  {}
func (notCond) isCond() {}
func (cmpCond) isCond() {}
func (inCond) isCond()  {}

// literal is a SOQL value: kind is "string", "number", "bool", "null",
// "datetime" or "date".
type literal struct {
	kind string
	s    string
	n    float64
	b    bool
	t    time.Time
}

type token struct {
	kind string // "ident", "string", "number", "op", "punct", "eof"
	text string
	pos  int
}

// parseError is a MALFORMED_QUERY.
type parseError struct{ msg string }

func (e *parseError) Error() string { return e.msg }

func malformed(format string, args ...any) error {
	return &parseError{msg: fmt.Sprintf(format, args...)}
}

func lex(src string) ([]token, error) {
	var out []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'':
			var b strings.Builder
			j := i + 1
			closed := false
			for j < len(src) {
				if src[j] == '\\' && j+1 < len(src) {
					switch src[j+1] {
					case '\'', '\\', '"':
						b.WriteByte(src[j+1])
					case 'n':
						b.WriteByte('\n')
					case 't':
						b.WriteByte('\t')
					default:
						return nil, malformed("invalid escape sequence at %d", j)
					}
					j += 2
					continue
				}
				if src[j] == '\'' {
					closed = true
					break
				}
				b.WriteByte(src[j])
				j++
			}
			if !closed {
				return nil, malformed("unterminated string at %d", i)
			}
			out = append(out, token{kind: "string", text: b.String(), pos: i})
			i = j + 1
		case c == '(' || c == ')' || c == ',':
			out = append(out, token{kind: "punct", text: string(c), pos: i})
			i++
		case c == '=':
			out = append(out, token{kind: "op", text: "=", pos: i})
			i++
		case c == '!' || c == '<' || c == '>':
			j := i + 1
			if j < len(src) && (src[j] == '=' || (c == '<' && src[j] == '>')) {
				j++
			}
			op := src[i:j]
			switch op {
			case "!":
				return nil, malformed("unexpected token: '!' at %d", i)
			case "<>":
				op = "!="
			}
			out = append(out, token{kind: "op", text: op, pos: i})
			i = j
		case c == '-' || c >= '0' && c <= '9':
			j := i + 1
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || strings.IndexByte(".-:TZ+", src[j]) >= 0) {
				j++
			}
			out = append(out, token{kind: "number", text: src[i:j], pos: i})
			i = j
		case c == '_' || unicode.IsLetter(rune(c)):
			j := i + 1
			for j < len(src) && (src[j] == '_' || src[j] == '.' || unicode.IsLetter(rune(src[j])) || src[j] >= '0' && src[j] <= '9') {
				j++
			}
			out = append(out, token{kind: "ident", text: src[i:j], pos: i})
			i = j
		default:
			return nil, malformed("unexpected character %q at %d", c, i)
		}
	}
	return append(out, token{kind: "eof", pos: len(src)}), nil
}

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != "eof" {
		p.i++
	}
	return t
}

func (p *parser) keyword(kw string) bool {
	if t := p.peek(); t.kind == "ident" && strings.EqualFold(t.text, kw) {
		p.i++
		return true
	}
	return false
}

func (p *parser) expect(kw string) error {
	if !p.keyword(kw) {
		return p.unexpected()
	}
	return nil
}

func (p *parser) unexpected() error {
	t := p.peek()
	if t.kind == "eof" {
		return malformed("unexpected end of query")
	}
	return malformed("unexpected token: '%s' at %d", t.text, t.pos)
}

var reserved = map[string]bool{"SELECT": true, "FROM": true, "WHERE": true, "AND": true, "OR": true, "NOT": true,
	"IN": true, "ORDER": true, "BY": true, "ASC": true, "DESC": true, "LIMIT": true, "NULLS": true, "OFFSET": true, "GROUP": true}

func (p *parser) ident() (string, error) {
	t := p.peek()
	if t.kind != "ident" || reserved[strings.ToUpper(t.text)] {
		return "", p.unexpected()
	}
	p.i++
	return t.text, nil
}

// parseSOQL parses the subset; anything outside it is a *parseError.
func parseSOQL(src string) (*query, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	q := &query{}
	if err := p.expect("SELECT"); err != nil {
		return nil, err
	}
	for {
		f, err := p.ident()
		if err != nil {
			return nil, err
		}
		q.fields = append(q.fields, f)
		if t := p.peek(); t.kind == "punct" && t.text == "," {
			p.next()
			continue
		}
		break
	}
	if err := p.expect("FROM"); err != nil {
		return nil, err
	}
	if q.object, err = p.ident(); err != nil {
		return nil, err
	}
	if p.keyword("WHERE") {
		if q.where, err = p.cond(); err != nil {
			return nil, err
		}
	}
	if p.keyword("ORDER") {
		if err := p.expect("BY"); err != nil {
			return nil, err
		}
		for {
			f, err := p.ident()
			if err != nil {
				return nil, err
			}
			ob := orderBy{field: f}
			if p.keyword("DESC") {
				ob.desc = true
			} else {
				p.keyword("ASC")
			}
			q.order = append(q.order, ob)
			if t := p.peek(); t.kind == "punct" && t.text == "," {
				p.next()
				continue
			}
			break
		}
	}
	if p.keyword("LIMIT") {
		t := p.next()
		n, err := strconv.Atoi(t.text)
		if t.kind != "number" || err != nil || n < 1 {
			return nil, malformed("LIMIT must be a positive integer")
		}
		q.limit = n
	}
	if p.peek().kind != "eof" {
		return nil, p.unexpected()
	}
	return q, nil
}

// cond parses a run of terms joined by one connector.
func (p *parser) cond() (cond, error) {
	first, err := p.term()
	if err != nil {
		return nil, err
	}
	parts := []cond{first}
	conn := ""
	for {
		t := p.peek()
		if t.kind != "ident" {
			break
		}
		up := strings.ToUpper(t.text)
		if up != "AND" && up != "OR" {
			break
		}
		if conn != "" && conn != up {
			return nil, malformed("unexpected token: '%s' at %d: use parentheses to mix AND and OR", t.text, t.pos)
		}
		conn = up
		p.next()
		c, err := p.term()
		if err != nil {
			return nil, err
		}
		parts = append(parts, c)
	}
	switch conn {
	case "AND":
		return andCond{parts}, nil
	case "OR":
		return orCond{parts}, nil
	}
	return first, nil
}

func (p *parser) term() (cond, error) {
	if p.keyword("NOT") {
		c, err := p.term()
		if err != nil {
			return nil, err
		}
		return notCond{c}, nil
	}
	if t := p.peek(); t.kind == "punct" && t.text == "(" {
		p.next()
		c, err := p.cond()
		if err != nil {
			return nil, err
		}
		if t := p.next(); t.kind != "punct" || t.text != ")" {
			return nil, malformed("expected ')' at %d", t.pos)
		}
		return c, nil
	}
	f, err := p.ident()
	if err != nil {
		return nil, err
	}
	not := p.keyword("NOT")
	if p.keyword("IN") {
		if t := p.next(); t.kind != "punct" || t.text != "(" {
			return nil, malformed("expected '(' after IN at %d", t.pos)
		}
		var vals []literal
		for {
			v, err := p.literal()
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
			t := p.next()
			if t.kind == "punct" && t.text == "," {
				continue
			}
			if t.kind == "punct" && t.text == ")" {
				break
			}
			return nil, malformed("expected ',' or ')' at %d", t.pos)
		}
		return inCond{field: f, not: not, vals: vals}, nil
	}
	if not {
		return nil, p.unexpected()
	}
	t := p.next()
	if t.kind != "op" {
		return nil, malformed("unexpected token: '%s' at %d: expected a comparison", t.text, t.pos)
	}
	v, err := p.literal()
	if err != nil {
		return nil, err
	}
	return cmpCond{field: f, op: t.text, val: v}, nil
}

func (p *parser) literal() (literal, error) {
	t := p.next()
	switch t.kind {
	case "string":
		return literal{kind: "string", s: t.text}, nil
	case "ident":
		switch strings.ToLower(t.text) {
		case "true":
			return literal{kind: "bool", b: true}, nil
		case "false":
			return literal{kind: "bool", b: false}, nil
		case "null":
			return literal{kind: "null"}, nil
		}
	case "number":
		if n, err := strconv.ParseFloat(t.text, 64); err == nil {
			return literal{kind: "number", n: n, s: t.text}, nil
		}
		if d, err := time.Parse("2006-01-02", t.text); err == nil {
			return literal{kind: "date", t: d, s: t.text}, nil
		}
		if dt, ok := parseDateTime(t.text); ok && strings.Contains(t.text, "T") {
			return literal{kind: "datetime", t: dt, s: t.text}, nil
		}
		return literal{}, malformed("value of filter criterion '%s' is not valid", t.text)
	}
	return literal{}, malformed("unexpected token: '%s' at %d: expected a value", t.text, t.pos)
}

// dateTimeLayout is how Salesforce writes datetimes in JSON.
const dateTimeLayout = "2006-01-02T15:04:05.000-0700"

// parseDateTime reads a SOQL datetime literal or a JSON datetime.
func parseDateTime(s string) (time.Time, bool) {
	for _, l := range []string{dateTimeLayout, time.RFC3339Nano, "2006-01-02T15:04:05-0700", "2006-01-02T15:04:05Z0700"} {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
