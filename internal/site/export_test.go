package site

// SetSitemapLimit makes post sitemaps split every n URLs until the returned
// function is called, so that tests need not write 50,000 posts.
func SetSitemapLimit(n int) (restore func()) {
	old := sitemapLimit
	sitemapLimit = n
	return func() { sitemapLimit = old }
}
