// Package media keeps the media library's files: it checks what is
// uploaded by its content (not its name), re-encodes images so that no
// EXIF data (camera, GPS location) survives, makes narrower variants for
// srcset (a WebP or a still GIF is kept as a JPEG or PNG, which Go writes
// and every browser shows; an animated GIF as a GIF, without variants), and stores files through a small Storage interface: a folder
// under the data folder by default, anything else (S3, say) by another
// implementation of the same four methods.
package media

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"golang.org/x/image/webp"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/markup"
)

// MaxUploadBytes bounds one upload.
const MaxUploadBytes = 10 << 20

// MaxPixels bounds an image's size, so that a small file cannot expand
// into gigabytes of memory when decoded: 40 megapixels is more than
// cameras whose photos fit under MaxUploadBytes make.
const MaxPixels = 40_000_000

// MaxDecodedBytes bounds the memory an image takes once decoded: 160 MB,
// MaxPixels at 4 bytes a pixel (8-bit RGBA); an image with 16 bits a
// channel takes twice as much a pixel, so it may have half as many.
const MaxDecodedBytes = MaxPixels * 4

// decodeSlots bounds the images decoded and resized at once, one per CPU:
// more would only share the CPUs, each holding its decoded image the while.
var decodeSlots = make(chan struct{}, runtime.GOMAXPROCS(0))

// VariantWidths are the widths of the resized copies made of an image
// wider than them.
var VariantWidths = []int{480, 960, 1600}

// Storage keeps media files by key. Keys are slash-separated paths made
// by this package (yyyy/mm/name.ext), never user input.
type Storage interface {
	Put(ctx context.Context, key string, data []byte) error
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
}

// Dir is Storage in a folder of the local disk.
type Dir struct{ Root string }

func (d Dir) path(key string) (string, error) {
	if !ValidKey(key) {
		return "", fmt.Errorf("media: invalid key %q", key)
	}
	return filepath.Join(d.Root, filepath.FromSlash(key)), nil
}

// ValidKey reports whether key can name a stored file: a clean relative
// slash-separated path of valid UTF-8, without backslashes or NUL bytes.
// Keys come from this package and from imports, but a reader's request
// names one too, and any other key is simply not there.
func ValidKey(key string) bool {
	return key != "." && fs.ValidPath(key) && utf8.ValidString(key) && !strings.ContainsAny(key, "\\\x00")
}

// Put writes data under key, through a temporary file so that a reader
// never sees half a file.
func (d Dir) Put(ctx context.Context, key string, data []byte) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return fmt.Errorf("media: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return fmt.Errorf("media: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("media: write %s: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("media: write %s: %w", key, err)
	}
	return os.Rename(tmp.Name(), p)
}

// Open opens the file under key; a missing file is ENotFound. The file is
// opened inside Root (os.Root), so a symbolic link leading out of the
// folder is not followed; and only a regular file is opened.
func (d Dir) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	notFound := content.Errorf(content.ENotFound, "No such file.")
	if !ValidKey(key) {
		return nil, notFound
	}
	root, err := os.OpenRoot(d.Root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notFound // nothing stored yet
	}
	if err != nil {
		return nil, fmt.Errorf("media: open folder %s: %w", d.Root, err)
	}
	defer root.Close()
	f, err := root.Open(filepath.FromSlash(key))
	if err != nil {
		if missing(err) {
			return nil, notFound
		}
		return nil, fmt.Errorf("media: open %s: %w", key, err)
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("media: open %s: %w", key, err)
		}
		return nil, notFound
	}
	return f, nil
}

// missing reports whether an error opening a file inside an os.Root means
// there is no such file to serve: none by that name, a path through a
// file, a loop of links, or a link leading out of the folder (the error
// os.Root gives it carries no errno). A failing disk or a permission is
// another matter, reported as such.
func missing(err error) bool {
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		return false
	}
	var errno syscall.Errno
	if !errors.As(pe.Err, &errno) {
		return true
	}
	switch errno {
	case syscall.ENOENT, syscall.ENOTDIR, syscall.ELOOP, syscall.EINVAL, syscall.ENAMETOOLONG:
		return true
	}
	return false
}

// Delete removes the file under key; a missing file is no error.
func (d Dir) Delete(ctx context.Context, key string) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("media: delete %s: %w", key, err)
	}
	return nil
}

// File is an upload ready to store: the cleaned original and its variants.
type File struct {
	Media content.Media
	Data  map[string][]byte // by key: the original and each variant
}

// extensions name the files of the types the library stores.
var extensions = map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "application/pdf": ".pdf"}

// Prepare checks an upload by its content and prepares what to store:
// images are decoded and re-encoded (dropping EXIF and every other
// metadata block) with narrower variants; PDFs are kept as they are. An
// image larger than MaxPixels or MaxDecodedBytes is refused before it is
// decoded, and decoding waits for one of decodeSlots (or for ctx to end).
func Prepare(ctx context.Context, filename string, data []byte, now time.Time) (*File, error) {
	if len(data) == 0 {
		return nil, content.FieldError("file", "the file %q is empty", filename)
	}
	if len(data) > MaxUploadBytes {
		return nil, content.FieldError("file", "the file %q is larger than %d MB", filename, MaxUploadBytes>>20)
	}
	mime := http.DetectContentType(data)
	if i := strings.IndexByte(mime, ';'); i >= 0 {
		mime = mime[:i]
	}
	// The library takes PDFs and the images it has a decoder for.
	if _, isImage := decoders[mime]; !isImage && mime != "application/pdf" {
		return nil, content.FieldError("file", "%q is %s by its content; the library takes JPEG, PNG, WebP and GIF images and PDFs", filename, mime)
	}
	base := strings.TrimSuffix(path.Base(strings.ReplaceAll(filename, "\\", "/")), path.Ext(filename))
	rnd := make([]byte, 4)
	rand.Read(rnd)
	stem := fmt.Sprintf("%04d/%02d/%s-%s", now.Year(), now.Month(), hex.EncodeToString(rnd), truncate(markup.Slugify(base), 60))
	f := &File{Media: content.Media{Filename: path.Base(filename), MIME: mime, CreatedAt: now}, Data: map[string][]byte{}}
	if mime == "application/pdf" {
		f.Media.Key = stem + extensions[mime]
		f.Data[f.Media.Key] = data
		f.Media.Size = int64(len(data))
		return f, nil
	}
	cfg, err := decoders[mime].config(bytes.NewReader(data))
	if err != nil {
		return nil, content.FieldError("file", "%q cannot be read as an image: %v", filename, err)
	}
	if err := checkSize(filename, cfg); err != nil {
		return nil, err
	}
	animated := false
	if mime == "image/gif" {
		frames, pixels, ok := gifFrames(data)
		if !ok {
			return nil, content.FieldError("file", "%q cannot be read as an image: its GIF blocks are cut or unknown", filename)
		}
		if pixels > MaxDecodedBytes {
			return nil, content.FieldError("file", "%q is an animation of %d frames, %d MB once decoded; the limit is %d MB: shorten it or scale it down",
				filename, frames, pixels>>20, MaxDecodedBytes>>20)
		}
		animated = frames > 1
	}
	select {
	case decodeSlots <- struct{}{}:
		defer func() { <-decodeSlots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if animated {
		// Its frames are kept, written anew (no comment or other
		// extension survives), without narrower variants.
		g, err := gif.DecodeAll(bytes.NewReader(data))
		if err != nil {
			return nil, content.FieldError("file", "%q cannot be read as an image: %v", filename, err)
		}
		var buf bytes.Buffer
		if err := gif.EncodeAll(&buf, g); err != nil {
			return nil, fmt.Errorf("media: encode: %w", err)
		}
		f.Media.Key = stem + extensions[mime]
		f.Media.Width, f.Media.Height = g.Config.Width, g.Config.Height
		f.Data[f.Media.Key] = buf.Bytes()
		f.Media.Size = int64(buf.Len())
		return f, nil
	}
	img, err := decoders[mime].decode(bytes.NewReader(data))
	if err != nil {
		return nil, content.FieldError("file", "%q cannot be read as an image: %v", filename, err)
	}
	mime = storedAs(img, mime)
	ext := extensions[mime]
	f.Media.Key, f.Media.MIME = stem+ext, mime
	b := img.Bounds()
	f.Media.Width, f.Media.Height = b.Dx(), b.Dy()
	orig, err := encode(img, mime)
	if err != nil {
		return nil, err
	}
	f.Data[f.Media.Key] = orig
	f.Media.Size = int64(len(orig))
	// Widest first, each made from the one before: the decoded image is
	// read once, and the narrower variants from a small copy.
	from := img
	for i := len(VariantWidths) - 1; i >= 0; i-- {
		w := VariantWidths[i]
		if w >= b.Dx() {
			continue
		}
		dst := scaleDown(from, w, max(b.Dy()*w/b.Dx(), 1))
		from = dst
		enc, err := encode(dst, mime)
		if err != nil {
			return nil, err
		}
		key := fmt.Sprintf("%s-w%d%s", stem, w, ext)
		f.Data[key] = enc
		f.Media.Variants = append([]content.Variant{{Width: w, Key: key}}, f.Media.Variants...)
	}
	return f, nil
}

// decoders read the images of each type the library takes, by sniffed
// type: the size and colour model from the header, and the image (a GIF's
// first frame).
var decoders = map[string]struct {
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}{
	"image/jpeg": {jpeg.DecodeConfig, jpeg.Decode},
	"image/png":  {png.DecodeConfig, png.Decode},
	"image/gif":  {gif.DecodeConfig, gif.Decode},
	"image/webp": {webp.DecodeConfig, webp.Decode},
}

// storedAs is the type an image of the sniffed type is stored in: JPEG and
// PNG as they came; a WebP compressed with loss and opaque as a JPEG, any
// other WebP (lossless, or with transparency) and a still GIF as a PNG,
// which keeps every pixel.
func storedAs(img image.Image, mime string) string {
	switch mime {
	case "image/jpeg", "image/png":
		return mime
	case "image/webp":
		if _, lossy := img.(*image.YCbCr); lossy {
			return "image/jpeg"
		}
	}
	return "image/png"
}

// gifFrames walks a GIF's blocks (GIF89a: a header, the logical screen and
// its colour table, then extensions and images up to the trailer) and
// returns how many images it holds and their pixels in all, without
// decoding any: an animation's frames each take their pixels in memory
// once decoded, and a small file may hold thousands. ok is false for a
// file cut inside a block or holding a block GIF does not have.
func gifFrames(data []byte) (frames int, pixels int64, ok bool) {
	if len(data) < 13 {
		return 0, 0, false
	}
	p := 13
	if data[10]&0x80 != 0 { // a global colour table
		p += 3 << (data[10]&7 + 1)
	}
	// subBlocks skips data sub-blocks up to the empty one that ends them.
	subBlocks := func() bool {
		for p < len(data) {
			n := int(data[p])
			p += 1 + n
			if n == 0 {
				return true
			}
		}
		return false
	}
	for p < len(data) {
		switch data[p] {
		case 0x21: // an extension: its label, then sub-blocks
			p += 2
			if !subBlocks() {
				return frames, pixels, false
			}
		case 0x2C: // an image: its descriptor, colour table, code size, data
			if p+10 > len(data) {
				return frames, pixels, false
			}
			w, h := int64(data[p+5])|int64(data[p+6])<<8, int64(data[p+7])|int64(data[p+8])<<8
			flags := data[p+9]
			p += 10
			if flags&0x80 != 0 {
				p += 3 << (flags&7 + 1)
			}
			p++ // the LZW minimum code size
			if !subBlocks() {
				return frames, pixels, false
			}
			frames++
			pixels += w * h
		case 0x3B: // the trailer
			return frames, pixels, frames > 0
		default:
			return frames, pixels, false
		}
	}
	// No trailer: the decoder tells whether what came is enough.
	return frames, pixels, frames > 0
}

// checkSize refuses an image too large to decode, by its header: more
// than MaxPixels, or more than MaxDecodedBytes once decoded.
func checkSize(filename string, cfg image.Config) error {
	w, h := int64(cfg.Width), int64(cfg.Height)
	if w <= 0 || h <= 0 {
		return content.FieldError("file", "%q says it is %d×%d pixels, which no image is", filename, w, h)
	}
	if w*h > MaxPixels {
		return content.FieldError("file", "%q is %d×%d pixels (%.1f megapixels); the limit is %d megapixels: scale it down and upload it again",
			filename, w, h, float64(w*h)/1e6, MaxPixels/1_000_000)
	}
	if n := w * h * bytesPerPixel(cfg.ColorModel); n > MaxDecodedBytes {
		return content.FieldError("file", "%q is %d×%d pixels with 16 bits a channel (%d MB once decoded); the limit is %d MB: save it with 8 bits a channel or scale it down",
			filename, w, h, n>>20, MaxDecodedBytes>>20)
	}
	return nil
}

// bytesPerPixel is what a pixel of the model takes once decoded, at most.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	case color.Gray16Model:
		return 2
	case color.GrayModel, color.AlphaModel:
		return 1
	}
	return 4 // RGBA, NRGBA, CMYK, YCbCr (at most 3, with its planes), palettes (1)
}

func encode(img image.Image, mime string) ([]byte, error) {
	var buf bytes.Buffer
	var err error
	if mime == "image/png" {
		err = png.Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 88})
	}
	if err != nil {
		return nil, fmt.Errorf("media: encode: %w", err)
	}
	return buf.Bytes(), nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

// Keys lists every stored key of m: the original and its variants.
func Keys(m *content.Media) []string {
	keys := []string{m.Key}
	for _, v := range m.Variants {
		keys = append(keys, v.Key)
	}
	return keys
}
