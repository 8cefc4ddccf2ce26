package formats_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/portal-id/migration-console/engine/report"
	"github.com/portal-id/migration-console/engine/report/formats"
	"github.com/portal-id/migration-console/engine/report/reporttest"
)

func doc(t *testing.T) *report.Document {
	t.Helper()
	d, err := report.Build(context.Background(), report.KindEngagement, reporttest.Engagement(90), nil, report.Options{ConsoleVersion: "0.1.0"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestEveryFormatWritesWhatItSays(t *testing.T) {
	for _, f := range formats.List {
		d := doc(t)
		files := reporttest.Files{}
		if err := formats.Render(d, f.Name, files); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		want := 1
		if f.MultiFile {
			want = len(d.Tables())
		}
		if len(files) != want {
			t.Errorf("%s wrote %d files, want %d", f.Name, len(files), want)
		}
		for name, b := range files {
			if len(b.B) == 0 || !bytes.HasSuffix([]byte(name), []byte("."+f.Extension)) {
				t.Errorf("%s: %s is empty or misnamed", f.Name, name)
			}
		}
		for _, c := range d.Charts() {
			if len(c.PNG) == 0 {
				t.Errorf("%s: chart %s was not drawn", f.Name, c.ID)
			}
		}
	}
}

// TestJSONIsTheModel: the JSON report decodes back into the same document.
func TestJSONIsTheModel(t *testing.T) {
	d := doc(t)
	files := reporttest.Files{}
	if err := formats.Render(d, "json", files); err != nil {
		t.Fatal(err)
	}
	var back report.Document
	if err := json.Unmarshal(files["engagement.json"].B, &back); err != nil {
		t.Fatal(err)
	}
	if err := back.Validate(); err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(d)
	b, _ := json.Marshal(&back)
	if !bytes.Equal(a, b) {
		t.Error("the JSON report does not decode back to the document it was written from")
	}
}

func TestUnknownFormat(t *testing.T) {
	if err := formats.Render(doc(t), "docx", reporttest.Files{}); !errors.Is(err, formats.ErrUnknown) {
		t.Errorf("err = %v", err)
	}
}

func TestInvalidDocumentIsRefusedBeforeAnyByte(t *testing.T) {
	for _, f := range formats.List {
		d := doc(t)
		d.Sections[0].Blocks = append(d.Sections[0].Blocks, report.Block{Type: report.BlockTable})
		files := reporttest.Files{}
		if err := formats.Render(d, f.Name, files); !errors.Is(err, report.ErrInvalid) {
			t.Errorf("%s: err = %v", f.Name, err)
		}
		if len(files) != 0 {
			t.Errorf("%s wrote %d files for an invalid document", f.Name, len(files))
		}
	}
}
