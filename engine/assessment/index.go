package assessment

import (
	"hash/maphash"
	"slices"
	"strings"

	"github.com/portal-id/migration-console/engine/inventory"
)

// index is a run's Context: what it knows across the snapshot, kept
// compact so a run over a million items stays within a flat heap. Items
// are keyed by a 64-bit hash of kind and source id (a collision needs
// about four billion items to become likely), outcomes packed in 32 bits.
type index struct {
	cat  *Catalogue
	seed maphash.Seed
	// outcomes: bit 31 exists, bit 30 assessed, bits 16-18 class rank,
	// bits 0-15 the deciding rule's index in the catalogue.
	outcomes map[uint64]uint32
	// names counts items per kind and folded name.
	names map[uint64]uint32
	// appRegs maps an Entra application registration's client id to its
	// source id.
	appRegs map[string]string
	// spApp maps a tenant service principal to its application
	// registration, as service principals are assessed.
	spApp map[string]string
	// routes maps a lower-case domain to the active, non-default routing
	// rules that route it.
	routes map[string][]string
}

func newIndex(cat *Catalogue) *index {
	return &index{cat: cat, seed: maphash.MakeSeed(), outcomes: map[uint64]uint32{}, names: map[uint64]uint32{},
		appRegs: map[string]string{}, spApp: map[string]string{}, routes: map[string][]string{}}
}

const (
	bitExists   = 1 << 31
	bitAssessed = 1 << 30
)

func (x *index) key(kind inventory.Kind, sourceID string) uint64 {
	var h maphash.Hash
	h.SetSeed(x.seed)
	h.WriteString(string(kind))
	h.WriteByte(0)
	h.WriteString(sourceID)
	return h.Sum64()
}

// nameCounted reports the kinds whose names the Portal keeps unique per
// tenant (engine/portal/openapi.yaml: providers, groups, applications).
func nameCounted(it *inventory.Item) bool {
	switch it.Kind {
	case inventory.KindProvider:
		// Only SAML providers are created; the others are rebuilt by hand.
		p := it.View.Provider
		return p != nil && p.Protocol == inventory.ProviderSAML
	case inventory.KindGroup:
		// Built-in and distribution groups are never created.
		g := it.View.Group
		return g != nil && g.Type != inventory.GroupBuiltIn && g.Type != inventory.GroupDistribution
	case inventory.KindApplication:
		// Only OIDC apps and registrations become Portal applications; a
		// service principal is an instance of a registration (same name).
		a := it.View.Application
		return a != nil && a.Protocol == inventory.ProtocolOIDC && a.Object != inventory.AppObjectEntraServicePrincipal
	}
	return false
}

// note records an item of the snapshot in the first pass.
func (x *index) note(it *inventory.Item) {
	x.outcomes[x.key(it.Kind, it.SourceID)] |= bitExists
	if nameCounted(it) {
		x.names[x.key(it.Kind, FoldName(it.DisplayName))]++
	}
	if a := it.View.Application; a != nil && a.Object == inventory.AppObjectEntraAppRegistration && a.ClientID != "" {
		x.appRegs[strings.ToLower(a.ClientID)] = it.SourceID
	}
	if r := it.View.RoutingRule; r != nil && r.State == inventory.StateActive && !r.Default {
		for _, d := range r.Domains {
			d = strings.ToLower(strings.TrimSuffix(d, "."))
			if !slices.Contains(x.routes[d], it.SourceID) {
				x.routes[d] = append(x.routes[d], it.SourceID)
			}
		}
	}
}

// decided records an item's outcome.
func (x *index) decided(kind inventory.Kind, sourceID string, d Decision) {
	k := x.key(kind, sourceID)
	x.outcomes[k] = bitExists | bitAssessed | uint32(d.Class.Rank())<<16 | uint32(x.cat.ruleIndex(d.RuleID))
}

func (x *index) Outcome(kind inventory.Kind, sourceID string) Outcome {
	v, ok := x.outcomes[x.key(kind, sourceID)]
	if !ok || v&bitExists == 0 {
		return Outcome{}
	}
	o := Outcome{Exists: true}
	if v&bitAssessed != 0 {
		o.Assessed = true
		o.Class = Classes[(v>>16)&0x7]
		o.RuleID = x.cat.rules[v&0xffff].ID
	}
	return o
}

func (x *index) AppRegistration(clientID string) (string, Outcome) {
	id, ok := x.appRegs[strings.ToLower(clientID)]
	if !ok {
		return "", Outcome{}
	}
	return id, x.Outcome(inventory.KindApplication, id)
}

func (x *index) Carrier(appSourceID string) (string, Outcome) {
	if reg, ok := x.spApp[appSourceID]; ok {
		return reg, x.Outcome(inventory.KindApplication, reg)
	}
	return appSourceID, x.Outcome(inventory.KindApplication, appSourceID)
}

// pair records a tenant service principal's application registration.
func (x *index) pair(spSourceID, regSourceID string) { x.spApp[spSourceID] = regSourceID }

func (x *index) NameCount(kind inventory.Kind, name string) int {
	return int(x.names[x.key(kind, FoldName(name))])
}

func (x *index) Routes(domain string) []string {
	rs := slices.Clone(x.routes[strings.ToLower(strings.TrimSuffix(domain, "."))])
	slices.Sort(rs)
	return rs
}
