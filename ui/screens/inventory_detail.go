package screens

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
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
// identity, what an assignment joins (by name), the view's facts in field
// order, then references.
func ItemFields(it inventory.Item) string {
	lines := []string{
		"Kind: " + Readable(string(it.Kind)),
		"Subtype: " + factLabel(it.Subtype),
		"Display name: " + it.DisplayName,
		"Source ID: " + it.SourceID,
	}
	if a := it.View.Assignment; a != nil {
		lines = append(lines,
			"Application: "+nameOrID(a.AppName, a.AppID),
			Readable(string(a.Target))+": "+nameOrID(a.PrincipalName, a.PrincipalID))
	}
	if it.View.Missing() {
		lines = append(lines, "No typed view: "+it.View.Unbuilt)
	} else {
		lines = append(lines, "Fields:")
		kind := string(it.View.Kind()) + "."
		for _, f := range it.View.Facts() {
			lines = append(lines, fmt.Sprintf("    %s: %s", factLabel(strings.TrimPrefix(f.Path, kind)), f.Value))
		}
	}
	if len(it.Refs) > 0 {
		lines = append(lines, "References:")
		for _, r := range it.Refs {
			target := r.SourceID
			if r.Kind != "" {
				target = Readable(string(r.Kind)) + " " + r.SourceID
			}
			lines = append(lines, fmt.Sprintf("    %s → %s", Readable(r.Role), target))
		}
	}
	return strings.Join(lines, "\n")
}

func nameOrID(name, id string) string {
	if name == "" {
		return id + " (name not in the snapshot)"
	}
	return name + " (" + id + ")"
}

// acronyms are the words a fact label writes in capitals.
var acronyms = map[string]string{
	"saml": "SAML", "oidc": "OIDC", "acs": "ACS", "url": "URL", "urls": "URLs", "uri": "URI", "uris": "URIs",
	"id": "ID", "ids": "IDs", "idp": "IdP", "sso": "SSO", "slo": "SLO", "mfa": "MFA", "pkce": "PKCE", "jit": "JIT",
	"jwks": "JWKS", "dpop": "DPoP", "pem": "PEM", "sha256": "SHA-256", "ws": "WS", "el": "EL",
}

// factLabel turns a view fact path such as "saml.acs_urls" or
// "saml.signing_certificates[0].not_after" into "SAML › ACS URLs" or
// "SAML › Signing certificates 1 › Not after".
func factLabel(path string) string {
	parts := strings.Split(path, ".")
	for i, p := range parts {
		index := ""
		if j := strings.IndexByte(p, '['); j >= 0 {
			if n, err := strconv.Atoi(strings.Trim(p[j:], "[]")); err == nil {
				index = " " + strconv.Itoa(n+1)
			}
			p = p[:j]
		}
		words := strings.Split(p, "_")
		for k, w := range words {
			if a, ok := acronyms[w]; ok {
				words[k] = a
			} else if k == 0 {
				words[k] = Readable(w)
			}
		}
		parts[i] = strings.Join(words, " ") + index
	}
	return strings.Join(parts, " › ")
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
