package scenario

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Module is the training for one component: a short course, its scenarios
// in order, and the rule that says when it is complete.
type Module struct {
	ID            string     `json:"id"`
	Certification string     `json:"certification"`
	Component     string     `json:"component"`
	Title         string     `json:"title"`
	Order         int        `json:"order"`
	CourseFile    string     `json:"course_file,omitempty"` // beside module.yaml; default course.md
	Course        string     `json:"course"`                // Markdown, read from CourseFile
	Scenarios     []string   `json:"scenarios"`
	Completion    Completion `json:"completion"`

	File string `json:"-"`
}

// Completion: every scenario of the module passed with at least MinPercent.
type Completion struct {
	Rule       string `json:"rule"`        // "all_passed"
	MinPercent int    `json:"min_percent"` // default DefaultPassMark
}

// Certifications and the components of each (docs/domain.md §1).
var Certifications = map[string][]string{
	"clerc-recouvrement-amiable": {"CLERC-1", "CLERC-2", "CLERC-3", "CLERC-4"},
	"agent-recouvrement":         {"AGENT-1", "AGENT-2", "AGENT-3", "AGENT-4"},
}

// Best is a trainee's best final result on one scenario.
type Best struct {
	Percent float64 `json:"percent"`
	Passed  bool    `json:"passed"` // false after an ethics failure, whatever the percent
}

// ModuleStatus is a trainee's progress through a module.
type ModuleStatus struct {
	Module    string   `json:"module"`
	Completed bool     `json:"completed"`
	Passed    int      `json:"passed"`
	Total     int      `json:"total"`
	Remaining []string `json:"remaining"` // scenarios still to pass, in order
}

// Status applies the completion rule to a trainee's best results by scenario id.
func (m Module) Status(best map[string]Best) ModuleStatus {
	min := m.Completion.MinPercent
	if min == 0 {
		min = DefaultPassMark
	}
	st := ModuleStatus{Module: m.ID, Total: len(m.Scenarios), Remaining: []string{}}
	for _, id := range m.Scenarios {
		b, ok := best[id]
		if ok && b.Passed && b.Percent+1e-9 >= float64(min) {
			st.Passed++
		} else {
			st.Remaining = append(st.Remaining, id)
		}
	}
	st.Completed = st.Total > 0 && st.Passed == st.Total
	return st
}

func loadModules(fsys fs.FS) ([]Module, []error) {
	var mods []Module
	var errs []error
	entries, err := fs.ReadDir(fsys, "modules")
	if err != nil {
		return nil, []error{&Error{File: "modules", Msg: err.Error()}}
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := path.Join("modules", e.Name())
		p := path.Join(dir, "module.yaml")
		var m Module
		if err := decodeFile(fsys, p, &m); err != nil {
			errs = append(errs, &Error{File: p, Msg: err.Error()})
			continue
		}
		m.File = p
		if m.ID == "" {
			errs = append(errs, &Error{File: p, Msg: "id is required"})
			continue
		}
		if seen[m.ID] {
			errs = append(errs, &Error{File: p, Scenario: m.ID, Msg: "module id already used"})
			continue
		}
		seen[m.ID] = true
		cf := m.CourseFile
		if cf == "" {
			cf = "course.md"
		}
		course, err := fs.ReadFile(fsys, path.Join(dir, cf))
		if err != nil {
			errs = append(errs, &Error{File: p, Scenario: m.ID, Msg: fmt.Sprintf("course: %v", err)})
			continue
		}
		m.Course = strings.TrimSpace(string(course))
		mods = append(mods, m)
	}
	sort.SliceStable(mods, func(i, j int) bool {
		if mods[i].Order != mods[j].Order {
			return mods[i].Order < mods[j].Order
		}
		return mods[i].ID < mods[j].ID
	})
	return mods, errs
}
