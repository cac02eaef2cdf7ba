package markup

import (
	"html"
	"net/url"
	"regexp"
	"strings"
)

// A video or audio player from a provider on the allowlist may stand in a
// post body, embedded from the provider's privacy-friendly address (no
// cookies before the reader presses play, where the provider offers it).
// Anything else embedded is not kept; the source desk leaves a link in its
// place.

// EmbedHosts are the hosts the players are embedded from; the site's
// Content-Security-Policy lets pages frame them and nothing else.
var EmbedHosts = []string{
	"https://www.youtube-nocookie.com",
	"https://player.vimeo.com",
	"https://www.dailymotion.com",
	"https://w.soundcloud.com",
	"https://open.spotify.com",
}

// embedSrc matches the player addresses the body policy keeps, exactly as
// EmbedPlayer writes them.
var embedSrc = regexp.MustCompile(`^https://(?:` +
	`www\.youtube-nocookie\.com/embed/[A-Za-z0-9_-]{1,64}(?:\?start=\d{1,6})?` +
	`|player\.vimeo\.com/video/\d{1,20}(?:\?dnt=1)?` +
	`|www\.dailymotion\.com/embed/video/[A-Za-z0-9]{1,32}` +
	`|w\.soundcloud\.com/player/\?url=https%3A%2F%2Fapi\.soundcloud\.com%2Ftracks%2F\d{1,20}` +
	`|open\.spotify\.com/embed/(?:track|episode|show|album|playlist)/[A-Za-z0-9]{1,40}` +
	`)$`)

var (
	youtubeID     = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	digits        = regexp.MustCompile(`^\d{1,20}$`)
	dailymotionID = regexp.MustCompile(`^[A-Za-z0-9]{1,32}$`)
	spotifyPath   = regexp.MustCompile(`^/(?:embed/)?(track|episode|show|album|playlist)/([A-Za-z0-9]{1,40})$`)
)

// EmbedPlayer returns the privacy-friendly player address for an embedded
// frame's address src and the provider's name, when the provider is on
// the allowlist: YouTube (played from youtube-nocookie.com), Vimeo (with
// do-not-track), Dailymotion, SoundCloud and Spotify. ok is false for
// anything else.
func EmbedPlayer(src string) (player, provider string, ok bool) {
	src = strings.TrimSpace(src)
	if strings.HasPrefix(src, "//") {
		src = "https:" + src
	}
	u, err := url.Parse(src)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return "", "", false
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	switch host {
	case "youtube.com", "m.youtube.com", "youtube-nocookie.com", "youtu.be":
		id := ""
		switch {
		case host == "youtu.be" && len(parts) == 1:
			id = parts[0]
		case len(parts) == 2 && (parts[0] == "embed" || parts[0] == "v" || parts[0] == "shorts"):
			id = parts[1]
		case len(parts) == 1 && parts[0] == "watch":
			id = u.Query().Get("v")
		}
		if !youtubeID.MatchString(id) {
			return "", "", false
		}
		player = "https://www.youtube-nocookie.com/embed/" + id
		if s := u.Query().Get("start"); digits.MatchString(s) && len(s) <= 6 {
			player += "?start=" + s
		}
		return player, "YouTube", true
	case "player.vimeo.com", "vimeo.com":
		id := parts[len(parts)-1]
		if !digits.MatchString(id) || (host == "player.vimeo.com" && (len(parts) != 2 || parts[0] != "video")) {
			return "", "", false
		}
		return "https://player.vimeo.com/video/" + id + "?dnt=1", "Vimeo", true
	case "dailymotion.com", "dai.ly":
		id := ""
		switch {
		case host == "dai.ly" && len(parts) == 1:
			id = parts[0]
		case len(parts) == 3 && parts[0] == "embed" && parts[1] == "video":
			id = parts[2]
		case len(parts) == 2 && parts[0] == "video":
			id = parts[1]
		}
		if !dailymotionID.MatchString(id) {
			return "", "", false
		}
		return "https://www.dailymotion.com/embed/video/" + id, "Dailymotion", true
	case "w.soundcloud.com":
		t, err := url.Parse(u.Query().Get("url"))
		if err != nil || t.Host != "api.soundcloud.com" {
			return "", "", false
		}
		tp := strings.Split(strings.Trim(t.Path, "/"), "/")
		if len(tp) != 2 || tp[0] != "tracks" || !digits.MatchString(tp[1]) {
			return "", "", false
		}
		return "https://w.soundcloud.com/player/?url=" + url.QueryEscape("https://api.soundcloud.com/tracks/"+tp[1]), "SoundCloud", true
	case "open.spotify.com":
		m := spotifyPath.FindStringSubmatch(u.Path)
		if m == nil {
			return "", "", false
		}
		return "https://open.spotify.com/embed/" + m[1] + "/" + m[2], "Spotify", true
	}
	return "", "", false
}

// VideoEmbedClass marks the figure holding a player from the allowlist,
// which the theme makes responsive.
const VideoEmbedClass = "video-embed"

// EmbedFrameAttrs are the attributes, as key, value pairs, of the frame
// that plays player (an EmbedPlayer address), titled title: the one shape
// every embed of the site has, whether the source desk or an import made it.
func EmbedFrameAttrs(player, title string) []string {
	return []string{"src", player, "title", title, "loading", "lazy",
		"referrerpolicy", "strict-origin-when-cross-origin", "allowfullscreen", ""}
}

// EmbedHTML returns the figure that plays the address src, when its
// provider is on the allowlist, as the source desk embeds it.
func EmbedHTML(src string) (string, bool) {
	player, provider, ok := EmbedPlayer(src)
	if !ok {
		return "", false
	}
	var b strings.Builder
	b.WriteString(`<figure class="` + VideoEmbedClass + `"><iframe`)
	kv := EmbedFrameAttrs(player, provider+" player")
	for i := 0; i+1 < len(kv); i += 2 {
		b.WriteString(" " + kv[i] + `="` + html.EscapeString(kv[i+1]) + `"`)
	}
	b.WriteString("></iframe></figure>")
	return b.String(), true
}
