// Package wxrtest generates WordPress exports of any size, shaped like a
// real news site's, for benchmarks and load tests of the reader and the importer.
package wxrtest

import (
	"bufio"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Spec sizes a generated site.
type Spec struct {
	Posts       int
	Attachments int
	Categories  int
	Tags        int
	Authors     int
	// Uploads, when set, is a folder where each attachment's file is
	// written (a few kilobytes each), as a copy of wp-content/uploads.
	Uploads string
	// MissingFiles leaves every n-th attachment's file out (0: none).
	MissingFiles int
	// WordPressCom shapes the export as WordPress.com writes it: the site
	// at bench.wordpress.com, attachments with no _wp_attached_file and
	// their files at bench.files.wordpress.com, and bodies showing images
	// through Jetpack's i0.wp.com in resized variants.
	WordPressCom bool
}

// WordPressComBase is the address of the site a WordPressCom export is of.
const WordPressComBase = "https://bench.wordpress.com"

// wpcomFiles is where a WordPressCom export's files are.
const wpcomFiles = "https://bench.files.wordpress.com/"

const base = "https://bench.example.org"

// Generate writes a WXR 1.2 export of the spec to w. Attachments come
// before and among the posts that use them, as in WordPress's exports
// (ordered by id); posts link to earlier and later posts alike.
func Generate(w io.Writer, s Spec) error {
	base := base
	if s.WordPressCom {
		base = WordPressComBase
	}
	rnd := rand.New(rand.NewSource(1))
	bw := bufio.NewWriterSize(w, 1<<20)
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
	<title>Bench Times</title><link>%[1]s</link><description>A generated site</description><language>en</language>
	<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>%[1]s</wp:base_site_url><wp:base_blog_url>%[1]s</wp:base_blog_url>
`, base)
	for i := 1; i <= s.Authors; i++ {
		fmt.Fprintf(bw, "\t<wp:author><wp:author_id>%d</wp:author_id><wp:author_login><![CDATA[writer%d]]></wp:author_login><wp:author_email><![CDATA[writer%d@bench.example.org]]></wp:author_email><wp:author_display_name><![CDATA[Writer %d]]></wp:author_display_name></wp:author>\n", i, i, i, i)
	}
	for i := 1; i <= s.Categories; i++ {
		parent := ""
		if i > 10 {
			parent = fmt.Sprintf("section-%d", (i%10)+1) // two levels, like regions and countries
		}
		fmt.Fprintf(bw, "\t<wp:category><wp:term_id>%d</wp:term_id><wp:category_nicename><![CDATA[section-%d]]></wp:category_nicename><wp:category_parent><![CDATA[%s]]></wp:category_parent><wp:cat_name><![CDATA[Section %d]]></wp:cat_name></wp:category>\n", i, i, parent, i)
	}
	for i := 1; i <= s.Tags; i++ {
		fmt.Fprintf(bw, "\t<wp:tag><wp:term_id>%d</wp:term_id><wp:tag_slug><![CDATA[topic-%d]]></wp:tag_slug><wp:tag_name><![CDATA[topic %d]]></wp:tag_name></wp:tag>\n", 10000+i, i, i)
	}
	// Ids: attachment k is 1+k*(posts/attachments) slots in, posts fill the rest.
	total := s.Posts + s.Attachments
	every := total + 1
	if s.Attachments > 0 {
		every = total / s.Attachments
	}
	start := time.Date(2015, 1, 1, 8, 0, 0, 0, time.UTC)
	att, post := 0, 0
	attID := func(k int) int { return 1 + k*every }
	for id := 1; id <= total+s.Attachments*2 && (att < s.Attachments || post < s.Posts); id++ {
		if att < s.Attachments && id == attID(att) {
			if err := attachment(bw, base, id, att, s); err != nil {
				return err
			}
			att++
			continue
		}
		if post >= s.Posts {
			continue
		}
		when := start.Add(time.Duration(post) * 3 * time.Hour)
		var body strings.Builder
		classic := post%2 == 0
		for p := 0; p < 6; p++ {
			sentence := fmt.Sprintf("Paragraph %d of story %d: the harbour authority said on %s that traffic rose by %d per cent, and officials expect more.", p, post, when.Format("2 January"), rnd.Intn(40))
			if classic {
				body.WriteString(sentence + "\nA second line of the same paragraph.\n\n")
			} else {
				body.WriteString("<!-- wp:paragraph -->\n<p>" + sentence + "</p>\n<!-- /wp:paragraph -->\n\n")
			}
			if p == 1 {
				body.WriteString("<!--more-->\n\n")
			}
		}
		if att > 0 && post%3 == 0 {
			k := rnd.Intn(att)
			src := base + "/wp-content/uploads/" + strings.Replace(uploadPath(k), ".jpg", "-300x200.jpg", 1)
			if s.WordPressCom {
				src = "https://i" + fmt.Sprint(k%3) + ".wp.com/" + strings.TrimPrefix(wpcomFiles, "https://") +
					strings.Replace(uploadPath(k), ".jpg", "-300x200.jpg", 1) + "?resize=300%2C200&amp;ssl=1"
			}
			fmt.Fprintf(&body, `[caption id="attachment_%d" align="alignnone" width="300"]<img src="%s" alt="" width="300" height="200" /> A photo[/caption]`+"\n\n", attID(k), src)
		}
		if post > 0 {
			fmt.Fprintf(&body, "See also <a href=\"%s/?p=%d\">an earlier story</a>", base, rnd.Intn(id-1)+1)
			if post+5 < s.Posts {
				fmt.Fprintf(&body, " and <a href=\"%s/?p=%d\">a later one</a>", base, id+3)
			}
			body.WriteString(".\n")
		}
		thumb := ""
		if att > 0 && post%2 == 1 {
			thumb = fmt.Sprintf("\t\t<wp:postmeta><wp:meta_key><![CDATA[_thumbnail_id]]></wp:meta_key><wp:meta_value><![CDATA[%d]]></wp:meta_value></wp:postmeta>\n", attID(rnd.Intn(att)))
		}
		slug := fmt.Sprintf("story-%d-harbour-traffic", post)
		fmt.Fprintf(bw, `	<item>
		<title><![CDATA[Story %[1]d: harbour traffic]]></title>
		<link>%[2]s/%[3]s/%[4]s/</link>
		<dc:creator><![CDATA[writer%[5]d]]></dc:creator>
		<guid isPermaLink="false">%[2]s/?p=%[6]d</guid>
		<content:encoded><![CDATA[%[7]s]]></content:encoded>
		<excerpt:encoded><![CDATA[]]></excerpt:encoded>
		<wp:post_id>%[6]d</wp:post_id>
		<wp:post_date><![CDATA[%[8]s]]></wp:post_date>
		<wp:post_date_gmt><![CDATA[%[8]s]]></wp:post_date_gmt>
		<wp:post_name><![CDATA[%[4]s]]></wp:post_name>
		<wp:status><![CDATA[publish]]></wp:status>
		<wp:post_parent>0</wp:post_parent>
		<wp:menu_order>0</wp:menu_order>
		<wp:post_type><![CDATA[post]]></wp:post_type>
		<wp:post_password><![CDATA[]]></wp:post_password>
		<wp:is_sticky>0</wp:is_sticky>
		<category domain="category" nicename="section-%[9]d"><![CDATA[Section %[9]d]]></category>
		<category domain="post_tag" nicename="topic-%[10]d"><![CDATA[topic %[10]d]]></category>
		<category domain="post_tag" nicename="topic-%[11]d"><![CDATA[topic %[11]d]]></category>
		<wp:postmeta><wp:meta_key><![CDATA[_yoast_wpseo_metadesc]]></wp:meta_key><wp:meta_value><![CDATA[Harbour traffic, story %[1]d]]></wp:meta_value></wp:postmeta>
%[12]s	</item>
`, post, base, when.Format("2006/01/02"), slug, 1+post%max(1, s.Authors), id, body.String(), when.Format("2006-01-02 15:04:05"),
			1+rnd.Intn(max(1, s.Categories)), 1+rnd.Intn(max(1, s.Tags)), 1+rnd.Intn(max(1, s.Tags)), thumb)
		post++
	}
	bw.WriteString("</channel>\n</rss>\n")
	return bw.Flush()
}

func uploadPath(k int) string {
	return fmt.Sprintf("%d/%02d/photo-%d.jpg", 2015+k/500, 1+k%12, k)
}

func attachment(w io.Writer, base string, id, k int, s Spec) error {
	rel := uploadPath(k)
	if s.Uploads != "" && (s.MissingFiles == 0 || k%s.MissingFiles != 0) {
		name := filepath.Join(s.Uploads, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return err
		}
		data := make([]byte, 4096)
		copy(data, "\xff\xd8\xff\xe0 generated stand-in for a JPEG")
		if err := os.WriteFile(name, data, 0o644); err != nil {
			return err
		}
	}
	fileURL, attached := base+"/wp-content/uploads/"+rel, fmt.Sprintf(`
		<wp:postmeta><wp:meta_key><![CDATA[_wp_attached_file]]></wp:meta_key><wp:meta_value><![CDATA[%s]]></wp:meta_value></wp:postmeta>`, rel)
	if s.WordPressCom {
		fileURL, attached = wpcomFiles+rel, ""
	}
	_, err := fmt.Fprintf(w, `	<item>
		<title><![CDATA[Photo %[1]d]]></title>
		<link>%[2]s/?attachment_id=%[3]d</link>
		<guid isPermaLink="false">%[5]s</guid>
		<excerpt:encoded><![CDATA[Caption of photo %[1]d]]></excerpt:encoded>
		<wp:post_id>%[3]d</wp:post_id>
		<wp:post_date_gmt><![CDATA[2015-01-01 00:00:00]]></wp:post_date_gmt>
		<wp:status><![CDATA[inherit]]></wp:status>
		<wp:post_type><![CDATA[attachment]]></wp:post_type>
		<wp:attachment_url><![CDATA[%[5]s]]></wp:attachment_url>%[6]s
		<wp:postmeta><wp:meta_key><![CDATA[_wp_attachment_image_alt]]></wp:meta_key><wp:meta_value><![CDATA[Alt text %[1]d]]></wp:meta_value></wp:postmeta>
	</item>
`, k, base, id, rel, fileURL, attached)
	return err
}
