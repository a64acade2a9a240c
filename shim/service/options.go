package service

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	runcoptions "github.com/containerd/containerd/api/types/runc/options"
	runtimeoptions "github.com/containerd/containerd/pkg/runtimeoptions/v1"
	"github.com/containerd/typeurl/v2"
	"github.com/pelletier/go-toml"
	"google.golang.org/protobuf/types/known/anypb"
)

// Options is the shim's configuration for one container, read from the
// TOML file that containerd's runtime options name (ConfigPath), with
// defaults filled in. It is saved in the bundle so that the shim's
// cleanup ("delete" action, a fresh process) drives the same runsc.
type Options struct {
	// Binary is the runsc binary: a path, or a name looked up in PATH.
	Binary string `toml:"binary_name" json:"binary_name"`
	// Root is the directory under which runsc's --root is made: the
	// containerd namespace is appended, as containerd's runc shim does.
	Root string `toml:"root" json:"root"`
	// LogPath is runsc's --log; "%ID%" expands to the container ID.
	LogPath string `toml:"log_path" json:"log_path"`
	// LogLevel is "debug" (runsc --debug), "info", "warning" or empty.
	LogLevel string `toml:"log_level" json:"log_level"`
	// RunscConfig holds further runsc global flags, name to value
	// ("platform" = "ptrace" becomes --platform=ptrace).
	RunscConfig map[string]string `toml:"-" json:"runsc_config,omitempty"`
}

// DefaultBinary and DefaultRootDir are used when the options leave the
// binary and root out.
const (
	DefaultBinary  = "runsc"
	DefaultRootDir = "/run/moat/containerd"
)

// optionsFile is where Create saves the resolved options in the bundle.
const optionsFile = "moat-shim-options.json"

// runtimeOptions reads containerd's runtime options for the shim's
// configuration: the generic type (runtimeoptions.v1.Options, which
// `ctr run --runtime-config-path` and the CRI plugin send for runtimes
// that are not runc) names the TOML file; the runc type
// (containerd.runc.v1.Options) may set the runsc binary and root, which
// override the file's.
func runtimeOptions(opts *anypb.Any, ns string) (*Options, error) {
	if opts == nil || opts.GetTypeUrl() == "" {
		return LoadOptions("", ns)
	}
	v, err := typeurl.UnmarshalAny(opts)
	if err != nil {
		return nil, fmt.Errorf("decoding runtime options %s: %w", opts.GetTypeUrl(), err)
	}
	switch o := v.(type) {
	case *runtimeoptions.Options:
		return LoadOptions(o.ConfigPath, ns)
	case *runcoptions.Options:
		out, err := LoadOptions("", ns)
		if err != nil {
			return nil, err
		}
		if o.BinaryName != "" {
			out.Binary = o.BinaryName
		}
		if o.Root != "" {
			out.Root = filepath.Join(o.Root, ns)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("runtime options of type %s are not supported (want runtimeoptions.v1.Options or containerd.runc.v1.Options)", opts.GetTypeUrl())
	}
}

// LoadOptions reads the TOML file at path (none when empty) and fills in
// defaults for namespace ns.
func LoadOptions(path, ns string) (*Options, error) {
	o := &Options{}
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("reading shim config: %w", err)
		}
		if err := o.parse(b); err != nil {
			return nil, fmt.Errorf("parsing shim config %s: %w", path, err)
		}
	}
	if o.Binary == "" {
		o.Binary = DefaultBinary
	}
	if o.Root == "" {
		o.Root = DefaultRootDir
	}
	o.Root = filepath.Join(o.Root, ns)
	switch o.LogLevel {
	case "", "debug", "info", "warning":
	default:
		return nil, fmt.Errorf("invalid log_level %q: want debug, info or warning", o.LogLevel)
	}
	return o, nil
}

// parse decodes the TOML text b into o.
func (o *Options) parse(b []byte) error {
	tree, err := toml.LoadBytes(b)
	if err != nil {
		return err
	}
	for _, k := range tree.Keys() {
		switch k {
		case "binary_name", "root", "log_path", "log_level", "runsc_config":
		default:
			return fmt.Errorf("unknown key %q", k)
		}
	}
	if err := tree.Unmarshal(o); err != nil {
		return err
	}
	sub, ok := tree.Get("runsc_config").(*toml.Tree)
	if !ok {
		if tree.Has("runsc_config") {
			return fmt.Errorf("runsc_config must be a table")
		}
		return nil
	}
	o.RunscConfig = map[string]string{}
	for k, v := range sub.ToMap() {
		switch v.(type) {
		case string, bool, int64, float64:
			o.RunscConfig[k] = fmt.Sprint(v)
		default:
			return fmt.Errorf("runsc_config.%s: want a string, number or boolean", k)
		}
	}
	return nil
}

// runscFlags renders the options as runsc global flags for container id.
func (o *Options) runscFlags(id string) []string {
	args := []string{"--root=" + o.Root}
	if o.LogPath != "" {
		args = append(args, "--log="+strings.ReplaceAll(o.LogPath, "%ID%", id), "--log-format=json")
	}
	if o.LogLevel == "debug" {
		args = append(args, "--debug")
	}
	keys := make([]string, 0, len(o.RunscConfig))
	for k := range o.RunscConfig {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "--"+k+"="+o.RunscConfig[k])
	}
	return args
}

// save writes o into bundle.
func (o *Options) save(bundle string) error {
	b, err := json.Marshal(o)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(bundle, optionsFile), b, 0o600)
}

// readSavedOptions reads what save wrote in bundle.
func readSavedOptions(bundle string) (*Options, error) {
	b, err := os.ReadFile(filepath.Join(bundle, optionsFile))
	if err != nil {
		return nil, err
	}
	var o Options
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", optionsFile, err)
	}
	return &o, nil
}
