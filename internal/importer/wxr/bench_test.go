package wxr_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/broadsheet/broadsheet/internal/importer/wxr"
	"github.com/broadsheet/broadsheet/internal/importer/wxr/wxrtest"
	"github.com/broadsheet/broadsheet/internal/media"
	"github.com/broadsheet/broadsheet/internal/store/storetest"
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

// BenchmarkParse is the baseline: reading the export, nothing more.
func BenchmarkParse(b *testing.B) {
	doc, _ := benchSite(b)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		p := wxr.NewParser(bytes.NewReader(doc))
		for {
			if _, err := p.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
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
