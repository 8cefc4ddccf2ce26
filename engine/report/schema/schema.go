// Package schema publishes the JSON Schema of the report content model,
// so tests and tools validate a JSON report against the file checked in
// beside this one rather than a copy.
package schema

import _ "embed"

// ReportV1 is report-v1.schema.json: the JSON form of report.Document
// whose Format is "portal-migration-console/report/v1".
//
//go:embed report-v1.schema.json
var ReportV1 []byte

// ReportV1ID is the schema's $id.
const ReportV1ID = "https://portal-id.example/schemas/portal-migration-console/report-v1.schema.json"
