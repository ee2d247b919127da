package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/speakeasy-api/openapi/overlay/loader"
	"gopkg.in/yaml.v3"
)

// applyOverlay applies the OpenAPI Overlay (1.0) at overlayPath to the spec at specPath, in
// place: what `make apply-overlay OVERLAY=...` runs before regenerating, for example with the
// overlay `lsq spec drift` suggests. The spec keeps its comments, order and layout (a YAML
// round trip of spec/openapi.yaml is exact: TestSpecRoundTripExact), so the change is the
// overlay's alone. Every action must select at least one node.
func applyOverlay(specPath, overlayPath string) error {
	o, err := loader.LoadOverlay(overlayPath)
	if err != nil {
		return fmt.Errorf("overlay %s: %w", overlayPath, err)
	}
	if err := o.Validate(); err != nil {
		return fmt.Errorf("overlay %s: %w", overlayPath, err)
	}
	src, err := os.ReadFile(specPath)
	if err != nil {
		return err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(src, &root); err != nil {
		return fmt.Errorf("%s: %w", specPath, err)
	}
	if warnings, err := o.ApplyToStrict(&root); err != nil {
		return fmt.Errorf("applying %s to %s: %w (%s)", overlayPath, specPath, err, strings.Join(warnings, "; "))
	}
	out, err := encodeYAML(&root)
	if err != nil {
		return err
	}
	return writeFile(specPath, out)
}

// encodeYAML writes a YAML document as spec/openapi.yaml is written: two-space indents.
func encodeYAML(root *yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
