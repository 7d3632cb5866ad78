package storage

import (
	"database/sql/driver"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/shortlisthq/shortlist/model"
	sqlite "modernc.org/sqlite"
)

// The driver's SQL functions are the process's, not a connection's, so
// shortlist_rate finds the profile it rates with by the key its caller
// passes as the first argument: ratingWith lends a profile a key for as
// long as one statement runs. These are the only package-level state, and
// only because the driver's function table is itself process-wide.
var (
	ratingProfiles sync.Map // int64 key → model.Profile
	ratingKeys     atomic.Int64
)

// registerRate registers shortlist_rate once, before the first connection
// opens: the driver adds its functions to connections it opens later only.
var registerRate = sync.OnceValue(func() error {
	return sqlite.RegisterFunction("shortlist_rate", &sqlite.FunctionImpl{
		NArgs:         8,
		Deterministic: true,
		// rateSQL keeps nothing of its arguments past the call.
		VolatileArgs: true,
		Scalar:       rateSQL,
	})
})

// ratingWith lends p a key for shortlist_rate; done takes it back.
func ratingWith(p model.Profile) (key int64, done func()) {
	key = ratingKeys.Add(1)
	ratingProfiles.Store(key, p)
	return key, func() { ratingProfiles.Delete(key) }
}

// rateSQL is shortlist_rate(key, id, industry, employees, annual_revenue,
// country, region, technologies): Profile.Rate of the account those columns
// describe, as fit*4 + the tier's place in A, B, C, D (temp.fits's key).
func rateSQL(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	key, ok := args[0].(int64)
	if !ok {
		return nil, fmt.Errorf("shortlist_rate: key %v is not a number", args[0])
	}
	v, ok := ratingProfiles.Load(key)
	if !ok {
		return nil, fmt.Errorf("shortlist_rate: no profile under key %d", key)
	}
	var a model.Account
	for i, dst := range []*string{&a.Industry, nil, nil, &a.Country, &a.Region} {
		if dst == nil {
			continue
		}
		if *dst, ok = args[2+i].(string); !ok {
			return nil, fmt.Errorf("shortlist_rate: account %v: argument %d is %T, not text", args[1], 2+i, args[2+i])
		}
	}
	for i, dst := range []**int64{&a.Employees, &a.AnnualRevenue} {
		switch n := args[3+i].(type) {
		case nil:
		case int64:
			*dst = &n
		default:
			return nil, fmt.Errorf("shortlist_rate: account %v: argument %d is %T, not a whole number", args[1], 3+i, n)
		}
	}
	tech, ok := args[7].(string)
	if !ok {
		return nil, fmt.Errorf("shortlist_rate: account %v: technologies are %T, not text", args[1], args[7])
	}
	var err error
	if a.Technologies, err = parseTech(tech); err != nil {
		return nil, fmt.Errorf("account %v technologies: %w", args[1], err)
	}
	fit, tier := v.(model.Profile).Rate(a)
	if fit < 0 || fit > 100 {
		// Only a negative criterion weight gets here; Validate refuses one.
		return nil, fmt.Errorf("shortlist_rate: account %v: fit %d is outside 0–100: a criterion weight is negative; make every weight 0 or more", args[1], fit)
	}
	place := int64(3)
	switch tier {
	case model.TierA:
		place = 0
	case model.TierB:
		place = 1
	case model.TierC:
		place = 2
	}
	return int64(fit)*4 + place, nil
}
