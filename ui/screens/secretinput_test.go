package screens

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/portal-id/migration-console/ui/uitest"
)

func TestSecretInputNeverShowsTheCredential(t *testing.T) {
	const typed = "fake-entra-secret-for-tests-9bX"
	test.NewTempApp(t)
	win := test.NewWindow(nil)
	si := NewSecretInput(win, "token", true)
	win.SetContent(si.Content)

	if _, revealer := si.entry.ActionItem.(fyne.Tappable); revealer {
		t.Fatal("the credential entry offers a reveal toggle")
	}
	test.Type(si.entry, typed)
	if got := test.RenderObjectToMarkup(si.entry); strings.Contains(got, typed) {
		t.Fatalf("the entry renders the credential: %s", got)
	}

	v := si.Take()
	if v.Reveal() != typed {
		t.Fatalf("Take returned a different credential")
	}
	for _, s := range uitest.Texts(win.Canvas()) {
		if strings.Contains(s, typed) {
			t.Fatalf("after Take the window still holds the credential in %q", s)
		}
	}
	if again := si.Take(); again.Reveal() != typed {
		t.Fatal("a second attempt lost the kept credential")
	}
	si.Forget()
	if !si.Take().IsEmpty() {
		t.Fatal("Forget kept the credential")
	}
}
