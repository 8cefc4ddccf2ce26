package secret

import "testing"

func TestScrub(t *testing.T) {
	pem := "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQDfaketestonly0\n-----END PRIVATE KEY-----"
	jwt := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJmYWtlLXRlc3Qtb25seSJ9.c2lnbmF0dXJlLWZha2UtdGVzdC1vbmx5"
	cases := []struct {
		name, cred, text, want string
	}{
		{"whole", "fake-token-123456", "401 for SSWS fake-token-123456", "401 for SSWS [REDACTED]"},
		{"every occurrence", "fake-token-123456", "fake-token-123456 and fake-token-123456", "[REDACTED] and [REDACTED]"},
		{"a PEM line", pem, "bad key near BKcwggSjAgEAAoIBAQDfaketestonly0 (line 3)", "bad key near [REDACTED] (line 3)"},
		{"a JWT segment", jwt, "signature c2lnbmF0dXJlLWZha2UtdGVzdC1vbmx5 rejected", "signature [REDACTED] rejected"},
		{"armour and short parts kept", pem, "-----BEGIN PRIVATE KEY----- is not a certificate", "-----BEGIN PRIVATE KEY----- is not a certificate"},
		{"nothing to scrub", "fake-token-123456", "connection refused", "connection refused"},
		// A one-character credential would garble the message: it is
		// never scrubbed (and input refuses it).
		{"one character", "a", "a bad answer at a gateway", "a bad answer at a gateway"},
		{"just too short", "fake-token-1234", "401 for fake-token-1234", "401 for fake-token-1234"},
		{"empty", "", "401", "401"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := New(tc.cred).Scrub(tc.text); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTooShort(t *testing.T) {
	for cred, short := range map[string]bool{"a": true, "fake-token-1234": true, "fake-token-12345": false, "ünïcödé-tëst-önly": false, "ünïcödé-tëst": true} {
		if got := New(cred).TooShort(); got != short {
			t.Errorf("TooShort(%q) = %v, want %v", cred, got, short)
		}
	}
}
