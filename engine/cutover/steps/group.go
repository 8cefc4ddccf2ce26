package steps

import (
	"context"
	"encoding/json"
	"unicode/utf8"

	"github.com/portal-id/migration-console/engine/portal/api"
)

// group creates tenant-scoped groups: a name and a description.
type group struct{}

func (group) Kind() Kind { return KindGroup }

// maxDescription is the contract's bound on a group description.
const maxDescription = 1024

func (group) Plan(s Subject) Draft {
	g := s.Item.View.Group
	if g == nil {
		return followUp("the item has no group view to build the request from")
	}
	in := api.GroupInput{Name: s.Name}
	d := Draft{Disposition: Planned, Keys: []string{NameKey(s.Name)}}
	if g.Description != "" {
		desc := g.Description
		if utf8.RuneCountInString(desc) > maxDescription {
			desc = string([]rune(desc)[:maxDescription])
			d.Reason = "the description is shortened to the Portal's 1,024 characters"
		}
		in.Description = &desc
	}
	d.Request = in
	return d
}

func (group) KeysOf(request json.RawMessage) ([]string, error) {
	in, err := decode[api.GroupInput](request)
	return []string{NameKey(in.Name)}, err
}

func (group) Create(ctx context.Context, t Target, request json.RawMessage, key string) (Created, error) {
	in, err := decode[api.GroupInput](request)
	if err != nil {
		return Created{}, err
	}
	v, err := t.CreateGroup(ctx, key, in)
	if err != nil {
		return Created{}, err
	}
	return Created{Object: versioned(v, groupObject), Replayed: v.Replayed}, nil
}

func (group) Get(ctx context.Context, t Target, id string) (Object, error) {
	v, err := t.GetGroup(ctx, id)
	if err != nil {
		return Object{}, err
	}
	return versioned(v, groupObject), nil
}

func (group) Live(ctx context.Context, t Target, max int) ([]Object, error) {
	return drain(t.Groups(ctx), max, "groups", groupObject)
}

func (group) Matches(request json.RawMessage, o Object) []string {
	want, err := decode[api.GroupInput](request)
	if err != nil {
		return []string{err.Error()}
	}
	got, err := decode[api.Group](o.Body)
	if err != nil {
		return []string{err.Error()}
	}
	var d differ
	d.str("name", want.Name, got.Name)
	desc := ""
	if want.Description != nil {
		desc = *want.Description
	}
	d.str("description", desc, got.Description)
	return d
}

func (group) Delete(ctx context.Context, t Target, id, etag string) error {
	return t.DeleteGroup(ctx, id, etag)
}

func groupObject(g api.Group) Object {
	return Object{ID: g.Id, Name: g.Name, Keys: []string{NameKey(g.Name)}, Body: encode(g)}
}
