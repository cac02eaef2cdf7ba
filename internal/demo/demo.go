// Package demo ships the sample content of Broadsheet's demo site: a small
// fictional publication, The Meridian Review, as a WordPress export.
package demo

import _ "embed"

// WXR is the demo site as a WXR 1.2 file.
//
//go:embed demo.wxr
var WXR []byte
