// OpenMP threads that wait sleep rather than spin: the executable's default.
//
// By default a GNU OpenMP thread waiting at a barrier spins for 300,000
// iterations before it sleeps. With another busy process on the machine that
// spinning takes the core from the thread everybody waits for: the 2-replicate
// baseline, its agents split across 2 threads, took over 40 s against 11-13 s
// on 1 thread; with the passive policy 4.5-7.3 s, with a spin of 1,000
// iterations 8.5-10.6 s (docs/performance.md, "Shared machines"). Runs with
// few agents per thread run their replicates side by side and meet no
// barrier; for the rest, one wake-up per parallel region is small beside a
// step.
//
// libgomp reads OMP_WAIT_POLICY once, in its own constructor, before main
// runs, from the environment the process started with: a variable set by a
// function in .preinit_array is lost when the C library's own initialisation
// resets the environment to the one the kernel passed. So the executable sets
// it and starts itself again (execv keeps the process id, its open files and
// its signal dispositions; an MPI launcher sees the same process).
#include "cli/openmp_wait.hpp"

#include <unistd.h>

#include <cstdlib>

namespace migrasim {

void restart_with_sleeping_openmp_threads(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("GOMP_SPINCOUNT") != nullptr) return;
  // The executable by its own path, not /proc/self/exe: the process's name
  // (ps, top, kill by name) is taken from the last part of the path.
  char path[4096];
  const ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
  if (length <= 0) return;
  path[length] = '\0';
  if (setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0) return;
  execv(path, argv);
  // Not restarted (no /proc, the file replaced since it started): the runtime
  // keeps its own default, and the variable set above stays, harmless, for
  // child processes.
}

}  // namespace migrasim
