package screens

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/ui/task"
)

// itemDetail shows one item whole: its normalized fields, the evidence
// pages it came from with their digests, and the vendor's raw payload.
type itemDetail struct {
	env      Env
	title    *widget.Label
	fields   *widget.Label
	evidence *widget.Label
	raw      *widget.Label
	secrets  *secretsSection
	// shown is the item on display or being read; a slower answer for an
	// item selected earlier is dropped.
	shown   int64
	content fyne.CanvasObject
}

func newItemDetail(env Env) *itemDetail {
	d := &itemDetail{
		env:      env,
		title:    widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		fields:   widget.NewLabel(""),
		evidence: widget.NewLabel(""),
		raw:      widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true}),
		secrets:  newSecretsSection(),
	}
	for _, l := range []*widget.Label{d.fields, d.evidence, d.raw} {
		l.Selectable = true
	}
	d.content = container.NewScroll(container.NewVBox(
		d.title, d.fields,
		d.secrets.heading, d.secrets.lines,
		sectionHeading("Evidence"), d.evidence,
		sectionHeading("Raw payload"), d.raw,
	))
	d.clear()
	return d
}

func sectionHeading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func (d *itemDetail) clear() {
	d.shown = 0
	d.title.SetText("Select an item to see its fields, evidence and raw payload.")
	d.fields.SetText("")
	d.evidence.SetText("—")
	d.raw.SetText("—")
	d.secrets.show(nil)
}

type itemWithPages struct {
	item    inventory.StoredItem
	pages   []inventory.Page
	secrets []inventory.SecretStatus
}

func (d *itemDetail) load(snapshotID string, id int64) {
	if d.env.Inventory == nil {
		return
	}
	d.shown = id
	task.Run(d.env.Tasks, func(ctx context.Context) (itemWithPages, error) {
		it, pages, err := d.env.Inventory.ItemDetail(ctx, snapshotID, id)
		if err != nil {
			return itemWithPages{}, err
		}
		secrets, err := itemSecrets(ctx, d.env.Inventory, it)
		return itemWithPages{it, pages, secrets}, err
	}, func(v itemWithPages, err error) {
		if d.shown != id {
			return
		}
		if err != nil {
			d.title.SetText("Could not read the item: " + err.Error())
			return
		}
		d.title.SetText(fmt.Sprintf("%s %s", Readable(string(v.item.Kind)), v.item.DisplayName))
		d.fields.SetText(ItemFields(v.item.Item))
		d.secrets.show(v.secrets)
		d.evidence.SetText(EvidenceLines(v.pages))
		d.raw.SetText(PrettyJSON(v.item.Raw))
	})
}

// ItemFields renders an item's normalized fields as readable lines:
// identity, then attributes by name, then references.
func ItemFields(it inventory.Item) string {
	lines := []string{
		"Kind: " + Readable(string(it.Kind)),
		"Subtype: " + it.Subtype,
		"Display name: " + it.DisplayName,
		"Source ID: " + it.SourceID,
	}
	if len(it.Attributes) > 0 {
		keys := make([]string, 0, len(it.Attributes))
		for k := range it.Attributes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		lines = append(lines, "Attributes:")
		for _, k := range keys {
			lines = append(lines, fmt.Sprintf("    %s: %s", k, attributeValue(it.Attributes[k])))
		}
	}
	if len(it.Refs) > 0 {
		lines = append(lines, "References:")
		for _, r := range it.Refs {
			lines = append(lines, fmt.Sprintf("    %s → %s %s", r.Role, Readable(string(r.Kind)), r.SourceID))
		}
	}
	return strings.Join(lines, "\n")
}

func attributeValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		return x
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
}

// EvidenceLines describes the pages an item came from, each with what a
// reviewer needs to find and check it.
func EvidenceLines(pages []inventory.Page) string {
	if len(pages) == 0 {
		return "No evidence page is recorded for this item."
	}
	var lines []string
	for _, p := range pages {
		target := p.Endpoint
		if p.Query != "" {
			target += "?" + p.Query
		}
		lines = append(lines,
			fmt.Sprintf("%s %s", p.Method, target),
			fmt.Sprintf("    page %d of %s, HTTP %d, fetched %s, %s bytes", p.PageNumber, Readable(p.Domain), p.Status,
				formatTime(p.FetchedAt), FormatCount(p.Bytes)),
			"    as received: SHA-256 "+p.SHA256)
		if p.StoredSHA256 != "" && p.StoredSHA256 != p.SHA256 {
			lines = append(lines, fmt.Sprintf("    as stored, %s redacted: SHA-256 %s", valuesCount(len(p.Redactions)), p.StoredSHA256))
		}
	}
	return strings.Join(lines, "\n")
}

// PrettyJSON indents a raw payload; bytes that are not JSON are shown as
// they are, since they are the evidence.
func PrettyJSON(raw []byte) string {
	if len(raw) == 0 {
		return "—"
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return string(raw)
	}
	return out.String()
}
