package cache

import (
	"bytes"
	"compress/gzip"
	"strconv"
	"strings"

	"github.com/andybalholm/brotli"
)

// compress returns body gzipped and brotli-compressed. Each page is
// compressed once, when it is stored, so a middling quality is chosen for
// speed on a burst of misses rather than the last few bytes.
func compress(body []byte) (gz, br []byte) {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.DefaultCompression)
	zw.Write(body)
	zw.Close()
	gz = bytes.Clone(b.Bytes())
	b.Reset()
	bw := brotli.NewWriterLevel(&b, 5)
	bw.Write(body)
	bw.Close()
	br = bytes.Clone(b.Bytes())
	return gz, br
}

// acceptEncoding chooses "br", "gzip" or "" (identity) from an
// Accept-Encoding header, honouring q=0 refusals; brotli wins a tie.
func acceptEncoding(header string) string {
	if header == "" {
		return ""
	}
	var brQ, gzQ float64 = -1, -1
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if p := strings.TrimSpace(params); strings.HasPrefix(p, "q=") {
			if v, err := strconv.ParseFloat(p[2:], 64); err == nil {
				q = v
			}
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "br":
			brQ = q
		case "gzip", "x-gzip":
			gzQ = q
		case "*":
			if brQ < 0 {
				brQ = q
			}
		}
	}
	switch {
	case brQ > 0 && brQ >= gzQ:
		return "br"
	case gzQ > 0:
		return "gzip"
	}
	return ""
}
