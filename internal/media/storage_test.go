package media_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/broadsheet/broadsheet/internal/content"
	"github.com/broadsheet/broadsheet/internal/media"
)

var ctx = context.Background()

// requireAllEnv, when set (as CI sets it), makes a missing S3-compatible
// server a failure rather than a skip.
const requireAllEnv = "BROADSHEET_REQUIRE_ALL_SUITES"

// storages returns each kind of storage that can run here, fresh: a
// folder always, and a bucket on a real S3-compatible server (s3rver, from
// npm) when one is installed.
func storages(t *testing.T) map[string]media.Storage {
	t.Helper()
	disk, err := media.OpenStorage(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]media.Storage{"folder": disk}
	if s3, _ := startS3(t); s3 != nil {
		out["s3"] = s3
	}
	return out
}

// startS3 starts s3rver on a free port with a fresh bucket and returns
// storage on it, or nil (skipping the S3 part) when s3rver is missing.
func startS3(t *testing.T) (s media.Storage, endpoint string) {
	t.Helper()
	bin, err := exec.LookPath("s3rver")
	if err != nil {
		if os.Getenv(requireAllEnv) != "" {
			t.Fatalf("s3rver (npm install -g s3rver) is not installed, but %s requires the S3 suite", requireAllEnv)
		}
		t.Log("s3rver is not installed (npm install -g s3rver): S3 storage not tested against a server here")
		return nil, ""
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	cmd := exec.Command(bin, "-d", t.TempDir(), "-a", "127.0.0.1", "-p", port, "--silent", "--no-vhost-buckets",
		"--configure-bucket", "media-test")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// s3rver's own keys; it checks request signatures against them.
	env := []string{"BROADSHEET_S3_ACCESS_KEY=S3RVER", "BROADSHEET_S3_SECRET_KEY=S3RVER"}
	s, err = media.OpenStorage("s3://media-test/site/uploads?endpoint=127.0.0.1:"+port+"&insecure=1&region=us-east-1", env)
	if err != nil {
		t.Fatal(err)
	}
	s3 := s.(*media.S3Storage)
	deadline := time.Now().Add(30 * time.Second)
	for s3.Check(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("s3rver did not start: %v\n%s", s3.Check(ctx), out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s3, "127.0.0.1:" + port
}

// TestS3RefusesWrongKeysAndMissingBuckets checks that the keys are sent
// (the server knows only its own access key; s3rver does not recompute
// version-4 signatures, so a wrong secret is not caught here) and that
// Check names what is wrong before any upload.
func TestS3RefusesWrongKeysAndMissingBuckets(t *testing.T) {
	_, endpoint := startS3(t)
	if endpoint == "" {
		t.Skip("no S3-compatible server here")
	}
	wrong := []string{"BROADSHEET_S3_ACCESS_KEY=NOT-A-KEY", "BROADSHEET_S3_SECRET_KEY=S3RVER"}
	s, err := media.OpenStorage("s3://media-test?endpoint="+endpoint+"&insecure=1&region=us-east-1", wrong)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "2026/01/a.jpg", []byte("x")); err == nil || !strings.Contains(err.Error(), "Access Key") {
		t.Errorf("an upload with an unknown access key: %v, want a refusal naming the key", err)
	}
	right := []string{"BROADSHEET_S3_ACCESS_KEY=S3RVER", "BROADSHEET_S3_SECRET_KEY=S3RVER"}
	s, err = media.OpenStorage("s3://no-such-bucket?endpoint="+endpoint+"&insecure=1&region=us-east-1", right)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.(*media.S3Storage).Check(ctx); err == nil || !strings.Contains(err.Error(), "there is no bucket no-such-bucket") {
		t.Errorf("Check on a missing bucket: %v", err)
	}
}

func TestStorageKeepsFiles(t *testing.T) {
	for name, s := range storages(t) {
		t.Run(name, func(t *testing.T) {
			photo := bytes.Repeat([]byte("JPEGDATA"), 100_000) // 800 kB, more than one read
			if err := s.Put(ctx, "2026/01/harbour.jpg", photo); err != nil {
				t.Fatal(err)
			}
			read := func(key string) ([]byte, error) {
				r, err := s.Open(ctx, key)
				if err != nil {
					return nil, err
				}
				defer r.Close()
				return io.ReadAll(r)
			}
			if got, err := read("2026/01/harbour.jpg"); err != nil || !bytes.Equal(got, photo) {
				t.Fatalf("read back %d bytes (%v), want the %d stored", len(got), err, len(photo))
			}
			// Replacing a file replaces it whole.
			if err := s.Put(ctx, "2026/01/harbour.jpg", []byte("smaller")); err != nil {
				t.Fatal(err)
			}
			if got, err := read("2026/01/harbour.jpg"); err != nil || string(got) != "smaller" {
				t.Errorf("after replacing: %q %v, want smaller", got, err)
			}
			if err := s.Put(ctx, "2026/01/empty.pdf", nil); err != nil {
				t.Fatal(err)
			}
			if got, err := read("2026/01/empty.pdf"); err != nil || len(got) != 0 {
				t.Errorf("an empty file: %q %v", got, err)
			}
			if err := s.Delete(ctx, "2026/01/harbour.jpg"); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(ctx, "2026/01/harbour.jpg"); err != nil {
				t.Errorf("deleting again: %v, want success", err)
			}
			for _, key := range []string{"2026/01/harbour.jpg", "2026/01/never.png", "../etc/passwd"} {
				if _, err := s.Open(ctx, key); !content.IsNotFound(err) {
					t.Errorf("opening %s: %v, want not found", key, err)
				}
			}
			for _, bad := range []string{"", "/etc/passwd", "../up.jpg", "a//b.jpg", "a/./b.jpg", `back\slash.jpg`} {
				if err := s.Put(ctx, bad, []byte("x")); err == nil || !strings.Contains(err.Error(), "invalid key") {
					t.Errorf("Put(%q): %v, want an invalid-key error", bad, err)
				}
			}
		})
	}
}

// TestSharedFolderNeverShowsPartialFiles has two processes' storages on one
// folder replace a file while others read it: every read is one whole
// version.
func TestSharedFolderNeverShowsPartialFiles(t *testing.T) {
	dir := t.TempDir()
	a, _ := media.OpenStorage(dir, nil)
	b, _ := media.OpenStorage(dir, nil)
	versions := [][]byte{bytes.Repeat([]byte("A"), 1<<20), bytes.Repeat([]byte("B"), 1<<20)}
	if err := a.Put(ctx, "front.jpg", versions[0]); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i, s := range []media.Storage{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 20; n++ {
				if err := s.Put(ctx, "front.jpg", versions[i]); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	for n := 0; n < 40; n++ {
		r, err := b.Open(ctx, "front.jpg")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(r)
		r.Close()
		if !bytes.Equal(got, versions[0]) && !bytes.Equal(got, versions[1]) {
			t.Fatalf("read a torn file of %d bytes", len(got))
		}
	}
	wg.Wait()
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("the folder holds %d entries, want only front.jpg (no leftover temporary files)", len(entries))
	}
}

func TestOpenStorageExplainsBadSettings(t *testing.T) {
	keys := []string{"BROADSHEET_S3_ACCESS_KEY=k", "BROADSHEET_S3_SECRET_KEY=s"}
	for _, c := range []struct {
		spec string
		env  []string
		want string
	}{
		{"", nil, "no folder given"},
		{"ftp://host/x", nil, "give a folder or an s3:// address"},
		{"s3:///prefix?endpoint=h", keys, "no bucket"},
		{"s3://bucket/prefix", keys, "no endpoint"},
		{"s3://bucket?endpoint=http://h:9000", keys, "is a host and port"},
		{"s3://bucket/../x?endpoint=h", keys, "the prefix"},
		{"s3://bucket?endpoint=h", nil, "BROADSHEET_S3_ACCESS_KEY"},
	} {
		_, err := media.OpenStorage(c.spec, c.env)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("OpenStorage(%q): %v, want an error saying %q", c.spec, err, c.want)
		}
	}
	s, err := media.OpenStorage("s3://bucket/site?endpoint=s3.example.org&region=eu-west-1", keys)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*media.S3Storage); !ok {
		t.Errorf("an s3:// address opened %T", s)
	}
	if s, err := media.OpenStorage(t.TempDir(), nil); err != nil {
		t.Fatal(err)
	} else if _, ok := s.(media.Dir); !ok {
		t.Errorf("a folder opened %T", s)
	}
}
