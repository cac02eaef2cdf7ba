package media

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
	"time"

	"golang.org/x/image/draw"
)

// TestScaleDownMatchesCatmullRom: the row-by-row resampler draws what
// draw.CatmullRom.Scale draws, within rounding, for the decoded kinds of
// image an upload gives (NRGBA with transparency from a PNG, YCbCr from a
// JPEG), for wide, tall and odd sizes.
func TestScaleDownMatchesCatmullRom(t *testing.T) {
	nrgba := image.NewNRGBA(image.Rect(0, 0, 701, 433))
	for y := range 433 {
		for x := range 701 {
			nrgba.SetNRGBA(x, y, color.NRGBA{uint8(x * 7), uint8(y * 3), uint8((x ^ y) * 5), uint8(255 - (x+y)%200)})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, nrgba, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	ycbcr, err := jpeg.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	tall := image.NewGray(image.Rect(0, 0, 90, 1000))
	for i := range tall.Pix {
		tall.Pix[i] = uint8(i * 13)
	}
	for name, c := range map[string]struct {
		src  image.Image
		w, h int
	}{
		"png to 480": {nrgba, 480, 296}, "png to 97": {nrgba, 97, 60}, "jpeg to 300": {ycbcr, 300, 185},
		"tall gray": {tall, 40, 444}, "same width": {nrgba, 701, 200},
	} {
		got := scaleDown(c.src, c.w, c.h)
		want := image.NewRGBA(image.Rect(0, 0, c.w, c.h))
		draw.CatmullRom.Scale(want, want.Bounds(), c.src, c.src.Bounds(), draw.Src, nil)
		worst := 0
		for i := range got.Pix {
			worst = max(worst, abs(int(got.Pix[i])-int(want.Pix[i])))
		}
		if worst > 2 {
			t.Errorf("%s: a channel differs by %d from draw.CatmullRom's", name, worst)
		}
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// TestPrepareWaitsForADecodeSlot: while every slot is taken, an image
// upload waits, and gives up when its request ends; a PDF, which is not
// decoded, does not wait.
func TestPrepareWaitsForADecodeSlot(t *testing.T) {
	for range cap(decodeSlots) {
		decodeSlots <- struct{}{}
	}
	defer func() {
		for range cap(decodeSlots) {
			<-decodeSlots
		}
	}()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Prepare(ctx, "a.png", pngOf(20, 20), time.Now()); !errors.Is(err, context.Canceled) {
		t.Errorf("an image while every slot is taken: %v, want it to wait until its request ends", err)
	}
	if _, err := Prepare(ctx, "a.pdf", []byte("%PDF-1.4\n%%EOF\n"), time.Now()); err != nil {
		t.Errorf("a PDF while every slot is taken: %v", err)
	}
}
