package static

import (
	"encoding/json"
	"testing"
)

// TestManifestEncodedAsEncodingJSON: the manifest's bytes are
// json.MarshalIndent's, names that JSON or HTML escape included, so that
// any JSON reader (and an older Broadsheet) reads it.
func TestManifestEncodedAsEncodingJSON(t *testing.T) {
	for _, files := range []map[string]string{
		{},
		{"index.html": "0123456789abcdef"},
		{"index.html": "a", "2024/01/02/slug/index.html": "b", "feed/index.html": "c", "_redirects": "d"},
		{`a"quote/index.html`: "x", `back\slash`: "y", "tab\there": "z", "<tag>&amp": "w", "café/index.html": "v",
			"bad\xffutf8": "u", "del\x7f": "t", "line\u2028sep": "s"},
	} {
		want, err := json.MarshalIndent(manifest{Version: manifestVersion, Files: files}, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if got := encodeManifest(files); string(got) != string(want) {
			t.Errorf("manifest of %q:\n%s\nwant (encoding/json):\n%s", files, got, want)
		}
	}
}
