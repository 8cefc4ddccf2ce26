// Package jsonreport writes a report as its content model in JSON: the
// document exactly as engine/report defines it, valid against the
// published schema (engine/report/schema/report-v1.schema.json). Charts
// carry their data and, once drawn, their PNG in base64.
package jsonreport

import (
	"bufio"
	"encoding/json"
	"fmt"

	"github.com/portal-id/migration-console/engine/report"
)

// Extension is the file name extension of a JSON report.
const Extension = "json"

// Render writes doc as one JSON document, <kind>.json. It is compact: a
// 100,000-item register indented would triple the file for no reader.
func Render(doc *report.Document, files report.Files) error {
	if err := doc.Validate(); err != nil {
		return err
	}
	w, err := files.Create(string(doc.Kind) + "." + Extension)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := json.NewEncoder(bw).Encode(doc); err != nil {
		return fmt.Errorf("write the JSON report: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write the JSON report: %w", err)
	}
	return nil
}
