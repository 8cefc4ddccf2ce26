package steps

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/portal/api"
)

// samlProvider creates upstream SAML providers: the only providers the
// migration contract creates automatically, and only when the evidence
// holds the entity id, SSO URL and a signing certificate.
type samlProvider struct{}

func (samlProvider) Kind() Kind { return KindUpstreamProvider }

func (samlProvider) Plan(s Subject) Draft {
	p := s.Item.View.Provider
	switch {
	case p == nil:
		return followUp("the item has no provider view to build the request from")
	case p.Protocol != inventory.ProviderSAML:
		return followUp("only SAML upstream providers are created automatically; a %s provider is rebuilt by a person", p.Protocol)
	case p.Issuer == "":
		return followUp("the evidence has no entity id (issuer) for the provider")
	case p.SSOURL == "":
		return followUp("the evidence has no SSO URL for the provider")
	}
	cert := signingCertificate(p, s)
	if cert == "" {
		return followUp("the evidence has no signing certificate, with its bytes, that is valid now")
	}
	in := api.UpstreamProviderInput{Name: s.Name, Type: api.Saml,
		Saml: &api.SamlSettings{EntityId: p.Issuer, SsoUrl: p.SSOURL, SigningCertificate: cert}}
	return Draft{Disposition: Planned, Request: in, Keys: []string{NameKey(s.Name)}}
}

// signingCertificate is the first trusted certificate that is valid at the
// plan's time and parses as X.509 (the Portal refuses anything else).
func signingCertificate(p *inventory.ProviderView, s Subject) string {
	for _, c := range p.SigningCertificates {
		if c.PEM == "" || !c.ValidAt(s.At) {
			continue
		}
		if _, err := ParseCertificate(c.PEM); err == nil {
			return c.PEM
		}
	}
	return ""
}

// ParseCertificate reads one PEM-encoded X.509 certificate.
func ParseCertificate(text string) (*x509.Certificate, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(text)))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errNotPEM
	}
	return x509.ParseCertificate(block.Bytes)
}

func (samlProvider) KeysOf(request json.RawMessage) ([]string, error) {
	in, err := decode[api.UpstreamProviderInput](request)
	return []string{NameKey(in.Name)}, err
}

func (samlProvider) Create(ctx context.Context, t Target, request json.RawMessage, key string) (Created, error) {
	in, err := decode[api.UpstreamProviderInput](request)
	if err != nil {
		return Created{}, err
	}
	v, err := t.CreateUpstreamProvider(ctx, key, in)
	if err != nil {
		return Created{}, err
	}
	return Created{Object: versioned(v, providerObject), Replayed: v.Replayed}, nil
}

func (samlProvider) Get(ctx context.Context, t Target, id string) (Object, error) {
	v, err := t.GetUpstreamProvider(ctx, id)
	if err != nil {
		return Object{}, err
	}
	return versioned(v, providerObject), nil
}

func (samlProvider) Live(ctx context.Context, t Target, max int) ([]Object, error) {
	return drain(t.UpstreamProviders(ctx), max, "upstream providers", providerObject)
}

func (samlProvider) Matches(request json.RawMessage, o Object) []string {
	want, err := decode[api.UpstreamProviderInput](request)
	if err != nil {
		return []string{err.Error()}
	}
	got, err := decode[api.UpstreamProvider](o.Body)
	if err != nil {
		return []string{err.Error()}
	}
	var d differ
	d.str("name", want.Name, got.Name)
	d.str("type", string(want.Type), string(got.Type))
	if got.Saml == nil {
		return append(d, "it has no SAML settings")
	}
	d.str("saml.entity_id", want.Saml.EntityId, got.Saml.EntityId)
	d.str("saml.sso_url", want.Saml.SsoUrl, got.Saml.SsoUrl)
	if strings.TrimSpace(want.Saml.SigningCertificate) != strings.TrimSpace(got.Saml.SigningCertificate) {
		d = append(d, "saml.signing_certificate is not the planned certificate")
	}
	return d
}

func (samlProvider) Delete(ctx context.Context, t Target, id, etag string) error {
	return t.DeleteUpstreamProvider(ctx, id, etag)
}

func providerObject(p api.UpstreamProvider) Object {
	return Object{ID: p.Id, Name: p.Name, Keys: []string{NameKey(p.Name)}, Body: encode(p)}
}

// errNotPEM: the text holds no PEM certificate block.
var errNotPEM = errors.New("not a PEM-encoded certificate")
