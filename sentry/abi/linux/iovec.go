package linux

// IOVec is struct iovec with the base as an application address.
type IOVec struct {
	Base uintptr
	Len  uintptr
}
