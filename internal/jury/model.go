package jury

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ancr/cqp/internal/civil"
	"github.com/ancr/cqp/internal/referential"
)

// Jury is one panel for one certification and one session date.
type Jury struct {
	ID            string     `gorm:"primaryKey;size:36" json:"id"`
	Certification string     `gorm:"size:60;not null;index" json:"certification"`
	SessionDate   civil.Date `gorm:"not null;index" json:"session_date"`
	Location      string     `gorm:"size:300" json:"location"`
	// StartTime and EndTime ("HH:MM", Paris) are the session's hours,
	// printed in the convocations' calendar events.
	StartTime   string `gorm:"size:5;not null;default:09:00" json:"start_time"`
	EndTime     string `gorm:"size:5;not null;default:17:00" json:"end_time"`
	PresidentID string `gorm:"column:president_user_id;size:36;not null" json:"president_user_id"`
	// SigningStartedAt freezes the deliberations: the minutes being signed
	// must be the minutes every signer reads.
	SigningStartedAt *time.Time `json:"signing_started_at,omitempty"`
	FinalisedAt      *time.Time `json:"finalised_at,omitempty"`
	// Version counts the writes on the jury; every write takes the jury
	// row's lock first, so the count is exact.
	Version   int       `gorm:"not null;default:1" json:"version"`
	CreatedBy string    `gorm:"size:36;not null" json:"-"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TableName fixes the table's name.
func (Jury) TableName() string { return "juries" }

// Final tells whether the minutes are signed.
func (j Jury) Final() bool { return j.FinalisedAt != nil }

// Member is a seat on a jury. Name is copied from the account when the
// member joins, so that the minutes keep the name they were signed under.
type Member struct {
	JuryID       string `gorm:"primaryKey;size:36" json:"-"`
	UserID       string `gorm:"primaryKey;size:36;index" json:"user_id"`
	Name         string `gorm:"size:200;not null" json:"name"`
	Category     string `gorm:"size:40;not null" json:"category"`
	Organisation string `gorm:"size:200;not null" json:"organisation"`
	Position     int    `gorm:"not null" json:"-"`
	// Gender is the account's, read with the jury (never stored here).
	Gender    string    `gorm:"-" json:"gender"`
	CreatedAt time.Time `json:"-"`
}

// TableName fixes the table's name.
func (Member) TableName() string { return "jury_members" }

// Qualification says a jury user may assess a certification.
type Qualification struct {
	UserID        string    `gorm:"primaryKey;size:36" json:"user_id"`
	Certification string    `gorm:"primaryKey;size:60" json:"certification"`
	GrantedBy     string    `gorm:"size:36;not null" json:"granted_by"`
	CreatedAt     time.Time `json:"created_at"`
}

// TableName fixes the table's name.
func (Qualification) TableName() string { return "member_certifications" }

// Assignment is a candidate assessed by a jury.
type Assignment struct {
	ID            string  `gorm:"primaryKey;size:36" json:"id"`
	JuryID        string  `gorm:"size:36;not null;uniqueIndex:idx_jury_candidate" json:"jury_id"`
	CandidateID   string  `gorm:"size:36;not null;uniqueIndex:idx_jury_candidate;index" json:"candidate_id"`
	ExamAttemptID *string `gorm:"size:36" json:"exam_attempt_id"`
	// DossierSubmittedOn is the VAE dossier's submission day, when the
	// candidate comes by VAE: the jury sits within 3 months of it.
	DossierSubmittedOn *civil.Date `json:"dossier_submitted_on"`
	// OpenedAt is when the deliberation on this candidate was opened: from
	// then on members see each other's scores, and scores are frozen.
	OpenedAt       *time.Time `json:"deliberation_opened_at"`
	DeliberationID *string    `gorm:"size:36" json:"deliberation_id"`
	// NotifiedOn is when the result was notified to the candidate (VAE:
	// within 15 days of the deliberation).
	NotifiedOn *civil.Date `json:"notified_on"`
	AssignedBy string      `gorm:"size:36;not null" json:"-"`
	CreatedAt  time.Time   `json:"assigned_at"`
	UpdatedAt  time.Time   `json:"-"`
}

// TableName fixes the table's name.
func (Assignment) TableName() string { return "jury_candidates" }

// LinkRecord is a recorded tie between a jury user and a candidate that bars
// the user from assessing the candidate in any jury: trained,
// accompanied, or any interest the member declared.
type LinkRecord struct {
	ID          string    `gorm:"primaryKey;size:36" json:"id"`
	UserID      string    `gorm:"size:36;not null;uniqueIndex:idx_conflict_link" json:"user_id"`
	CandidateID string    `gorm:"size:36;not null;uniqueIndex:idx_conflict_link;index" json:"candidate_id"`
	Kind        string    `gorm:"size:20;not null;uniqueIndex:idx_conflict_link" json:"kind"`
	Note        string    `gorm:"type:text" json:"note,omitempty"`
	JuryID      *string   `gorm:"size:36" json:"jury_id,omitempty"`
	DeclaredBy  string    `gorm:"size:36;not null" json:"declared_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// TableName fixes the table's name.
func (LinkRecord) TableName() string { return "conflict_links" }

// Exclusion records that a member may not assess a candidate in a jury, and why.
type Exclusion struct {
	JuryID      string `gorm:"primaryKey;size:36" json:"-"`
	CandidateID string `gorm:"primaryKey;size:36" json:"candidate_id"`
	UserID      string `gorm:"primaryKey;size:36" json:"user_id"`
	Reason      string `gorm:"primaryKey;size:20" json:"reason"`
	Detail      string `gorm:"type:text" json:"detail,omitempty"`
	// EndedOn is when a former employment ended (former_employer).
	EndedOn civil.Date `json:"ended_on"`
	// MessageFR and MessageEN explain the conflict (Explain).
	MessageFR string    `gorm:"-" json:"message_fr"`
	MessageEN string    `gorm:"-" json:"message_en"`
	CreatedAt time.Time `json:"-"`
}

// explained fills the messages of exclusions.
func explained(es []Exclusion) []Exclusion {
	for i := range es {
		es[i].MessageFR, es[i].MessageEN = Explain(es[i].Reason, es[i].Detail, es[i].EndedOn)
	}
	return es
}

// TableName fixes the table's name.
func (Exclusion) TableName() string { return "jury_exclusions" }

// LevelScore is one criterion scored.
type LevelScore struct {
	Criterion string `json:"criterion" validate:"required,max=40"`
	Level     int    `json:"level" validate:"required,min=1,max=4"`
}

// Scores is a list of levels stored as JSON text.
type Scores []LevelScore

func (l Scores) Value() (driver.Value, error) {
	if l == nil {
		l = Scores{}
	}
	b, err := json.Marshal([]LevelScore(l))
	return string(b), err
}

func (l *Scores) Scan(src any) error { return scanJSON(src, (*[]LevelScore)(l)) }

// Evaluation is one member's scores for one candidate on one component.
type Evaluation struct {
	ID          string    `gorm:"primaryKey;size:36" json:"id"`
	JuryID      string    `gorm:"size:36;not null;uniqueIndex:idx_evaluation" json:"jury_id"`
	CandidateID string    `gorm:"size:36;not null;uniqueIndex:idx_evaluation" json:"candidate_id"`
	Component   string    `gorm:"size:20;not null;uniqueIndex:idx_evaluation" json:"component"`
	MemberID    string    `gorm:"size:36;not null;uniqueIndex:idx_evaluation" json:"member_id"`
	Scores      Scores    `gorm:"type:text;not null" json:"scores"`
	Comment     string    `gorm:"type:text" json:"comment"`
	Version     int       `gorm:"not null;default:1" json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// TableName fixes the table's name.
func (Evaluation) TableName() string { return "jury_evaluations" }

// ComponentVotes are the votes cast on one component when the jury voted.
type ComponentVotes struct {
	Component string `json:"component"`
	Votes     []Vote `json:"votes"`
	Casting   bool   `json:"casting_vote"`
}

// VoteList is stored as JSON text.
type VoteList []ComponentVotes

func (l VoteList) Value() (driver.Value, error) {
	if l == nil {
		l = VoteList{}
	}
	b, err := json.Marshal([]ComponentVotes(l))
	return string(b), err
}

func (l *VoteList) Scan(src any) error { return scanJSON(src, (*[]ComponentVotes)(l)) }

// Deliberation is the jury's decision session on one candidate.
type Deliberation struct {
	ID          string                 `gorm:"primaryKey;size:36" json:"id"`
	JuryID      string                 `gorm:"size:36;not null;uniqueIndex:idx_deliberation" json:"jury_id"`
	CandidateID string                 `gorm:"size:36;not null;uniqueIndex:idx_deliberation" json:"candidate_id"`
	DecidedOn   civil.Date             `gorm:"not null" json:"decided_on"`
	PresentIDs  referential.StringList `gorm:"column:present_member_ids;type:text;not null" json:"present_member_ids"`
	Votes       VoteList               `gorm:"type:text" json:"votes,omitempty"`
	CreatedBy   string                 `gorm:"size:36;not null" json:"created_by"`
	CreatedAt   time.Time              `json:"created_at"`
}

// TableName fixes the table's name.
func (Deliberation) TableName() string { return "jury_deliberations" }

// Signature is one signer's signature of the minutes. RecordedBy is the
// signer, or the administrator who recorded a signature made on paper.
type Signature struct {
	JuryID     string    `gorm:"primaryKey;size:36" json:"-"`
	UserID     string    `gorm:"primaryKey;size:36" json:"user_id"`
	Position   int       `gorm:"not null" json:"position"`
	SignedAt   time.Time `gorm:"not null" json:"signed_at"`
	RecordedBy string    `gorm:"size:36;not null" json:"recorded_by"`
}

// TableName fixes the table's name.
func (Signature) TableName() string { return "jury_signatures" }

func scanJSON(src, dst any) error {
	var b []byte
	switch v := src.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	case nil:
		return nil
	default:
		return fmt.Errorf("cannot scan %T as JSON", src)
	}
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, dst)
}
