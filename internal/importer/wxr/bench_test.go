package wxr_test

import (
	"bytes"
	"testing"

	"github.com/broadsheet/broadsheet/internal/importer/wxr"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
	"github.com/broadsheet/broadsheet/internal/wordpress/wxrtest"
)

// benchSite is a generated export of 500 posts and 100 attachments.
func benchSite(b *testing.B) ([]byte, string) {
	b.Helper()
	uploads := b.TempDir()
	var buf bytes.Buffer
	if err := wxrtest.Generate(&buf, wxrtest.Spec{Posts: 500, Attachments: 100, Categories: 20, Tags: 100, Authors: 5, Uploads: uploads}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes(), uploads
}

// BenchmarkImport imports the same export into a new SQLite site each time.
func BenchmarkImport(b *testing.B) {
	doc, uploads := benchSite(b)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		b.StopTimer()
		db := storetest.Open(b, "sqlite")
		lib := &media.Dir{Root: b.TempDir()}
		b.StartTimer()
		if _, err := wxr.Import(ctx, db, bytes.NewReader(doc), wxr.Options{Uploads: uploads, Media: lib}); err != nil {
			b.Fatal(err)
		}
	}
}
