package search

// SetRankLimit sets how many matches a search ranks before it bounds its
// candidates, for tests of both paths on a small archive; it returns a
// function restoring the previous limit.
func SetRankLimit(n int) (restore func()) {
	old, oldTitle, oldSuggest := rankLimit, titleLimit, suggestLimit
	rankLimit, titleLimit, suggestLimit = n, n, n
	return func() { rankLimit, titleLimit, suggestLimit = old, oldTitle, oldSuggest }
}
