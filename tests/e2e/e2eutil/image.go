package e2eutil

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// BusyboxRef is the name BusyboxImage gives its image.
const BusyboxRef = "docker.io/library/moat-busybox:e2e"

// BusyboxImage writes an image tarball at path whose single layer is
// Debian's static busybox (/bin/busybox with every applet linked in /bin,
// plus the usual empty directories and /etc/passwd and /etc/group for
// root). The tarball is an OCI image layout (index.json names the image
// BusyboxRef, for `ctr images import`) that also carries Docker's
// manifest.json (for `docker load`). The same busybox gives the same
// bytes, so image digests are stable between runs.
func BusyboxImage(path string) error {
	layer, err := busyboxLayer()
	if err != nil {
		return err
	}
	layerDigest := digest(layer)
	config, _ := json.Marshal(map[string]any{
		"architecture": "amd64",
		"os":           "linux",
		"created":      "2026-01-01T00:00:00Z",
		"config": map[string]any{
			"Env":        []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
			"Cmd":        []string{"sh"},
			"WorkingDir": "/",
		},
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{layerDigest}},
	})
	manifest, _ := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"config":        descriptor("application/vnd.oci.image.config.v1+json", config),
		"layers":        []any{descriptor("application/vnd.oci.image.layer.v1.tar", layer)},
	})
	md := descriptor("application/vnd.oci.image.manifest.v1+json", manifest)
	md["annotations"] = map[string]string{
		"io.containerd.image.name":          BusyboxRef,
		"org.opencontainers.image.ref.name": "e2e",
	}
	md["platform"] = map[string]string{"architecture": "amd64", "os": "linux"}
	index, _ := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.index.v1+json",
		"manifests":     []any{md},
	})
	docker, _ := json.Marshal([]map[string]any{{
		"Config":   blobPath(config),
		"RepoTags": []string{strings.TrimPrefix(BusyboxRef, "docker.io/library/")},
		"Layers":   []string{blobPath(layer)},
	}})

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	files := []struct {
		name string
		data []byte
	}{
		{"oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)},
		{"index.json", index},
		{"manifest.json", docker},
		{blobPath(config), config},
		{blobPath(manifest), manifest},
		{blobPath(layer), layer},
	}
	for _, d := range []string{"blobs/", "blobs/sha256/"} {
		if err := tw.WriteHeader(dirHeader(d)); err != nil {
			return err
		}
	}
	for _, f := range files {
		if err := tw.WriteHeader(fileHeader(f.name, int64(len(f.data)), 0o644)); err != nil {
			return err
		}
		if _, err := tw.Write(f.data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing busybox image: %w", err)
	}
	return os.Rename(tmp, path)
}

// busyboxLayer is the uncompressed layer tar.
func busyboxLayer() ([]byte, error) {
	const bb = "/bin/busybox"
	bin, err := os.ReadFile(bb)
	if err != nil {
		return nil, fmt.Errorf("reading %s (Debian package busybox-static): %w", bb, err)
	}
	out, err := exec.Command(bb, "--list").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --list: %w", bb, err)
	}
	applets := strings.Fields(string(out))
	sort.Strings(applets)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, d := range []string{"bin/", "dev/", "etc/", "proc/", "sys/", "root/", "var/", "usr/", "usr/bin/"} {
		if err := tw.WriteHeader(dirHeader(d)); err != nil {
			return nil, err
		}
	}
	tmp := dirHeader("tmp/")
	tmp.Mode = 0o1777
	if err := tw.WriteHeader(tmp); err != nil {
		return nil, err
	}
	etc := map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
		"etc/group":  "root:x:0:\nnogroup:x:65534:\n",
	}
	for _, name := range []string{"etc/group", "etc/passwd"} {
		if err := tw.WriteHeader(fileHeader(name, int64(len(etc[name])), 0o644)); err != nil {
			return nil, err
		}
		tw.Write([]byte(etc[name]))
	}
	if err := tw.WriteHeader(fileHeader("bin/busybox", int64(len(bin)), 0o755)); err != nil {
		return nil, err
	}
	if _, err := tw.Write(bin); err != nil {
		return nil, err
	}
	for _, a := range applets {
		if a == "busybox" || strings.Contains(a, "/") {
			continue
		}
		h := fileHeader("bin/"+a, 0, 0o777)
		h.Typeflag, h.Linkname = tar.TypeSymlink, "busybox"
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func dirHeader(name string) *tar.Header {
	return &tar.Header{Name: name, Typeflag: tar.TypeDir, Mode: 0o755, ModTime: epoch, Format: tar.FormatPAX}
}

func fileHeader(name string, size int64, mode int64) *tar.Header {
	return &tar.Header{Name: name, Typeflag: tar.TypeReg, Size: size, Mode: mode, ModTime: epoch, Format: tar.FormatPAX}
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func blobPath(b []byte) string {
	return filepath.Join("blobs", "sha256", strings.TrimPrefix(digest(b), "sha256:"))
}

func descriptor(mediaType string, b []byte) map[string]any {
	return map[string]any{"mediaType": mediaType, "digest": digest(b), "size": len(b)}
}
