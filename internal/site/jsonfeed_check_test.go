package site_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// checkJSONFeed checks a document against JSON Feed 1.1's rules: version,
// title and items required; every item with an id and content_html or
// content_text; URLs absolute; dates in RFC 3339; authors and hubs as the
// spec shapes them.
func checkJSONFeed(b []byte) error {
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("not JSON: %v", err)
	}
	if doc["version"] != "https://jsonfeed.org/version/1.1" {
		return fmt.Errorf("version %v", doc["version"])
	}
	if s, ok := doc["title"].(string); !ok || s == "" {
		return fmt.Errorf("no title")
	}
	for _, key := range []string{"home_page_url", "feed_url", "icon", "favicon"} {
		if err := absoluteIfPresent(doc, key); err != nil {
			return err
		}
	}
	if err := checkAuthors(doc); err != nil {
		return fmt.Errorf("feed: %v", err)
	}
	if hubs, ok := doc["hubs"]; ok {
		list, _ := hubs.([]any)
		for _, h := range list {
			m, _ := h.(map[string]any)
			if m["type"] == nil || m["url"] == nil {
				return fmt.Errorf("hub %v lacks type or url", h)
			}
		}
	}
	items, ok := doc["items"].([]any)
	if !ok {
		return fmt.Errorf("items is not an array")
	}
	for i, raw := range items {
		it, ok := raw.(map[string]any)
		if !ok {
			return fmt.Errorf("item %d is not an object", i)
		}
		if id, ok := it["id"].(string); !ok || id == "" {
			return fmt.Errorf("item %d: no id", i)
		}
		_, html := it["content_html"].(string)
		_, text := it["content_text"].(string)
		if !html && !text {
			return fmt.Errorf("item %d: neither content_html nor content_text", i)
		}
		for _, key := range []string{"url", "external_url", "image", "banner_image"} {
			if err := absoluteIfPresent(it, key); err != nil {
				return fmt.Errorf("item %d: %v", i, err)
			}
		}
		for _, key := range []string{"date_published", "date_modified"} {
			if v, ok := it[key]; ok {
				s, _ := v.(string)
				if _, err := time.Parse(time.RFC3339, s); err != nil {
					return fmt.Errorf("item %d: %s %q is not RFC 3339", i, key, v)
				}
			}
		}
		if err := checkAuthors(it); err != nil {
			return fmt.Errorf("item %d: %v", i, err)
		}
		for key := range it {
			if !itemKeys[key] && key[0] != '_' {
				return fmt.Errorf("item %d: unknown key %q (extensions start with _)", i, key)
			}
		}
	}
	return nil
}

var itemKeys = map[string]bool{"id": true, "url": true, "external_url": true, "title": true, "content_html": true,
	"content_text": true, "summary": true, "image": true, "banner_image": true, "date_published": true,
	"date_modified": true, "authors": true, "tags": true, "language": true, "attachments": true}

func absoluteIfPresent(m map[string]any, key string) error {
	v, ok := m[key]
	if !ok {
		return nil
	}
	s, _ := v.(string)
	if u, err := url.Parse(s); err != nil || !u.IsAbs() {
		return fmt.Errorf("%s %q is not an absolute URL", key, v)
	}
	return nil
}

func checkAuthors(m map[string]any) error {
	v, ok := m["authors"]
	if !ok {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		return fmt.Errorf("authors is not an array")
	}
	for _, a := range list {
		o, _ := a.(map[string]any)
		if o["name"] == nil && o["url"] == nil && o["avatar"] == nil {
			return fmt.Errorf("author %v has no name, url or avatar", a)
		}
	}
	return nil
}
