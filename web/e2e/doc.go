// Package e2e holds the browser tests of the H5 portal: they start the real
// server (apitest, embedded backends) and drive web/dist in headless
// Chromium through chromedp.
package e2e
