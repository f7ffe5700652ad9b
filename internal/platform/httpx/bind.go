package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/ancr/cqp/internal/civil"
	"github.com/go-playground/locales/en"
	"github.com/go-playground/locales/fr"
	ut "github.com/go-playground/universal-translator"
	"github.com/go-playground/validator/v10"
	en_tr "github.com/go-playground/validator/v10/translations/en"
	fr_tr "github.com/go-playground/validator/v10/translations/fr"
	"github.com/labstack/echo/v4"
)

// Validator checks request structs with validator/v10 tags and renders each
// failure in French and English, naming fields by their JSON path.
type Validator struct {
	v      *validator.Validate
	fr, en ut.Translator
}

// embedded names an anonymous embedded struct in a field's path, so that
// its fields are named as JSON names them: "sex", not "Identity.sex".
const embedded = "~"

// NewValidator builds the validator once, at start.
func NewValidator() *Validator {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name := strings.SplitN(f.Tag.Get("json"), ",", 2)[0]
		if name == "-" {
			return ""
		}
		if name == "" && f.Anonymous {
			return embedded // JSON flattens it: so does the field's path
		}
		if name == "" {
			return f.Name
		}
		return name
	})
	// A civil.Date validates as its text, so "required" means "given".
	v.RegisterCustomTypeFunc(func(f reflect.Value) any {
		d := f.Interface().(civil.Date)
		if d.IsZero() {
			return ""
		}
		return d.String()
	}, civil.Date{})
	uni := ut.New(fr.New(), fr.New(), en.New())
	tfr, _ := uni.GetTranslator("fr")
	ten, _ := uni.GetTranslator("en")
	// Registration only fails on a programming error in the library's tables.
	if err := fr_tr.RegisterDefaultTranslations(v, tfr); err != nil {
		panic(fmt.Errorf("validator fr translations: %w", err))
	}
	if err := en_tr.RegisterDefaultTranslations(v, ten); err != nil {
		panic(fmt.Errorf("validator en translations: %w", err))
	}
	// "personname": the names printed on certificates and minutes.
	if err := v.RegisterValidation("personname", func(fl validator.FieldLevel) bool {
		return PersonNameOK(fl.Field().String())
	}); err != nil {
		panic(err)
	}
	for tag, msgs := range map[string]map[ut.Translator]string{
		"personname": {
			tfr: "{0} contient un caractère non admis dans un nom (emoji, symbole ou caractère invisible).",
			ten: "{0} holds a character not allowed in a name (emoji, symbol or invisible character).",
		},
		"iso3166_1_alpha2": {
			tfr: "{0} doit être un code de pays ISO 3166 à deux lettres (FR, ES, PL…).",
			ten: "{0} must be a two-letter ISO 3166 country code (FR, ES, PL…).",
		},
	} {
		for tr, msg := range msgs {
			if err := v.RegisterTranslation(tag, tr, func(t ut.Translator) error { return t.Add(tag, msg, true) },
				func(t ut.Translator, fe validator.FieldError) string { s, _ := t.T(tag, fe.Field()); return s }); err != nil {
				panic(err)
			}
		}
	}
	return &Validator{v: v, fr: tfr, en: ten}
}

// Validate checks s and returns a 422 Problem listing every field at fault, or nil.
func (vd *Validator) Validate(s any) error {
	err := vd.v.Struct(s)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return fmt.Errorf("validate: %w", err)
	}
	fields := make([]FieldError, 0, len(verrs))
	for _, fe := range verrs {
		path := fe.Namespace()
		if i := strings.IndexByte(path, '.'); i >= 0 {
			path = path[i+1:] // drop the root struct's name
		}
		path = strings.ReplaceAll(path, embedded+".", "")
		fields = append(fields, FieldError{
			Field: path,
			FR:    strings.Replace(fe.Translate(vd.fr), fe.Field(), path, 1),
			EN:    strings.Replace(fe.Translate(vd.en), fe.Field(), path, 1),
		})
	}
	return Invalid(fields...)
}

// Validate is the echo.Validator hook.
var _ echo.Validator = (*Validator)(nil)

// Bind decodes the JSON body into req (a request struct, never a model) and
// validates it: malformed JSON → 400; values of the wrong type, values their
// type refuses (an impossible date) and failed rules → one 422 that lists
// every field at fault, so that a form shows all its problems at once.
// Query and path parameters are read by the handler itself.
func Bind(c echo.Context, req any) error {
	parse := Decode(c, req)
	var bad []FieldError
	if parse != nil {
		p, ok := AsProblem(parse)
		if !ok || p.Status != http.StatusUnprocessableEntity {
			return parse
		}
		bad = p.Fields
	}
	verr := c.Validate(req)
	if verr == nil {
		if parse != nil {
			return parse
		}
		return nil
	}
	vp, ok := AsProblem(verr)
	if !ok {
		return verr
	}
	// A field that could not be parsed is left zero, which "required"
	// would report again: its parse error says more.
	seen := map[string]bool{}
	for _, f := range bad {
		seen[f.Field] = true
	}
	for _, f := range vp.Fields {
		if !seen[f.Field] {
			bad = append(bad, f)
		}
	}
	return Invalid(bad...)
}

// Decode is Bind without the validator, for a request type that has its own
// complete check (law.Input and law.Check): the rules then live in one place.
func Decode(c echo.Context, req any) error {
	r := c.Request()
	if r.ContentLength == 0 && r.Body == http.NoBody {
		return errEmptyBody()
	}
	if ct := r.Header.Get(echo.HeaderContentType); ct != "" && !strings.HasPrefix(ct, echo.MIMEApplicationJSON) {
		return New(http.StatusUnsupportedMediaType, "unsupported_media_type",
			"Le contenu doit être du JSON (application/json).", "The body must be JSON (application/json).")
	}
	return DecodeJSON(r.Body, req)
}

// DecodeJSON reads one JSON document into v with the error mapping of Bind.
// A struct is filled field by field, so that every field whose value cannot
// be read is reported (422), not only the first; every string is then held
// to the one text rule (CleanText).
func DecodeJSON(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	dec.UseNumber()
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		if err == io.EOF {
			// No document at all. Decode's own check above misses this once
			// the body limit has wrapped the request's http.NoBody.
			return errEmptyBody()
		}
		return decodeProblem(err)
	}
	if dec.More() {
		return BadRequest("Le corps contient plusieurs documents JSON.", "The body holds more than one JSON document.")
	}
	rv := reflect.ValueOf(v)
	var fields []FieldError
	if rv.Kind() == reflect.Pointer && rv.Elem().Kind() == reflect.Struct && !isLeaf(rv.Elem().Type()) {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return decodeProblem(err)
		}
		fields = decodeFields(obj, rv.Elem(), "")
	} else if err := unmarshal(raw, v); err != nil {
		return decodeProblem(err)
	}
	fields = append(fields, cleanStrings(rv, "")...)
	if len(fields) > 0 {
		return Invalid(fields...)
	}
	return nil
}

func unmarshal(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}

// isLeaf tells a struct that decodes itself (a date, a money amount) from
// one whose fields are decoded one by one.
func isLeaf(t reflect.Type) bool {
	return reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) ||
		t.Implements(reflect.TypeFor[json.Unmarshaler]())
}

// decodeFields fills the struct sv from obj one field at a time, matching
// JSON names as encoding/json does (exactly, else case-insensitively), and
// returns a FieldError for each value that could not be read.
func decodeFields(obj map[string]json.RawMessage, sv reflect.Value, prefix string) []FieldError {
	var out []FieldError
	t := sv.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" && tag == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				fv := sv.Field(i)
				if fv.Kind() == reflect.Pointer {
					if fv.IsNil() {
						fv.Set(reflect.New(ft))
					}
					fv = fv.Elem()
				}
				out = append(out, decodeFields(obj, fv, prefix)...)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		raw, ok := obj[name]
		if !ok {
			for k, r := range obj {
				if strings.EqualFold(k, name) {
					raw, ok = r, true
					break
				}
			}
		}
		if !ok {
			continue
		}
		if err := unmarshal(raw, sv.Field(i).Addr().Interface()); err != nil {
			out = append(out, fieldProblem(prefix+name, err))
		}
	}
	return out
}

// fieldProblem says why the value of field could not be read.
func fieldProblem(field string, err error) FieldError {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field != "" && typeErr.Field != field {
			field += "." + typeErr.Field
		}
		if typeErr.Type != nil && typeErr.Type.Kind() == reflect.Struct {
			// a value type's own refusal (civil.Date): its Value says it all
			return Field(field, fmt.Sprintf("%s : valeur invalide (%s).", field, typeErr.Value),
				fmt.Sprintf("%s: invalid value (%s).", field, typeErr.Value))
		}
		return Field(field,
			fmt.Sprintf("%s : valeur invalide (%s attendu, %s reçu).", field, kindFR(typeErr.Type), typeErr.Value),
			fmt.Sprintf("%s: invalid value (%s expected, got %s).", field, typeErr.Type.Kind(), typeErr.Value))
	}
	return Field(field, fmt.Sprintf("%s : valeur invalide (%s).", field, err.Error()),
		fmt.Sprintf("%s: invalid value (%s).", field, err.Error()))
}

func kindFR(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "texte"
	case reflect.Bool:
		return "booléen"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8,
		reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "nombre entier"
	case reflect.Float32, reflect.Float64:
		return "nombre"
	case reflect.Slice, reflect.Array:
		return "liste"
	case reflect.Map, reflect.Struct:
		return "objet"
	}
	return t.String()
}

func errEmptyBody() error {
	return BadRequest("Le corps de la requête est vide : un document JSON est attendu.",
		"The request body is empty: a JSON document is expected.")
}

func decodeProblem(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return New(http.StatusRequestEntityTooLarge, "too_large",
			"Le contenu dépasse la taille autorisée.", "The body exceeds the size limit.")
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := typeErr.Field
		if field == "" {
			field = "(body)"
		}
		return Invalid(Field(field,
			fmt.Sprintf("%s : valeur invalide (%s).", field, typeErr.Value),
			fmt.Sprintf("%s: invalid value (%s).", field, typeErr.Value)))
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return BadRequest("JSON mal formé : "+err.Error(), "Malformed JSON: "+err.Error()).Wrap(err)
	}
	// A value's own decoder refused it (an impossible date, a bad amount):
	// well-formed JSON, so a 422 naming what was wrong.
	return Invalid(Field("(body)", "Valeur invalide : "+err.Error(), "Invalid value: "+err.Error())).Wrap(err)
}
