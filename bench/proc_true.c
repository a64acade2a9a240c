/* proc_true: a static program that exits 0 at once (the target of
 * `proc exec`). */
#include <unistd.h>

int main(void) {
	_exit(0);
}
