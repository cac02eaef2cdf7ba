package wxr

import (
	"bytes"
	"io"
	"testing"

	"github.com/broadsheet/broadsheet/internal/wordpress"
	"github.com/broadsheet/broadsheet/internal/wordpress/wxrtest"
)

// BenchmarkScanAttrs runs the attribute scan the link rewriter makes over
// the converted bodies of a generated 500-post export, touching every URL
// attribute as the rewriter does.
func BenchmarkScanAttrs(b *testing.B) {
	var buf bytes.Buffer
	if err := wxrtest.Generate(&buf, wxrtest.Spec{Posts: 500, Attachments: 100, Categories: 20, Tags: 100, Authors: 5}); err != nil {
		b.Fatal(err)
	}
	var bodies []string
	size := 0
	p := wordpress.NewParser(&buf)
	for {
		it, err := p.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			b.Fatal(err)
		}
		if it.PostType == "post" {
			body, _ := convertBody(it.Content)
			bodies = append(bodies, body)
			size += len(body)
		}
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		for _, s := range bodies {
			scanAttrs(s, func(name, v string) (string, bool) {
				switch name {
				case "srcset", "sizes":
					return "", false
				case "href", "src", "poster":
					return v + "#", true
				}
				return v, true
			})
		}
	}
}
