package store

// SetRankLimit sets how many matches a search ranks before it bounds its
// candidates, for tests of both paths on a small archive; it returns a
// function restoring the previous limit.
func SetRankLimit(n int) (restore func()) {
	old, oldTitle := rankLimit, titleLimit
	rankLimit, titleLimit = n, n
	return func() { rankLimit, titleLimit = old, oldTitle }
}
