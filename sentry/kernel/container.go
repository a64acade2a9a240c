package kernel

// Containers of a pod: every process carries the ID of the container it
// belongs to (empty for the sandbox's own container), set when the
// control server starts a container's init or an exec, and inherited by
// the children it forks. It is what runsc ps, kill --all and the
// per-container stats select on, whether or not the container has a PID
// namespace of its own.

// ContainerID returns the ID of the container tg belongs to ("" for the
// sandbox's own container).
func (tg *ThreadGroup) ContainerID() string { return tg.container }

// ContainerThreadGroups returns the live processes of container id.
func (k *Kernel) ContainerThreadGroups(id string) []*ThreadGroup {
	k.mu.Lock()
	defer k.mu.Unlock()
	var tgs []*ThreadGroup
	for _, tg := range k.threadGroups {
		if !tg.zombie && tg.container == id {
			tgs = append(tgs, tg)
		}
	}
	return tgs
}
