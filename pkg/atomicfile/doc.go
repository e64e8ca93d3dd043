// Package atomicfile writes files so that readers see either the old content or the new one,
// never half of it: the data goes to a temporary file in the same folder, which is synced and
// then renamed over the target.
package atomicfile
