package sandbox

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"moat/internal/log"
)

// setOOMScoreAdj writes process.oomScoreAdj for pid. Lowering the score
// below the current one needs CAP_SYS_RESOURCE; a runtime without it (a
// container manager running in a container, as here) keeps the score it
// has and logs a warning instead of failing: containerd's CRI gives every
// pod sandbox -998, which would otherwise make every pod fail. Raising
// the score always works and its failure is an error.
func setOOMScoreAdj(pid, adj int) error {
	path := fmt.Sprintf("/proc/%d/oom_score_adj", pid)
	err := os.WriteFile(path, []byte(strconv.Itoa(adj)), 0)
	if err == nil {
		return nil
	}
	if errors.Is(err, os.ErrPermission) {
		if b, rerr := os.ReadFile(path); rerr == nil {
			if cur, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil && adj < cur {
				log.Warningf("oom_score_adj %d for process %d: %v (lowering the score needs CAP_SYS_RESOURCE); keeping %d", adj, pid, err, cur)
				return nil
			}
		}
	}
	return fmt.Errorf("setting oom_score_adj: %w", err)
}
