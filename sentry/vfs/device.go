package vfs

import (
	"fmt"
	"sync"

	"moat/sentry/abi/linux"
)

// Device opens a character or block device node. Device nodes can live on
// any file system (dev, or tmpfs after mknod); their inode's Open calls
// VirtualFilesystem.OpenDevice, which finds the Device by number.
type Device interface {
	Open(ctx Context, vd VirtualDentry, flags uint32) (FileImpl, linux.Errno)
}

// DeviceKind is S_IFCHR or S_IFBLK.
type DeviceKind uint32

// Device kinds.
const (
	CharDevice  DeviceKind = DeviceKind(sIFCHR)
	BlockDevice DeviceKind = DeviceKind(sIFBLK)
)

type deviceKey struct {
	kind         DeviceKind
	major, minor uint32
}

// deviceRegistry is embedded in VirtualFilesystem.
type deviceRegistry struct {
	// devMu guards devices.
	devMu       sync.RWMutex
	devices     map[deviceKey]Device
	majors      map[deviceKey]Device // minor 0 in the key: any minor
	fifoFactory func() FIFO
}

// RegisterDevice makes d the device (kind, major, minor). It panics if the
// number is taken: registration happens once, at boot.
func (v *VirtualFilesystem) RegisterDevice(kind DeviceKind, major, minor uint32, d Device) {
	v.devMu.Lock()
	defer v.devMu.Unlock()
	k := deviceKey{kind, major, minor}
	if v.devices == nil {
		v.devices = make(map[deviceKey]Device)
	}
	if _, dup := v.devices[k]; dup {
		panic(fmt.Sprintf("vfs: device %d:%d registered twice", major, minor))
	}
	v.devices[k] = d
}

// RegisterDeviceMajor makes d the device for every minor number of major
// that has no device of its own (pty replicas). d finds the minor from the
// node's attributes. It panics if the major is taken.
func (v *VirtualFilesystem) RegisterDeviceMajor(kind DeviceKind, major uint32, d Device) {
	v.devMu.Lock()
	defer v.devMu.Unlock()
	k := deviceKey{kind: kind, major: major}
	if v.majors == nil {
		v.majors = make(map[deviceKey]Device)
	}
	if _, dup := v.majors[k]; dup {
		panic(fmt.Sprintf("vfs: device major %d registered twice", major))
	}
	v.majors[k] = d
}

// OpenDevice opens the device numbered dev (linux.MakeDev) unless vd is on
// a nodev mount (EACCES), or fails with
// ENXIO if none is registered.
func (v *VirtualFilesystem) OpenDevice(ctx Context, kind DeviceKind, dev uint64, vd VirtualDentry, flags uint32) (FileImpl, linux.Errno) {
	if vd.mount != nil && vd.mount.Flags().NoDev {
		// A device node on a nodev mount does not open, as on Linux.
		return nil, linux.EACCES
	}
	v.devMu.RLock()
	d := v.devices[deviceKey{kind, linux.DevMajor(dev), linux.DevMinor(dev)}]
	if d == nil {
		d = v.majors[deviceKey{kind: kind, major: linux.DevMajor(dev)}]
	}
	v.devMu.RUnlock()
	if d == nil {
		return nil, linux.ENXIO
	}
	return d.Open(ctx, vd, flags)
}

// VFS returns the namespace the mount belongs to.
func (m *Mount) VFS() *VirtualFilesystem { return m.vfs }

// FIFO is a named pipe's shared state; Open implements open(2) of it
// (blocking until the other side opens, ENXIO for a non-blocking writer
// without readers).
type FIFO interface {
	Open(ctx Context, vd VirtualDentry, flags uint32) (FileImpl, linux.Errno)
}

// SetFIFOFactory installs the constructor of named pipes (the kernel's pipe
// implementation provides it at boot). File systems call NewFIFO once per
// FIFO inode.
func (v *VirtualFilesystem) SetFIFOFactory(f func() FIFO) {
	v.devMu.Lock()
	defer v.devMu.Unlock()
	v.fifoFactory = f
}

// NewFIFO returns a new named pipe, or nil if no factory is installed.
func (v *VirtualFilesystem) NewFIFO() FIFO {
	v.devMu.RLock()
	defer v.devMu.RUnlock()
	if v.fifoFactory == nil {
		return nil
	}
	return v.fifoFactory()
}
