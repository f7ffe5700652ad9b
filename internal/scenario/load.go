package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Catalogue is every scenario and module that loaded.
type Catalogue struct {
	Scenarios []Scenario // by id
	Modules   []Module   // by Order, then id
}

// Scenario returns the scenario with that id.
func (c Catalogue) Scenario(id string) (Scenario, bool) {
	i := sort.Search(len(c.Scenarios), func(i int) bool { return c.Scenarios[i].ID >= id })
	if i < len(c.Scenarios) && c.Scenarios[i].ID == id {
		return c.Scenarios[i], true
	}
	return Scenario{}, false
}

// Module returns the module with that id.
func (c Catalogue) Module(id string) (Module, bool) {
	for _, m := range c.Modules {
		if m.ID == id {
			return m, true
		}
	}
	return Module{}, false
}

// Error is one problem found in an assessment file.
type Error struct {
	File     string
	Scenario string // or module id
	Task     string
	Msg      string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Scenario != "" {
		fmt.Fprintf(&b, " [%s]", e.Scenario)
	}
	if e.Task != "" {
		fmt.Fprintf(&b, " task %s", e.Task)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Load reads scenarios/**/*.yaml|yml|json and modules/*/module.yaml from fsys
// (the assessments folder). A file that does not parse, or repeats an id, is
// reported and left out. Load does not judge content: CheckAll does.
func Load(fsys fs.FS) (Catalogue, []error) {
	var cat Catalogue
	var errs []error
	seen := map[string]string{}
	walkErr := fs.WalkDir(fsys, "scenarios", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, &Error{File: p, Msg: err.Error()})
			return nil
		}
		if d.IsDir() || !isDataFile(p) {
			return nil
		}
		var s Scenario
		if err := decodeFile(fsys, p, &s); err != nil {
			errs = append(errs, &Error{File: p, Msg: err.Error()})
			return nil
		}
		s.File = p
		if s.ID == "" {
			errs = append(errs, &Error{File: p, Msg: "id is required"})
			return nil
		}
		if first, dup := seen[s.ID]; dup {
			errs = append(errs, &Error{File: p, Scenario: s.ID, Msg: "id already used by " + first})
			return nil
		}
		seen[s.ID] = p
		cat.Scenarios = append(cat.Scenarios, s)
		return nil
	})
	if walkErr != nil {
		errs = append(errs, &Error{File: "scenarios", Msg: walkErr.Error()})
	}
	sort.Slice(cat.Scenarios, func(i, j int) bool { return cat.Scenarios[i].ID < cat.Scenarios[j].ID })
	mods, merrs := loadModules(fsys)
	cat.Modules = mods
	errs = append(errs, merrs...)
	return cat, errs
}

func isDataFile(p string) bool {
	switch path.Ext(p) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// decodeFile reads YAML (or JSON, which is YAML) into v through JSON, so that
// the JSON forms of money.Cents, civil.Date and law.Rate apply and a
// misspelt field is an error rather than a silent zero.
func decodeFile(fsys fs.FS, p string, v any) error {
	data, err := fs.ReadFile(fsys, p)
	if err != nil {
		return err
	}
	js, err := yamlToJSON(data)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	return nil
}

func yamlToJSON(data []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, fmt.Errorf("empty file")
	}
	var b bytes.Buffer
	if err := writeJSON(&b, doc.Content[0], 0); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeJSON(b *bytes.Buffer, n *yaml.Node, depth int) error {
	if depth > 64 {
		return fmt.Errorf("line %d: nested too deep", n.Line)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			b.WriteString("null")
			return nil
		}
		return writeJSON(b, n.Content[0], depth+1)
	case yaml.AliasNode:
		return writeJSON(b, n.Alias, depth+1)
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.Value == "<<" {
				return fmt.Errorf("line %d: keys must be plain words", k.Line)
			}
			if i > 0 {
				b.WriteByte(',')
			}
			key, _ := json.Marshal(k.Value)
			b.Write(key)
			b.WriteByte(':')
			if err := writeJSON(b, n.Content[i+1], depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, c, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			b.WriteString("null")
		case "!!bool":
			var v bool
			if err := n.Decode(&v); err != nil {
				return fmt.Errorf("line %d: %w", n.Line, err)
			}
			b.WriteString(strconv.FormatBool(v))
		case "!!int", "!!float":
			// Keep the literal when it is a JSON number, so 0.1 stays exact.
			if json.Valid([]byte(n.Value)) && !strings.ContainsAny(n.Value, "_xXoO") {
				b.WriteString(n.Value)
				return nil
			}
			var f float64
			if err := n.Decode(&f); err != nil {
				return fmt.Errorf("line %d: %w", n.Line, err)
			}
			b.WriteString(strconv.FormatFloat(f, 'f', -1, 64))
		default: // strings, and dates, which stay text (YYYY-MM-DD)
			s, _ := json.Marshal(n.Value)
			b.Write(s)
		}
	default:
		return fmt.Errorf("line %d: unsupported YAML", n.Line)
	}
	return nil
}
