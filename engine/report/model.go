// Package report is the console's format-neutral report: a versioned
// content model (a document of sections made of headings, paragraphs,
// key-value lists, typed tables, charts, checklists and notes), the
// builders that turn a workspace into one document per report kind, and
// the seam through which each stage contributes its sections.
//
// Renderers live in their own packages (pdfreport, htmlreport, jsonreport,
// csvreport) and the list of formats in package formats, so the PDF and
// chart libraries stay out of every other package's build. Every renderer
// takes the same Document; a new format is one package plus one line in
// that list. The JSON form of a Document is published as a JSON Schema,
// schema/report-v1.schema.json, and is what the JSON renderer writes.
//
// A report carries configuration facts and vendor evidence metadata only:
// no builder reads a credential, and the types here have nowhere to put one.
package report

import (
	"fmt"
	"io"
	"time"
)

// FormatID names the content model's version. A change that breaks a
// reader of the JSON form gets a new version and a new schema file.
const FormatID = "portal-migration-console/report/v1"

// Kind is a report kind.
type Kind string

const (
	KindAssessment Kind = "assessment"
	KindCutover    Kind = "cutover"
	KindEngagement Kind = "engagement"
)

// Document is one report.
type Document struct {
	Format   string    `json:"format"`
	ID       string    `json:"id"`
	Kind     Kind      `json:"kind"`
	Title    string    `json:"title"`
	Purpose  string    `json:"purpose"`
	Cover    Cover     `json:"cover"`
	Sections []Section `json:"sections"`
}

// Cover is the report's first page: who, what and when.
type Cover struct {
	ConsoleVersion  string          `json:"console_version"`
	Tenant          string          `json:"tenant"`
	WorkspaceID     string          `json:"workspace_id"`
	WorkspaceMode   string          `json:"workspace_mode"`
	WorkspaceStatus string          `json:"workspace_status"`
	TargetURL       string          `json:"target_url"`
	Sources         []CoverSource   `json:"sources"`
	Snapshots       []CoverSnapshot `json:"snapshots"`
	GeneratedAt     time.Time       `json:"generated_at"`
	PreparedBy      string          `json:"prepared_by"`
	// SigningKey is the fingerprint (SHA-256 of the public key, hex) of
	// the workspace's evidence-signing key, or "" when the keychain could
	// not be read; SigningKeyNote then says why.
	SigningKey     string `json:"signing_key_fingerprint"`
	SigningKeyNote string `json:"signing_key_note,omitempty"`
	// Facts are what the stages add: an assessment id, a classifier
	// version, a cutover plan id.
	Facts []Fact `json:"facts"`
}

// CoverSource is one incumbent the workspace reads.
type CoverSource struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
	// Locator is the non-secret address of the tenant: an Okta org URL, an
	// Entra tenant id.
	Locator string `json:"locator"`
}

// CoverSnapshot is one inventory snapshot the report covers.
type CoverSnapshot struct {
	ID         string     `json:"id"`
	Source     string     `json:"source"`
	Status     string     `json:"status"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	Items      int        `json:"items"`
	Pages      int        `json:"pages"`
}

// Fact is one labelled value.
type Fact struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// SectionStatus says whether a section reports a stage's results.
type SectionStatus string

const (
	// Complete: the section reports what the stage recorded.
	Complete SectionStatus = "complete"
	// NotRun: the stage has not run in this workspace (or does not apply
	// to it); the section says so rather than showing empty tables.
	NotRun SectionStatus = "not_run"
	// Partial: the stage ran but did not finish (a failed snapshot, an
	// assessment in progress); the section says what is missing.
	Partial SectionStatus = "partial"
)

// Section is one top-level part of a report; the table of contents lists
// them.
type Section struct {
	ID     string        `json:"id"`
	Title  string        `json:"title"`
	Status SectionStatus `json:"status"`
	Blocks []Block       `json:"blocks"`
}

// BlockType tags a Block; exactly the field of that name is set.
type BlockType string

const (
	BlockHeading   BlockType = "heading"
	BlockParagraph BlockType = "paragraph"
	BlockFacts     BlockType = "facts"
	BlockTable     BlockType = "table"
	BlockChart     BlockType = "chart"
	BlockChecklist BlockType = "checklist"
	BlockNote      BlockType = "note"
)

// Block is one piece of a section.
type Block struct {
	Type      BlockType  `json:"type"`
	Heading   *Heading   `json:"heading,omitempty"`
	Paragraph *Paragraph `json:"paragraph,omitempty"`
	Facts     *Facts     `json:"facts,omitempty"`
	Table     *Table     `json:"table,omitempty"`
	Chart     *Chart     `json:"chart,omitempty"`
	Checklist *Checklist `json:"checklist,omitempty"`
	Note      *Note      `json:"note,omitempty"`
}

// Heading titles a part of a section; level 2 is the highest inside one.
type Heading struct {
	Level int    `json:"level"`
	Text  string `json:"text"`
}

// Paragraph is running text.
type Paragraph struct {
	Text string `json:"text"`
}

// Facts is a key-value list.
type Facts struct {
	Items []Fact `json:"items"`
}

// ColumnType says what a table column holds, so every format can align,
// sort and type it: integer and number cells are JSON numbers, time cells
// RFC 3339 UTC strings, boolean cells true or false, the rest strings; an
// empty cell is null.
type ColumnType string

const (
	ColText    ColumnType = "text"
	ColID      ColumnType = "id"     // an identifier: monospaced, never wrapped mid-word if avoidable
	ColDigest  ColumnType = "digest" // a hex digest
	ColInteger ColumnType = "integer"
	ColNumber  ColumnType = "number"
	ColTime    ColumnType = "time"
	ColBool    ColumnType = "boolean"
	ColStatus  ColumnType = "status" // a state name, coloured by its tone
)

// Column is one table column. Key is the stable CSV header; Title the
// human one. Weight is its relative width in paged formats (default 1).
// Detail columns are left out of the PDF, where a page is too narrow for
// them, and kept in every other format.
type Column struct {
	Key    string     `json:"key"`
	Title  string     `json:"title"`
	Type   ColumnType `json:"type"`
	Weight float64    `json:"weight,omitempty"`
	Detail bool       `json:"detail,omitempty"`
}

// Table is a typed table. ID is stable and names the CSV file (<id>.csv).
// Rows hold one cell per column (see ColumnType for the cell types).
// Summary stands in for Rows in formats meant for reading when Rows are
// more than such a format shows (the item register at 100,000 items): the
// format then prints the summary and says the full table is in the CSV.
// Interactive asks the HTML format for sorting and filtering.
type Table struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Columns     []Column `json:"columns"`
	Rows        [][]any  `json:"rows"`
	Summary     *Table   `json:"summary,omitempty"`
	Interactive bool     `json:"interactive,omitempty"`
	// Empty is what to print instead of an empty table.
	Empty string `json:"empty,omitempty"`
}

// Chart is a chart as data, and as the PNG drawn from it once a format
// needs the picture (formats.Render draws every chart first). Its fields
// mirror the chart package's Spec, which this package does not import.
type Chart struct {
	ID      string        `json:"id"`
	Kind    string        `json:"kind"` // donut, hbar, bar, line, area
	Title   string        `json:"title"`
	Labels  []string      `json:"labels"`
	Series  []ChartSeries `json:"series"`
	Colors  []string      `json:"colors,omitempty"`
	Stacked bool          `json:"stacked,omitempty"`
	Unit    string        `json:"unit,omitempty"`
	// AltText describes the chart in words for readers who cannot see it
	// (and for pdftotext).
	AltText string `json:"alt_text"`
	PNG     []byte `json:"png,omitempty"`
}

// ChartSeries is one named row of chart values.
type ChartSeries struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
	Color  string    `json:"color,omitempty"`
}

// CheckState is one checklist item's state.
type CheckState string

const (
	CheckMet           CheckState = "met"
	CheckNotMet        CheckState = "not_met"
	CheckNotApplicable CheckState = "not_applicable"
)

// Checklist is a list of criteria and whether each holds.
type Checklist struct {
	Items []CheckItem `json:"items"`
}

// CheckItem is one criterion.
type CheckItem struct {
	Label  string     `json:"label"`
	State  CheckState `json:"state"`
	Detail string     `json:"detail,omitempty"`
}

// Tone colours a note.
type Tone string

const (
	ToneInfo    Tone = "info"
	ToneSuccess Tone = "success"
	ToneWarning Tone = "warning"
	ToneDanger  Tone = "danger"
)

// Note is a short remark set apart from the text: "summarised: the full
// table is in the CSV", "the audit trail is broken at entry 7".
type Note struct {
	Tone Tone   `json:"tone"`
	Text string `json:"text"`
}

// Block constructors, so a builder reads as the outline it writes.

func HeadingBlock(level int, text string) Block {
	return Block{Type: BlockHeading, Heading: &Heading{Level: level, Text: text}}
}

func ParagraphBlock(format string, a ...any) Block {
	return Block{Type: BlockParagraph, Paragraph: &Paragraph{Text: fmt.Sprintf(format, a...)}}
}

func FactsBlock(items ...Fact) Block {
	return Block{Type: BlockFacts, Facts: &Facts{Items: items}}
}

func TableBlock(t *Table) Block { return Block{Type: BlockTable, Table: t} }

func ChartBlock(c *Chart) Block { return Block{Type: BlockChart, Chart: c} }

func ChecklistBlock(items ...CheckItem) Block {
	return Block{Type: BlockChecklist, Checklist: &Checklist{Items: items}}
}

func NoteBlock(tone Tone, format string, a ...any) Block {
	return Block{Type: BlockNote, Note: &Note{Tone: tone, Text: fmt.Sprintf(format, a...)}}
}

// Tables returns every table of the document in order, summaries not
// included: what the CSV format writes.
func (d *Document) Tables() []*Table {
	var out []*Table
	for _, s := range d.Sections {
		for _, b := range s.Blocks {
			if b.Table != nil {
				out = append(out, b.Table)
			}
		}
	}
	return out
}

// Charts returns every chart of the document in order.
func (d *Document) Charts() []*Chart {
	var out []*Chart
	for _, s := range d.Sections {
		for _, b := range s.Blocks {
			if b.Chart != nil {
				out = append(out, b.Chart)
			}
		}
	}
	return out
}

// Files receives a rendered report. A single-file format creates one file;
// the CSV format one per table, named <table id>.csv. What a name maps to
// (a path the operator chose, a folder, a zip entry) is the caller's.
type Files interface {
	Create(name string) (io.Writer, error)
}
