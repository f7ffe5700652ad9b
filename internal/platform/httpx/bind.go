package httpx

import (
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

// NewValidator builds the validator once, at start.
func NewValidator() *Validator {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name := strings.SplitN(f.Tag.Get("json"), ",", 2)[0]
		if name == "-" {
			return ""
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
// validates it: malformed JSON → 400, a value of the wrong type or a failed
// rule → 422 with the field named. Query and path parameters are read by the
// handler itself.
func Bind(c echo.Context, req any) error {
	if err := Decode(c, req); err != nil {
		return err
	}
	return c.Validate(req)
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
func DecodeJSON(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
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
	return nil
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
