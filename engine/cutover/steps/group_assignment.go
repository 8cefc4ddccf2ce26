package steps

import (
	"context"
	"encoding/json"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/portal/api"
)

// groupAssignment assigns an application to a group once both resolve, by
// a create in the same plan or a merge mapping.
type groupAssignment struct{}

func (groupAssignment) Kind() Kind { return KindAppAssignment }

func (groupAssignment) Plan(s Subject) Draft {
	a := s.Item.View.Assignment
	switch {
	case a == nil:
		return followUp("the item has no assignment view to build the request from")
	case a.Target == inventory.AssignUser:
		return Draft{Disposition: Blocked, Reason: "direct-user assignments stay blocked until identities are linked"}
	case a.Target != inventory.AssignGroup:
		return followUp("only group assignments are created automatically; a %s assignment is rebuilt by a person", a.Target)
	}
	// An Entra assignment names the service principal; the application the
	// plan creates is its app registration, which the assessment records
	// as the result's application key.
	app := a.AppID
	if s.Result.AppKey != "" {
		app = s.Result.AppKey
	}
	return Draft{Disposition: Planned, Request: api.AppAssignmentInput{},
		Needs: []Need{
			{Field: "app_id", Kind: KindApplication, SourceID: app, What: "application " + nameOr(a.AppName, app)},
			{Field: "group_id", Kind: KindGroup, SourceID: a.PrincipalID, What: "group " + nameOr(a.PrincipalName, a.PrincipalID)},
		}}
}

func nameOr(name, id string) string {
	if name == "" {
		return id
	}
	return "\"" + name + "\""
}

func (groupAssignment) KeysOf(request json.RawMessage) ([]string, error) {
	in, err := decode[api.AppAssignmentInput](request)
	return []string{PairKey(in.AppId, in.GroupId)}, err
}

func (groupAssignment) Create(ctx context.Context, t Target, request json.RawMessage, key string) (Created, error) {
	in, err := decode[api.AppAssignmentInput](request)
	if err != nil {
		return Created{}, err
	}
	v, err := t.CreateAppAssignment(ctx, key, in)
	if err != nil {
		return Created{}, err
	}
	return Created{Object: versioned(v, assignmentObject), Replayed: v.Replayed}, nil
}

func (groupAssignment) Get(ctx context.Context, t Target, id string) (Object, error) {
	v, err := t.GetAppAssignment(ctx, id)
	if err != nil {
		return Object{}, err
	}
	return versioned(v, assignmentObject), nil
}

func (groupAssignment) Live(ctx context.Context, t Target, max int) ([]Object, error) {
	return drain(t.AppAssignments(ctx), max, "app assignments", assignmentObject)
}

func (groupAssignment) Matches(request json.RawMessage, o Object) []string {
	want, err := decode[api.AppAssignmentInput](request)
	if err != nil {
		return []string{err.Error()}
	}
	got, err := decode[api.AppAssignment](o.Body)
	if err != nil {
		return []string{err.Error()}
	}
	var d differ
	d.str("app_id", want.AppId, got.AppId)
	d.str("group_id", want.GroupId, got.GroupId)
	return d
}

func (groupAssignment) Delete(ctx context.Context, t Target, id, etag string) error {
	return t.DeleteAppAssignment(ctx, id, etag)
}

func assignmentObject(a api.AppAssignment) Object {
	return Object{ID: a.Id, Keys: []string{PairKey(a.AppId, a.GroupId)}, Body: encode(a)}
}
