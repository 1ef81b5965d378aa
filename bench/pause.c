/* bench/pause: the scaled benchmark's extra long-running service. It only
 * waits for a signal, so per-service cost is the init's, not the service's. */
#include <unistd.h>

int main(void)
{
	for (;;)
		pause();
}
