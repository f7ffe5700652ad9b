// Package money holds amounts in integer euro cents, so that sums never drift,
// with the JSON form the API uses (a number with two decimals). Pure.
package money

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"strconv"
	"strings"
)

// Cents is an amount in euro cents.
type Cents int64

// FromEuros converts a whole-euro literal (seed data, tests).
func FromEuros(e int64) Cents { return Cents(e * 100) }

// Parse reads a decimal amount such as "480", "480.5" or "-12.34", rounding
// half up (away from zero) to the cent when more decimals are given.
func Parse(s string) (Cents, error) {
	s = strings.TrimSpace(s)
	if c, ok := parsePlain(s); ok {
		return c, nil
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, fmt.Errorf("amount %q: not a number", s)
	}
	r.Mul(r, big.NewRat(100, 1))
	neg := r.Sign() < 0
	if neg {
		r.Neg(r)
	}
	// half up: floor(x + 1/2)
	r.Add(r, big.NewRat(1, 2))
	q := new(big.Int).Quo(r.Num(), r.Denom())
	if !q.IsInt64() || q.Int64() > 1e15 {
		return 0, fmt.Errorf("amount %q: out of range", s)
	}
	c := Cents(q.Int64())
	if neg {
		c = -c
	}
	return c, nil
}

// parsePlain reads the common case — an optional minus, up to 13 digits and
// at most two decimals — without big.Rat, which dominates request decoding.
// Anything else (exponents, more decimals, huge values) returns false and
// takes the exact path.
func parsePlain(s string) (Cents, bool) {
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(whole) > 13 || len(frac) > 2 || (dot && frac == "") {
		return 0, false
	}
	var v int64
	for _, d := range whole + frac {
		if d < '0' || d > '9' {
			return 0, false
		}
		v = v*10 + int64(d-'0')
	}
	for range 2 - len(frac) {
		v *= 10
	}
	if neg {
		v = -v
	}
	return Cents(v), true
}

// String renders 1234 as "12.34".
func (c Cents) String() string {
	return string(c.appendTo(make([]byte, 0, 16)))
}

// appendTo writes the amount without fmt: amounts are encoded in every answer.
func (c Cents) appendTo(b []byte) []byte {
	v := int64(c)
	if v < 0 {
		b = append(b, '-')
		v = -v // MaxInt64 cents is far beyond any amount we accept
	}
	b = strconv.AppendInt(b, v/100, 10)
	return append(b, '.', byte('0'+v%100/10), byte('0'+v%10))
}

// French renders 123456 as "1 234,56 €" (narrow spacing is left out on purpose:
// the PDF core fonts cannot draw U+202F).
func (c Cents) French() string {
	s := c.String()
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return sign + b.String() + "," + frac + " €"
}

// Euros returns the amount as a float, for charts only: never compute with it.
func (c Cents) Euros() float64 { return float64(c) / 100 }

// MarshalJSON writes a JSON number with two decimals.
func (c Cents) MarshalJSON() ([]byte, error) { return c.appendTo(make([]byte, 0, 16)), nil }

// UnmarshalJSON reads a JSON number (a string holding a number is accepted too).
func (c *Cents) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		*c = 0
		return nil
	}
	if uq, err := strconv.Unquote(s); err == nil {
		s = uq
	}
	v, err := Parse(s)
	if err != nil {
		// A *json.UnmarshalTypeError lets the decoder name the field at fault.
		return &json.UnmarshalTypeError{Value: "amount " + string(b), Type: reflect.TypeOf(Cents(0))}
	}
	*c = v
	return nil
}

// MulRate returns c × num / den rounded half up to the cent, computed exactly.
func (c Cents) MulRate(num, den int64) Cents {
	r := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(int64(c)), big.NewInt(num)), big.NewInt(den))
	return RoundRat(r)
}

// RoundRat rounds an exact amount in cents half up (away from zero).
func RoundRat(r *big.Rat) Cents {
	neg := r.Sign() < 0
	x := new(big.Rat).Abs(r)
	x.Add(x, big.NewRat(1, 2))
	q := new(big.Int).Quo(x.Num(), x.Denom())
	v := Cents(q.Int64())
	if neg {
		v = -v
	}
	return v
}

// Value and Scan store cents as a plain integer column.
func (c Cents) Value() (driver.Value, error) { return int64(c), nil }
func (c *Cents) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*c = Cents(v)
	case nil:
		*c = 0
	default:
		return fmt.Errorf("money.Cents: cannot scan %T", src)
	}
	return nil
}

// GormDataType declares a bigint column.
func (Cents) GormDataType() string { return "bigint" }
