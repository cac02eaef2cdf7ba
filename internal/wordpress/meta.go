package wordpress

// Post meta keys under which Broadsheet exports what WordPress has no field
// for, and reads it back.
const (
	MetaSourceName      = "_broadsheet_source_name"
	MetaSourceURL       = "_broadsheet_source_url"
	MetaSourceAuthor    = "_broadsheet_source_author"
	MetaSourcePublished = "_broadsheet_source_published_at"
	// MetaSourceTitle is the original's headline; MetaSourceFeed and
	// MetaSourceFeedTitle the outlet's feed that carried it, and its title.
	MetaSourceTitle     = "_broadsheet_source_title"
	MetaSourceFeed      = "_broadsheet_source_feed"
	MetaSourceFeedTitle = "_broadsheet_source_feed_title"
	// MetaCanonicalSource "1" names the original as the post's canonical URL.
	MetaCanonicalSource = "_broadsheet_canonical_source"
	// MetaMarkdown holds the Markdown source of a post written in
	// Broadsheet; content:encoded carries its rendered HTML for WordPress.
	MetaMarkdown = "_broadsheet_markdown"
	// MetaAlias is an old address of the entry (one meta entry each).
	MetaAlias = "_broadsheet_alias"
	// MetaCoauthor names, by login, an author after the first (dc:creator).
	MetaCoauthor = "_broadsheet_coauthor"
)

// Post meta keys of WordPress itself that Broadsheet reads and writes.
const (
	// MetaThumbnailID is the attachment id of an entry's featured image.
	MetaThumbnailID = "_thumbnail_id"
	// MetaAttachedFile is an attachment's path inside the uploads folder.
	MetaAttachedFile = "_wp_attached_file"
	// MetaAttachmentAlt is an image's alternative text.
	MetaAttachmentAlt = "_wp_attachment_image_alt"
	// MetaOldSlug is a slug the entry had before (one meta entry each).
	MetaOldSlug = "_wp_old_slug"
)

// Post meta keys of the SEO plugins whose title and description Broadsheet
// keeps: Yoast's are also what its exports write.
const (
	MetaYoastTitle    = "_yoast_wpseo_title"
	MetaYoastDesc     = "_yoast_wpseo_metadesc"
	MetaRankMathTitle = "rank_math_title"
	MetaRankMathDesc  = "rank_math_description"
)
