package entra

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/microsoft/kiota-abstractions-go/serialization"
	jsonserialization "github.com/microsoft/kiota-serialization-json-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/portal-id/migration-console/engine/entra/graphreplay"
	"github.com/portal-id/migration-console/engine/inventory"
)

// The fuzz targets feed bytes through the SDK's own JSON parser and then
// the normalizer, as a collection does; neither may panic, and whatever
// normalizes must be a well-formed item.

var fuzzNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// seedCorpus adds every vendor and demo element of one collection.
func seedCorpus(f *testing.F, collection string) {
	f.Helper()
	vendor, err := graphreplay.LoadVendor(vendorDir)
	if err != nil {
		f.Fatal(err)
	}
	demo := graphreplay.Demo()
	pick := func(t *graphreplay.Tenant) []json.RawMessage {
		switch collection {
		case graphreplay.Applications:
			return t.Applications
		case graphreplay.ServicePrincipals:
			return t.ServicePrincipals
		case graphreplay.Domains:
			return t.Domains
		case graphreplay.Groups:
			return t.Groups
		case graphreplay.Policies:
			return t.Policies
		}
		var all []json.RawMessage
		for _, l := range t.AppRoleAssignedTo {
			all = append(all, l...)
		}
		return all
	}
	for _, t := range []*graphreplay.Tenant{vendor, demo} {
		for _, raw := range pick(t) {
			f.Add([]byte(raw))
		}
	}
	// The published delta page's element has no id at all.
	if collection == graphreplay.ServicePrincipals {
		body, err := os.ReadFile(filepath.Join(vendorDir, "paging/serviceprincipals_delta_page_with_nextlink.json"))
		if err != nil {
			f.Fatal(err)
		}
		var page struct {
			Value []json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(page.Value[0]))
	}
}

func parse[T any](data []byte, ctor serialization.ParsableFactory) (T, bool) {
	var zero T
	node, err := jsonserialization.NewJsonParseNode(data)
	if err != nil {
		return zero, false
	}
	v, err := node.GetObjectValue(ctor)
	if err != nil || v == nil {
		return zero, false
	}
	m, ok := v.(T)
	return m, ok
}

func checkItem(t *testing.T, item inventory.Item, err error, kind inventory.Kind) {
	t.Helper()
	if err != nil {
		return
	}
	if item.SourceID == "" || item.Kind != kind || item.Subtype == "" {
		t.Fatalf("ill-formed item: %+v", item)
	}
	if _, err := json.Marshal(item.View); err != nil {
		t.Fatalf("the view does not encode: %v", err)
	}
	if p := inventory.CheckView(item); len(p) > 0 {
		t.Fatalf("view problems: %v", p)
	}
}

func FuzzNormalizeApplication(f *testing.F) {
	seedCorpus(f, graphreplay.Applications)
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, ok := parse[models.Applicationable](data, models.CreateApplicationFromDiscriminatorValue); ok {
			item, err := normalizeApplication(data, tenantContext{Now: fuzzNow})
			checkItem(t, item, err, inventory.KindApplication)
		}
	})
}

func FuzzNormalizeServicePrincipal(f *testing.F) {
	seedCorpus(f, graphreplay.ServicePrincipals)
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, ok := parse[models.ServicePrincipalable](data, models.CreateServicePrincipalFromDiscriminatorValue); ok {
			item, err := normalizeServicePrincipal(data, tenantContext{TenantID: "1bc1c026-2f7b-48a5-98da-afa2fd8bc7bc", Now: fuzzNow})
			checkItem(t, item, err, inventory.KindApplication)
		}
	})
}

func FuzzNormalizeGroup(f *testing.F) {
	seedCorpus(f, graphreplay.Groups)
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, ok := parse[models.Groupable](data, models.CreateGroupFromDiscriminatorValue); ok {
			item, err := normalizeGroup(data)
			checkItem(t, item, err, inventory.KindGroup)
		}
	})
}

func FuzzNormalizeDomain(f *testing.F) {
	seedCorpus(f, graphreplay.Domains)
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, ok := parse[models.Domainable](data, models.CreateDomainFromDiscriminatorValue); ok {
			item, err := normalizeDomain(data)
			checkItem(t, item, err, inventory.KindDomain)
		}
	})
}

func FuzzNormalizePolicy(f *testing.F) {
	seedCorpus(f, graphreplay.Policies)
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, ok := parse[models.ConditionalAccessPolicyable](data, models.CreateConditionalAccessPolicyFromDiscriminatorValue); ok {
			item, err := normalizePolicy(data)
			checkItem(t, item, err, inventory.KindPolicy)
		}
	})
}

func FuzzNormalizeAssignment(f *testing.F) {
	seedCorpus(f, graphreplay.AppRoleAssignedTo)
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, ok := parse[models.AppRoleAssignmentable](data, models.CreateAppRoleAssignmentFromDiscriminatorValue); ok {
			item, err := normalizeAssignment("59e617e5-e447-4adc-8b88-00af644d7c92", data)
			checkItem(t, item, err, inventory.KindAssignment)
		}
	})
}

// TestNormalizeVendorElements pins what the normalizers make of the
// published payloads whose meaning is known.
func TestNormalizeVendorElements(t *testing.T) {
	vendor, err := graphreplay.LoadVendor(vendorDir)
	if err != nil {
		t.Fatal(err)
	}
	subtypes := map[string]string{}
	for _, raw := range vendor.Groups {
		_, ok := parse[models.Groupable](raw, models.CreateGroupFromDiscriminatorValue)
		if !ok {
			t.Fatalf("the SDK cannot parse a published group: %s", raw)
		}
		item, err := normalizeGroup(raw)
		if err != nil {
			t.Fatal(err)
		}
		subtypes[item.DisplayName+"|"+item.SourceID] = item.Subtype
	}
	for key, want := range map[string]string{
		"Golf Assist|45b7d2e7-b882-4a80-ba97-10b7a63b8fa4":           string(inventory.GroupMicrosoft365),
		"Golf Discussion|d7797254-3084-44d0-99c9-a3b5ab149538":       string(inventory.GroupDistribution),
		"Operations group|21d05557-b7b6-418f-86fa-a3118d751be4":      string(inventory.GroupTenant), // a security group
		"Role assignable group|55ea2e8c-757f-4f2d-be9e-53c22e8c6a54": string(inventory.GroupMicrosoft365),
		"|1cdf9c18-a7dc-46b1-b47f-094d5656376d":                      string(inventory.GroupDynamic),
	} {
		if subtypes[key] != want {
			t.Errorf("%s: subtype %q, want %q", key, subtypes[key], want)
		}
	}
	for _, raw := range vendor.ServicePrincipals {
		_, ok := parse[models.ServicePrincipalable](raw, models.CreateServicePrincipalFromDiscriminatorValue)
		if !ok {
			t.Fatalf("the SDK cannot parse a published service principal: %s", raw)
		}
		item, err := normalizeServicePrincipal(raw, tenantContext{Now: fuzzNow})
		if err != nil {
			t.Fatal(err)
		}
		if mode := item.View.Application.VendorType; mode != "" {
			t.Errorf("%s: published service principals carry no SSO mode, got %q", item.DisplayName, mode)
		}
	}
}
