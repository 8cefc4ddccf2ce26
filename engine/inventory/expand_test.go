package inventory

import (
	"errors"
	"fmt"
	"testing"
)

func TestExpandFollowsNestedGroupsAndCutsLoops(t *testing.T) {
	u := func(id string) Member { return Member{SourceID: id, Type: MemberUser, Email: id + "@example.test"} }
	g := func(id string) Member { return Member{SourceID: id, Type: MemberGroup, DisplayName: id} }
	// A holds B and C; B holds D and A (a loop); C holds D too (a diamond);
	// D holds a device and X, whose listing the snapshot lacks.
	members := map[string][]Member{
		"A": {u("ann"), g("B"), g("C")},
		"B": {u("bo"), g("D"), g("A")},
		"C": {u("ann"), g("D")},
		"D": {u("dee"), {SourceID: "dev", Type: MemberDevice, DisplayName: "Kiosk"}, g("X")},
	}
	x, err := Expand([]GroupRef{{"A", "A"}}, func(id string) ([]Member, bool, error) {
		ms, ok := members[id]
		return ms, ok, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range x.Members {
		got = append(got, r.SourceID+" via "+r.ViaNames())
	}
	if fmt.Sprint(got) != "[ann via A bo via A › B dee via A › B › D dev via A › B › D]" {
		t.Errorf("members: %q", got)
	}
	if fmt.Sprint(x.Cycles) != "[A → B → A]" {
		t.Errorf("cycles: %q", x.Cycles)
	}
	if len(x.Unlisted) != 1 || x.Unlisted[0].SourceID != "X" {
		t.Errorf("unlisted: %+v", x.Unlisted)
	}
	if len(x.Groups) != 5 {
		t.Errorf("groups visited: %+v", x.Groups)
	}

	boom := errors.New("store failed")
	if _, err := Expand([]GroupRef{{"A", "A"}}, func(string) ([]Member, bool, error) { return nil, false, boom }); !errors.Is(err, boom) {
		t.Errorf("a lookup error: %v", err)
	}
}
