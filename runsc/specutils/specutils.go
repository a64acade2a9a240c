// Package specutils loads and validates OCI runtime-spec bundles: every
// problem in config.json becomes an error that names the field, before any
// process, mount or state directory exists.
package specutils

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ErrInvalidSpec wraps every validation failure.
var ErrInvalidSpec = errors.New("invalid OCI spec")

// maxConfigSize bounds config.json (a hostile bundle must not exhaust
// memory).
const maxConfigSize = 8 << 20

// LoadSpec reads and validates bundle/config.json. The root path is made
// absolute (relative to the bundle).
func LoadSpec(bundle string) (*specs.Spec, error) {
	abs, err := filepath.Abs(bundle)
	if err != nil {
		return nil, fmt.Errorf("bundle %q: %w", bundle, err)
	}
	path := filepath.Join(abs, "config.json")
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(&limitReader{f, maxConfigSize + 1}); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if buf.Len() > maxConfigSize {
		return nil, fmt.Errorf("%s: %w: larger than %d bytes", path, ErrInvalidSpec, maxConfigSize)
	}
	var spec specs.Spec
	dec := json.NewDecoder(&buf)
	if err := dec.Decode(&spec); err != nil {
		return nil, fmt.Errorf("parsing %s: %w: %v", path, ErrInvalidSpec, err)
	}
	if spec.Root != nil && spec.Root.Path != "" && !filepath.IsAbs(spec.Root.Path) {
		spec.Root.Path = filepath.Join(abs, spec.Root.Path)
	}
	if err := Validate(&spec); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &spec, nil
}

type limitReader struct {
	f *os.File
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, nil
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.f.Read(p)
	l.n -= int64(n)
	return n, err
}

var versionRE = regexp.MustCompile(`^1\.[0-9]+\.[0-9]+(-[0-9A-Za-z.+-]+)?$`)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidSpec, fmt.Sprintf(format, args...))
}

// Validate checks the parts of a spec Moat relies on.
func Validate(s *specs.Spec) error {
	if !versionRE.MatchString(s.Version) {
		return invalid("ociVersion %q is not a supported version (want 1.x.y)", s.Version)
	}
	if s.Root == nil || s.Root.Path == "" {
		return invalid("root.path is required")
	}
	if st, err := os.Stat(s.Root.Path); err != nil {
		return invalid("root.path %q: %v", s.Root.Path, err)
	} else if !st.IsDir() {
		return invalid("root.path %q is not a directory", s.Root.Path)
	}
	if s.Process != nil {
		if err := ValidateProcess(s.Process); err != nil {
			return err
		}
	}
	for i, m := range s.Mounts {
		if !filepath.IsAbs(m.Destination) {
			return invalid("mounts[%d].destination %q is not absolute", i, m.Destination)
		}
		if filepath.Clean(m.Destination) != strings.TrimSuffix(m.Destination, "/") && m.Destination != "/" {
			// Allow trailing slashes only; ".." and "." components are refused.
			for _, c := range strings.Split(m.Destination, "/") {
				if c == ".." || c == "." {
					return invalid("mounts[%d].destination %q has %q components", i, m.Destination, c)
				}
			}
		}
	}
	if s.Linux != nil {
		for i, ns := range s.Linux.Namespaces {
			switch ns.Type {
			case specs.PIDNamespace, specs.NetworkNamespace, specs.MountNamespace, specs.IPCNamespace,
				specs.UTSNamespace, specs.UserNamespace, specs.CgroupNamespace, specs.TimeNamespace:
			default:
				return invalid("linux.namespaces[%d].type %q is unknown", i, ns.Type)
			}
		}
	}
	return nil
}

// ValidateProcess checks a process (the init process or an exec).
func ValidateProcess(p *specs.Process) error {
	if len(p.Args) == 0 || p.Args[0] == "" {
		return invalid("process.args must name a program")
	}
	if p.Cwd == "" || !filepath.IsAbs(p.Cwd) {
		return invalid("process.cwd %q must be an absolute path", p.Cwd)
	}
	for i, e := range p.Env {
		if !strings.Contains(e, "=") {
			return invalid("process.env[%d] %q is not KEY=VALUE", i, e)
		}
	}
	for i, r := range p.Rlimits {
		if !strings.HasPrefix(r.Type, "RLIMIT_") {
			return invalid("process.rlimits[%d].type %q is not an RLIMIT_ name", i, r.Type)
		}
		if r.Soft > r.Hard {
			return invalid("process.rlimits[%d] (%s): soft limit above hard limit", i, r.Type)
		}
	}
	return nil
}

// validIDRE is what a container ID may look like (runc's rule: no path
// separators, no leading dot).
var validIDRE = regexp.MustCompile(`^[\w+\-][\w+\-.]*$`)

// ValidateID rejects IDs that could escape the state directory.
func ValidateID(id string) error {
	if id == "" || len(id) > 1024 || !validIDRE.MatchString(id) || id == "." || id == ".." {
		return fmt.Errorf("invalid container id %q: use letters, digits, '_', '+', '-' and '.' (not first)", id)
	}
	return nil
}
