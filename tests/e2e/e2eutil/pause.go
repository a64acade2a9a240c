package e2eutil

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// PauseRef is the pod sandbox ("pause") image the CRI tests configure:
// like a real pause image, a single static binary and nothing else (no
// /etc, /dev, /proc, ...): Debian's static busybox, whose command sleeps
// for ever, as a pause container does. The CRI makes its root read-only
// and mounts /etc/resolv.conf, /etc/hostname, /etc/hosts, /dev/shm, /proc
// and /dev into it, so runsc must create every mount point (docs/oci.md).
const PauseRef = "docker.io/library/moat-pause:e2e"

// PauseImage writes at path an OCI image layout tarball of PauseRef,
// derived from BusyboxImage: a layer of /bin/busybox alone, a
// config whose command is `/bin/busybox sleep 2147483647`, and a new
// manifest and index.
func PauseImage(path string) error {
	if err := BusyboxImage(path); err != nil {
		return err
	}
	blobs, err := readTar(path)
	if err != nil {
		return err
	}
	var index struct {
		Manifests []map[string]any `json:"manifests"`
	}
	if err := json.Unmarshal(blobs["index.json"], &index); err != nil || len(index.Manifests) != 1 {
		return fmt.Errorf("busybox image index: %v", err)
	}
	manifestBlob := blobs[blobName(index.Manifests[0]["digest"])]
	var manifest map[string]any
	if err := json.Unmarshal(manifestBlob, &manifest); err != nil {
		return fmt.Errorf("busybox image manifest: %w", err)
	}
	cfgDesc := manifest["config"].(map[string]any)
	var config map[string]any
	if err := json.Unmarshal(blobs[blobName(cfgDesc["digest"])], &config); err != nil {
		return fmt.Errorf("busybox image config: %w", err)
	}
	config["config"].(map[string]any)["Cmd"] = []string{"/bin/busybox", "sleep", "2147483647"}
	layer, err := pauseLayer()
	if err != nil {
		return err
	}
	config["rootfs"].(map[string]any)["diff_ids"] = []any{digest(layer)}
	manifest["layers"] = []any{map[string]any{
		"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest(layer), "size": len(layer),
	}}
	blobs[blobName(digest(layer))] = layer
	newConfig, _ := json.Marshal(config)
	cfgDesc["digest"], cfgDesc["size"] = digest(newConfig), len(newConfig)
	newManifest, _ := json.Marshal(manifest)
	md := index.Manifests[0]
	md["digest"], md["size"] = digest(newManifest), len(newManifest)
	md["annotations"] = map[string]string{
		"io.containerd.image.name":          PauseRef,
		"org.opencontainers.image.ref.name": "e2e",
	}
	newIndex, _ := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.index.v1+json",
		"manifests":     []any{md},
	})
	var layers []string
	for _, l := range manifest["layers"].([]any) {
		layers = append(layers, blobName(l.(map[string]any)["digest"]))
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	files := [][2]any{
		{"oci-layout", blobs["oci-layout"]},
		{"index.json", newIndex},
		{blobName(cfgDesc["digest"]), newConfig},
		{blobName(md["digest"]), newManifest},
	}
	for _, l := range layers {
		files = append(files, [2]any{l, blobs[l]})
	}
	for _, d := range []string{"blobs/", "blobs/sha256/"} {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d, Mode: 0o755}); err != nil {
			return err
		}
	}
	for _, f := range files {
		data := f[1].([]byte)
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: f[0].(string), Mode: 0o644, Size: int64(len(data))}); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// pauseLayer is the pause image's only layer: /bin/busybox (Debian's
// busybox-static), no other file or directory.
func pauseLayer() ([]byte, error) {
	bin, err := os.ReadFile("/bin/busybox")
	if err != nil {
		return nil, fmt.Errorf("reading /bin/busybox (Debian package busybox-static): %w", err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: "bin/", Mode: 0o755}); err != nil {
		return nil, err
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "bin/busybox", Mode: 0o755, Size: int64(len(bin))}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(bin); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// readTar returns the regular files of a tarball by name.
func readTar(path string) (map[string][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string][]byte{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if h.Typeflag == tar.TypeReg {
			b, err := io.ReadAll(tr)
			if err != nil {
				return nil, err
			}
			out[h.Name] = b
		}
	}
}

func blobName(digest any) string {
	return "blobs/sha256/" + strings.TrimPrefix(fmt.Sprint(digest), "sha256:")
}
