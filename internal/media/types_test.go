package media

import "testing"

// TestImportedFilesKeepTheirTypes: files an import brings play and show
// inline, with nosniff, only when served with their own type.
func TestImportedFilesKeepTheirTypes(t *testing.T) {
	for key, want := range map[string]string{
		"2024/05/talk.mp3": "audio/mpeg", "2024/05/clip.MP4": "video/mp4", "2019/01/anim.gif": "image/gif",
		"2024/05/port.jpg": "image/jpeg", "2024/05/notes.docx": "application/octet-stream",
	} {
		if got := ContentType(key); got != want {
			t.Errorf("ContentType(%q) = %q, want %q", key, got, want)
		}
	}
}
