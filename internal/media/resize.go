package media

import (
	"image"
	"math"

	"golang.org/x/image/draw"
)

// scaleDown returns src resized to w×h, no larger than src, with the
// Catmull-Rom kernel widened by the scale factor (as draw.CatmullRom.Scale
// does), so that every source pixel counts and no detail aliases.
//
// draw.CatmullRom.Scale keeps an intermediate of w × src height × 32
// bytes: 358 MB to make a 1600-pixel variant of a 7000-pixel-high image,
// more than the image itself. This works a source row at a time and keeps
// only the rows the vertical kernel spans (a few dozen rows of w × 16
// bytes), so making variants costs little beyond the decoded image.
func scaleDown(src image.Image, w, h int) *image.RGBA {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xs, ys := kernelTaps(w, sw), kernelTaps(h, sh)

	row := image.NewRGBA(image.Rect(0, 0, sw, 1)) // one source row, as RGBA
	// window holds the horizontally scaled source rows first … first+len-1.
	var window, spare [][]float32
	first, next := 0, 0
	for dy, ty := range ys {
		for len(window) > 0 && first < ty.start {
			spare = append(spare, window[0])
			window, first = window[1:], first+1
		}
		if len(window) == 0 {
			first, next = ty.start, ty.start
		}
		for ; next < ty.start+len(ty.w); next++ {
			draw.Draw(row, row.Rect, src, image.Pt(b.Min.X, b.Min.Y+next), draw.Src)
			var out []float32
			if n := len(spare); n > 0 {
				out, spare = spare[n-1], spare[:n-1]
			} else {
				out = make([]float32, 4*w)
			}
			for dx, tx := range xs {
				var r, g, bl, a float32
				p := row.Pix[4*tx.start:]
				for k, wt := range tx.w {
					r += wt * float32(p[4*k])
					g += wt * float32(p[4*k+1])
					bl += wt * float32(p[4*k+2])
					a += wt * float32(p[4*k+3])
				}
				out[4*dx], out[4*dx+1], out[4*dx+2], out[4*dx+3] = r, g, bl, a
			}
			window = append(window, out)
		}
		d := dst.Pix[dy*dst.Stride:]
		for dx := range w {
			var r, g, bl, a float32
			for k, wt := range ty.w {
				p := window[ty.start-first+k][4*dx:]
				r += wt * p[0]
				g += wt * p[1]
				bl += wt * p[2]
				a += wt * p[3]
			}
			// Premultiplied: no channel above alpha, despite the kernel's
			// negative lobes.
			av := clamp8(a, 255)
			d[4*dx], d[4*dx+1], d[4*dx+2], d[4*dx+3] = clamp8(r, av), clamp8(g, av), clamp8(bl, av), av
		}
	}
	return dst
}

// taps are the source pixels one destination pixel is made of: those from
// start on, with their weights (which add up to 1).
type taps struct {
	start int
	w     []float32
}

// kernelTaps returns the Catmull-Rom taps of each of n destination pixels
// drawn from srcN source pixels along one axis.
func kernelTaps(n, srcN int) []taps {
	scale := float64(srcN) / float64(n)
	widen := max(scale, 1)
	support := draw.CatmullRom.Support * widen
	out := make([]taps, n)
	for i := range out {
		center := (float64(i) + 0.5) * scale
		lo := max(int(math.Floor(center-support)), 0)
		hi := min(int(math.Ceil(center+support)), srcN)
		ws := make([]float32, 0, hi-lo)
		var sum float64
		for j := lo; j < hi; j++ {
			var k float64 // At takes distances in [0, Support) only
			if d := math.Abs(float64(j)+0.5-center) / widen; d < draw.CatmullRom.Support {
				k = draw.CatmullRom.At(d)
			}
			ws = append(ws, float32(k))
			sum += k
		}
		if sum != 0 {
			for j := range ws {
				ws[j] = float32(float64(ws[j]) / sum)
			}
		}
		out[i] = taps{start: lo, w: ws}
	}
	return out
}

// clamp8 rounds v to a byte no larger than top.
func clamp8(v float32, top uint8) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= float32(top):
		return top
	}
	return uint8(v + 0.5)
}
