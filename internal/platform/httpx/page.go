package httpx

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"github.com/ancr/cqp/internal/civil"
	"github.com/labstack/echo/v4"
)

// Page is the contract's list shape: {"items":[…],"next_cursor":…}.
type Page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// Limit reads ?limit= bounded to [1, max], def when absent.
func Limit(c echo.Context, def, max int) (int, error) {
	s := c.QueryParam("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, Invalid(Field("limit",
			"limit doit être un entier entre 1 et "+strconv.Itoa(max)+".",
			"limit must be an integer between 1 and "+strconv.Itoa(max)+"."))
	}
	return n, nil
}

// EncodeCursor makes an opaque cursor from the last row's sort key.
func EncodeCursor(key any) *string {
	b, _ := json.Marshal(key)
	s := base64.RawURLEncoding.EncodeToString(b)
	return &s
}

// DecodeCursor reads ?cursor= into key; false when absent.
func DecodeCursor(c echo.Context, key any) (bool, error) {
	s := c.QueryParam("cursor")
	if s == "" {
		return false, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, key)
	}
	if err != nil {
		return false, Invalid(Field("cursor", "Curseur invalide.", "Invalid cursor."))
	}
	return true, nil
}

// List answers a keyset-paginated list: it reads ?limit= (50 by default, at
// most 200) and the opaque ?cursor= holding the last row's key, asks fetch
// for that page, and writes {"items","next_cursor"}. fetch returns the key
// of the page's last row when more rows follow, "" otherwise.
func List[T any](c echo.Context, fetch func(after string, limit int) ([]T, string, error)) error {
	limit, err := Limit(c, 50, 200)
	if err != nil {
		return err
	}
	var after string
	if _, err := DecodeCursor(c, &after); err != nil {
		return err
	}
	items, next, err := fetch(after, limit)
	if err != nil {
		return err
	}
	page := Page[T]{Items: items}
	if next != "" {
		page.NextCursor = EncodeCursor(next)
	}
	return c.JSON(http.StatusOK, page)
}

// QueryDates reads optional YYYY-MM-DD query parameters, each into its
// destination (left as is when absent); every malformed one is a field
// error named after its parameter.
func QueryDates(c echo.Context, dst map[string]*civil.Date) []FieldError {
	var bad []FieldError
	for _, name := range slices.Sorted(maps.Keys(dst)) {
		v := c.QueryParam(name)
		if v == "" {
			continue
		}
		d, err := civil.Parse(v)
		if err != nil {
			bad = append(bad, Field(name, "Date attendue au format AAAA-MM-JJ.", "Expected a date as YYYY-MM-DD."))
			continue
		}
		*dst[name] = d
	}
	return bad
}
