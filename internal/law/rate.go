package law

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// rateScale is the number of Rate units in one percentage point.
const rateScale = 10000

// maxRateUnits bounds what UnmarshalJSON accepts (one million percent), so that
// later products stay far from int64 overflow; Check refuses anything above
// 100 % with a field error anyway.
const maxRateUnits = 1_000_000 * rateScale

// Percent returns p percent as a Rate (Percent(7) is 7 %).
func Percent(p int64) Rate { return Rate(p * rateScale) }

// Times returns the rate multiplied by n (3 × the legal rate).
func (r Rate) Times(n int64) Rate { return Rate(int64(r) * n) }

// String renders 78600 as "7.86" (a JSON number: at most four decimals,
// trailing zeros dropped).
func (r Rate) String() string {
	v := int64(r)
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	whole, frac := v/rateScale, v%rateScale
	if frac == 0 {
		return sign + strconv.FormatInt(whole, 10)
	}
	f := strconv.FormatInt(frac+rateScale, 10)[1:] // four digits, leading zeros kept
	return sign + strconv.FormatInt(whole, 10) + "." + strings.TrimRight(f, "0")
}

// French renders 78600 as "7,86 %" (at least two decimals, as rates are
// published).
func (r Rate) French() string {
	s := r.String()
	whole, frac, _ := strings.Cut(s, ".")
	for len(frac) < 2 {
		frac += "0"
	}
	return whole + "," + frac + " %"
}

// MarshalJSON writes the rate as a JSON number of percent: 7.86.
func (r Rate) MarshalJSON() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalJSON reads a JSON number of percent (7.86 → Rate(78600)) exactly,
// through a rational, rounding half up past the fourth decimal. A string
// holding a number is accepted, like money.Cents does.
func (r *Rate) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		*r = 0
		return nil
	}
	if uq, err := strconv.Unquote(s); err == nil {
		s = uq
	}
	v, err := ParseRate(s)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// ParseRate reads a decimal percentage such as "7.86" or "10".
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return 0, fmt.Errorf("rate %q: not a number", s)
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		// big.Rat would build 10^exp first: refuse silly exponents cheaply.
		if e, err := strconv.Atoi(s[i+1:]); err != nil || e > 30 || e < -30 {
			return 0, fmt.Errorf("rate %q: out of range", s)
		}
	}
	q, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, fmt.Errorf("rate %q: not a number", s)
	}
	q.Mul(q, big.NewRat(rateScale, 1))
	neg := q.Sign() < 0
	q.Abs(q)
	q.Add(q, big.NewRat(1, 2)) // half up: floor(x + 1/2)
	n := new(big.Int).Quo(q.Num(), q.Denom())
	if !n.IsInt64() || n.Int64() > maxRateUnits {
		return 0, fmt.Errorf("rate %q: out of range", s)
	}
	v := Rate(n.Int64())
	if neg {
		v = -v
	}
	return v, nil
}
