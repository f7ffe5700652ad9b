package scenario

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"reflect"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/law"
	"github.com/ancr/cqp/internal/money"
)

// Case is the file one attempt works on: the scenario's case with its
// variants drawn, and the documents filled in for it.
type Case struct {
	Scenario  string     `json:"scenario"`
	Seed      int64      `json:"seed"`
	Drawn     bool       `json:"drawn"` // false for the base case
	Input     law.Input  `json:"case"`
	Documents []Document `json:"documents"`
}

// Base is the case as written, with no variant applied.
func Base(s Scenario) Case {
	c, _ := apply(s, nil)
	return c
}

// Draw applies the scenario's variants as chosen by seed: the same scenario
// and seed always give the same case, so an attempt stores only its seed.
func Draw(s Scenario, seed int64) Case {
	c, _ := apply(s, drawPicks(s, seed))
	c.Seed, c.Drawn = seed, true
	return c
}

func drawPicks(s Scenario, seed int64) []int {
	h := fnv.New64a()
	h.Write([]byte(s.ID))
	r := rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
	picks := make([]int, len(s.Variants))
	for i, v := range s.Variants {
		if n := v.size(); n > 1 {
			picks[i] = r.IntN(n)
		}
	}
	return picks
}

// size is the number of values a variant may take.
func (v Variant) size() int {
	switch {
	case v.Amount != nil:
		step := v.Amount.step()
		if v.Amount.Max < v.Amount.Min {
			return 0
		}
		return int((v.Amount.Max-v.Amount.Min)/step) + 1
	case v.Days != nil:
		return max(v.Days.Max-v.Days.Min+1, 0)
	case v.Int != nil:
		return max(v.Int.Max-v.Int.Min+1, 0)
	case v.Bool:
		return 2
	default:
		return len(v.Choice)
	}
}

func (a AmountRange) step() money.Cents {
	if a.Step <= 0 {
		return 100
	}
	return a.Step
}

// apply builds the case for one pick per variant (nil picks: the base case).
// Errors say which variant could not be applied; Draw ignores them because
// Check has refused such a scenario before it is served.
func apply(s Scenario, picks []int) (Case, []error) {
	in := deepCopy(reflect.ValueOf(s.Case)).Interface().(law.Input)
	var errs []error
	for i, k := range picks {
		if i >= len(s.Variants) {
			break
		}
		if err := applyVariant(&in, s.Variants[i], k); err != nil {
			errs = append(errs, fmt.Errorf("variant %d (%v): %w", i+1, s.Variants[i].Paths, err))
		}
	}
	c := Case{Scenario: s.ID, Input: in}
	r := renderer{s: s, in: &in}
	for _, d := range s.Documents {
		c.Documents = append(c.Documents, Document{Title: r.render(d.Title), Text: r.render(d.Text)})
	}
	errs = append(errs, r.errs...)
	return c, errs
}

func applyVariant(in *law.Input, v Variant, k int) error {
	root := reflect.ValueOf(in).Elem()
	for _, p := range v.Paths {
		f, err := settable(root, p)
		if err != nil {
			return err
		}
		switch {
		case v.Amount != nil:
			if f.Type() != centsType {
				return fmt.Errorf("%s is not an amount", p)
			}
			f.SetInt(int64(min(v.Amount.Min+money.Cents(k)*v.Amount.step(), v.Amount.Max)))
		case v.Days != nil:
			if f.Type() != dateType {
				return fmt.Errorf("%s is not a date", p)
			}
			d := f.Interface().(civil.Date)
			if d.IsZero() {
				return fmt.Errorf("%s has no date to shift", p)
			}
			f.Set(reflect.ValueOf(d.AddDays(v.Days.Min + k)))
		case v.Int != nil:
			if f.Kind() != reflect.Int || f.Type() == centsType {
				return fmt.Errorf("%s is not a count", p)
			}
			f.SetInt(int64(v.Int.Min + k))
		case v.Bool:
			if f.Kind() != reflect.Bool {
				return fmt.Errorf("%s is not yes/no", p)
			}
			f.SetBool(k == 1)
		case len(v.Choice) > 0:
			if k >= len(v.Choice) {
				return errors.New("no such choice")
			}
			nv := reflect.New(f.Type())
			if err := json.Unmarshal(v.Choice[k], nv.Interface()); err != nil {
				return fmt.Errorf("%s: choice %s: %w", p, v.Choice[k], err)
			}
			f.Set(nv.Elem())
		default:
			return errors.New("a variant needs amount, days, int, bool or choice")
		}
	}
	return nil
}

// settable walks a path of the input to a field that can be set. A missing
// part is an error: a variant changes the file, it does not invent parts of it.
func settable(root reflect.Value, path string) (reflect.Value, error) {
	segs, err := parsePath(path)
	if err != nil {
		return reflect.Value{}, err
	}
	v := root
	for _, seg := range segs {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, fmt.Errorf("%s: %s is absent from the case", path, seg.name)
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			return reflect.Value{}, fmt.Errorf("%s: %s is not an object", path, seg.name)
		}
		i, ok := fieldIndex(v.Type(), seg.name)
		if !ok {
			return reflect.Value{}, fmt.Errorf("%s: unknown field %q", path, seg.name)
		}
		v = v.Field(i)
		switch {
		case seg.all:
			return reflect.Value{}, fmt.Errorf("%s: [*] cannot be set", path)
		case seg.index >= 0:
			if v.Kind() != reflect.Slice || seg.index >= v.Len() {
				return reflect.Value{}, fmt.Errorf("%s: no element %d", path, seg.index)
			}
			v = v.Index(seg.index)
		case seg.selField != "":
			if v.Kind() != reflect.Slice {
				return reflect.Value{}, fmt.Errorf("%s: %s is not a list", path, seg.name)
			}
			found := false
			for i := range v.Len() {
				el := v.Index(i)
				if fi, ok := fieldIndex(el.Type(), seg.selField); ok && text(normalize(el.Field(fi))) == seg.selValue {
					v, found = el, true
					break
				}
			}
			if !found {
				return reflect.Value{}, fmt.Errorf("%s: no element with %s=%s", path, seg.selField, seg.selValue)
			}
		}
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return reflect.Value{}, fmt.Errorf("%s is absent from the case", path)
		}
		v = v.Elem()
	}
	if !v.CanSet() {
		return reflect.Value{}, fmt.Errorf("%s cannot be set", path)
	}
	return v, nil
}

// deepCopy copies pointers, slices and maps so a drawn case never shares
// memory with the scenario it came from.
func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(deepCopy(v.Elem()))
		return p
	case reflect.Struct:
		c := reflect.New(v.Type()).Elem()
		c.Set(v)
		for i := range v.NumField() {
			if c.Field(i).CanSet() {
				c.Field(i).Set(deepCopy(v.Field(i)))
			}
		}
		return c
	case reflect.Slice:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			c.Index(i).Set(deepCopy(v.Index(i)))
		}
		return c
	case reflect.Map:
		if v.IsNil() {
			return reflect.Zero(v.Type())
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			c.SetMapIndex(it.Key(), deepCopy(it.Value()))
		}
		return c
	}
	return v
}
