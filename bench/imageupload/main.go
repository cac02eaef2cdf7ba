// Command imageupload measures what preparing a large image upload costs:
// it makes a PNG of the given size (an RGB gradient, which compresses
// well, so that it fits under the upload limit as an attacker's would),
// prepares it N times at once as the media library does for uploads and
// for the source desk's images, and prints the wall time and the peak
// resident memory of the process.
//
//	go run ./bench/imageupload [-width 7000] [-height 7000] [-n 4]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/broadsheet/broadsheet/internal/media"
)

func main() {
	width := flag.Int("width", 7000, "image width in pixels")
	height := flag.Int("height", 7000, "image height in pixels")
	n := flag.Int("n", 1, "uploads prepared at once")
	flag.Parse()
	data := gradientPNG(*width, *height)
	before := peakRSS()
	fmt.Printf("PNG of %d×%d (%.1f megapixels), %.1f MB; peak RSS before: %d MB\n",
		*width, *height, float64(*width**height)/1e6, float64(len(data))/(1<<20), before>>20)
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, *n)
	for i := range *n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = media.Prepare(context.Background(), "big.png", data, time.Now())
		}()
	}
	wg.Wait()
	took := time.Since(start)
	for i, err := range errs {
		if err != nil {
			fmt.Printf("upload %d: %v\n", i+1, err)
		}
	}
	fmt.Printf("%d at once: %s, peak RSS %d MB\n", *n, took.Round(time.Millisecond), peakRSS()>>20)
}

// gradientPNG encodes an RGB image whose colour changes along both axes,
// computed pixel by pixel so that making it holds no image in memory.
func gradientPNG(w, h int) []byte {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, gradient{w, h}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

type gradient struct{ w, h int }

func (g gradient) ColorModel() color.Model { return color.RGBAModel }
func (g gradient) Bounds() image.Rectangle { return image.Rect(0, 0, g.w, g.h) }
func (g gradient) At(x, y int) color.Color {
	return color.RGBA{uint8(x / 32), uint8(y / 32), 128, 255}
}

// peakRSS is the process's peak resident set (VmHWM), in bytes; 0 where
// /proc is not there.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb << 10
		}
	}
	return 0
}
