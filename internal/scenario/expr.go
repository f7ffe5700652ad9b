package scenario

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/law"
	"github.com/ancr/cqp/internal/money"
)

// Keys and placeholders name values of the engine input or output by their
// JSON paths, so an author writes what the API contract shows:
//
//	expr    := ["not "] path {" + " path} [" contains " word | " == " word | " != " word | " exists" | " empty"]
//	path    := segment {"." segment}
//	segment := name ["[" (index | "*" | field "=" word) "]"]
//
// e.g. `limitation.barred`, `situation.next_steps contains injonction_de_payer`,
// `situation.deadlines[kind=claim_declaration].on`, `letter.missing + letter.violations`.

type segment struct {
	name     string
	index    int // -1 when none
	all      bool
	selField string
	selValue string
}

type expr struct {
	not   bool
	paths [][]segment
	op    string // "", "contains", "==", "!=", "exists", "empty"
	arg   string
	src   string
}

var exprCache sync.Map // string → *expr or error

func parseExpr(src string) (*expr, error) {
	if v, ok := exprCache.Load(src); ok {
		if e, ok := v.(*expr); ok {
			return e, nil
		}
		return nil, v.(error)
	}
	e, err := parseExprUncached(src)
	if err != nil {
		exprCache.Store(src, err)
		return nil, err
	}
	exprCache.Store(src, e)
	return e, nil
}

func parseExprUncached(src string) (*expr, error) {
	e := &expr{src: src}
	s := strings.TrimSpace(src)
	if s == "" {
		return nil, errors.New("empty expression")
	}
	if rest, ok := strings.CutPrefix(s, "not "); ok {
		e.not, s = true, strings.TrimSpace(rest)
	} else if rest, ok := strings.CutPrefix(s, "!"); ok {
		e.not, s = true, strings.TrimSpace(rest)
	}
	for _, op := range []string{"contains", "==", "!="} {
		if before, after, ok := strings.Cut(s, " "+op+" "); ok {
			e.op, e.arg, s = op, strings.TrimSpace(after), strings.TrimSpace(before)
			if e.arg == "" {
				return nil, fmt.Errorf("%q: %s what?", src, op)
			}
			break
		}
	}
	if e.op == "" {
		if before, ok := strings.CutSuffix(s, " exists"); ok {
			e.op, s = "exists", strings.TrimSpace(before)
		} else if before, ok := strings.CutSuffix(s, " empty"); ok {
			e.op, s = "empty", strings.TrimSpace(before)
		}
	}
	for _, term := range strings.Split(s, " + ") {
		p, err := parsePath(strings.TrimSpace(term))
		if err != nil {
			return nil, fmt.Errorf("%q: %w", src, err)
		}
		e.paths = append(e.paths, p)
	}
	return e, nil
}

func parsePath(s string) ([]segment, error) {
	if s == "" {
		return nil, errors.New("empty path")
	}
	var segs []segment
	for _, part := range splitPath(s) {
		seg := segment{index: -1}
		name, sel, hasSel := strings.Cut(part, "[")
		seg.name = name
		if !validName(name) {
			return nil, fmt.Errorf("bad path segment %q", part)
		}
		if hasSel {
			sel, ok := strings.CutSuffix(sel, "]")
			if !ok {
				return nil, fmt.Errorf("unclosed [ in %q", part)
			}
			switch {
			case sel == "*":
				seg.all = true
			case strings.Contains(sel, "="):
				f, v, _ := strings.Cut(sel, "=")
				if !validName(f) || v == "" {
					return nil, fmt.Errorf("bad selector %q", sel)
				}
				seg.selField, seg.selValue = f, v
			default:
				n, err := strconv.Atoi(sel)
				if err != nil || n < 0 {
					return nil, fmt.Errorf("bad index %q", sel)
				}
				seg.index = n
			}
		}
		segs = append(segs, seg)
	}
	return segs, nil
}

// splitPath splits on dots outside brackets (a selector value may hold a dot).
func splitPath(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '[':
			depth++
		case ']':
			depth--
		case '.':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// errAbsent says a part of the output is absent (its input is missing):
// the scenario is broken. errNoMatch says a selector found nothing, which
// `exists` turns into false.
var (
	errAbsent  = errors.New("absent")
	errNoMatch = errors.New("no element matches")
)

// evaluation is the value of an expression and the rules met on its way,
// nearest last.
type evaluation struct {
	val   any
	rules []string
}

// evalExpr evaluates src against root (a law.Output or law.Input value).
// Values are bool, int64, money.Cents, civil.Date, law.Rate, string or []any.
func evalExpr(root any, src string) (evaluation, error) {
	e, err := parseExpr(src)
	if err != nil {
		return evaluation{}, err
	}
	var out evaluation
	var vals []any
	for _, p := range e.paths {
		got, rules, err := walk(reflect.ValueOf(root), p)
		out.rules = appendRules(out.rules, rules...)
		if err != nil {
			if errors.Is(err, errNoMatch) && e.op == "exists" && len(e.paths) == 1 {
				return evaluation{val: e.not, rules: out.rules}, nil
			}
			return evaluation{}, fmt.Errorf("%s: %w", src, err)
		}
		vals = append(vals, got)
	}
	var v any
	if len(vals) == 1 {
		v = vals[0]
	} else {
		var list []any
		for _, x := range vals {
			l, ok := x.([]any)
			if !ok {
				return evaluation{}, fmt.Errorf("%s: only lists may be added", src)
			}
			for _, item := range l {
				if !slices.ContainsFunc(list, func(y any) bool { return text(y) == text(item) }) {
					list = append(list, item)
				}
			}
		}
		if list == nil {
			list = []any{}
		}
		v = list
	}
	switch e.op {
	case "contains":
		l, ok := v.([]any)
		if !ok {
			return evaluation{}, fmt.Errorf("%s: contains needs a list", src)
		}
		v = slices.ContainsFunc(l, func(x any) bool { return text(x) == e.arg })
	case "==", "!=":
		if kindOf(v) == kindList || kindOf(v) == kindObject {
			return evaluation{}, fmt.Errorf("%s: compare a single value", src)
		}
		v = (text(v) == e.arg) == (e.op == "==")
	case "exists":
		if l, ok := v.([]any); ok {
			v = len(l) > 0
		} else {
			v = v != nil
		}
	case "empty":
		l, ok := v.([]any)
		if !ok {
			return evaluation{}, fmt.Errorf("%s: empty needs a list", src)
		}
		v = len(l) == 0
	}
	if e.not {
		b, ok := v.(bool)
		if !ok {
			return evaluation{}, fmt.Errorf("%s: not needs a yes/no value", src)
		}
		v = !b
	}
	out.val = v
	return out, nil
}

func appendRules(rules []string, more ...string) []string {
	for _, r := range more {
		if r != "" && !slices.Contains(rules, r) {
			rules = append(rules, r)
		}
	}
	return rules
}

var (
	centsType = reflect.TypeFor[money.Cents]()
	dateType  = reflect.TypeFor[civil.Date]()
	rateType  = reflect.TypeFor[law.Rate]()
)

// walk follows a path; a [*] projection makes the result a list.
func walk(root reflect.Value, segs []segment) (any, []string, error) {
	cur := []reflect.Value{root}
	multi := false
	// rules are those of the deepest level that has any: a deadline's own
	// rule, not the whole situation's.
	var rules, level []string
	for _, seg := range segs {
		if len(level) > 0 {
			rules = level
		}
		level = nil
		var next []reflect.Value
		for _, v := range cur {
			v = deref(v)
			if !v.IsValid() {
				return nil, rules, fmt.Errorf("%s: %w", seg.name, errAbsent)
			}
			if v.Kind() != reflect.Struct {
				return nil, rules, fmt.Errorf("%s: not an object", seg.name)
			}
			level = appendRules(level, ruleOf(v))
			fi, ok := fieldIndex(v.Type(), seg.name)
			if !ok {
				return nil, rules, fmt.Errorf("unknown field %q", seg.name)
			}
			f := v.Field(fi)
			switch {
			case seg.all || seg.index >= 0 || seg.selField != "":
				f = deref(f)
				if !f.IsValid() {
					return nil, rules, fmt.Errorf("%s: %w", seg.name, errAbsent)
				}
				if f.Kind() != reflect.Slice {
					return nil, rules, fmt.Errorf("%s: not a list", seg.name)
				}
				switch {
				case seg.all:
					multi = true
					for i := range f.Len() {
						next = append(next, f.Index(i))
					}
				case seg.index >= 0:
					if seg.index >= f.Len() {
						return nil, rules, fmt.Errorf("%s[%d]: %w", seg.name, seg.index, errNoMatch)
					}
					next = append(next, f.Index(seg.index))
				default:
					found := false
					for i := range f.Len() {
						el := deref(f.Index(i))
						if el.Kind() != reflect.Struct {
							return nil, rules, fmt.Errorf("%s: selector on a list of values", seg.name)
						}
						si, ok := fieldIndex(el.Type(), seg.selField)
						if !ok {
							return nil, rules, fmt.Errorf("%s: unknown field %q", seg.name, seg.selField)
						}
						if text(normalize(el.Field(si))) == seg.selValue {
							next = append(next, el)
							found = true
							if !multi {
								break // the first match, like a map lookup
							}
						}
					}
					if !found {
						return nil, rules, fmt.Errorf("%s[%s=%s]: %w", seg.name, seg.selField, seg.selValue, errNoMatch)
					}
				}
			default:
				next = append(next, f)
			}
		}
		cur = next
	}
	if len(level) > 0 {
		rules = level
	}
	level = nil
	for _, v := range cur {
		if d := deref(v); d.IsValid() && d.Kind() == reflect.Struct {
			level = appendRules(level, ruleOf(d))
		}
	}
	if len(level) > 0 {
		rules = level
	}
	if multi {
		list := make([]any, 0, len(cur))
		for _, v := range cur {
			list = append(list, normalize(v))
		}
		return list, rules, nil
	}
	v := deref(cur[0])
	if !v.IsValid() {
		return nil, rules, fmt.Errorf("%s: %w", segs[len(segs)-1].name, errAbsent)
	}
	return normalize(v), rules, nil
}

func deref(v reflect.Value) reflect.Value {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}

func ruleOf(v reflect.Value) string {
	if i, ok := fieldIndex(v.Type(), "rule"); ok && v.Field(i).Kind() == reflect.String {
		return v.Field(i).String()
	}
	return ""
}

var fieldCache sync.Map // reflect.Type → map[string]int

// fieldIndex finds a struct field by its JSON name.
func fieldIndex(t reflect.Type, name string) (int, bool) {
	if m, ok := fieldCache.Load(t); ok {
		i, ok := m.(map[string]int)[name]
		return i, ok
	}
	m := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" {
			continue
		}
		if tag == "" {
			tag = strings.ToLower(f.Name)
		}
		m[tag] = i
	}
	fieldCache.Store(t, m)
	i, ok := m[name]
	return i, ok
}

// normalize turns a reflected value into the few kinds grading compares.
func normalize(v reflect.Value) any {
	v = deref(v)
	if !v.IsValid() {
		return nil
	}
	switch v.Type() {
	case centsType:
		return money.Cents(v.Int())
	case dateType:
		return v.Interface().(civil.Date)
	case rateType:
		return law.Rate(v.Int())
	}
	switch v.Kind() {
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int64(v.Uint())
	case reflect.String:
		return v.String()
	case reflect.Slice, reflect.Array:
		list := make([]any, 0, v.Len())
		for i := range v.Len() {
			list = append(list, normalize(v.Index(i)))
		}
		return list
	}
	return v // a struct: only `exists` makes sense of it
}

// text is the canonical text of a value, used to compare with words in keys.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		return strconv.FormatBool(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case money.Cents:
		return x.String()
	case civil.Date:
		return x.String()
	case law.Rate:
		return strconv.FormatInt(int64(x), 10)
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, y := range x {
			parts[i] = text(y)
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}

// valueKind names the kind of a static type, for units and checks.
type valueKind string

const (
	kindBool   valueKind = "bool"
	kindInt    valueKind = "int"
	kindMoney  valueKind = "money"
	kindDate   valueKind = "date"
	kindRate   valueKind = "rate"
	kindString valueKind = "string"
	kindList   valueKind = "list"
	kindObject valueKind = "object"
)

func kindOf(v any) valueKind {
	switch v.(type) {
	case bool:
		return kindBool
	case int64:
		return kindInt
	case money.Cents:
		return kindMoney
	case civil.Date:
		return kindDate
	case law.Rate:
		return kindRate
	case string:
		return kindString
	case []any:
		return kindList
	}
	return kindObject
}

// staticKind is the kind of src's value over a root of type t, without a
// value: it lets Public tell the unit of a number task before grading.
func staticKind(t reflect.Type, src string) (valueKind, error) {
	e, err := parseExpr(src)
	if err != nil {
		return "", err
	}
	if e.op != "" || e.not {
		return kindBool, nil
	}
	if len(e.paths) > 1 {
		return kindList, nil
	}
	multi := false
	for _, seg := range e.paths[0] {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return "", fmt.Errorf("%s: %s is not an object", src, seg.name)
		}
		i, ok := fieldIndex(t, seg.name)
		if !ok {
			return "", fmt.Errorf("%s: unknown field %q", src, seg.name)
		}
		t = t.Field(i).Type
		if seg.all || seg.index >= 0 || seg.selField != "" {
			for t.Kind() == reflect.Pointer {
				t = t.Elem()
			}
			if t.Kind() != reflect.Slice {
				return "", fmt.Errorf("%s: %s is not a list", src, seg.name)
			}
			t = t.Elem()
			if seg.all {
				multi = true
			}
		}
	}
	if multi {
		return kindList, nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case centsType:
		return kindMoney, nil
	case dateType:
		return kindDate, nil
	case rateType:
		return kindRate, nil
	}
	switch t.Kind() {
	case reflect.Bool:
		return kindBool, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return kindInt, nil
	case reflect.String:
		return kindString, nil
	case reflect.Slice:
		return kindList, nil
	}
	return kindObject, nil
}
